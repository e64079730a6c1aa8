package npy

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/core/tensors/numpy"
	"github.com/neuromatch/nmatools/nmatools/internal/memcap"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

// npyBytes is a version 1.0 .npy with the given header dict and data bytes.
func npyBytes(dict string, data []byte) []byte {
	h := dict
	for (10+len(h)+1)%64 != 0 {
		h += " "
	}
	h += "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(h)))
	b.WriteString(h)
	b.Write(data)
	return b.Bytes()
}

func f32le(v ...float32) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

// hostileNpy are crafted .npy headers (huge, negative or overflowing shapes, lying sizes, …): each must be
// refused with a message, before allocating.
var hostileNpy = []struct {
	name, dict string
	data       []byte
	want       string
}{
	{"shape_1e11", "{'descr': '<f4', 'fortran_order': False, 'shape': (100000000000,), }", make([]byte, 10), "more than 67108864 elements"},
	{"shape_negative", "{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 250, 16), }", make([]byte, 16), "negative dimension"},
	{"shape_overflow", "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4, 16), }", make([]byte, 16), "more than 67108864 elements"},
	{"short_data", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 250, 16), }", make([]byte, 16), "needs 32000 data bytes, the file holds 16"},
	{"int64", "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", make([]byte, 16), "want float32 or float64"},
	{"fortran", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", make([]byte, 16), "Fortran-order"},
	{"not_a_dict", "[1, 2]", nil, "not a dict"},
	{"huge_header", "", nil, "header declares"},
}

func TestNpyHostile(t *testing.T) {
	for _, c := range hostileNpy {
		t.Run(c.name, func(t *testing.T) {
			b := npyBytes(c.dict, c.data)
			if c.name == "huge_header" {
				b = append([]byte("\x93NUMPY\x02\x00"), binary.LittleEndian.AppendUint32(nil, 1<<31)...)
			}
			path := filepath.Join(t.TempDir(), c.name+".npy")
			os.WriteFile(path, b, 0o644)
			memcap.Keep(t, path, c.name+".npy")
			var err error
			memcap.Check(t, 16<<20, func() { _, err = Read(path) })
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Read = %v, want an error containing %q", err, c.want)
			}
			// The same array inside a .npz.
			var z bytes.Buffer
			zw := zip.NewWriter(&z)
			w, _ := zw.Create("inputs.npy")
			w.Write(b)
			zw.Close()
			npz := filepath.Join(t.TempDir(), c.name+".npz")
			os.WriteFile(npz, z.Bytes(), 0o644)
			memcap.Keep(t, npz, c.name+".npz")
			memcap.Check(t, 16<<20, func() { _, err = ReadNpz(npz) })
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), `array "inputs"`) {
				t.Fatalf("ReadNpz = %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// TestNpyRoundTrip: what numpy (via GoMLX's writer) saves reads back, both byte
// orders and float64 included.
func TestNpyRoundTrip(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.npy")
	numpy.ToNpyFile(tensors.FromFlatDataAndDimensions([]float32{1, 2, 3, 4, 5, 6}, 2, 3), p)
	a, err := Read(p)
	if err != nil || a.Rank() != 2 || a.At(1, 2) != 6 {
		t.Fatalf("%v %v", a, err)
	}
	be := npyBytes("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }",
		binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, math.Float64bits(1.5)), math.Float64bits(-2)))
	os.WriteFile(p, be, 0o644)
	if a, err = Read(p); err != nil || a.Rank() != 1 || a.Data[0] != 1.5 || a.Data[1] != -2 {
		t.Fatalf("big-endian float64: %v %v", a, err)
	}
	scalar := npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", f32le(7))
	os.WriteFile(p, scalar, 0o644)
	if a, err = Read(p); err != nil || len(a.Shape) != 0 || a.Data[0] != 7 {
		t.Fatalf("scalar: %v %v", a, err)
	}
}

// TestWriteReadBack: Write and WriteNpz write what Read and ReadNpz read back exactly,
// float64 arrays included, and a NaN written is refused on reading.
func TestWriteReadBack(t *testing.T) {
	dir := t.TempDir()
	a, err := nd.FromData([]float32{1, -2.5, 3e-7, 4, 5, 6}, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "a.npy")
	if err := Write(p, a); err != nil {
		t.Fatal(err)
	}
	if got, err := Read(p); err != nil || !slices.Equal(got.Shape, a.Shape) || !slices.Equal(got.Data, a.Data) {
		t.Fatalf("Read after Write: %v, %v", got, err)
	}
	z := filepath.Join(dir, "b.npz")
	if err := WriteNpz(z, map[string]*nd.Array{"a": a}, map[string][]float64{"t": {0.1, 0.25}}); err != nil {
		t.Fatal(err)
	}
	m, err := ReadNpz(z)
	if err != nil || len(m) != 2 || !slices.Equal(m["a"].Data, a.Data) || !slices.Equal(m["t"].Data, []float32{0.1, 0.25}) {
		t.Fatalf("ReadNpz after WriteNpz: %v, %v", m, err)
	}
	if err := WriteNpz(z, map[string]*nd.Array{"a": a}, map[string][]float64{"a": {1}}); err == nil {
		t.Error("WriteNpz accepted a name given twice")
	}
	a.Data[4] = float32(math.NaN())
	if err := Write(p, a); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(p); err == nil || !strings.Contains(err.Error(), "element [1 1] is NaN") {
		t.Errorf("Read of a NaN: %v", err)
	}
}

// manyArraysNpz is a crafted .npz of count arrays of n float32 zeros each: one
// compressed entry (zeros deflate about 1000:1) repeated under count names, so that it is
// small on disk while its arrays add up to count·n elements.
func manyArraysNpz(t *testing.T, count, n int) string {
	t.Helper()
	raw := npyBytes(fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%d,), }", n), make([]byte, 4*n))
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	fw.Write(raw)
	fw.Close()
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	for i := 0; i < count; i++ {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: fmt.Sprintf("a%d.npy", i), Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(raw),
			CompressedSize64: uint64(comp.Len()), UncompressedSize64: uint64(len(raw))})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(comp.Bytes())
	}
	zw.Close()
	path := filepath.Join(t.TempDir(), "many.npz")
	os.WriteFile(path, z.Bytes(), 0o644)
	return path
}

