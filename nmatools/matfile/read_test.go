package matfile

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/neuromatch/nmatools/nmatools/internal/memcap"
	"math"
	"reflect"
	"strings"
	"testing"
)

// builder hand-assembles MAT-file bytes, independently of the writer.
type builder struct{ o binary.ByteOrder }

func (b builder) header(text string) []byte {
	h := bytes.Repeat([]byte{' '}, 128)
	copy(h, text)
	for i := 116; i < 124; i++ {
		h[i] = 0
	}
	b.o.PutUint16(h[124:], 0x0100)
	b.o.PutUint16(h[126:], 'M'<<8|'I')
	return h
}

// el is a data element in the long format, padded to 8 bytes.
func (b builder) el(typ uint32, data []byte) []byte {
	out := make([]byte, 8, 8+len(data)+8)
	b.o.PutUint32(out, typ)
	b.o.PutUint32(out[4:], uint32(len(data)))
	out = append(out, data...)
	return append(out, make([]byte, pad8(int64(len(data))))...)
}

// small is a data element in the packed format (at most 4 bytes).
func (b builder) small(typ uint32, data []byte) []byte {
	out := make([]byte, 8)
	b.o.PutUint32(out, uint32(len(data))<<16|typ)
	copy(out[4:], data)
	return out
}

func (b builder) u32(v ...uint32) []byte {
	out := make([]byte, 4*len(v))
	for i, x := range v {
		b.o.PutUint32(out[4*i:], x)
	}
	return out
}

func (b builder) f64(v ...float64) []byte {
	out := make([]byte, 8*len(v))
	for i, x := range v {
		b.o.PutUint64(out[8*i:], math.Float64bits(x))
	}
	return out
}

func (b builder) matrix(parts ...[]byte) []byte { return b.el(miMATRIX, bytes.Join(parts, nil)) }

func (b builder) flags(class Class, fl uint32) []byte {
	return b.el(miUINT32, b.u32(uint32(class)|fl<<8, 0))
}

func readBytes(b []byte) (*File, error) { return Read(bytes.NewReader(b), int64(len(b))) }

func TestHandBuiltBothEndians(t *testing.T) {
	for _, o := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		b := builder{o}
		i16 := make([]byte, 4)
		o.PutUint16(i16, uint16(0xFFFF)) // -1
		o.PutUint16(i16[2:], 300)
		file := bytes.Join([][]byte{
			b.header("MATLAB 5.0 MAT-file, hand-built"),
			// x = [1.5 -2], name in the small element format.
			b.matrix(b.flags(ClassDouble, 0), b.el(miINT32, b.u32(1, 2)), b.small(miINT8, []byte("x")), b.el(miDOUBLE, b.f64(1.5, -2))),
			// k = int16([-1 300]), data in the small element format.
			b.matrix(b.flags(ClassInt16, 0), b.el(miINT32, b.u32(1, 2)), b.small(miINT8, []byte("k")), b.small(miINT16, i16)),
			// d = [7 8 9] stored as miUINT8, as MATLAB does for small integers.
			b.matrix(b.flags(ClassDouble, flagGlobal), b.el(miINT32, b.u32(3, 1)), b.el(miINT8, []byte("dlong")), b.el(miUINT8, []byte{7, 8, 9})),
			// c = 'hi' as miUINT16.
			b.matrix(b.flags(ClassChar, 0), b.el(miINT32, b.u32(1, 2)), b.small(miINT8, []byte("c")), b.small(miUINT16, []byte{0, 0, 0, 0})),
		}, nil)
		// Fill the two UTF-16 units of c in this byte order.
		idx := len(file) - 4
		o.PutUint16(file[idx:], 'h')
		o.PutUint16(file[idx+2:], 'i')
		f, err := readBytes(file)
		if err != nil {
			t.Fatalf("%v: %v", o, err)
		}
		if f.BigEndian != (o == binary.BigEndian) || f.Header != "MATLAB 5.0 MAT-file, hand-built" {
			t.Errorf("%v: BigEndian %v header %q", o, f.BigEndian, f.Header)
		}
		wantValues(t, "x", getNumeric(t, f, "x", ClassDouble, 1, 2).Real, []float64{1.5, -2})
		wantValues(t, "k", getNumeric(t, f, "k", ClassInt16, 1, 2).Real, []float64{-1, 300})
		wantValues(t, "dlong", getNumeric(t, f, "dlong", ClassDouble, 3, 1).Real, []float64{7, 8, 9})
		if !f.Vars[2].Global || f.Vars[0].Global {
			t.Errorf("global flags %v %v", f.Vars[0].Global, f.Vars[2].Global)
		}
		if c, _ := f.Get("c"); c.(*Char).String() != "hi" {
			t.Errorf("c = %q", c.(*Char).String())
		}
	}
}

