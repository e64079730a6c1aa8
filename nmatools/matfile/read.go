package matfile

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MAT-file data types (the "mi" types of the format).
const (
	miINT8       = 1
	miUINT8      = 2
	miINT16      = 3
	miUINT16     = 4
	miINT32      = 5
	miUINT32     = 6
	miSINGLE     = 7
	miDOUBLE     = 9
	miINT64      = 12
	miUINT64     = 13
	miMATRIX     = 14
	miCOMPRESSED = 15
	miUTF8       = 16
	miUTF16      = 17
	miUTF32      = 18
)

var miNames = map[uint32]string{
	miINT8: "miINT8", miUINT8: "miUINT8", miINT16: "miINT16", miUINT16: "miUINT16",
	miINT32: "miINT32", miUINT32: "miUINT32", miSINGLE: "miSINGLE", miDOUBLE: "miDOUBLE",
	miINT64: "miINT64", miUINT64: "miUINT64", miMATRIX: "miMATRIX", miCOMPRESSED: "miCOMPRESSED",
	miUTF8: "miUTF8", miUTF16: "miUTF16", miUTF32: "miUTF32",
}

func miName(t uint32) string {
	if s, ok := miNames[t]; ok {
		return s
	}
	return fmt.Sprintf("unknown data type %d", t)
}

// miSize returns the byte size of one value of a numeric data type, or 0.
func miSize(t uint32) int {
	switch t {
	case miINT8, miUINT8, miUTF8:
		return 1
	case miINT16, miUINT16, miUTF16:
		return 2
	case miINT32, miUINT32, miSINGLE, miUTF32:
		return 4
	case miDOUBLE, miINT64, miUINT64:
		return 8
	}
	return 0
}

const (
	flagComplex = 0x08
	flagGlobal  = 0x04
	flagLogical = 0x02
)

// ReadOptions tunes Read. The zero value is fine.
type ReadOptions struct {
	// MaxVariableBytes caps the decompressed size of one compressed
	// variable; 0 means DefaultMaxVariableBytes.
	MaxVariableBytes int64
}

// DefaultMaxVariableBytes is the default cap on the decompressed size of
// one variable: 2 GiB, the largest variable MATLAB saves with -v7 (larger
// ones need -v7.3). Memory is allocated as the data arrive, never from the
// announced size alone (at most what the compressed bytes present can inflate to).
const DefaultMaxVariableBytes = 2 << 30

// maxDepth bounds the nesting of cells and structs.
const maxDepth = 200

// maxFieldlessElems bounds the number of elements of a struct array
// without fields (which take no bytes in the file).
const maxFieldlessElems = 1 << 20

// FormatError reports malformed or unsupported content. Offset is the byte
// offset of the variable's element in the file; for a compressed variable,
// Inner is the offset in its decompressed data where the problem was found.
type FormatError struct {
	Var        string // variable, with the path inside it (s(3).plan{2}); may be empty
	Offset     int64  // file offset of the variable's element, -1 for the header
	Compressed bool
	Inner      int64 // offset inside the variable's (decompressed) element data
	Msg        string
	Err        error // a sentinel the error wraps (ErrTooLarge), or nil
}

// Unwrap returns the sentinel, if any.
func (e *FormatError) Unwrap() error { return e.Err }

// ErrTooLarge is wrapped by the error for a variable larger than
// ReadOptions.MaxVariableBytes (compressed size announced, or decoded values).
var ErrTooLarge = errors.New("variable larger than the reader's limit")

