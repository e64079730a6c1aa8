package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/core/tensors/numpy"
	"github.com/neuromatch/nmatools/nmatools/data"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/repo"
)

// sweepFixture writes a small network's weights as .npz.
func sweepFixture(t *testing.T, dir string, seed int64) string {
	t.Helper()
	cfg := model.RegularizedConfig()
	cfg.HiddenSize = 24
	p := model.NewParams(cfg, seed)
	path := filepath.Join(dir, "w.npz")
	if err := numpy.ToNpzFile(map[string]*tensors.Tensor{
		"J": nd.ToTensor(p.J), "B": nd.ToTensor(p.B), "bx": nd.ToTensor(p.Bx), "W": nd.ToTensor(p.W), "c": nd.ToTensor(p.C),
	}, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func syntheticConds(t *testing.T) string {
	t.Helper()
	p := filepath.Join(repo.Dir(), "data", "synthetic", "condsForSimJ2moMuscles.mat")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("no synthetic data file: %v", err)
	}
	return p
}

func TestSweepCommandJSONAndPlot(t *testing.T) {
	dir := t.TempDir()
	w := sweepFixture(t, dir, 1)
	conds := syntheticConds(t)
	svg := filepath.Join(dir, "inputs.svg")
	code, out, errOut := runCmd("sweep", "inputs", "--checkpoint", w, "--data", conds, "--repeats", "3",
		"--seed", "5", "--json", "--plot", svg)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res []struct{ Level, Mean, Std float64 }
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("output is not a JSON list: %v\n%s", err, out)
	}
	if len(res) != 5 || res[0].Level != 0.0125 || res[4].Level != 0.2 {
		t.Fatalf("want the tutorial's 5 strengths, got %+v", res)
	}
	for _, r := range res {
		if !(r.Mean > 0) || r.Std < 0 {
			t.Errorf("implausible result %+v", r)
		}
	}
	if !strings.Contains(errOut, "backend") {
		t.Errorf("stderr does not name the backend: %q", errOut)
	}
	b, err := os.ReadFile(svg)
	if err != nil || !bytes.Contains(b, []byte("Perturbation of the inputs")) {
		t.Errorf("plot file: %v", err)
	}
	// Same seed, same numbers.
	_, out2, _ := runCmd("sweep", "inputs", "--checkpoint", w, "--data", conds, "--repeats", "3", "--seed", "5", "--json", "--quiet")
	if out2 != out {
		t.Errorf("same seed gave different results:\n%s\n%s", out, out2)
	}
}

func TestSweepCommandWeightsNpyCompare(t *testing.T) {
	dir := t.TempDir()
	w1 := sweepFixture(t, dir, 1)
	w2dir := filepath.Join(dir, "b")
	os.Mkdir(w2dir, 0o755)
	w2 := sweepFixture(t, w2dir, 2)
	ds, err := data.PrepareDataset(syntheticConds(t))
	if err != nil {
		t.Fatal(err)
	}
	x, y := filepath.Join(dir, "x.npy"), filepath.Join(dir, "y.npy")
	if err := numpy.ToNpyFile(nd.ToTensor(ds.Inputs.Take([]int{0, 1, 2})), x); err != nil {
		t.Fatal(err)
	}
	if err := numpy.ToNpyFile(nd.ToTensor(ds.Outputs.Take([]int{0, 1, 2})), y); err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(dir, "w.png")
	code, out, errOut := runCmd("sweep", "weights", "--checkpoint", w1, "--compare", w2, "--inputs", x, "--targets", y,
		"--repeats", "2", "--levels", "0.1,0.4", "--json", "--quiet", "--plot", png)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res map[string][]struct{ Level, Mean, Std float64 }
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res["checkpoint"]) != 2 || len(res["compare"]) != 2 {
		t.Fatalf("bad JSON (%v): %s", err, out)
	}
	if st, err := os.Stat(png); err != nil || st.Size() < 1000 {
		t.Errorf("png: %v", err)
	}
	// Text table.
	code, out, errOut = runCmd("sweep", "weights", "--checkpoint", w1, "--inputs", x, "--targets", y, "--repeats", "2",
		"--levels", "0.1", "--target", "W", "--quiet")
	if code != 0 || !strings.Contains(out, "0.1") || !strings.Contains(out, "mean") {
		t.Errorf("table: exit %d, %q, %q", code, out, errOut)
	}
}

// A GoMLX checkpoint directory (model.Save) works as --checkpoint and gives
// the same numbers as the same weights in a .npz.
func TestSweepCommandCheckpointDir(t *testing.T) {
	dir := t.TempDir()
	cfg := model.RegularizedConfig()
	cfg.HiddenSize = 24
	p := model.NewParams(cfg, 1)
	ck := filepath.Join(dir, "ckpt")
	if err := p.Save(ck); err != nil {
		t.Fatal(err)
	}
	w := sweepFixture(t, dir, 1) // same seed, same weights
	conds := syntheticConds(t)
	args := []string{"--data", conds, "--repeats", "2", "--levels", "0.2,0.4", "--json", "--quiet"}
	c1, o1, e1 := runCmd(append([]string{"sweep", "weights", "--checkpoint", ck}, args...)...)
	c2, o2, e2 := runCmd(append([]string{"sweep", "weights", "--checkpoint", w}, args...)...)
	if c1 != 0 || c2 != 0 {
		t.Fatalf("exit %d (%s), %d (%s)", c1, e1, c2, e2)
	}
	if o1 != o2 {
		t.Errorf("checkpoint dir and .npz of the same weights differ:\n%s\n%s", o1, o2)
	}
}

func TestTrainingSeed(t *testing.T) {
	dir := t.TempDir()
	if _, ok := trainingSeed(dir); ok {
		t.Error("seed found in an empty directory")
	}
	os.WriteFile(filepath.Join(dir, "training.json"), []byte(`{"recipe":"x","seed":2024}`), 0o644)
	if s, ok := trainingSeed(dir); !ok || s != 2024 {
		t.Errorf("trainingSeed = %d, %v", s, ok)
	}
}

func TestSweepCommandErrors(t *testing.T) {
	dir := t.TempDir()
	w := sweepFixture(t, dir, 1)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep"}, "inputs"},
		{[]string{"sweep", "bananas", "--checkpoint", w}, "unknown sweep"},
		{[]string{"sweep", "inputs"}, "--checkpoint"},
		{[]string{"sweep", "inputs", "--checkpoint", w, "--inputs", "x.npy"}, "go together"},
		{[]string{"sweep", "inputs", "--checkpoint", w, "--levels", "0.1,x"}, "--levels"},
		{[]string{"sweep", "inputs", "--checkpoint", w, "--plot", "a.gif"}, ".svg"},
		{[]string{"sweep", "inputs", "--checkpoint", w, "--repeats", "0"}, "--repeats"},
		{[]string{"sweep", "weights", "--checkpoint", w, "--gaussian"}, "--gaussian"},
		{[]string{"sweep", "inputs", "--checkpoint", filepath.Join(dir, "missing.npz"), "--inputs", "a.npy", "--targets", "b.npy"}, "a.npy"},
	} {
		code, _, errOut := runCmd(c.args...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want an error mentioning %q", c.args, code, errOut, c.want)
		}
	}
}
