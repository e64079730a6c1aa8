package matfile

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/neuromatch/nmatools/nmatools/internal/atomicfile"
)

// WriteOptions tunes Write. The zero value (and nil) writes a
// zlib-compressed little-endian file, like MATLAB's save -v7.
type WriteOptions struct {
	// Uncompressed writes plain miMATRIX elements (like save -v6).
	Uncompressed bool
	// BigEndian writes a big-endian ("MI") file instead of little-endian.
	BigEndian bool
	// Header replaces the descriptive text of the header (at most 116 bytes).
	Header string
	// Level is the zlib level; 0 means zlib.DefaultCompression.
	Level int
}

// Write writes vars as a Level 5 MAT-file that MATLAB (load), Octave and
// scipy.io.loadmat read. Vectors given with one dimension are written as
// columns (n×1).
func Write(w io.Writer, vars []Var, opt *WriteOptions) error {
	if opt == nil {
		opt = &WriteOptions{}
	}
	var order binary.ByteOrder = binary.LittleEndian
	if opt.BigEndian {
		order = binary.BigEndian
	}
	hdr := opt.Header
	if hdr == "" {
		hdr = "MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: " + time.Now().UTC().Format("Mon Jan _2 15:04:05 2006") + " by nmatools/matfile"
	}
	if len(hdr) > 116 {
		return fmt.Errorf("matfile: header text is %d bytes, at most 116 fit", len(hdr))
	}
	head := bytes.Repeat([]byte{' '}, 128)
	copy(head, hdr)
	for i := 116; i < 124; i++ {
		head[i] = 0
	}
	order.PutUint16(head[124:], 0x0100)
	order.PutUint16(head[126:], 'M'<<8|'I')
	if _, err := w.Write(head); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, v := range vars {
		if err := checkName(v.Name); err != nil {
			return fmt.Errorf("matfile: variable name: %w", err)
		}
		if seen[v.Name] {
			return fmt.Errorf("matfile: variable %q given twice", v.Name)
		}
		seen[v.Name] = true
		e := &encoder{order: order}
		if err := e.matrix(v.Name, v.Value, v.Global, v.Name); err != nil {
			return err
		}
		out := e.buf.Bytes()
		if !opt.Uncompressed {
			var z bytes.Buffer
			level := opt.Level
			if level == 0 {
				level = zlib.DefaultCompression
			}
			zw, err := zlib.NewWriterLevel(&z, level)
			if err != nil {
				return fmt.Errorf("matfile: %w", err)
			}
			zw.Write(out)
			if err := zw.Close(); err != nil {
				return err
			}
			if z.Len() > math.MaxUint32 {
				return fmt.Errorf("matfile: variable %q is over 4 GiB compressed, too large for a Level 5 MAT-file", v.Name)
			}
			var tag [8]byte
			order.PutUint32(tag[:], miCOMPRESSED)
			order.PutUint32(tag[4:], uint32(z.Len()))
			if _, err := w.Write(tag[:]); err != nil {
				return err
			}
			out = z.Bytes()
		}
		if _, err := w.Write(out); err != nil {
			return err
		}
	}
	return nil
}

// WriteFile writes vars to path atomically: to a temporary file in the same
// directory, synced, then renamed over path.
func WriteFile(path string, vars []Var, opt *WriteOptions) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return fmt.Errorf("matfile: %w", err)
	}
	defer f.Abort()
	if err := Write(f, vars, opt); err != nil {
		return err
	}
	if err := f.Commit(); err != nil {
		return fmt.Errorf("matfile: %w", err)
	}
	return nil
}

// checkName checks a MATLAB identifier: a letter, then letters, digits or
// underscores, at most 63 characters.
func checkName(s string) error {
	if s == "" {
		return fmt.Errorf("empty name")
	}
	if len(s) > 63 {
		return fmt.Errorf("%q is longer than MATLAB's 63 characters", s)
	}
	for i, r := range s {
		ok := r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && (r == '_' || r >= '0' && r <= '9'))
		if !ok {
			return fmt.Errorf("%q is not a MATLAB identifier (a letter, then letters, digits, underscores)", s)
		}
	}
	return nil
}

type encoder struct {
	order binary.ByteOrder
	buf   bytes.Buffer
}

// element writes a data element with its padding; small elements use the
// packed 4-byte form.
func (e *encoder) element(typ uint32, data []byte) {
	var tag [8]byte
	if len(data) <= 4 && len(data) > 0 {
		e.order.PutUint32(tag[:], uint32(len(data))<<16|typ)
		copy(tag[4:], data)
		e.buf.Write(tag[:])
		return
	}
	e.order.PutUint32(tag[:], typ)
	e.order.PutUint32(tag[4:], uint32(len(data)))
	e.buf.Write(tag[:])
	e.buf.Write(data)
	e.buf.Write(make([]byte, pad8(int64(len(data)))))
}

func (e *encoder) u32s(v ...uint32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		e.order.PutUint32(b[4*i:], x)
	}
	return b
}