func (e *FormatError) Error() string {
	var b strings.Builder
	b.WriteString("matfile: ")
	if e.Var != "" {
		fmt.Fprintf(&b, "variable %s: ", e.Var)
	}
	switch {
	case e.Offset < 0:
		b.WriteString("header: ")
	case e.Compressed:
		fmt.Fprintf(&b, "compressed element at byte %d, offset %d of its decompressed data: ", e.Offset, e.Inner)
	default:
		fmt.Fprintf(&b, "byte %d: ", e.Offset+e.Inner)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrV73 is wrapped by the error for a MATLAB v7.3 (HDF5) file.
var ErrV73 = errors.New("MATLAB v7.3 (HDF5) MAT-file, not supported")

// ErrV4 is wrapped by the error for a Level 4 MAT-file.
var ErrV4 = errors.New("Level 4 MAT-file (MATLAB v4 format), not supported")

// ReadFile reads the MAT-file at path.
func ReadFile(path string) (*File, error) { return ReadFileWithOptions(path, nil) }

// ReadFileWithOptions is ReadFile with options (nil for the defaults).
func ReadFileWithOptions(path string, opt *ReadOptions) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	mf, err := ReadWithOptions(f, st.Size(), opt)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return mf, nil
}

// Read reads a Level 5 MAT-file (MATLAB -v6/-v7, scipy.io.savemat) of size
// bytes from r.
func Read(r io.ReaderAt, size int64) (*File, error) {
	return ReadWithOptions(r, size, nil)
}

// ReadWithOptions is Read with options (nil for the defaults).
func ReadWithOptions(r io.ReaderAt, size int64, opt *ReadOptions) (*File, error) {
	maxVar := int64(DefaultMaxVariableBytes)
	if opt != nil && opt.MaxVariableBytes > 0 {
		maxVar = opt.MaxVariableBytes
	}
	hdrErr := func(format string, a ...any) error {
		return &FormatError{Offset: -1, Msg: fmt.Sprintf(format, a...)}
	}
	if size < 0 {
		return nil, fmt.Errorf("matfile: negative file size %d", size)
	}
	head := make([]byte, 128)
	n, err := r.ReadAt(head[:min(size, 128)], 0)
	if int64(n) < min(size, 128) {
		return nil, fmt.Errorf("matfile: reading the header: %w", err)
	}
	head = head[:n]
	if bytes.HasPrefix(head, []byte("\x89HDF\r\n\x1a\n")) || bytes.HasPrefix(head, []byte("MATLAB 7.3 MAT-file")) {
		return nil, fmt.Errorf("matfile: %w: re-save it as a Level 5 file: save(filename, ..., '-v7') in MATLAB/Octave, or scipy.io.savemat in Python (read it with h5py or mat73 first)", ErrV73)
	}
	if looksV4(head) {
		return nil, fmt.Errorf("matfile: %w: re-save it with save(filename, ..., '-v7') in MATLAB/Octave, or load it with scipy.io.loadmat and save it with scipy.io.savemat", ErrV4)
	}
	if size < 128 {
		return nil, hdrErr("file is %d bytes, shorter than the 128-byte MAT-file header (truncated or not a MAT-file)", size)
	}
	f := &File{Header: strings.TrimRight(string(bytes.TrimRight(head[:116], "\x00")), " ")}
	var order binary.ByteOrder
	switch string(head[126:128]) {
	case "IM":
		order = binary.LittleEndian
	case "MI":
		order = binary.BigEndian
		f.BigEndian = true
	default:
		return nil, hdrErr("bytes 126-127 are %q, expected the endian indicator \"IM\" or \"MI\": not a Level 5 MAT-file", head[126:128])
	}
	if strings.HasPrefix(f.Header, "MATLAB 7.3") {
		return nil, fmt.Errorf("matfile: %w: re-save it with save(filename, ..., '-v7')", ErrV73)
	}
	if v := order.Uint16(head[124:]); v != 0x0100 {
		f.Notes = append(f.Notes, fmt.Sprintf("header version is 0x%04x, expected 0x0100; read anyway", v))
	}
	subsys := int64(-1)
	if ss := head[116:124]; !allBytes(ss, 0) && !allBytes(ss, ' ') {
		subsys = int64(order.Uint64(ss))
	}

	rd := &reader{order: order, maxVar: maxVar}
	off := int64(128)
	for off < size {
		left := size - off
		if left < 8 {
			tail := make([]byte, left)
			if _, err := r.ReadAt(tail, off); err != nil && err != io.EOF {
				return nil, err
			}
			if allBytes(tail, 0) {
				break // padding
			}
			return nil, &FormatError{Offset: off, Msg: fmt.Sprintf("%d stray bytes at the end of the file, too short for an element tag (truncated file?)", left)}
		}
		var tag [8]byte
		if _, err := r.ReadAt(tag[:], off); err != nil {
			return nil, fmt.Errorf("matfile: reading byte %d: %w", off, err)
		}
		typ, nb := order.Uint32(tag[:]), int64(order.Uint32(tag[4:]))
		if typ == 0 && nb == 0 && left <= 1<<20 {
			// Zero padding at the end of the file, which some writers add.
			tail := make([]byte, left)
			if _, err := r.ReadAt(tail, off); err != nil && err != io.EOF {
				return nil, err
			}
			if allBytes(tail, 0) {
				break
			}
		}
		if typ>>16 != 0 {
			return nil, &FormatError{Offset: off, Msg: fmt.Sprintf("a top-level element in the small data element format (tag 0x%08x): expected miMATRIX or miCOMPRESSED (corrupt file?)", typ)}
		}
		if typ != miMATRIX && typ != miCOMPRESSED {
			return nil, &FormatError{Offset: off, Msg: fmt.Sprintf("top-level element of type %s: expected miMATRIX (14) or miCOMPRESSED (15) (corrupt file?)", miName(typ))}
		}
		if nb > left-8 {
			return nil, &FormatError{Offset: off, Msg: fmt.Sprintf("%s element claims %d bytes but only %d are left in the file (truncated file?)", miName(typ), nb, left-8)}
		}
		isSubsys := off == subsys
		data := make([]byte, nb)
		if _, err := r.ReadAt(data, off+8); err != nil && !(err == io.EOF && int64(len(data)) == nb) {
			return nil, fmt.Errorf("matfile: reading %d bytes at byte %d: %w", nb, off+8, err)
		}
		elemOff := off
		if typ == miCOMPRESSED {
			off += 8 + nb
		} else {
			off += 8 + nb + pad8(nb)
		}
		if isSubsys {
			f.Notes = append(f.Notes, fmt.Sprintf("skipped the subsystem data block at byte %d (MATLAB class definitions for objects)", elemOff))
			continue
		}
		loc := &loc{off: elemOff, compressed: typ == miCOMPRESSED}
		rd.left = maxVar
		if typ == miCOMPRESSED {
			data, err = rd.inflate(data, loc)
			if err != nil {
				return nil, err
			}
		}
		var v Var
		if typ == miCOMPRESSED {
			v, err = rd.topMatrix(data, loc)
		} else {
			var name string
			var val Value
			var global bool
			name, val, global, err = rd.matrix(data, 8, loc, "", 0)
			v = Var{Name: name, Value: val, Global: global}
		}
		if err != nil {
			return nil, err
		}
		if v.Name == "" {
			f.Notes = append(f.Notes, fmt.Sprintf("skipped a variable without a name at byte %d (%s)", elemOff, v.Value.ClassName()))
			continue
		}
		if u, ok := v.Value.(*Unsupported); ok {
			f.Notes = append(f.Notes, fmt.Sprintf("variable %s (class %s) not decoded: %s", v.Name, u.ClassName(), u.Reason))
		}
		f.Vars = append(f.Vars, v)
	}
	return f, nil
}

// looksV4 reports whether head starts like a Level 4 MAT-file: a 20-byte
// header of int32 type (MOPT), rows, cols, imagf, namlen, then the name.
func looksV4(head []byte) bool {
	if len(head) < 20 || bytes.HasPrefix(head, []byte("MATLAB")) {
		return false
	}
	for _, o := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		mopt := o.Uint32(head)
		m, op, p, t := mopt/1000, mopt/100%10, mopt/10%10, mopt%10
		rows, cols := o.Uint32(head[4:]), o.Uint32(head[8:])
		imagf, namlen := o.Uint32(head[12:]), o.Uint32(head[16:])
		if mopt < 5000 && m <= 4 && op == 0 && p <= 5 && t <= 2 && imagf <= 1 &&
			namlen >= 2 && namlen < 64 && rows < 1<<28 && cols < 1<<28 && int(20+namlen) <= len(head) &&
			head[20+namlen-1] == 0 {
			return true
		}
	}
	return false
}

