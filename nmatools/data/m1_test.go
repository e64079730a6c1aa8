package data

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/matfile"
)

func TestLoadM1Synthetic(t *testing.T) {
	m, err := LoadM1(filepath.Join(shippedDir, M1File))
	if err != nil {
		t.Fatal(err)
	}
	if m.NumConditions() != 27 || m.NumTimes() != 250 || m.NumNeurons() < 20 {
		t.Fatalf("shape %v, want (27, 250, >=20)", m.PSTH.Shape)
	}
	if len(m.Resampled) != 0 {
		t.Errorf("synthetic neurons share one relative grid, but %v were resampled", m.Resampled)
	}
	// Relative to movement onset: about -1.95 .. +0.54 s, 10 ms steps.
	if math.Abs(m.Times[0]+1.95) > 1e-9 || math.Abs(m.Times[249]-0.54) > 1e-9 {
		t.Errorf("times %v..%v", m.Times[0], m.Times[249])
	}
	lo, hi := m.PSTH.MinMax()
	if lo < 0 || hi < 20 || hi > 300 {
		t.Errorf("rates %v..%v Hz: not M1-like", lo, hi)
	}
	if !strings.Contains(m.Label, "synthetic") {
		t.Errorf("label %q does not say synthetic", m.Label)
	}
	if _, err := m.Condition(27); err == nil {
		t.Error("Condition(27) accepted")
	}
}

// TestLoadChurchland reads the team's copy of the Churchland et al. (2012)
// example file when it is present.
func TestLoadChurchland(t *testing.T) {
	p, ok := FindReal(ChurchlandFile)
	if !ok {
		t.Skip("churchland2012_TME_exampleData.mat not found (set $NMATOOLS_SHARED_DATA or run `nmatools data fetch`)")
	}
	for _, load := range []func(string) (*M1, error){LoadChurchland, LoadM1} {
		m, err := load(p)
		if err != nil {
			t.Fatal(err)
		}
		if m.NumConditions() != 10 || m.NumTimes() != 61 || m.NumNeurons() != 50 {
			t.Fatalf("shape %v, want (10, 61, 50)", m.PSTH.Shape)
		}
		if m.Times[0] != -0.05 || math.Abs(m.Times[60]-0.55) > 1e-12 {
			t.Errorf("times %v..%v, want -0.05..0.55", m.Times[0], m.Times[60])
		}
		if !m.Real || m.Synthetic || m.Units == "Hz" || !strings.Contains(m.Label, "real") {
			t.Errorf("labels: %+v", m)
		}
		lo, hi := m.PSTH.MinMax()
		if lo > -0.1 || hi < 0.3 || hi > 2 {
			t.Errorf("values %v..%v: not the documented normalized range (about -0.33..0.65)", lo, hi)
		}
	}
	// Spot check against the raw file: PSTH(c, k, n) = dataTensor(k, n, c).
	f, _ := matfile.ReadFile(p)
	v, _ := f.Get("dataTensor")
	d := v.(*matfile.Numeric)
	m, _ := LoadChurchland(p)
	if got, want := m.PSTH.At(7, 30, 41), float32(d.At(30, 41, 7)); got != want {
		t.Errorf("PSTH(7,30,41) = %v, dataTensor(30,41,7) = %v", got, want)
	}
}

// writeCombo writes a comboNjs file with two neurons, neuron 1 on a shifted
// grid (5 ms off) so it must be resampled.
func writeCombo(t *testing.T, shiftMs float64, psthLen int) string {
	t.Helper()
	s := matfile.NewStruct([]int{1, 2}, []string{"interpTimes", "cond"})
	for n := 0; n < 2; n++ {
		times := make([]float64, 5)
		for k := range times {
			times[k] = 100 + 10*float64(k)
			if n == 1 {
				times[k] += shiftMs
			}
		}
		it := matfile.NewStruct([]int{1, 1}, []string{"times", "moveStarts"})
		it.SetField(0, "times", matfile.NewDouble([]int{1, 5}, times))
		it.SetField(0, "moveStarts", matfile.NewScalar(120))
		cs := matfile.NewStruct([]int{1, 3}, []string{"interpPSTH"})
		for c := 0; c < 3; c++ {
			y := make([]float64, psthLen)
			for k := range y {
				y[k] = float64(10*c + k) // linear in time: interpolation is exact
			}
			cs.SetField(c, "interpPSTH", matfile.NewDouble([]int{psthLen, 1}, y))
		}
		s.SetField(n, "interpTimes", it)
		s.SetField(n, "cond", cs)
	}
	p := filepath.Join(t.TempDir(), "m1.mat")
	if err := matfile.WriteFile(p, []matfile.Var{{Name: "comboNjs", Value: s}}, nil); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadM1Resample(t *testing.T) {
	m, err := LoadM1(writeCombo(t, 5, 5))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Resampled) != 1 || m.Resampled[0] != 1 || !m.Real || m.Synthetic {
		t.Fatalf("Resampled %v Real %v Synthetic %v", m.Resampled, m.Real, m.Synthetic)
	}
	// Neuron 0: times -0.02..0.02 s; neuron 1's samples are 5 ms later, so
	// at neuron 0's time k it reads k - 0.5 (held at the first value).
	if m.Times[0] != -0.02 || m.PSTH.At(2, 3, 0) != 23 || m.PSTH.At(2, 3, 1) != 22.5 || m.PSTH.At(1, 0, 1) != 10 {
		t.Errorf("times %v, PSTH %v", m.Times, m.PSTH.Data)
	}
}

func TestLoadM1Errors(t *testing.T) {
	if _, err := LoadM1(writeCombo(t, 0, 4)); err == nil || !strings.Contains(err.Error(), "interpPSTH has 4 samples") {
		t.Errorf("length mismatch: %v", err)
	}
	p := filepath.Join(t.TempDir(), "x.mat")
	matfile.WriteFile(p, []matfile.Var{{Name: "foo", Value: matfile.NewScalar(1)}}, nil)
	if _, err := LoadM1(p); err == nil || !strings.Contains(err.Error(), "comboNjs") {
		t.Errorf("unknown file: %v", err)
	}
	if _, err := LoadM1(filepath.Join(t.TempDir(), "none.mat")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing file: %v", err)
	}
}
