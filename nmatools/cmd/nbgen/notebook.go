package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"sort"
	"strings"
)

// Notebook is the subset of nbformat 4.5 that nbgen writes and verify reads.
type Notebook struct {
	Cells         []NBCell       `json:"cells"`
	Metadata      map[string]any `json:"metadata"`
	NBFormat      int            `json:"nbformat"`
	NBFormatMinor int            `json:"nbformat_minor"`
}

// NBCell is one nbformat cell. Fields are in nbformat's (sorted) key order.
type NBCell struct {
	CellType       string         `json:"cell_type"`
	ExecutionCount *int           `json:"execution_count,omitempty"`
	ID             string         `json:"id,omitempty"`
	Metadata       map[string]any `json:"metadata"`
	Outputs        []Output       `json:"outputs,omitempty"`
	Source         MultiLine      `json:"source"`
	codeCell       bool
}

// Output is one cell output (stream, display_data, execute_result, error).
type Output struct {
	OutputType string               `json:"output_type"`
	Name       string               `json:"name,omitempty"`
	Text       MultiLine            `json:"text,omitempty"`
	Data       map[string]MultiLine `json:"data,omitempty"`
	EName      string               `json:"ename,omitempty"`
	EValue     string               `json:"evalue,omitempty"`
	Traceback  []string             `json:"traceback,omitempty"`
}

// MultiLine is nbformat's multi-line string: a string or a list of lines.
type MultiLine string

func (m *MultiLine) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*m = MultiLine(s)
		return nil
	}
	var ls []string
	if err := json.Unmarshal(b, &ls); err != nil {
		// Some mime types hold JSON objects (e.g. widget views): keep them raw.
		*m = MultiLine(b)
		return nil
	}
	*m = MultiLine(strings.Join(ls, ""))
	return nil
}

// MarshalJSON writes the list-of-lines form, as Jupyter does.
func (m MultiLine) MarshalJSON() ([]byte, error) {
	s := string(m)
	lines := []string{}
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i+1])
		s = s[i+1:]
	}
	return json.Marshal(lines)
}

// MarshalJSON keeps execution_count (null) and outputs ([]) on code cells, as
// nbformat requires, and omits them on markdown cells.
func (c NBCell) MarshalJSON() ([]byte, error) {
	type plain struct {
		CellType string         `json:"cell_type"`
		ID       string         `json:"id"`
		Metadata map[string]any `json:"metadata"`
		Source   MultiLine      `json:"source"`
	}
	type code struct {
		CellType       string         `json:"cell_type"`
		ExecutionCount *int           `json:"execution_count"`
		ID             string         `json:"id"`
		Metadata       map[string]any `json:"metadata"`
		Outputs        []Output       `json:"outputs"`
		Source         MultiLine      `json:"source"`
	}
	if c.CellType == "code" {
		outs := c.Outputs
		if outs == nil {
			outs = []Output{}
		}
		return json.Marshal(code{c.CellType, c.ExecutionCount, c.ID, c.Metadata, outs, c.Source})
	}
	return json.Marshal(plain{c.CellType, c.ID, c.Metadata, c.Source})
}

// Build makes the notebook of variant v from parsed cells.
func Build(name string, cells []Cell, v Variant) *Notebook {
	nb := &Notebook{
		Metadata: map[string]any{
			"kernelspec": map[string]any{"display_name": "Go (gonb)", "language": "go", "name": "gonb"},
			"language_info": map[string]any{
				"codemirror_mode": "", "file_extension": ".go", "mimetype": "", "name": "go",
				"nbconvert_exporter": "", "pygments_lexer": "", "version": "go1.27",
			},
			"nmatools": map[string]any{"variant": v.String(), "source": "notebooks/src/" + name + ".md",
				"generated_by": "go run ./nmatools/cmd/nbgen (do not edit: edit the source)"},
		},
		NBFormat: 4, NBFormatMinor: 5,
	}
	add := func(kind, text string, meta map[string]any) {
		if meta == nil {
			meta = map[string]any{}
		}
		id := cellID(name, v, len(nb.Cells), text)
		nb.Cells = append(nb.Cells, NBCell{CellType: kind, ID: id, Metadata: meta, Source: MultiLine(text)})
	}
	for _, c := range cells {
		if c.Kind == "markdown" {
			add("markdown", c.Text, nil)
			continue
		}
		meta := map[string]any{}
		if len(c.Tags) > 0 {
			meta["tags"] = append([]string(nil), c.Tags...)
		}
		if c.Has("hide-input") {
			meta["jupyter"] = map[string]any{"source_hidden": true}
		}
		add("code", strings.Trim(c.Code(v), "\n"), meta)
		if c.Has("exercise") && v == Student {
			sol := strings.Trim(c.Code(Instructor), "\n")
			// Raw HTML, not a Markdown fence: Markdown inside <details> is rendered by
			// Jupyter's front-ends but not by nbconvert's HTML export.
			add("markdown", "<details>\n<summary>Click for solution</summary>\n<pre><code class=\"language-go\">"+
				html.EscapeString(sol)+"</code></pre>\n</details>",
				map[string]any{"tags": []string{"solution"}})
		}
	}
	return nb
}

func cellID(name string, v Variant, i int, text string) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s/%s/%d/%s", name, v, i, text)))
	return fmt.Sprintf("c%03d-%s", i, hex.EncodeToString(h[:4]))
}

// Encode writes the notebook as Jupyter does: sorted keys, one-space indent,
// trailing newline.
func (nb *Notebook) Encode() ([]byte, error) {
	raw, err := json.Marshal(nb)
	if err != nil {
		return nil, err
	}
	// Re-indent through a generic value to get sorted keys everywhere.
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Decode reads a notebook.
func Decode(b []byte) (*Notebook, error) {
	var nb Notebook
	if err := json.Unmarshal(b, &nb); err != nil {
		return nil, err
	}
	return &nb, nil
}

// Tags returns a cell's metadata tags.
func (c NBCell) Tags() []string {
	raw, _ := c.Metadata["tags"].([]any)
	var ts []string
	for _, t := range raw {
		if s, ok := t.(string); ok {
			ts = append(ts, s)
		}
	}
	return ts
}

func sortStrings(s []string) { sort.Strings(s) }
