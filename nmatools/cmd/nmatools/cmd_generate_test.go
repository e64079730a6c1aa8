package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/core/tensors/numpy"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/npy"
)

// TestGenerateCommand runs the PyTorch parity fixture of nmatools/model through the command,
// from the .pth and from a converted checkpoint.
func TestGenerateCommand(t *testing.T) {
	fixtures := filepath.Join("..", "..", "model", "testdata")
	dir := t.TempDir()
	out := filepath.Join(dir, "y.npz")
	var stdout, stderr bytes.Buffer
	args := []string{"generate", "--checkpoint", filepath.Join(fixtures, "reg_small_cuda.pth"),
		"--inputs", filepath.Join(fixtures, "inputs.npy"), "--out", out}
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	got, err := numpy.FromNpzFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"outputs", "hidden"} {
		want, err := numpy.FromNpyFile(filepath.Join(fixtures, "reg_"+name+".npy"))
		if err != nil {
			t.Fatal(err)
		}
		g, w := generateToND(t, got[name]), generateToND(t, want)
		d, err := nd.MaxAbsDiff(g, w)
		if err != nil || d > 1e-4 {
			t.Errorf("%s: max difference from PyTorch %v (%v)", name, d, err)
		}
	}
	if !strings.Contains(stdout.String(), "outputs [3 250 2]") {
		t.Errorf("stdout: %q", stdout.String())
	}
	// Bad inputs: wrong feature count.
	bad := filepath.Join(dir, "bad.npy")
	if err := numpy.ToNpyFile(tensors.FromFlatDataAndDimensions(make([]float32, 20), 2, 10), bad); err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	args[4] = bad
	if code := run(args, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), "wants (batch, time, 16)") {
		t.Errorf("bad inputs: exit %d, stderr %q", code, stderr.String())
	}
	stderr.Reset()
	if code := run([]string{"generate", "--inputs", bad}, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), "required") {
		t.Errorf("missing flags: exit %d, stderr %q", code, stderr.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("leftover files: %v", entries)
	}
}

func generateToND(t *testing.T, tt *tensors.Tensor) *nd.Array {
	t.Helper()
	data, err := tensors.CopyFlatData[float32](tt)
	if err != nil {
		t.Fatal(err)
	}
	a, err := nd.FromData(data, tt.Shape().Dimensions...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// A weights .npz written by convert is a checkpoint like the .pth it came from: generate
// gives the same outputs and hidden states from both, and the same file bytes.
func TestGenerateFromConvertedNpz(t *testing.T) {
	fixtures := filepath.Join("..", "..", "model", "testdata")
	dir := t.TempDir()
	pth := filepath.Join(fixtures, "reg_small.pth")
	w := filepath.Join(dir, "w.npz")
	if code, _, errOut := runCmd("convert", pth, "--out", w); code != 0 {
		t.Fatalf("convert: exit %d: %s", code, errOut)
	}
	outs := map[string]string{}
	for _, ckpt := range []string{pth, w} {
		out := filepath.Join(dir, filepath.Base(ckpt)+".out.npz")
		if code, _, errOut := runCmd("generate", "--checkpoint", ckpt, "--inputs", filepath.Join(fixtures, "inputs.npy"), "--out", out); code != 0 {
			t.Fatalf("generate --checkpoint %s: exit %d: %s", ckpt, code, errOut)
		}
		outs[ckpt] = out
	}
	a, err := npy.ReadNpz(outs[pth])
	if err != nil {
		t.Fatal(err)
	}
	b, err := npy.ReadNpz(outs[w])
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"outputs", "hidden"} {
		if d, err := nd.MaxAbsDiff(a[name], b[name]); err != nil || d != 0 {
			t.Errorf("%s: the .npz's differ from the .pth's by %g (%v)", name, d, err)
		}
	}
	ba, _ := os.ReadFile(outs[pth])
	bb, _ := os.ReadFile(outs[w])
	if !bytes.Equal(ba, bb) {
		t.Error("the two output files differ")
	}
}
