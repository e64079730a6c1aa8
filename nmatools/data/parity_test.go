package data

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/core/tensors/numpy"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

// shippedDir is the repository's data/synthetic, relative to this package.
var shippedDir = filepath.Join("..", "..", "data", "synthetic")

// parityTolerance is the largest |Go - PyTorch| allowed.
const parityTolerance = 1e-5

type parityFixture struct {
	Fixtures map[string]string `json:"fixtures"`
	Torch    string            `json:"torch"`
}

// loadParity reads testdata/parity_expected.npz, written by
// testdata/gen_parity.py from the tutorial's own prepare_dataset, and checks
// that the shipped fixtures are the ones it was computed from.
func loadParity(t *testing.T) map[string]*tensors.Tensor {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "parity_fixture.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fx parityFixture
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	for name, want := range fx.Fixtures {
		got, err := FileMD5(filepath.Join(shippedDir, name))
		if err != nil {
			t.Fatalf("parity fixture: %v", err)
		}
		if got != want {
			// The bytes also depend on matfile's writer; the values are
			// what matters, and the comparisons below check them.
			t.Logf("note: parity fixture %s has MD5 %s, the expected arrays were computed from %s; if the comparisons fail, rerun testdata/gen_parity.py", name, got, want)
		}
	}
	m, err := numpy.FromNpzFile(filepath.Join("testdata", "parity_expected.npz"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func f32(t *testing.T, m map[string]*tensors.Tensor, name string) *nd.Array {
	t.Helper()
	tt, ok := m[name]
	if !ok {
		t.Fatalf("parity_expected.npz has no %s", name)
	}
	d, err := tensors.CopyFlatData[float32](tt)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	a, err := nd.FromData(d, tt.Shape().Dimensions...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func f64(t *testing.T, m map[string]*tensors.Tensor, name string) ([]float64, []int) {
	t.Helper()
	tt, ok := m[name]
	if !ok {
		t.Fatalf("parity_expected.npz has no %s", name)
	}
	d, err := tensors.CopyFlatData[float64](tt)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return d, tt.Shape().Dimensions
}

func i64(t *testing.T, m map[string]*tensors.Tensor, name string) ([]int64, []int) {
	t.Helper()
	d, err := tensors.CopyFlatData[int64](m[name])
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return d, m[name].Shape().Dimensions
}

// TestPrepareDatasetParity compares PrepareDataset with the tutorial's
// Python prepare_dataset (scipy.io.loadmat + torch) on the shipped synthetic
// file.
func TestPrepareDatasetParity(t *testing.T) {
	exp := loadParity(t)
	ds, err := PrepareDataset(filepath.Join(shippedDir, CondsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		got  *nd.Array
	}{
		{"inputs", ds.Inputs}, {"outputs", ds.Outputs},
		{"inputs_with_delay", ds.InputsWithDelay}, {"outputs_with_delay", ds.OutputsWithDelay},
	} {
		want := f32(t, exp, c.name)
		d, err := nd.MaxAbsDiff(c.got, want)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		t.Logf("%-18s %v max |Go - PyTorch| = %.3g", c.name, c.got.Shape, d)
		if d > parityTolerance {
			t.Errorf("%s differs from PyTorch by %g > %g", c.name, d, parityTolerance)
		}
	}
	times, _ := f64(t, exp, "times")
	if len(times) != len(ds.Times) {
		t.Fatalf("times: %d values, PyTorch %d", len(ds.Times), len(times))
	}
	for i := range times {
		if ds.Times[i] != times[i] {
			t.Fatalf("times[%d] = %v, Python %v", i, ds.Times[i], times[i])
		}
	}
	if !ds.Synthetic {
		t.Error("the shipped file is synthetic but Dataset.Synthetic is false")
	}
}

// TestTrainValSplitTorchParity checks TrainValSplit(seed) against
// torch.manual_seed(seed); train_val_split().
func TestTrainValSplitTorchParity(t *testing.T) {
	exp := loadParity(t)
	seeds, _ := i64(t, exp, "split_seeds")
	tr, _ := i64(t, exp, "split_train")
	va, _ := i64(t, exp, "split_val")
	for k, s := range seeds {
		train, val := TrainValSplit(s)
		for i := range train {
			if int64(train[i]) != tr[k*NumTrain+i] {
				t.Fatalf("seed %d: train %v, torch %v", s, train, tr[k*NumTrain:(k+1)*NumTrain])
			}
		}
		for i := range val {
			if int64(val[i]) != va[k*NumVal+i] {
				t.Fatalf("seed %d: val %v, torch %v", s, val, va[k*NumVal:(k+1)*NumVal])
			}
		}
	}
}

// TestLoadM1Parity checks LoadM1's times and PSTHs against plot_psth's
// extraction (neurons 0..4, condition 0).
func TestLoadM1Parity(t *testing.T) {
	exp := loadParity(t)
	m, err := LoadM1(filepath.Join(shippedDir, M1File))
	if err != nil {
		t.Fatal(err)
	}
	pt, shape := f64(t, exp, "psth_times")
	ps, _ := f64(t, exp, "psth_cond0")
	nT := shape[1]
	if m.NumTimes() != nT {
		t.Fatalf("LoadM1 has %d times, plot_psth %d", m.NumTimes(), nT)
	}
	worst := 0.0
	for n := 0; n < shape[0]; n++ {
		for k := 0; k < nT; k++ {
			if math.Abs(m.Times[k]-pt[n*nT+k]) > 1e-12 {
				t.Fatalf("neuron %d time %d: %v, plot_psth %v", n, k, m.Times[k], pt[n*nT+k])
			}
			worst = max(worst, math.Abs(float64(m.PSTH.At(0, k, n))-ps[n*nT+k]))
		}
	}
	// The PSTH is stored as float32 (rates up to ~100 Hz).
	if worst > 1e-5 {
		t.Errorf("PSTHs differ from plot_psth's by %g", worst)
	}
	if !m.Synthetic || m.Real || m.Units != "Hz" {
		t.Errorf("labels: Synthetic %v Real %v Units %q", m.Synthetic, m.Real, m.Units)
	}
}
