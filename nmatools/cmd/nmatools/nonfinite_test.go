package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/internal/memcap"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/npy"
)

// TestNonFiniteRefused: NaN or Inf in generate's inputs, sweep's inputs or targets, or
// a weights .npz: exit 1 naming the array and the first bad index (they used to go
// through, exit 0 with outputs full of NaN).
func TestNonFiniteRefused(t *testing.T) {
	dir := t.TempDir()
	fixtures := filepath.Join("..", "..", "model", "testdata")
	write := func(name string, a *nd.Array) string {
		p := filepath.Join(dir, name)
		if err := npy.Write(p, a); err != nil {
			t.Fatal(err)
		}
		return p
	}
	in := nd.New(2, 5, 16)
	in.Data[1*80+3*16+7] = float32(math.NaN())
	nanIn := write("nan_inputs.npy", in)
	goodY := write("y.npy", nd.New(2, 5, 2))
	y := nd.New(2, 5, 2)
	y.Data[7] = float32(math.Inf(1))
	infY := write("inf_targets.npy", y)
	goodX := write("x.npy", nd.New(2, 5, 16))

	w := sweepFixture(t, dir, 1)
	m, err := npy.ReadNpz(w)
	if err != nil {
		t.Fatal(err)
	}
	m["B"].Data[5] = float32(math.Inf(-1))
	nanW := filepath.Join(dir, "nan_w.npz")
	if err := npy.WriteNpz(nanW, m, nil); err != nil {
		t.Fatal(err)
	}

	for _, f := range []string{nanIn, goodY, infY, goodX, nanW} {
		memcap.Keep(t, f, filepath.Base(f))
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"generate", "--checkpoint", filepath.Join(fixtures, "reg_small.pth"), "--inputs", nanIn, "--out", filepath.Join(dir, "o.npz")},
			"nan_inputs.npy: element [1 3 7] is NaN"},
		{[]string{"sweep", "weights", "--checkpoint", w, "--inputs", nanIn, "--targets", goodY, "--repeats", "1", "--levels", "0.1", "--quiet"},
			"nan_inputs.npy: element [1 3 7] is NaN"},
		{[]string{"sweep", "weights", "--checkpoint", w, "--inputs", goodX, "--targets", infY, "--repeats", "1", "--levels", "0.1", "--quiet"},
			"inf_targets.npy: element [0 3 1] is +Inf"},
		{[]string{"sweep", "weights", "--checkpoint", nanW, "--inputs", goodX, "--targets", goodY, "--repeats", "1", "--levels", "0.1", "--quiet"},
			"array B: element [0 5] is -Inf"},
	} {
		code, out, errOut := runCmd(c.args...)
		if code != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q (stdout %q), want exit 1 and %q", c.args[:2], code, errOut, out, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "o.npz")); err == nil {
		t.Error("generate wrote its output despite NaN inputs")
	}
}
