package model

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors/numpy"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

func readNpy(t *testing.T, name string) *nd.Array {
	t.Helper()
	tt, err := numpy.FromNpyFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	a, err := nd.FromTensor(tt)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func smallCfg(n int, reg bool) Config {
	c := UnregularizedConfig()
	if reg {
		c = RegularizedConfig()
	}
	c.HiddenSize = n
	return c
}

// TestPthParity: the fixtures of testdata/gen_pth.py (the tutorial's classes and
// generate_trajectory run by PyTorch) reproduced by LoadPth + Runner.Trajectory.
func TestPthParity(t *testing.T) {
	b := testBackend(t)
	inputs := readNpy(t, "inputs.npy")
	for _, c := range []struct {
		file, prefix string
		cfg          Config
	}{
		{"reg_small.pth", "reg", smallCfg(64, true)},
		{"reg_small_cuda.pth", "reg", smallCfg(64, true)},
		{"reg_small_f64.pth", "reg", smallCfg(64, true)},
		{"unreg_small.pth", "unreg", smallCfg(32, false)},
	} {
		p, err := LoadPth(filepath.Join("testdata", c.file), c.cfg)
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		out, hid, err := NewRunner(b, p).Trajectory(inputs)
		if err != nil {
			t.Fatal(err)
		}
		for _, cmp := range []struct {
			name string
			got  *nd.Array
		}{{"outputs", out}, {"hidden", hid}} {
			want := readNpy(t, c.prefix+"_"+cmp.name+".npy")
			d, err := nd.MaxAbsDiff(cmp.got, want)
			if err != nil {
				t.Fatalf("%s %s: %v", c.file, cmp.name, err)
			}
			if d > 1e-4 {
				t.Errorf("%s: %s differ from PyTorch by %g (> 1e-4)", c.file, cmp.name, d)
			}
			t.Logf("%s: %s max |Go − PyTorch| = %.2g", c.file, cmp.name, d)
		}
	}
}

func TestPthErrors(t *testing.T) {
	dir := t.TempDir()
	notPth := filepath.Join(dir, "notes.pth")
	os.WriteFile(notPth, []byte("hello, not a checkpoint"), 0o644)
	// A zip without data.pkl.
	zipPath := filepath.Join(dir, "other.pth")
	zf, _ := os.Create(zipPath)
	zw := zip.NewWriter(zf)
	w, _ := zw.Create("x/readme.txt")
	w.Write([]byte("hi"))
	zw.Close()
	zf.Close()
	cfg := smallCfg(64, true)
	for _, c := range []struct {
		path string
		cfg  Config
		want string
	}{
		{notPth, cfg, "not a PyTorch .pth file"},
		{filepath.Join(dir, "missing.pth"), cfg, "no such file"},
		{zipPath, cfg, "data.pkl"},
		{"testdata/reg_small_legacy.pth", cfg, "legacy"},
		{"testdata/reg_small_nobx.pth", cfg, "lacks bx"},
		{"testdata/reg_small.pth", smallCfg(150, true), "shape [64 64], want [150 150]"},
		{"testdata/inputs.npy", cfg, "not a PyTorch .pth file"},
	} {
		_, err := LoadPth(c.path, c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("LoadPth(%s): error %v, want one mentioning %q", c.path, err, c.want)
		}
	}
}

func TestReadStateDictOrder(t *testing.T) {
	sd, order, err := ReadStateDict("testdata/reg_small_cuda.pth")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(order, ",") != strings.Join(PthKeys, ",") {
		t.Errorf("keys %v, want %v", order, PthKeys)
	}
	cfg, err := ConfigFromStateDict("data/regularized_model_final.pth", sd)
	if err != nil || cfg.HiddenSize != 64 || cfg.InputSize != 16 || cfg.OutputSize != 2 || !cfg.Regularized || cfg.G != 1.5 {
		t.Errorf("ConfigFromStateDict(regularized_model_final.pth) = %+v, %v", cfg, err)
	}
	cfg, err = ConfigFromStateDict("unregularized_model_final.pth", sd)
	if err != nil || cfg.Regularized || cfg.G != 4 {
		t.Errorf("ConfigFromStateDict(unregularized_model_final.pth) = %+v, %v", cfg, err)
	}
}
