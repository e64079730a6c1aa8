package matfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Entry is one line of a whos-style listing: a variable, or a field of a
// struct (Depth > 0), described by the struct's first element.
type Entry struct {
	// Name is the variable name, or a path to a field such as
	// "condsForSim(1).plan" (the first element of a struct array).
	Name  string `json:"name"`
	Depth int    `json:"depth"`
	// Size is the array size; Class the class as MATLAB's whos prints it.
	Size  []int  `json:"size"`
	Class string `json:"class"`
	// Attributes: global, complex, sparse.
	Global  bool `json:"global,omitempty"`
	Complex bool `json:"complex,omitempty"`
	Sparse  bool `json:"sparse,omitempty"`
	// Note says why an unsupported value was not decoded.
	Note string `json:"note,omitempty"`
}

// SizeString returns the size as whos prints it ("27x8").
func (e Entry) SizeString() string { return DimsString(e.Size) }

// Attributes returns the attributes as whos prints them ("global, complex").
func (e Entry) Attributes() string {
	var a []string
	if e.Global {
		a = append(a, "global")
	}
	if e.Complex {
		a = append(a, "complex")
	}
	if e.Sparse {
		a = append(a, "sparse")
	}
	return strings.Join(a, ", ")
}

// maxDescribeDepth bounds how deep Describe descends into nested structs.
const maxDescribeDepth = 32

// Describe lists f's variables in file order, like MATLAB's whos, and under
// each struct the fields of its first element, recursively.
func Describe(f *File) []Entry {
	var out []Entry
	for _, v := range f.Vars {
		out = describe(out, v.Name, v.Value, 0, v.Global)
	}
	return out
}

func describe(out []Entry, name string, v Value, depth int, global bool) []Entry {
	if v == nil {
		return append(out, Entry{Name: name, Depth: depth, Class: "(nil)"})
	}
	e := Entry{Name: name, Depth: depth, Size: v.Size(), Class: v.ClassName(), Global: global}
	switch x := v.(type) {
	case *Numeric:
		e.Complex = x.Imag != nil
	case *Sparse:
		e.Sparse = true
		e.Complex = x.Imag != nil
	case *Unsupported:
		e.Note = x.Reason
	}
	out = append(out, e)
	s, ok := v.(*Struct)
	if !ok || len(s.Elems) == 0 || depth >= maxDescribeDepth {
		return out
	}
	prefix := name
	if len(s.Elems) > 1 {
		prefix += "(1)"
	}
	for _, fn := range s.Fields {
		fv, ok := s.Elems[0][fn]
		if !ok {
			continue
		}
		out = describe(out, prefix+"."+fn, fv, depth+1, false)
	}
	return out
}

// WriteWhos prints entries as a whos-style table (fields indented under
// their struct).
func WriteWhos(w io.Writer, entries []Entry) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  Name\tSize\tClass\tAttributes")
	for _, e := range entries {
		attr := e.Attributes()
		if e.Note != "" {
			if attr != "" {
				attr += "; "
			}
			attr += "not decoded"
		}
		fmt.Fprintf(tw, "  %s%s\t%s\t%s\t%s\n", strings.Repeat("  ", e.Depth), e.Name, e.SizeString(), e.Class, attr)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	// A blank line under the heading, as whos prints.
	lines = append(lines[:1], append([]string{""}, lines[1:]...)...)
	_, err := io.WriteString(w, strings.Join(lines, "\n")+"\n")
	return err
}

// Listing is the JSON form of a file's listing.
type Listing struct {
	File      string   `json:"file,omitempty"`
	Header    string   `json:"header"`
	BigEndian bool     `json:"big_endian,omitempty"`
	Variables []Entry  `json:"variables"`
	Notes     []string `json:"notes,omitempty"`
}

// NewListing returns Describe(f) with the file's header and notes.
func NewListing(path string, f *File) Listing {
	vars := Describe(f)
	if vars == nil {
		vars = []Entry{}
	}
	return Listing{File: path, Header: f.Header, BigEndian: f.BigEndian, Variables: vars, Notes: f.Notes}
}

// WriteJSON writes the listing as indented JSON.
func (l Listing) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(l)
}
