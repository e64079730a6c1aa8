package data

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/matfile"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

// condsSpec describes a small hand-made condsForSim file.
type condsSpec struct {
	conds, delays int // struct dims
	rows          int // time rows of every field
	planCols      int
	muscleCols    int
	dropField     string // a field left out of every element
	// edit, if set, changes element (i,j)'s fields (0-based) before writing.
	edit func(i, j int, vals map[string]matfile.Value)
}

func goodSpec() condsSpec {
	return condsSpec{conds: NumConditions, delays: NumDelays, rows: 300, planCols: 15, muscleCols: 5}
}

// writeConds writes a condsForSim with simple known values: plan(t,k) =
// i + k, goEnvelope(t) = t == 200 (in rows), muscle(t,m) = m + j/10,
// timesREmove(t) = 10*t - 2000.
func writeConds(t *testing.T, s condsSpec) string {
	t.Helper()
	fields := []string{"plan", "goEnvelope", "muscle", "timesREmove"}
	var keep []string
	for _, f := range fields {
		if f != s.dropField {
			keep = append(keep, f)
		}
	}
	st := matfile.NewStruct([]int{s.conds, s.delays}, keep)
	for i := 0; i < s.conds; i++ {
		for j := 0; j < s.delays; j++ {
			e := i + s.conds*j
			plan := make([]float64, s.rows*s.planCols)
			for k := 0; k < s.planCols; k++ {
				for r := 0; r < s.rows; r++ {
					plan[k*s.rows+r] = float64(i + k)
				}
			}
			gov := make([]float64, s.rows)
			if s.rows > 200 {
				gov[200] = 1
			}
			mus := make([]float64, s.rows*s.muscleCols)
			for m := 0; m < s.muscleCols; m++ {
				for r := 0; r < s.rows; r++ {
					mus[m*s.rows+r] = float64(m) + float64(j)/10
				}
			}
			tm := make([]float64, s.rows)
			for r := range tm {
				tm[r] = float64(10*r - 2000)
			}
			vals := map[string]matfile.Value{
				"plan":        matfile.NewDouble([]int{s.rows, s.planCols}, plan),
				"goEnvelope":  matfile.NewDouble([]int{s.rows, 1}, gov),
				"muscle":      matfile.NewDouble([]int{s.rows, s.muscleCols}, mus),
				"timesREmove": matfile.NewDouble([]int{s.rows, 1}, tm),
			}
			if s.edit != nil {
				s.edit(i, j, vals)
			}
			for _, f := range keep {
				if err := st.SetField(e, f, vals[f]); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	p := filepath.Join(t.TempDir(), "conds.mat")
	if err := matfile.WriteFile(p, []matfile.Var{{Name: "condsForSim", Value: st}}, nil); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrepareDatasetSmallFile(t *testing.T) {
	ds, err := PrepareDataset(writeConds(t, goodSpec()))
	if err != nil {
		t.Fatal(err)
	}
	if ds.Synthetic {
		t.Error("a file without synthetic_note marked synthetic")
	}
	wantShapes := map[string][]int{
		"Inputs": {27, 250, 16}, "Outputs": {27, 250, 2},
		"InputsWithDelay": {27, 8, 250, 16}, "OutputsWithDelay": {27, 8, 250, 2},
	}
	for name, a := range map[string]*nd.Array{"Inputs": ds.Inputs, "Outputs": ds.Outputs,
		"InputsWithDelay": ds.InputsWithDelay, "OutputsWithDelay": ds.OutputsWithDelay} {
		if !slices.Equal(a.Shape, wantShapes[name]) {
			t.Errorf("%s shape %v, want %v", name, a.Shape, wantShapes[name])
		}
	}
	// Times: rows 46..295 of 10*r-2000 ms, in seconds.
	if ds.Times[0] != -1.54 || ds.Times[249] != 0.95 {
		t.Errorf("times %v..%v, want -1.54..0.95", ds.Times[0], ds.Times[249])
	}
	// Outputs: muscle columns 3 and 4, delay 3 → 3.3 and 4.3, unnormalised.
	if o := ds.Outputs.At(5, 100, 0); o != float32(3.3) {
		t.Errorf("output muscle 3 = %v, want 3.3", o)
	}
	if o := ds.OutputsWithDelay.At(5, 7, 100, 1); o != float32(4.7) {
		t.Errorf("output muscle 4 at delay 7 = %v, want 4.7", o)
	}
	// Inputs are standardised over the whole tensor: mean 0, unbiased std 1.
	if m, s := ds.InputsWithDelay.Mean(), ds.InputsWithDelay.Std(true); math.Abs(m) > 1e-5 || math.Abs(s-1) > 1e-5 {
		t.Errorf("inputs mean %g std %g, want 0 and 1", m, s)
	}
	// The go envelope (feature 15) peaks at row 200 → step 154.
	col := ds.Inputs.At(0, 154, 15)
	if col <= ds.Inputs.At(0, 153, 15) {
		t.Error("go cue not at step 154")
	}
	// The fixed-delay arrays are delay index 3 of the with-delay ones.
	for i := 0; i < 27; i++ {
		if ds.Inputs.At(i, 10, 2) != ds.InputsWithDelay.At(i, 3, 10, 2) {
			t.Fatal("Inputs is not InputsWithDelay[:, 3]")
		}
	}
}

func TestPrepareDatasetErrors(t *testing.T) {
	dir := t.TempDir()
	v73 := filepath.Join(dir, "v73.mat")
	head := []byte("MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Fri Nov 27 07:00:00 2026 HDF5 schema 1.00 .")
	buf := make([]byte, 1024)
	copy(buf, head)
	for i := len(head); i < 116; i++ {
		buf[i] = ' '
	}
	buf[124], buf[125], buf[126], buf[127] = 0, 2, 'I', 'M'
	copy(buf[512:], "\x89HDF\r\n\x1a\n")
	os.WriteFile(v73, buf, 0o644)

	noVar := filepath.Join(dir, "novar.mat")
	matfile.WriteFile(noVar, []matfile.Var{{Name: "other", Value: matfile.NewScalar(1)}}, nil)
	notStruct := filepath.Join(dir, "notstruct.mat")
	matfile.WriteFile(notStruct, []matfile.Var{{Name: "condsForSim", Value: matfile.NewScalar(1)}}, nil)

	short := goodSpec()
	short.rows = 295
	fewMuscles := goodSpec()
	fewMuscles.muscleCols = 4
	wrongDims := goodSpec()
	wrongDims.conds = 26
	noPlan := goodSpec()
	noPlan.dropField = "plan"
	noTimes := goodSpec()
	noTimes.dropField = "timesREmove"

	for _, c := range []struct {
		name, path string
		want       []string
	}{
		{"missing file", filepath.Join(dir, "nope.mat"), []string{"does not exist", "nmatools data"}},
		{"v7.3", v73, []string{"v7.3", "-v7"}},
		{"no condsForSim", noVar, []string{"condsForSim", "other"}},
		{"not a struct", notStruct, []string{"condsForSim", "struct"}},
		{"too few rows", writeConds(t, short), []string{"295 rows", "296"}},
		{"too few muscles", writeConds(t, fewMuscles), []string{"muscle", "4 columns", "at least 5"}},
		{"wrong dims", writeConds(t, wrongDims), []string{"26x8", "27x8"}},
		{"missing field", writeConds(t, noPlan), []string{"plan"}},
		{"missing times", writeConds(t, noTimes), []string{"timesREmove"}},
	} {
		_, err := PrepareDataset(c.path)
		t.Logf("%s: %v", c.name, err)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", c.name, err, w)
			}
		}
	}
	if _, err := PrepareDataset(v73); !errors.Is(err, matfile.ErrV73) {
		t.Errorf("v7.3: error does not wrap matfile.ErrV73: %v", err)
	}
}

func TestNormalizeAndStandardize(t *testing.T) {
	a, _ := nd.FromData([]float32{1, 2, 3, 4}, 4)
	if err := NormalizeAndStandardize(a); err != nil {
		t.Fatal(err)
	}
	// (x-1)/3 = 0,1/3,2/3,1; mean 0.5; unbiased std sqrt(5/27).
	s := float32(math.Sqrt(5.0 / 27))
	for i, v := range a.Data {
		want := (float32(i)/3 - 0.5) / s
		if math.Abs(float64(v-want)) > 1e-6 {
			t.Errorf("[%d] = %v, want %v", i, v, want)
		}
	}
	c, _ := nd.FromData([]float32{2, 2, 2}, 3)
	if err := NormalizeAndStandardize(c); err == nil {
		t.Error("a constant array did not fail")
	}
	n, _ := nd.FromData([]float32{1, float32(math.NaN())}, 2)
	if err := NormalizeAndStandardize(n); err == nil {
		t.Error("NaN did not fail")
	}
}

func TestTrainValSplit(t *testing.T) {
	for _, seed := range []int64{0, 1, 2024, -5} {
		tr, va := TrainValSplit(seed)
		if len(tr) != NumTrain || len(va) != NumVal {
			t.Fatalf("seed %d: sizes %d/%d", seed, len(tr), len(va))
		}
		seen := map[int]bool{}
		for _, x := range append(append([]int(nil), tr...), va...) {
			if x < 0 || x >= NumConditions || seen[x] {
				t.Fatalf("seed %d: bad or repeated index %d", seed, x)
			}
			seen[x] = true
		}
		for i := 1; i < len(tr); i++ {
			if tr[i] <= tr[i-1] {
				t.Fatalf("seed %d: train not sorted: %v", seed, tr)
			}
		}
		tr2, va2 := TrainValSplit(seed)
		if !slices.Equal(tr, tr2) || !slices.Equal(va, va2) {
			t.Fatalf("seed %d: not deterministic", seed)
		}
	}
	a, _ := TrainValSplit(1)
	b, _ := TrainValSplit(2)
	if slices.Equal(a, b) {
		t.Error("seeds 1 and 2 give the same split")
	}
}

func TestMT19937(t *testing.T) {
	// std::mt19937 with the default seed 5489: the 10000th output is
	// 4123659995 (C++ standard, [rand.predef]).
	g := newMT19937(5489)
	var v uint32
	for i := 0; i < 10000; i++ {
		v = g.next()
	}
	if v != 4123659995 {
		t.Errorf("10000th output %d, want 4123659995", v)
	}
}

func TestSubsets(t *testing.T) {
	ds, err := PrepareDataset(filepath.Join(shippedDir, CondsFile))
	if err != nil {
		t.Fatal(err)
	}
	tr, va := TrainValSplit(7)
	in, out, err := ds.Subset(va)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(in.Shape, []int{7, 250, 16}) || !slices.Equal(out.Shape, []int{7, 250, 2}) {
		t.Fatalf("Subset shapes %v %v", in.Shape, out.Shape)
	}
	win, wout, err := ds.WithDelaySubset(tr)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(win.Shape, []int{160, 250, 16}) || !slices.Equal(wout.Shape, []int{160, 250, 2}) {
		t.Fatalf("WithDelaySubset shapes %v %v", win.Shape, wout.Shape)
	}
	// Row k*8+j is condition tr[k] at delay j.
	k, j := 5, 6
	if win.At(k*8+j, 120, 3) != ds.InputsWithDelay.At(tr[k], j, 120, 3) ||
		wout.At(k*8+j, 200, 1) != ds.OutputsWithDelay.At(tr[k], j, 200, 1) {
		t.Error("WithDelaySubset row order is not condition-major, delay-minor")
	}
	if _, _, err := ds.Subset([]int{27}); err == nil {
		t.Error("out-of-range condition accepted")
	}
}