// matrix writes one miMATRIX element (tag included) for value v.
func (e *encoder) matrix(name string, v Value, global bool, path string) error {
	if v == nil {
		v = Empty()
	}
	dims := normDims(v.Size())
	for _, d := range dims {
		if d < 0 || d > math.MaxInt32 {
			return fmt.Errorf("matfile: %s: dimension %d does not fit a MAT-file", path, d)
		}
	}
	count := numel(dims)
	// Write the body into a separate encoder, then the tag with its size.
	b := &encoder{order: e.order}
	var class Class
	var flags uint32
	if global {
		flags |= flagGlobal
	}
	nzmax := uint32(0)
	switch x := v.(type) {
	case *Numeric:
		class = x.Class
		if class == ClassLogical {
			class = ClassUint8
			flags |= flagLogical
		}
		if !class.isNumeric() {
			return fmt.Errorf("matfile: %s: Numeric with non-numeric class %s", path, x.Class)
		}
		if len(x.Real) != count || (x.Imag != nil && len(x.Imag) != count) {
			return fmt.Errorf("matfile: %s: %d values for dims %s", path, len(x.Real), DimsString(dims))
		}
		if x.Imag != nil {
			if x.Class == ClassLogical {
				return fmt.Errorf("matfile: %s: a logical array cannot be complex", path)
			}
			flags |= flagComplex
		}
	case *Char:
		class = ClassChar
		if len(x.Data) != count {
			return fmt.Errorf("matfile: %s: %d characters for dims %s", path, len(x.Data), DimsString(dims))
		}
	case *Cell:
		class = ClassCell
		if len(x.Elems) != count {
			return fmt.Errorf("matfile: %s: %d cell elements for dims %s", path, len(x.Elems), DimsString(dims))
		}
	case *Struct:
		class = ClassStruct
		if x.ObjectClass != "" {
			class = ClassObject
		}
		if len(x.Elems) != count {
			return fmt.Errorf("matfile: %s: %d struct elements for dims %s", path, len(x.Elems), DimsString(dims))
		}
	case *Sparse:
		class = ClassSparse
		if len(dims) != 2 || len(x.Jc) != dims[1]+1 {
			return fmt.Errorf("matfile: %s: malformed sparse array (dims %s, %d column starts)", path, DimsString(dims), len(x.Jc))
		}
		nnz := x.Jc[dims[1]]
		if nnz > len(x.Ir) || nnz > len(x.Real) || (x.Imag != nil && nnz > len(x.Imag)) {
			return fmt.Errorf("matfile: %s: sparse array has %d nonzeros but shorter Ir/Real", path, nnz)
		}
		nzmax = uint32(max(nnz, 1))
		if x.Logical {
			flags |= flagLogical
		}
		if x.Imag != nil {
			flags |= flagComplex
		}
	default:
		return fmt.Errorf("matfile: %s: cannot write a value of class %s (%T)", path, v.ClassName(), v)
	}
	b.element(miUINT32, b.u32s(uint32(class)|flags<<8, nzmax))
	d32 := make([]uint32, len(dims))
	for i, d := range dims {
		d32[i] = uint32(d)
	}
	b.element(miINT32, b.u32s(d32...))
	b.element(miINT8, []byte(name))

	switch x := v.(type) {
	case *Numeric:
		re, err := b.numbers(x.Class, x.Real, path)
		if err != nil {
			return err
		}
		b.element(re.typ, re.data)
		if x.Imag != nil {
			im, err := b.numbers(x.Class, x.Imag, path)
			if err != nil {
				return err
			}
			b.element(im.typ, im.data)
		}
	case *Char:
		// UTF-8 (as scipy and recent MATLAB write), unless a surrogate
		// pair needs UTF-16 code units to keep one unit per element.
		u := make([]byte, 2*len(x.Data))
		surrogates := false
		for i, r := range x.Data {
			if r < 0 || r > 0xFFFF {
				return fmt.Errorf("matfile: %s: character U+%04X is not one UTF-16 code unit (build Char values with NewString)", path, r)
			}
			surrogates = surrogates || (r >= 0xD800 && r <= 0xDFFF)
			b.order.PutUint16(u[2*i:], uint16(r))
		}
		if surrogates {
			b.element(miUINT16, u)
		} else {
			b.element(miUTF8, []byte(string(x.Data)))
		}
	case *Cell:
		for i, el := range x.Elems {
			if err := b.matrix("", el, false, fmt.Sprintf("%s{%d}", path, i+1)); err != nil {
				return err
			}
		}
	case *Struct:
		if x.ObjectClass != "" {
			b.element(miINT8, []byte(x.ObjectClass))
		}
		nl := 32
		for _, f := range x.Fields {
			if err := checkName(f); err != nil {
				return fmt.Errorf("matfile: %s: field name: %w", path, err)
			}
			if len(f)+1 > nl {
				nl = 64
			}
		}
		b.element(miINT32, b.u32s(uint32(nl)))
		names := make([]byte, nl*len(x.Fields))
		for i, f := range x.Fields {
			copy(names[i*nl:], f)
		}
		b.element(miINT8, names)
		for i, el := range x.Elems {
			for k := range el {
				if !x.HasField(k) {
					return fmt.Errorf("matfile: %s: element %d has key %q that is not in Fields", path, i+1, k)
				}
			}
			for _, f := range x.Fields {
				p := path + "." + f
				if len(x.Elems) > 1 {
					p = fmt.Sprintf("%s(%d).%s", path, i+1, f)
				}
				if err := b.matrix("", el[f], false, p); err != nil {
					return err
				}
			}
		}
	case *Sparse:
		nnz := x.Jc[dims[1]]
		ir := make([]uint32, max(nnz, 1))
		for i := 0; i < nnz; i++ {
			ir[i] = uint32(x.Ir[i])
		}
		jc := make([]uint32, len(x.Jc))
		for i, j := range x.Jc {
			jc[i] = uint32(j)
		}
		b.element(miINT32, b.u32s(ir...))
		b.element(miINT32, b.u32s(jc...))
		cls := ClassDouble
		if x.Logical {
			cls = ClassLogical
		}
		re, err := b.numbers(cls, x.Real[:nnz], path)
		if err != nil {
			return err
		}
		b.element(re.typ, re.data)
		if x.Imag != nil {
			im, _ := b.numbers(cls, x.Imag[:nnz], path)
			b.element(im.typ, im.data)
		}
	}
	if b.buf.Len() > math.MaxUint32 {
		return fmt.Errorf("matfile: %s: over 4 GiB, too large for a Level 5 MAT-file", path)
	}
	var tag [8]byte
	e.order.PutUint32(tag[:], miMATRIX)
	e.order.PutUint32(tag[4:], uint32(b.buf.Len()))
	e.buf.Write(tag[:])
	e.buf.Write(b.buf.Bytes())
	return nil
}