func allBytes(b []byte, c byte) bool {
	for _, x := range b {
		if x != c {
			return false
		}
	}
	return true
}

func pad8(n int64) int64 { return (8 - n%8) % 8 }

type reader struct {
	order  binary.ByteOrder
	maxVar int64
	// left is what the variable being read may still allocate for decoded
	// values (8 bytes each); reset to maxVar for each top-level variable.
	left int64
}

// loc locates the top-level element being parsed, for error messages.
type loc struct {
	off        int64
	compressed bool
	name       string
}

func (l *loc) errorf(path string, inner int, format string, a ...any) error {
	e := &FormatError{Var: path, Offset: l.off, Compressed: l.compressed, Inner: int64(inner), Msg: fmt.Sprintf(format, a...)}
	for _, x := range a {
		if err, ok := x.(error); ok && errors.Is(err, ErrTooLarge) {
			e.Err = ErrTooLarge
		}
	}
	return e
}

// maxDeflateRatio bounds how many bytes one compressed byte can inflate to (deflate's
// longest match, 258 bytes, costs at least 2 bits: about 1032:1).
const maxDeflateRatio = 1032

// inflate decompresses the data of a miCOMPRESSED element: one miMATRIX
// element. It reads the inner tag first and then exactly the bytes it
// announces, so memory grows with the data actually present, never from the
// size in a header alone.
func (rd *reader) inflate(data []byte, l *loc) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, l.errorf("", 0, "corrupt compressed data: %v", err)
	}
	var tag [8]byte
	if _, err := io.ReadFull(zr, tag[:]); err != nil {
		return nil, l.errorf("", 0, "corrupt compressed data: reading the element tag: %v", err)
	}
	typ, nb := rd.order.Uint32(tag[:]), int64(rd.order.Uint32(tag[4:]))
	if typ != miMATRIX {
		return nil, l.errorf("", 0, "compressed element holds %s (tag 0x%08x), expected miMATRIX", miName(typ), typ)
	}
	if nb > rd.maxVar {
		err := l.errorf("", 0, "compressed variable announces %d bytes, more than the %d-byte limit (ReadOptions.MaxVariableBytes)", nb, rd.maxVar)
		err.(*FormatError).Err = ErrTooLarge
		return nil, err
	}
	// Room for the announced size at once (growing a 12 MB variable by doubling cost more
	// than decoding it), but never more than the compressed bytes present can inflate to:
	// deflate expands at most maxDeflateRatio:1, so a crafted size buys nothing.
	want := nb
	if lim := int64(len(data))*maxDeflateRatio + 1024; want > lim {
		want = lim
	}
	var buf bytes.Buffer
	buf.Grow(8 + int(want) + bytes.MinRead) // ReadFrom asks for MinRead free bytes before each read
	buf.Write(tag[:])
	got, err := io.Copy(&buf, io.LimitReader(zr, nb))
	if err != nil {
		return nil, l.errorf("", int(8+got), "corrupt compressed data: %v (the element announces %d bytes)", err, nb)
	}
	if got < nb {
		return nil, l.errorf("", int(8+got), "compressed data ends after %d of the %d bytes the element announces (truncated file?)", got, nb)
	}
	return buf.Bytes(), nil
}