func TestUnsupportedClassesSkipped(t *testing.T) {
	b := builder{binary.LittleEndian}
	file := bytes.Join([][]byte{
		b.header("MATLAB 5.0 MAT-file"),
		b.matrix(b.flags(ClassFunction, 0), b.el(miINT32, b.u32(1, 1)), b.small(miINT8, []byte("fh")),
			b.matrix(b.flags(ClassStruct, 0), b.el(miINT32, b.u32(1, 1)), b.el(miINT8, nil), b.small(miINT32, b.u32(32)), b.el(miINT8, nil))),
		// A classdef string: opaque, 'MCOS', class name, then its data.
		b.matrix(b.flags(ClassOpaque, 0), b.small(miINT8, []byte("s")), b.small(miINT8, []byte("MCOS")), b.el(miINT8, []byte("string")),
			b.matrix(b.flags(ClassUint32, 0), b.el(miINT32, b.u32(1, 2)), b.el(miINT8, nil), b.el(miUINT32, b.u32(0xdd000000, 2)))),
		b.matrix(b.flags(ClassDouble, 0), b.el(miINT32, b.u32(1, 1)), b.small(miINT8, []byte("ok")), b.el(miDOUBLE, b.f64(1))),
	}, nil)
	f, err := readBytes(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Vars) != 3 || f.Vars[2].Name != "ok" {
		t.Fatalf("vars %+v", f.Vars)
	}
	if u, ok := f.Vars[0].Value.(*Unsupported); !ok || u.ClassName() != "function_handle" {
		t.Errorf("fh = %#v", f.Vars[0].Value)
	}
	if u, ok := f.Vars[1].Value.(*Unsupported); !ok || !strings.Contains(u.Reason, `"string"`) {
		t.Errorf("s = %#v", f.Vars[1].Value)
	}
	if len(f.Notes) != 2 || !strings.Contains(f.Notes[1], "variable s") {
		t.Errorf("notes %q", f.Notes)
	}
	var buf bytes.Buffer
	WriteWhos(&buf, Describe(f))
	if !strings.Contains(buf.String(), "not decoded") {
		t.Errorf("listing:\n%s", buf.String())
	}
	if err := Write(&buf, f.Vars, nil); err == nil || !strings.Contains(err.Error(), "function_handle") {
		t.Errorf("writing an unsupported value: %v", err)
	}
}

