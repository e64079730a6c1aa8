package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/model"
)

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
