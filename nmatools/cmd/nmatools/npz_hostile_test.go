package main

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/core/tensors/numpy"
	"github.com/neuromatch/nmatools/nmatools/internal/memcap"
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

// hostileNpy are the crafted .npy headers of issue 11 and others: each must be
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
			memcap.Check(t, 16<<20, func() { _, err = readNpy(path, 0) })
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("readNpy = %v, want an error containing %q", err, c.want)
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
			memcap.Check(t, 16<<20, func() { _, err = readNpz(npz) })
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), `array "inputs"`) {
				t.Fatalf("readNpz = %v, want an error containing %q", err, c.want)
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
	a, err := readNpy(p, 2)
	if err != nil || a.At(1, 2) != 6 {
		t.Fatalf("%v %v", a, err)
	}
	be := npyBytes("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }",
		binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, math.Float64bits(1.5)), math.Float64bits(-2)))
	os.WriteFile(p, be, 0o644)
	if a, err = readNpy(p, 1); err != nil || a.Data[0] != 1.5 || a.Data[1] != -2 {
		t.Fatalf("big-endian float64: %v %v", a, err)
	}
	scalar := npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", f32le(7))
	os.WriteFile(p, scalar, 0o644)
	if a, err = readNpy(p, 0); err != nil || len(a.Shape) != 0 || a.Data[0] != 7 {
		t.Fatalf("scalar: %v %v", a, err)
	}
}

// TestNonFiniteRefused: NaN or Inf in generate's inputs, sweep's inputs or targets, or
// a weights .npz: exit 1 naming the array and the first bad index (they used to go
// through, exit 0 with outputs full of NaN).
func TestNonFiniteRefused(t *testing.T) {
	dir := t.TempDir()
	fixtures := filepath.Join("..", "..", "model", "testdata")
	in := make([]float32, 2*5*16)
	in[1*80+3*16+7] = float32(math.NaN())
	nanIn := filepath.Join(dir, "nan_inputs.npy")
	os.WriteFile(nanIn, npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 5, 16), }", f32le(in...)), 0o644)
	good := make([]float32, 2*5*2)
	goodY := filepath.Join(dir, "y.npy")
	os.WriteFile(goodY, npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 5, 2), }", f32le(good...)), 0o644)
	infY := filepath.Join(dir, "inf_targets.npy")
	good[7] = float32(math.Inf(1))
	os.WriteFile(infY, npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 5, 2), }", f32le(good...)), 0o644)
	goodX := filepath.Join(dir, "x.npy")
	os.WriteFile(goodX, npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 5, 16), }", f32le(make([]float32, 160)...)), 0o644)

	w := sweepFixture(t, dir, 1)
	m, err := readNpz(w)
	if err != nil {
		t.Fatal(err)
	}
	m["B"].Data[5] = float32(math.Inf(-1))
	nanW := filepath.Join(dir, "nan_w.npz")
	if err := writeNpz(nanW, m, nil); err != nil {
		t.Fatal(err)
	}

	for _, f := range []string{nanIn, goodY, infY, goodX, nanW} {
		memcap.Keep(t, f, filepath.Base(f))
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"generate", "--checkpoint", filepath.Join(fixtures, "reg_small.pth"), "--inputs", nanIn, "--out", filepath.Join(dir, "o.npz")},
			"nan_inputs.npy: element [1 3 7] is NaN"},
		{[]string{"sweep", "weights", "--checkpoint", w, "--inputs", nanIn, "--targets", goodY, "--repeats", "1", "--levels", "0.1", "--quiet"},
			"nan_inputs.npy: element [1 3 7] is NaN"},
		{[]string{"sweep", "weights", "--checkpoint", w, "--inputs", goodX, "--targets", infY, "--repeats", "1", "--levels", "0.1", "--quiet"},
			"inf_targets.npy: element [0 3 1] is +Inf"},
		{[]string{"sweep", "weights", "--checkpoint", nanW, "--inputs", goodX, "--targets", goodY, "--repeats", "1", "--levels", "0.1", "--quiet"},
			"array B: element [0 5] is -Inf"},
	} {
		code, out, errOut := runCmd(c.args...)
		if code != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q (stdout %q), want exit 1 and %q", c.args[:2], code, errOut, out, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "o.npz")); err == nil {
		t.Error("generate wrote its output despite NaN inputs")
	}
}
