package data

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/matfile"
)

func TestLoadEMGReal(t *testing.T) {
	p, ok := FindReal(EMGFile)
	if !ok {
		t.Skip(EMGFile + " not found (set $NMATOOLS_SHARED_DATA or run `nmatools data fetch`)")
	}
	e, err := LoadEMG(p)
	if err != nil {
		t.Fatal(err)
	}
	if e.Conditions != 8 || e.Times != 3341 || e.Muscles != 13 || e.Dt != 0.001 || !strings.Contains(e.Label, "real") {
		t.Fatalf("EMG %d × %d × %d, dt %v, label %q; want 8 directions × 3341 samples × 13 muscles, 1 ms", e.Conditions, e.Times, e.Muscles, e.Dt, e.Label)
	}
	// (direction, sample, muscle) = all_EMG(muscle, sample, direction); values scipy reads.
	at := func(x *EMG, c, t, m int) float64 { return x.Values[(c*x.Times+t)*x.Muscles+m] }
	if got := at(e, 3, 1000, 5); got != 4.837143059202873 {
		t.Errorf("EMG(3,1000,5) = %v, scipy's all_EMG(6,1001,4) = 4.837143059202873", got)
	}
	b, err := e.Binned(10)
	if err != nil {
		t.Fatal(err)
	}
	if b.Times != 334 || math.Abs(b.Dt-0.01) > 1e-15 {
		t.Fatalf("binned: %d samples, dt %v; want 334 (the last sample dropped), 0.01 s", b.Times, b.Dt)
	}
	// NumPy: all_EMG.transpose(2,1,0)[:, :3340].reshape(8,334,10,13).mean(axis=2)
	for _, c := range []struct {
		c, t, m int
		want    float64
	}{{3, 100, 5, 4.855388225376304}, {7, 333, 12, 0.6540046400969459}, {0, 0, 0, 0.21741177745064988}} {
		if got := at(b, c.c, c.t, c.m); math.Abs(got-c.want) > 1e-12*math.Abs(c.want) {
			t.Errorf("binned (%d,%d,%d) = %.17g, NumPy %.17g", c.c, c.t, c.m, got, c.want)
		}
	}
}

func TestLoadEMGErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, vars ...matfile.Var) string {
		p := filepath.Join(dir, name)
		if err := matfile.WriteFile(p, vars, nil); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := make([]float64, 2*5*3)
	for i := range good {
		good[i] = float64(i)
	}
	nan := append([]float64(nil), good...)
	nan[7] = math.NaN()
	for _, c := range []struct {
		path, want string
	}{
		{write("other.mat", matfile.Var{Name: "x", Value: matfile.NewScalar(1)}), "not the Hatsopoulos lab EMG file"},
		{write("2d.mat", matfile.Var{Name: "all_EMG", Value: matfile.NewDouble([]int{2, 15}, good)}), "want a real muscles × samples × directions array"},
		{write("nan.mat", matfile.Var{Name: "all_EMG", Value: matfile.NewDouble([]int{2, 5, 3}, nan)}), "all_EMG(2,4,1) is NaN"},
		{filepath.Join(dir, "missing.mat"), "does not exist"},
	} {
		_, err := LoadEMG(c.path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", filepath.Base(c.path), err, c.want)
		}
	}
	// A small file: layout and binning.
	e, err := LoadEMG(write("small.mat", matfile.Var{Name: "all_EMG", Value: matfile.NewDouble([]int{2, 5, 3}, good)}))
	if err != nil {
		t.Fatal(err)
	}
	// Column-major (m, t, c): value m + 2·(t + 5·c).
	if e.Values[(2*5+4)*2+1] != float64(1+2*(4+5*2)) {
		t.Errorf("layout: %v", e.Values)
	}
	b, err := e.Binned(2)
	if err != nil {
		t.Fatal(err)
	}
	if b.Times != 2 || b.Values[(1*2+1)*2+0] != (float64(2*(2+5))+float64(2*(3+5)))/2 {
		t.Errorf("binned: %d samples, %v", b.Times, b.Values)
	}
	for _, n := range []int{0, 6} {
		if _, err := e.Binned(n); err == nil || !strings.Contains(err.Error(), "want 1 to 5") {
			t.Errorf("Binned(%d): %v", n, err)
		}
	}
}
