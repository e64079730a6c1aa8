package sweep

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/core/tensors/numpy"
	"github.com/neuromatch/nmatools/nmatools/data"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/repo"
)

// TestAgainstPyTorch runs bench/torch_sweep.py (the tutorial's loops in
// PyTorch) and InputSweep/WeightSweep on the same network and data, and checks
// that every level's means agree within sampling error:
// |Δmean| < 3·√(std_go²/R + std_torch²/R). It takes minutes, so it runs only
// with NMATOOLS_TORCH_CHECK=1 (and /usr/bin/python3 with torch):
//
//	NMATOOLS_TORCH_CHECK=1 go test -run TestAgainstPyTorch -v -timeout 30m ./nmatools/sweep/
//
// NMATOOLS_SWEEP_WEIGHTS=W.npz (J, B, bx, W, c) picks the network; without
// it the script trains one briefly (--make-weights). NMATOOLS_SWEEP_DATA
// picks a condsForSim .mat file (default: the repository's synthetic one).
// The log shows both tables and both wall times.
func TestAgainstPyTorch(t *testing.T) {
	if os.Getenv("NMATOOLS_TORCH_CHECK") != "1" {
		t.Skip("set NMATOOLS_TORCH_CHECK=1 to compare with PyTorch (minutes)")
	}
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import torch").Run(); err != nil {
		t.Skipf("%s cannot import torch (apt-get install python3-torch): %v", py, err)
	}
	root := repo.Dir()
	script := filepath.Join(root, "bench", "torch_sweep.py")
	mat := os.Getenv("NMATOOLS_SWEEP_DATA")
	if mat == "" {
		mat = filepath.Join(root, "data", "synthetic", "condsForSimJ2moMuscles.mat")
	}
	ds, err := data.PrepareDataset(mat)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dnpz := filepath.Join(dir, "d.npz")
	tens := nd.ToTensor
	if err := numpy.ToNpzFile(map[string]*tensors.Tensor{"inputs": tens(ds.Inputs), "outputs": tens(ds.Outputs)}, dnpz); err != nil {
		t.Fatal(err)
	}
	wnpz := os.Getenv("NMATOOLS_SWEEP_WEIGHTS")
	if wnpz == "" {
		wnpz = filepath.Join(dir, "w.npz")
		out, err := exec.Command(py, script, "--make-weights", wnpz, "--data", dnpz, "--train-steps", "100").CombinedOutput()
		if err != nil {
			t.Fatalf("training a network: %v\n%s", err, out)
		}
	}
	p := loadNpzParams(t, wnpz)

	start := time.Now()
	cmd := exec.Command(py, script, "--weights", wnpz, "--data", dnpz, "--kind", "both")
	cmd.Stderr = nil
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("torch_sweep.py: %v", err)
	}
	t.Logf("PyTorch run: %.1fs wall", time.Since(start).Seconds())
	var ref struct {
		TrainIdx []int   `json:"train_idx"`
		MaxError float64 `json:"max_error"`
		Seconds  map[string]float64
		CPU      map[string]float64 `json:"cpu_seconds"`
		Inputs   []struct{ Level, Mean, Std float64 }
		Weights  []struct{ Level, Mean, Std float64 }
	}
	if err := json.Unmarshal(out, &ref); err != nil {
		t.Fatalf("torch_sweep.py output: %v\n%s", err, out)
	}
	train, _ := data.TrainValSplit(0)
	if len(train) != len(ref.TrainIdx) {
		t.Fatalf("splits differ: %v vs %v", train, ref.TrainIdx)
	}
	for i := range train {
		if train[i] != ref.TrainIdx[i] {
			t.Fatalf("splits differ: %v vs %v", train, ref.TrainIdx)
		}
	}
	maxErr, _ := MaxError(ds.Outputs)
	if math.Abs(maxErr-ref.MaxError) > 1e-5*maxErr {
		t.Errorf("max_error %v vs PyTorch %v", maxErr, ref.MaxError)
	}
	b := testBackend(t)
	x, y := ds.Inputs.Take(train), ds.Outputs.Take(train)
	for _, kind := range []string{"inputs", "weights"} {
		start, cpu0 := time.Now(), cpuSeconds()
		var got []Stat
		want := ref.Inputs
		if kind == "inputs" {
			got, err = InputSweep(b, p, x, y, InputStrengths, Repeats, 1, WithMaxError(maxErr))
		} else {
			want = ref.Weights
			got, err = WeightSweep(b, p, x, y, WeightPercentages, Repeats, 1, WithMaxError(maxErr))
		}
		if err != nil {
			t.Fatal(err)
		}
		goSec, goCPU := time.Since(start).Seconds(), cpuSeconds()-cpu0
		t.Logf("%s sweep: Go on backend %q %.2fs wall (%.2fs CPU), PyTorch loop (1 thread) %.2fs wall (%.2fs CPU): %.1f× wall, %.1f× CPU",
			kind, b.Name(), goSec, goCPU, ref.Seconds[kind], ref.CPU[kind], ref.Seconds[kind]/goSec, ref.CPU[kind]/goCPU)
		for i, g := range got {
			w := want[i]
			bound := 3 * math.Sqrt(g.Std*g.Std/Repeats+w.Std*w.Std/Repeats)
			bound = math.Max(bound, 1e-3*math.Abs(w.Mean))
			t.Logf("  %-7v Go %8.3f ± %7.3f   PyTorch %8.3f ± %7.3f   |Δ| %.3f < %.3f", g.Level, g.Mean, g.Std, w.Mean, w.Std, math.Abs(g.Mean-w.Mean), bound)
			if g.Level != w.Level || math.Abs(g.Mean-w.Mean) >= bound {
				t.Errorf("%s level %v: Go %v ± %v, PyTorch %v ± %v: outside sampling error", kind, g.Level, g.Mean, g.Std, w.Mean, w.Std)
			}
		}
	}
}

// cpuSeconds is this process's user+system CPU time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

func loadNpzParams(t *testing.T, path string) *model.Params {
	t.Helper()
	m, err := numpy.FromNpzFile(path)
	if err != nil {
		t.Fatal(err)
	}
	get := func(k string) *nd.Array {
		tt, ok := m[k]
		if !ok {
			t.Fatalf("%s: no %s", path, k)
		}
		a, err := nd.FromTensor(tt)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	p := &model.Params{J: get("J"), B: get("B"), Bx: get("bx"), W: get("W"), C: get("c")}
	p.Config = model.RegularizedConfig()
	p.Config.InputSize, p.Config.HiddenSize, p.Config.OutputSize = p.B.Shape[1], p.J.Shape[0], p.W.Shape[0]
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	return p
}