// topMatrix parses a miMATRIX element (tag included) holding a variable.
func (rd *reader) topMatrix(data []byte, l *loc) (Var, error) {
	c := &cursor{rd: rd, b: data, l: l}
	typ, body, start, err := c.next("")
	if err != nil {
		return Var{}, err
	}
	if typ != miMATRIX {
		return Var{}, l.errorf("", start, "element of type %s, expected miMATRIX", miName(typ))
	}
	name, v, global, err := rd.matrix(body, start+8, l, "", 0)
	if err != nil {
		return Var{}, err
	}
	return Var{Name: name, Value: v, Global: global}, nil
}

// cursor walks the data elements inside one buffer.
type cursor struct {
	rd   *reader
	b    []byte
	pos  int
	base int // offset of b[0] in the variable's element data
	l    *loc
}

func (c *cursor) left() int { return len(c.b) - c.pos }

// next returns the next data element: its type, its data and its offset.
func (c *cursor) next(path string) (typ uint32, data []byte, at int, err error) {
	at = c.base + c.pos
	if c.left() < 8 {
		return 0, nil, at, c.l.errorf(path, at, "expected a data element tag (8 bytes), only %d bytes left", c.left())
	}
	w := c.rd.order.Uint32(c.b[c.pos:])
	if w>>16 != 0 { // small data element: size in the upper half, data in the tag
		typ, n := w&0xffff, int(w>>16)
		if n > 4 {
			return 0, nil, at, c.l.errorf(path, at, "small data element (%s) claims %d bytes, at most 4 fit", miName(typ), n)
		}
		data = c.b[c.pos+4 : c.pos+4+n]
		c.pos += 8
		return typ, data, at, nil
	}
	n := int64(c.rd.order.Uint32(c.b[c.pos+4:]))
	c.pos += 8
	if n > int64(c.left()) {
		return 0, nil, at, c.l.errorf(path, at, "%s element claims %d bytes, only %d left in the enclosing element", miName(w), n, c.left())
	}
	data = c.b[c.pos : c.pos+int(n)]
	c.pos += int(n)
	c.pos = min(c.pos+int(pad8(n)), len(c.b))
	return w, data, at, nil
}

