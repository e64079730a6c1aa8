package matfile

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// realData holds real MATLAB-written files shared by the team (not in the
// repository); the tests skip when it is absent.
var realData = filepath.Join("..", "..", "..", "shared", "data", "real")

func readReal(t *testing.T, name string) *File {
	t.Helper()
	p := filepath.Join(realData, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s not present: %v", p, err)
	}
	f, err := ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

func closeRel(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

// The expected numbers were printed by scipy 1.10.1's loadmat on the same
// files (x[0,0,0], x[60,49,9], ... with 0-based numpy indices).
func TestRealChurchland(t *testing.T) {
	f := readReal(t, "churchland2012_TME_exampleData.mat")
	if f.Header != "MATLAB 5.0 MAT-file, Platform: MACI64, Created on: Mon Jan  9 19:39:51 2017" {
		t.Errorf("header %q", f.Header)
	}
	x := getNumeric(t, f, "dataTensor", ClassDouble, 61, 50, 10)
	for _, c := range []struct {
		i, j, k int
		want    float64
	}{{0, 0, 0, -0.0441778669629774}, {60, 49, 9, -0.14111362218412118}, {10, 20, 5, -0.003916598916879704}} {
		if got := x.At(c.i, c.j, c.k); got != c.want {
			t.Errorf("dataTensor(%d,%d,%d) = %v, scipy says %v", c.i+1, c.j+1, c.k+1, got, c.want)
		}
	}
	if s := sum(x.Real); !closeRel(s, -55.3565717746228, 1e-12) {
		t.Errorf("sum(dataTensor) = %v, scipy says -55.3565717746228", s)
	}
	// t is class double stored as miINT16 (scipy.loadmat returns int16
	// unless mat_dtype=True); MATLAB's whos says double.
	tv := getNumeric(t, f, "t", ClassDouble, 61, 1)
	for i := 0; i < 61; i++ {
		if got, want := tv.At(i), float64(-50+10*i); got != want {
			t.Fatalf("t(%d) = %v, want %v", i+1, got, want)
		}
	}
}

func TestRealHatsopoulos(t *testing.T) {
	f := readReal(t, "hatsopoulos_centerout_EMG.mat")
	x := getNumeric(t, f, "all_EMG", ClassDouble, 13, 3341, 8)
	for _, c := range []struct {
		i, j, k int
		want    float64
	}{{0, 0, 0, 0.22594704901769092}, {12, 3340, 7, 0.654553167496374}, {5, 1000, 3, 4.837143059202873}} {
		if got := x.At(c.i, c.j, c.k); got != c.want {
			t.Errorf("all_EMG(%d,%d,%d) = %v, scipy says %v", c.i+1, c.j+1, c.k+1, got, c.want)
		}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range x.Real {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if lo != -12.108918855054377 || hi != 224.6786547421877 {
		t.Errorf("min, max = %v, %v; scipy says -12.108918855054377, 224.6786547421877", lo, hi)
	}
	if s := sum(x.Real); !closeRel(s, 5339431.554712438, 1e-12) {
		t.Errorf("sum = %v, scipy says 5339431.554712438", s)
	}
}