// TestNpzTotalCap: 65 arrays of 2^20 elements each (each under MaxElems, 2^26.02 in all;
// about 300 KB on disk) are refused by the cap on the total, naming it, before any
// array's data is allocated (under 16 MiB in all, where decoding them would take 260 MiB).
// Exactly MaxTotalElems is accepted.
func TestNpzTotalCap(t *testing.T) {
	path := manyArraysNpz(t, 65, 1<<20)
	memcap.Keep(t, path, "many_arrays.npz")
	if st, _ := os.Stat(path); st.Size() > 1<<20 {
		t.Fatalf("the crafted file has %d bytes: not small", st.Size())
	}
	var err error
	memcap.Check(t, 16<<20, func() { _, err = ReadNpz(path) })
	if err == nil || !strings.Contains(err.Error(), "more than 67108864 elements in all") || !strings.Contains(err.Error(), "MaxTotalElems") {
		t.Fatalf("ReadNpz = %v, want the total cap's error", err)
	}
	if m, err := ReadNpz(manyArraysNpz(t, 4, MaxTotalElems/4)); err != nil || len(m) != 4 {
		t.Errorf("4 arrays of MaxTotalElems/4 elements: %d arrays, %v", len(m), err)
	}
}

// TestReadNpzArrays: only the named arrays are decoded; another array, even one that
// would be refused (NaN, an int dtype), is skipped, and a name not there is absent.
func TestReadNpzArrays(t *testing.T) {
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	for name, b := range map[string][]byte{
		"J.npy":   npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", f32le(1, 2)),
		"bad.npy": npyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", make([]byte, 8)),
		"nan.npy": npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", f32le(float32(math.NaN()))),
	} {
		w, _ := zw.Create(name)
		w.Write(b)
	}
	zw.Close()
	path := filepath.Join(t.TempDir(), "w.npz")
	os.WriteFile(path, z.Bytes(), 0o644)
	m, err := ReadNpzArrays(path, "J", "tau")
	if err != nil || len(m) != 1 || !slices.Equal(m["J"].Data, []float32{1, 2}) {
		t.Fatalf("ReadNpzArrays(J, tau) = %v, %v", m, err)
	}
	if _, err := ReadNpz(path); err == nil {
		t.Error("ReadNpz decoded the bad arrays without an error")
	}
}