// nextOf is next that checks the type against the allowed ones.
func (c *cursor) nextOf(path, what string, types ...uint32) (uint32, []byte, int, error) {
	typ, data, at, err := c.next(path)
	if err != nil {
		return 0, nil, at, fmt.Errorf("%w (reading the %s)", err, what)
	}
	for _, t := range types {
		if typ == t {
			return typ, data, at, nil
		}
	}
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = miName(t)
	}
	return 0, nil, at, c.l.errorf(path, at, "%s stored as %s, expected %s", what, miName(typ), strings.Join(names, " or "))
}

// matrix parses the body of a miMATRIX element starting at offset base.
func (rd *reader) matrix(body []byte, base int, l *loc, path string, depth int) (name string, v Value, global bool, err error) {
	if len(body) == 0 {
		// MATLAB writes an empty miMATRIX for [] inside cells and structs.
		return "", Empty(), false, nil
	}
	if depth > maxDepth {
		return "", nil, false, l.errorf(path, base, "cells and structs nested more than %d deep", maxDepth)
	}
	c := &cursor{rd: rd, b: body, base: base, l: l}
	_, fl, at, err := c.nextOf(path, "array flags", miUINT32)
	if err != nil {
		return "", nil, false, err
	}
	if len(fl) != 8 {
		return "", nil, false, l.errorf(path, at, "array flags hold %d bytes, expected 8", len(fl))
	}
	w := rd.order.Uint32(fl)
	class := Class(w & 0xff)
	flags := (w >> 8) & 0xff
	global = flags&flagGlobal != 0
	isComplex := flags&flagComplex != 0

	if class == ClassOpaque {
		// Opaque (classdef) objects: name, type system, class name, data.
		_, nm, _, err := c.nextOf(path, "array name", miINT8, miUINT8)
		if err != nil {
			return "", nil, false, err
		}
		name = cString(nm)
		reason := "MATLAB classdef objects (string, table, datetime, ...) are not decoded; convert them to char, cell or struct before saving"
		if _, cn, _, err2 := c.next(path); err2 == nil {
			if _, cls, _, err3 := c.next(path); err3 == nil {
				reason = fmt.Sprintf("%s object of class %q is not decoded; convert it to a char, cell or struct array before saving", cString(cn), cString(cls))
			}
		}
		return name, &Unsupported{Class: class, Reason: reason}, global, nil
	}

	_, dimb, at, err := c.nextOf(path, "dimensions", miINT32, miUINT32)
	if err != nil {
		return "", nil, false, err
	}
	if len(dimb)%4 != 0 || len(dimb) < 4 {
		return "", nil, false, l.errorf(path, at, "dimensions element holds %d bytes, expected a positive multiple of 4", len(dimb))
	}
	dims := make([]int, len(dimb)/4)
	for i := range dims {
		d := int32(rd.order.Uint32(dimb[4*i:]))
		if d < 0 {
			return "", nil, false, l.errorf(path, at, "negative dimension %d", d)
		}
		dims[i] = int(d)
	}
	dims = normDims(dims)
	count := numel(dims)
	if count < 0 {
		return "", nil, false, l.errorf(path, at, "dimensions %s overflow", DimsString(dims))
	}
	_, nm, at, err := c.nextOf(path, "array name", miINT8, miUINT8)
	if err != nil {
		return "", nil, false, err
	}
	name = cString(nm)
	if path == "" {
		path = name
		l.name = name
	}

	switch {
	case class >= ClassDouble && class <= ClassUint64:
		n := &Numeric{Class: class, Dims: dims}
		if flags&flagLogical != 0 {
			n.Class = ClassLogical
		}
		n.Real, err = c.numbers(path, "real part", count)
		if err != nil {
			return "", nil, false, err
		}
		if isComplex {
			n.Imag, err = c.numbers(path, "imaginary part", count)
			if err != nil {
				return "", nil, false, err
			}
		}
		return name, n, global, nil

	case class == ClassChar:
		ch, err := c.chars(path, dims, count)
		if err != nil {
			return "", nil, false, err
		}
		return name, ch, global, nil

	case class == ClassCell:
		if count > c.left()/8 {
			return "", nil, false, l.errorf(path, base+c.pos, "cell array %s needs at least %d bytes, only %d left", DimsString(dims), 8*count, c.left())
		}
		cell := &Cell{Dims: dims, Elems: make([]Value, count)}
		for i := range cell.Elems {
			p := fmt.Sprintf("%s{%d}", path, i+1)
			cell.Elems[i], err = c.subMatrix(p, depth)
			if err != nil {
				return "", nil, false, err
			}
		}
		return name, cell, global, nil

	case class == ClassStruct || class == ClassObject:
		s := &Struct{Dims: dims}
		if class == ClassObject {
			_, cn, _, err := c.nextOf(path, "object class name", miINT8, miUINT8)
			if err != nil {
				return "", nil, false, err
			}
			s.ObjectClass = cString(cn)
			if s.ObjectClass == "" {
				s.ObjectClass = "object"
			}
		}
		_, nlb, at, err := c.nextOf(path, "field name length", miINT32, miUINT32)
		if err != nil {
			return "", nil, false, err
		}
		if len(nlb) != 4 {
			return "", nil, false, l.errorf(path, at, "field name length element holds %d bytes, expected 4", len(nlb))
		}
		nameLen := int(int32(rd.order.Uint32(nlb)))
		_, names, at, err := c.nextOf(path, "field names", miINT8, miUINT8)
		if err != nil {
			return "", nil, false, err
		}
		if len(names) > 0 && (nameLen <= 0 || len(names)%nameLen != 0) {
			return "", nil, false, l.errorf(path, at, "%d bytes of field names is not a multiple of the field name length %d", len(names), nameLen)
		}
		nf := 0
		if nameLen > 0 {
			nf = len(names) / nameLen
		}
		s.Fields = make([]string, nf)
		seen := map[string]bool{}
		for i := range s.Fields {
			s.Fields[i] = cString(names[i*nameLen : (i+1)*nameLen])
			if seen[s.Fields[i]] {
				return "", nil, false, l.errorf(path, at, "field name %q appears twice", s.Fields[i])
			}
			seen[s.Fields[i]] = true
		}
		if nf > 0 && count > c.left()/(8*nf) {
			return "", nil, false, l.errorf(path, base+c.pos, "struct array %s with %d fields needs at least %d bytes, only %d left", DimsString(dims), nf, 8*nf*count, c.left())
		}
		if nf == 0 && count > maxFieldlessElems {
			return "", nil, false, l.errorf(path, at, "struct array %s without fields has more than %d elements", DimsString(dims), maxFieldlessElems)
		}
		s.Elems = make([]map[string]Value, count)
		if nf == 0 {
			return name, s, global, nil // nil maps read as empty
		}
		for i := range s.Elems {
			m := make(map[string]Value, nf)
			for _, fname := range s.Fields {
				var p string
				if count == 1 {
					p = path + "." + fname
				} else {
					p = fmt.Sprintf("%s(%d).%s", path, i+1, fname)
				}
				m[fname], err = c.subMatrix(p, depth)
				if err != nil {
					return "", nil, false, err
				}
			}
			s.Elems[i] = m
		}
		return name, s, global, nil

	case class == ClassSparse:
		sp, err := c.sparse(path, dims, isComplex, flags&flagLogical != 0)
		if err != nil {
			return "", nil, false, err
		}
		return name, sp, global, nil

	case class == ClassFunction:
		return name, &Unsupported{Class: class, Dims: dims, Reason: "function handles are not decoded"}, global, nil
	}
	return "", nil, false, l.errorf(path, base, "unknown array class %d", uint8(class))
}