func TestSubsystemSkipped(t *testing.T) {
	b := builder{binary.LittleEndian}
	v := b.matrix(b.flags(ClassDouble, 0), b.el(miINT32, b.u32(1, 1)), b.small(miINT8, []byte("a")), b.el(miDOUBLE, b.f64(1)))
	sub := b.matrix(b.flags(ClassUint8, 0), b.el(miINT32, b.u32(8, 1)), b.el(miINT8, nil), b.el(miUINT8, make([]byte, 8)))
	h := b.header("MATLAB 5.0 MAT-file")
	binary.LittleEndian.PutUint64(h[116:], uint64(128+len(v)))
	f, err := readBytes(bytes.Join([][]byte{h, v, sub}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Vars) != 1 || len(f.Notes) != 1 || !strings.Contains(f.Notes[0], "subsystem") {
		t.Errorf("vars %v notes %q", f.Vars, f.Notes)
	}
}

func TestCorruptInputs(t *testing.T) {
	b := builder{binary.LittleEndian}
	h := b.header("MATLAB 5.0 MAT-file")
	name := b.small(miINT8, []byte("v"))
	zl := func(p []byte) []byte {
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		w.Write(p)
		w.Close()
		return z.Bytes()
	}
	// A compressed 1×1 double; its length is whatever this Go's zlib makes of it.
	zDouble := zl(b.matrix(b.flags(ClassDouble, 0), b.el(miINT32, b.u32(1, 1)), name, b.el(miDOUBLE, b.f64(1))))
	hugeTag := make([]byte, 8)
	binary.LittleEndian.PutUint32(hugeTag, miMATRIX)
	binary.LittleEndian.PutUint32(hugeTag[4:], 0xFFFFFFF0)
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "shorter than the 128-byte"},
		{"text", []byte(strings.Repeat("hello world ", 20)), "not a Level 5 MAT-file"},
		{"absurd element size", append(append([]byte{}, h...), hugeTag...), "claims 4294967280 bytes but only 0"},
		{"compressed, absurd inner size", append(append([]byte{}, h...), b.el(miCOMPRESSED, zl(hugeTag))...), "announces 4294967280 bytes, more than the 2147483648-byte limit"},
		{"compressed, truncated stream", append(append([]byte{}, h...), b.el(miCOMPRESSED, zDouble[:20])...), "corrupt compressed data"},
		{"compressed element cut short", append(append([]byte{}, h...), b.el(miCOMPRESSED, zDouble)[:30]...), fmt.Sprintf("miCOMPRESSED element claims %d bytes but only 22 are left", len(zDouble))},
		{"compressed, inner element cut short", append(append([]byte{}, h...), b.el(miCOMPRESSED, zl(b.matrix(b.flags(ClassDouble, 0), b.el(miINT32, b.u32(1, 1)), name, b.el(miDOUBLE, b.f64(1)))[:40]))...), "compressed data ends after 32 of the 56 bytes"},
		{"compressed garbage", append(append([]byte{}, h...), b.el(miCOMPRESSED, []byte("not zlib at all"))...), "corrupt compressed data"},
		{"huge dims, no data", append(append([]byte{}, h...), b.matrix(b.flags(ClassDouble, 0), b.el(miINT32, b.u32(0x7fffffff, 0x7fffffff)), name, b.el(miDOUBLE, nil))...), "holds 0 values, expected 4611686014132420609"},
		{"dims overflow", append(append([]byte{}, h...), b.matrix(b.flags(ClassDouble, 0), b.el(miINT32, b.u32(0x7fffffff, 0x7fffffff, 0x7fffffff)), name, b.el(miDOUBLE, nil))...), "overflow"},
		{"negative dim", append(append([]byte{}, h...), b.matrix(b.flags(ClassDouble, 0), b.el(miINT32, b.u32(0xffffffff, 1)), name, b.el(miDOUBLE, nil))...), "negative dimension"},
		{"huge struct array", append(append([]byte{}, h...), b.matrix(b.flags(ClassStruct, 0), b.el(miINT32, b.u32(100000, 100000)), name, b.small(miINT32, b.u32(8)), b.el(miINT8, []byte("abc\x00\x00\x00\x00\x00")))...), "needs at least"},
		{"huge cell array", append(append([]byte{}, h...), b.matrix(b.flags(ClassCell, 0), b.el(miINT32, b.u32(100000, 100000)), name)...), "needs at least"},
		{"huge fieldless struct", append(append([]byte{}, h...), b.matrix(b.flags(ClassStruct, 0), b.el(miINT32, b.u32(100000, 100000)), name, b.small(miINT32, b.u32(8)), b.el(miINT8, nil))...), "without fields"},
		{"unknown class", append(append([]byte{}, h...), b.matrix(b.flags(Class(99), 0), b.el(miINT32, b.u32(1, 1)), name)...), "unknown array class 99"},
		{"small element too big", append(append([]byte{}, h...), b.matrix(b.flags(ClassDouble, 0), b.el(miINT32, b.u32(1, 1)), []byte{1, 0, 9, 0, 'v', 0, 0, 0})...), "at most 4 fit"},
		{"text data as numbers", append(append([]byte{}, h...), b.matrix(b.flags(ClassDouble, 0), b.el(miINT32, b.u32(1, 1)), name, b.el(miUTF8, []byte("abcdefgh")))...), "expected a numeric type"},
		{"sparse bad jc", append(append([]byte{}, h...), b.matrix(b.flags(ClassSparse, 0), b.el(miINT32, b.u32(2, 2)), name, b.el(miINT32, b.u32(0)), b.el(miINT32, b.u32(0, 5, 1)), b.el(miDOUBLE, b.f64(1)))...), "jc decreases"},
		{"sparse bad row", append(append([]byte{}, h...), b.matrix(b.flags(ClassSparse, 0), b.el(miINT32, b.u32(2, 1)), name, b.el(miINT32, b.u32(7)), b.el(miINT32, b.u32(0, 1)), b.el(miDOUBLE, b.f64(1)))...), "row index 7 out of range"},
		{"stray tail", append(append([]byte{}, h...), 1, 2, 3), "stray bytes"},
	} {
		_, err := readBytes(c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	// The cap on a compressed variable's size.
	var buf bytes.Buffer
	Write(&buf, []Var{{Name: "x", Value: NewDouble([]int{1000}, make([]float64, 1000))}}, nil)
	_, err := ReadWithOptions(bytes.NewReader(buf.Bytes()), int64(buf.Len()), &ReadOptions{MaxVariableBytes: 4096})
	if err == nil || !strings.Contains(err.Error(), "more than the 4096-byte limit") {
		t.Errorf("MaxVariableBytes: %v", err)
	}
}

// TestErrorNamesThePath checks that an error deep in a struct names the
// variable, the element and the field, and the offset.
func TestErrorNamesThePath(t *testing.T) {
	s := NewStruct([]int{1, 2}, []string{"plan", "label"})
	s.SetField(1, "label", NewString("ZZZZZZZZ"))
	var buf bytes.Buffer
	if err := Write(&buf, []Var{{Name: "conds", Value: s}}, &WriteOptions{Uncompressed: true}); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	i := bytes.Index(data, []byte("ZZZZZZZZ"))
	binary.LittleEndian.PutUint32(data[i-8:], 99) // the char data's type
	_, err := readBytes(data)
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Var != "conds(2).label" || !strings.Contains(err.Error(), "unknown data type 99") ||
		!strings.Contains(err.Error(), "byte ") {
		t.Fatalf("error %v", err)
	}
	// The same, compressed: the offset is in the decompressed data.
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(data[128:])
	zw.Close()
	comp := append(append([]byte{}, data[:128]...), builder{binary.LittleEndian}.el(miCOMPRESSED, z.Bytes())...)
	_, err = readBytes(comp)
	if !errors.As(err, &fe) || !fe.Compressed || fe.Var != "conds(2).label" || !strings.Contains(err.Error(), "decompressed data") {
		t.Fatalf("compressed: %v", err)
	}
}

// TestTruncatedAndFlipped cuts a small file at every length and flips every
// byte: each must read or fail cleanly.
func TestTruncatedAndFlipped(t *testing.T) {
	all := sampleVars()
	vars := append(all[:6:6], all[7:10]...) // all but the large struct array
	for _, opt := range []*WriteOptions{{Uncompressed: true}, nil} {
		var buf bytes.Buffer
		if err := Write(&buf, vars, opt); err != nil {
			t.Fatal(err)
		}
		full := buf.Bytes()
		for n := 0; n < len(full); n++ {
			f, err := readBytes(full[:n])
			if err == nil && len(f.Vars) >= len(vars) {
				t.Fatalf("cut at %d of %d: read all variables", n, len(full))
			}
		}
		if opt != nil {
			continue // flipping compressed bytes mostly tests zlib
		}
		for i := 128; i < len(full); i++ {
			c := append([]byte(nil), full...)
			c[i] ^= 0xA5
			readBytes(c) // must not panic
		}
	}
}

func TestSparseDenseRoundTrip(t *testing.T) {
	sp := &Sparse{Logical: true, Dims: []int{2, 3}, Ir: []int{1, 0}, Jc: []int{0, 0, 1, 2}, Real: []float64{1, 1}}
	var buf bytes.Buffer
	if err := Write(&buf, []Var{{Name: "s", Value: sp}}, nil); err != nil {
		t.Fatal(err)
	}
	f, err := readBytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	got := f.Vars[0].Value.(*Sparse)
	if !reflect.DeepEqual(got, sp) || got.ClassName() != "logical" {
		t.Fatalf("got %+v", got)
	}
	d, _ := got.Dense()
	wantValues(t, "full", d.Real, []float64{0, 0, 0, 1, 1, 0})
	big := &Sparse{Dims: []int{1 << 20, 1 << 20}, Jc: make([]int, 1<<20+1)}
	if _, err := big.Dense(); err == nil {
		t.Error("Dense of a 2^40-element array did not fail")
	}
}

// TestInflateAllocatesByTheBytesPresent: a compressed variable may announce any size up
// to the limit; the reader sizes its buffer by the announcement only as far as the
// compressed bytes present can inflate (deflate ≤ 1032:1), so a 1 GiB claim in a few
// bytes allocates a few hundred KiB and fails as truncated.
func TestInflateAllocatesByTheBytesPresent(t *testing.T) {
	b := builder{binary.LittleEndian}
	h := b.header("MATLAB 5.0 MAT-file")
	tag := make([]byte, 8)
	binary.LittleEndian.PutUint32(tag, miMATRIX)
	binary.LittleEndian.PutUint32(tag[4:], 1<<30)
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(append(tag, make([]byte, 64)...))
	w.Close()
	data := append(append([]byte{}, h...), b.el(miCOMPRESSED, z.Bytes())...)
	var err error
	memcap.Check(t, 4<<20, func() { _, err = readBytes(data) })
	if err == nil || !strings.Contains(err.Error(), "compressed data ends after") {
		t.Fatalf("a 1 GiB claim in %d bytes: %v", len(data), err)
	}
}
