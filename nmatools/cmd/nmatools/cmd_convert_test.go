package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/npy"
)

// sameWeights fails t unless got and want have identical J, B, bx, W, c.
func sameWeights(t *testing.T, what string, got, want *model.Params) {
	t.Helper()
	for _, f := range []struct {
		name string
		g, w *nd.Array
	}{{"J", got.J, want.J}, {"B", got.B, want.B}, {"bx", got.Bx, want.Bx}, {"W", got.W, want.W}, {"c", got.C, want.C}} {
		d, err := nd.MaxAbsDiff(f.g, f.w)
		if err != nil || d != 0 {
			t.Errorf("%s: %s differs by %g (%v)", what, f.name, d, err)
		}
	}
}

func TestConvertCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ck")
	pth := filepath.Join("..", "..", "model", "testdata", "reg_small.pth")
	var out, errb bytes.Buffer
	if code := run([]string{"convert", pth, "--out", dir}, &out, &errb); code != 0 {
		t.Fatalf("convert: exit %d: %s", code, errb.String())
	}
	want, err := model.Load(pth)
	if err != nil {
		t.Fatal(err)
	}
	got, err := model.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Config != want.Config {
		t.Errorf("config %+v, want %+v", got.Config, want.Config)
	}
	sameWeights(t, "converted checkpoint", got, want)
	errb.Reset()
	if code := run([]string{"convert", pth}, &out, &errb); code == 0 || !strings.Contains(errb.String(), "--out") {
		t.Errorf("convert without --out: exit %d, %q", code, errb.String())
	}
}

// TestConvertToNpz converts a .pth and a checkpoint directory to a weights
// .npz and reads it back the way `sweep --checkpoint W.npz` does.
func TestConvertToNpz(t *testing.T) {
	dir := t.TempDir()
	pth := filepath.Join("..", "..", "model", "testdata", "reg_small.pth")
	want, err := model.Load(pth)
	if err != nil {
		t.Fatal(err)
	}
	// A checkpoint directory with a time constant other than 5.
	cfg := model.RegularizedConfig()
	cfg.HiddenSize, cfg.TauOverDt = 12, 7
	slow := model.NewParams(cfg, 3)
	ckpt := filepath.Join(dir, "slow")
	if err := slow.Save(ckpt); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in   string
		want *model.Params
	}{{pth, want}, {ckpt, slow}} {
		npz := filepath.Join(dir, filepath.Base(tc.in)+".npz")
		code, out, errOut := runCmd("convert", tc.in, "--out", npz)
		if code != 0 {
			t.Fatalf("convert %s: exit %d: %s", tc.in, code, errOut)
		}
		if !strings.Contains(out, npz) {
			t.Errorf("convert %s: stdout %q does not name %s", tc.in, out, npz)
		}
		got, err := model.Load(npz)
		if err != nil {
			t.Fatal(err)
		}
		sameWeights(t, tc.in, got, tc.want)
		gc, wc := got.Config, tc.want.Config
		if gc.InputSize != wc.InputSize || gc.HiddenSize != wc.HiddenSize || gc.OutputSize != wc.OutputSize || gc.TauOverDt != wc.TauOverDt {
			t.Errorf("%s: sizes/tau %+v, want %+v", tc.in, gc, wc)
		}
	}
	// The .npz holds exactly the five arrays when tau/dt is the tutorial's 5.
	arrays, err := npy.ReadNpz(filepath.Join(dir, "reg_small.pth.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if len(arrays) != 5 {
		names := []string{}
		for n := range arrays {
			names = append(names, n)
		}
		t.Errorf("arrays %v, want J, B, bx, W, c", names)
	}
	if code, _, errOut := runCmd("convert", filepath.Join(dir, "missing"), "--out", filepath.Join(dir, "m.npz")); code == 0 || !strings.Contains(errOut, "missing") {
		t.Errorf("convert of a missing path: exit %d, stderr %q", code, errOut)
	}
}