// subMatrix parses a miMATRIX element nested in a cell or struct.
func (c *cursor) subMatrix(path string, depth int) (Value, error) {
	_, body, at, err := c.nextOf(path, "array", miMATRIX)
	if err != nil {
		return nil, err
	}
	_, v, _, err := c.rd.matrix(body, at+8, c.l, path, depth+1)
	return v, err
}

// numbers reads a numeric data element of want values as float64.
func (c *cursor) numbers(path, what string, want int) ([]float64, error) {
	typ, data, at, err := c.next(path)
	if err != nil {
		return nil, fmt.Errorf("%w (reading the %s)", err, what)
	}
	v, err := c.rd.decodeNumbers(typ, data)
	if err != nil {
		return nil, c.l.errorf(path, at, "%s: %v", what, err)
	}
	if len(v) != want {
		return nil, c.l.errorf(path, at, "%s holds %d values, expected %d", what, len(v), want)
	}
	return v, nil
}

func (rd *reader) decodeNumbers(typ uint32, data []byte) ([]float64, error) {
	sz := miSize(typ)
	if sz == 0 || typ == miUTF8 || typ == miUTF16 || typ == miUTF32 {
		return nil, fmt.Errorf("data of type %s, expected a numeric type", miName(typ))
	}
	if len(data)%sz != 0 {
		return nil, fmt.Errorf("%d bytes is not a whole number of %s values", len(data), miName(typ))
	}
	n := len(data) / sz
	// Values are decoded to float64: 8 bytes each whatever their stored size,
	// so small stored types (int8) could expand 8×; the variable's budget
	// bounds the total.
	if int64(n)*8 > rd.left {
		return nil, fmt.Errorf("%d values decode to more than the %d bytes left of the variable's limit "+
			"(ReadOptions.MaxVariableBytes, %d bytes): %w", n, rd.left, rd.maxVar, ErrTooLarge)
	}
	rd.left -= int64(n) * 8
	v := make([]float64, n)
	o := rd.order
	switch typ {
	case miINT8:
		for i := range v {
			v[i] = float64(int8(data[i]))
		}
	case miUINT8:
		for i := range v {
			v[i] = float64(data[i])
		}
	case miINT16:
		for i := range v {
			v[i] = float64(int16(o.Uint16(data[2*i:])))
		}
	case miUINT16:
		for i := range v {
			v[i] = float64(o.Uint16(data[2*i:]))
		}
	case miINT32:
		for i := range v {
			v[i] = float64(int32(o.Uint32(data[4*i:])))
		}
	case miUINT32:
		for i := range v {
			v[i] = float64(o.Uint32(data[4*i:]))
		}
	case miSINGLE:
		for i := range v {
			v[i] = float64(math.Float32frombits(o.Uint32(data[4*i:])))
		}
	case miDOUBLE:
		for i := range v {
			v[i] = math.Float64frombits(o.Uint64(data[8*i:]))
		}
	case miINT64:
		for i := range v {
			v[i] = float64(int64(o.Uint64(data[8*i:])))
		}
	case miUINT64:
		for i := range v {
			v[i] = float64(o.Uint64(data[8*i:]))
		}
	}
	return v, nil
}

