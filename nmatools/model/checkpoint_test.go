package model

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/npy"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ckpt")
	p := NewParams(RegularizedConfig(), 5)
	if err := p.Save(dir); err != nil {
		t.Fatal(err)
	}
	// Saving again replaces it.
	p.Bx.Data[3] = 0.25
	if err := p.Save(dir); err != nil {
		t.Fatal(err)
	}
	q, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if q.Config != p.Config {
		t.Errorf("config %+v, want %+v", q.Config, p.Config)
	}
	for _, pair := range [][2]*nd.Array{{p.J, q.J}, {p.B, q.B}, {p.Bx, q.Bx}, {p.W, q.W}, {p.C, q.C}} {
		if d, err := nd.MaxAbsDiff(pair[0], pair[1]); err != nil || d != 0 {
			t.Errorf("round trip changed a parameter: %v %v", d, err)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Errorf("temporary directories left behind: %v", entries)
	}
	if _, err := LoadAs(dir, UnregularizedConfig()); err != nil {
		t.Errorf("LoadAs with the same sizes: %v", err)
	}
	small := UnregularizedConfig()
	small.HiddenSize = 10
	if _, err := LoadAs(dir, small); err == nil || !strings.Contains(err.Error(), "hidden 150") {
		t.Errorf("LoadAs(hidden 10) of a hidden-150 checkpoint: %v", err)
	}
}

func TestCheckpointErrors(t *testing.T) {
	base := t.TempDir()
	// model.json claims another shape than the stored variables.
	dir := filepath.Join(base, "ckpt")
	p := NewParams(Config{InputSize: 3, HiddenSize: 5, OutputSize: 2, G: 1, H: 1, TauOverDt: 5}, 1)
	if err := p.Save(dir); err != nil {
		t.Fatal(err)
	}
	lie := p.Config
	lie.HiddenSize = 6
	if err := WriteConfig(dir, lie); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Errorf("Load of a checkpoint whose variables disagree with model.json: %v", err)
	}
	// A directory without model.json.
	empty := filepath.Join(base, "empty")
	os.Mkdir(empty, 0o755)
	if _, err := Load(empty); err == nil || !strings.Contains(err.Error(), ConfigFile) {
		t.Errorf("Load(empty dir): %v", err)
	}
	// Save refuses to replace a directory that is not a checkpoint.
	other := filepath.Join(base, "other")
	os.Mkdir(other, 0o755)
	os.WriteFile(filepath.Join(other, "thesis.tex"), []byte("x"), 0o644)
	if err := p.Save(other); err == nil {
		t.Error("Save replaced a non-checkpoint directory")
	}
	if _, err := os.Stat(filepath.Join(other, "thesis.tex")); err != nil {
		t.Error("Save damaged a non-checkpoint directory")
	}
	if _, err := Load(filepath.Join(base, "nope")); err == nil {
		t.Error("Load of a missing path did not fail")
	}
}

func TestPthToCheckpointAndLoadPth(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reg")
	cfg := smallCfg(64, true)
	if err := PthToCheckpoint("testdata/reg_small_cuda.pth", dir, cfg); err != nil {
		t.Fatal(err)
	}
	a, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Load("testdata/reg_small.pth")
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := nd.MaxAbsDiff(a.J, b.J); d != 0 || a.Config.HiddenSize != 64 || b.Config.HiddenSize != 64 {
		t.Errorf("converted checkpoint differs from the .pth (|ΔJ| = %v)", d)
	}
	if _, err := Load("testdata/inputs.npy"); err == nil || !strings.Contains(err.Error(), "not a checkpoint directory, a weights .npz or a PyTorch .pth") {
		t.Errorf("Load(.npy): %v", err)
	}
}

// A weights .npz (SaveNpz) loads back as the same network, τ/Δt included, from Load,
// which also reads the .pth and checkpoint directory it came from; one without a
// parameter is refused, naming it.
func TestWeightsNpz(t *testing.T) {
	dir := t.TempDir()
	pth, err := Load("testdata/reg_small.pth")
	if err != nil {
		t.Fatal(err)
	}
	cfg := RegularizedConfig()
	cfg.HiddenSize, cfg.TauOverDt = 12, 7
	slow := NewParams(cfg, 3)
	for _, c := range []struct {
		name string
		p    *Params
	}{{"reg_small.npz", pth}, {"regularized_slow.npz", slow}} {
		path := filepath.Join(dir, c.name)
		if err := c.p.SaveNpz(path); err != nil {
			t.Fatal(err)
		}
		got, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if got.Config != c.p.Config {
			t.Errorf("%s: config %+v, want %+v", c.name, got.Config, c.p.Config)
		}
		for i, a := range got.arrays() {
			if d, err := nd.MaxAbsDiff(a, c.p.arrays()[i]); err != nil || d != 0 {
				t.Errorf("%s: %s differs by %g (%v)", c.name, npzNames[i], d, err)
			}
		}
	}
	partial := filepath.Join(dir, "partial.npz")
	if err := npy.WriteNpz(partial, map[string]*nd.Array{"J": pth.J, "B": pth.B, "W": pth.W, "c": pth.C}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(partial); err == nil || !strings.Contains(err.Error(), `no array "bx"`) {
		t.Errorf("Load of a .npz without bx: %v", err)
	}
	// Other arrays are not decoded: one that reading would refuse (a NaN) does not stop
	// the weights from loading.
	extra := filepath.Join(dir, "extra.npz")
	nan := &nd.Array{Shape: []int{2}, Data: []float32{1, float32(math.NaN())}}
	if err := npy.WriteNpz(extra, map[string]*nd.Array{"J": pth.J, "B": pth.B, "bx": pth.Bx, "W": pth.W, "c": pth.C, "inputs": nan}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(extra); err != nil {
		t.Errorf("Load of a .npz with another array (with a NaN) besides the weights: %v", err)
	}
}