type encoded struct {
	typ  uint32
	data []byte
}

// numbers encodes values in the storage type of class c, checking that
// each value is representable.
func (e *encoder) numbers(c Class, v []float64, path string) (encoded, error) {
	o := e.order
	check := func(lo, hi float64) error {
		for i, x := range v {
			if x != math.Trunc(x) || x < lo || x > hi {
				return fmt.Errorf("matfile: %s: element %d = %v does not fit class %s", path, i+1, x, c)
			}
		}
		return nil
	}
	var out encoded
	switch c {
	case ClassDouble:
		out = encoded{miDOUBLE, make([]byte, 8*len(v))}
		for i, x := range v {
			o.PutUint64(out.data[8*i:], math.Float64bits(x))
		}
	case ClassSingle:
		out = encoded{miSINGLE, make([]byte, 4*len(v))}
		for i, x := range v {
			o.PutUint32(out.data[4*i:], math.Float32bits(float32(x)))
		}
	case ClassLogical:
		out = encoded{miUINT8, make([]byte, len(v))}
		for i, x := range v {
			if x != 0 {
				out.data[i] = 1
			}
		}
	case ClassInt8, ClassUint8:
		lo, hi, t := -128.0, 127.0, uint32(miINT8)
		if c == ClassUint8 {
			lo, hi, t = 0, 255, miUINT8
		}
		if err := check(lo, hi); err != nil {
			return out, err
		}
		out = encoded{t, make([]byte, len(v))}
		for i, x := range v {
			out.data[i] = byte(int(x))
		}
	case ClassInt16, ClassUint16:
		lo, hi, t := -32768.0, 32767.0, uint32(miINT16)
		if c == ClassUint16 {
			lo, hi, t = 0, 65535, miUINT16
		}
		if err := check(lo, hi); err != nil {
			return out, err
		}
		out = encoded{t, make([]byte, 2*len(v))}
		for i, x := range v {
			o.PutUint16(out.data[2*i:], uint16(int(x)))
		}
	case ClassInt32, ClassUint32:
		lo, hi, t := -2147483648.0, 2147483647.0, uint32(miINT32)
		if c == ClassUint32 {
			lo, hi, t = 0, 4294967295, miUINT32
		}
		if err := check(lo, hi); err != nil {
			return out, err
		}
		out = encoded{t, make([]byte, 4*len(v))}
		for i, x := range v {
			o.PutUint32(out.data[4*i:], uint32(int64(x)))
		}
	case ClassInt64, ClassUint64:
		// float64 cannot hold all 64-bit values: accept what converts exactly.
		lo, hi, t := -9223372036854775808.0, 9223372036854774784.0, uint32(miINT64)
		if c == ClassUint64 {
			lo, hi, t = 0, 18446744073709549568.0, miUINT64
		}
		if err := check(lo, hi); err != nil {
			return out, err
		}
		out = encoded{t, make([]byte, 8*len(v))}
		for i, x := range v {
			if c == ClassUint64 {
				o.PutUint64(out.data[8*i:], uint64(x))
			} else {
				o.PutUint64(out.data[8*i:], uint64(int64(x)))
			}
		}
	default:
		return out, fmt.Errorf("matfile: %s: cannot write class %s as numbers", path, c)
	}
	return out, nil
}
