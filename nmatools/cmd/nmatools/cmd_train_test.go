package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/model"
)

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
	if d := maxDiff(got.J.Data, want.J.Data) + maxDiff(got.B.Data, want.B.Data) + maxDiff(got.Bx.Data, want.Bx.Data) +
		maxDiff(got.W.Data, want.W.Data) + maxDiff(got.C.Data, want.C.Data); d != 0 {
		t.Errorf("converted weights differ by %g", d)
	}
	errb.Reset()
	if code := run([]string{"convert", pth}, &out, &errb); code == 0 || !strings.Contains(errb.String(), "--out") {
		t.Errorf("convert without --out: exit %d, %q", code, errb.String())
	}
}

func maxDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return 1e9
	}
	m := 0.0
	for i := range a {
		d := float64(a[i] - b[i])
		if d < 0 {
			d = -d
		}
		m = max(m, d)
	}
	return m
}

func TestTrainCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--out", "x"}, "--model"},
		{[]string{"train", "--model", "chaotic", "--out", "x"}, "unknown recipe"},
		{[]string{"train", "--model", "regularized"}, "--out"},
		{[]string{"train", "--model", "regularized", "--out", "x", "--data", "/nonexistent.mat"}, "nonexistent"},
	} {
		var out, errb bytes.Buffer
		if code := run(tc.args, &out, &errb); code == 0 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want an error mentioning %q", tc.args, code, errb.String(), tc.want)
		}
	}
}

// TestTrainCommandJSON trains 2 epochs of the unregularized recipe and checks
// the --json line and that a second call resumes (and has nothing left to do).
func TestTrainCommandJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the full-size network for 2 epochs")
	}
	dir := filepath.Join(t.TempDir(), "unreg")
	args := []string{"train", "--model", "unregularized", "--out", dir, "--epochs", "2", "--json", "--quiet"}
	var out, errb bytes.Buffer
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var got trainJSON
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("last line %q: %v", lines[len(lines)-1], err)
	}
	if got.Epochs != 2 || len(got.TrainLoss) != 2 || len(got.ValLoss) != 2 || got.Checkpoint != dir {
		t.Errorf("json %+v", got)
	}
	if _, err := model.Load(dir); err != nil {
		t.Errorf("no loadable checkpoint: %v", err)
	}
	out.Reset()
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("resume: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "2 epochs") {
		t.Errorf("resumed run: %q", out.String())
	}
}