// chars reads the data of a char array.
func (c *cursor) chars(path string, dims []int, count int) (*Char, error) {
	typ, data, at, err := c.next(path)
	if err != nil {
		return nil, fmt.Errorf("%w (reading the characters)", err)
	}
	units := []rune{}
	o := c.rd.order
	switch typ {
	case miUTF8:
		if !utf8.Valid(data) {
			return nil, c.l.errorf(path, at, "char data is not valid UTF-8")
		}
		for _, u := range utf16.Encode([]rune(string(data))) {
			units = append(units, rune(u))
		}
	case miUINT8, miINT8:
		units = make([]rune, len(data))
		for i, b := range data {
			units[i] = rune(b)
		}
	case miUTF16, miUINT16, miINT16:
		if len(data)%2 != 0 {
			return nil, c.l.errorf(path, at, "odd number of bytes (%d) in 16-bit char data", len(data))
		}
		units = make([]rune, len(data)/2)
		for i := range units {
			units[i] = rune(o.Uint16(data[2*i:]))
		}
	case miUTF32, miUINT32, miINT32:
		if len(data)%4 != 0 {
			return nil, c.l.errorf(path, at, "%d bytes is not a whole number of 32-bit characters", len(data))
		}
		for i := 0; i < len(data)/4; i++ {
			r := rune(o.Uint32(data[4*i:]))
			if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
				units = append(units, r1, r2)
			} else if r >= 0 && r < 0x10000 {
				units = append(units, r)
			} else {
				return nil, c.l.errorf(path, at, "invalid character code %d", r)
			}
		}
	default:
		return nil, c.l.errorf(path, at, "char data stored as %s, expected miUTF8, miUTF16 or miUINT16", miName(typ))
	}
	if len(units) != count {
		return nil, c.l.errorf(path, at, "char array %s holds %d characters, expected %d", DimsString(dims), len(units), count)
	}
	return &Char{Dims: dims, Data: units}, nil
}

// sparse reads the ir, jc, pr (and pi) elements of a sparse array.
func (c *cursor) sparse(path string, dims []int, isComplex, logical bool) (*Sparse, error) {
	if len(dims) != 2 {
		return nil, c.l.errorf(path, c.base+c.pos, "sparse array with %d dimensions, expected 2", len(dims))
	}
	rows, cols := dims[0], dims[1]
	ints := func(what string) ([]int, int, error) {
		typ, data, at, err := c.next(path)
		if err != nil {
			return nil, at, fmt.Errorf("%w (reading %s)", err, what)
		}
		v, err := c.rd.decodeNumbers(typ, data)
		if err != nil {
			return nil, at, c.l.errorf(path, at, "%s: %v", what, err)
		}
		out := make([]int, len(v))
		for i, x := range v {
			if x < 0 || x != math.Trunc(x) || x > math.MaxInt32 {
				return nil, at, c.l.errorf(path, at, "%s holds %v, expected a non-negative integer", what, x)
			}
			out[i] = int(x)
		}
		return out, at, nil
	}
	ir, irAt, err := ints("row indices (ir)")
	if err != nil {
		return nil, err
	}
	jc, jcAt, err := ints("column starts (jc)")
	if err != nil {
		return nil, err
	}
	if len(jc) != cols+1 {
		return nil, c.l.errorf(path, jcAt, "sparse %s: jc has %d entries, expected columns+1 = %d", DimsString(dims), len(jc), cols+1)
	}
	for j := 0; j < cols; j++ {
		if jc[j] > jc[j+1] {
			return nil, c.l.errorf(path, jcAt, "sparse jc decreases at column %d", j)
		}
	}
	nnz := jc[cols]
	if jc[0] != 0 || nnz > len(ir) {
		return nil, c.l.errorf(path, jcAt, "sparse jc runs from %d to %d, expected 0 to at most len(ir) = %d", jc[0], nnz, len(ir))
	}
	ir = ir[:nnz]
	for _, r := range ir {
		if r >= rows {
			return nil, c.l.errorf(path, irAt, "sparse row index %d out of range for %d rows", r, rows)
		}
	}
	sp := &Sparse{Logical: logical, Dims: dims, Ir: ir, Jc: jc}
	part := func(what string) ([]float64, error) {
		typ, data, at, err := c.next(path)
		if err != nil {
			return nil, fmt.Errorf("%w (reading the %s)", err, what)
		}
		v, err := c.rd.decodeNumbers(typ, data)
		if err != nil {
			return nil, c.l.errorf(path, at, "%s: %v", what, err)
		}
		if len(v) < nnz {
			return nil, c.l.errorf(path, at, "sparse %s holds %d values, expected %d nonzeros", what, len(v), nnz)
		}
		return v[:nnz], nil
	}
	if sp.Real, err = part("real part"); err != nil {
		return nil, err
	}
	if isComplex {
		if sp.Imag, err = part("imaginary part"); err != nil {
			return nil, err
		}
	}
	return sp, nil
}

// cString returns b up to its first NUL.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
