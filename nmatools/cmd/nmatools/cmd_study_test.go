package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/neuromatch/nmatools/nmatools/backend"
	"github.com/neuromatch/nmatools/nmatools/study"
)

// TestMain lets the tests run the command as a separate process: the test
// binary re-executed with NMATOOLS_TEST_MAIN=1 is `nmatools` with its
// arguments.
func TestMain(m *testing.M) {
	if os.Getenv("NMATOOLS_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// studyProc starts `nmatools args...` as a process with the extra
// environment variables env (and none of the shard variables of the test's
// own environment); its output goes to a buffer.
func studyProc(t *testing.T, env []string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	base := []string{"NMATOOLS_TEST_MAIN=1"}
	if os.Getenv(backend.EnvBackend) == "" {
		base = append(base, backend.EnvBackend+"=go")
	}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "SLURM_") || k == "JOB_COMPLETION_INDEX" || k == "NMATOOLS_SHARDS" {
			continue
		}
		base = append(base, kv)
	}
	cmd.Env = append(base, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

// TestStudyShards runs one grid three ways: in one process; as a Slurm job
// array of 2 tasks run at once (SLURM_ARRAY_TASK_ID/MIN/COUNT), one killed
// with SIGKILL after its first cell and run again; and as a Kubernetes
// Indexed Job of 3 completions run at once (JOB_COMPLETION_INDEX,
// NMATOOLS_SHARDS). The tables must be identical, byte for byte.
func TestStudyShards(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 18 small networks (about a minute on 2 cores)")
	}
	dir := t.TempDir()
	grid := filepath.Join(dir, "grid.json")
	os.WriteFile(grid, []byte(`{"rate_penalty": [0, 0.01], "weight_penalty": [1e-5], "seeds": [1, 2, 3], "epochs": 1}`), 0o644)
	g, err := study.ReadGrid(grid)
	if err != nil {
		t.Fatal(err)
	}
	table := func(d string) string {
		t.Helper()
		code, out, errs := runCmd("study", "table", d, "--json")
		if code != 0 {
			t.Fatalf("study table %s: exit %d: %s", d, code, errs)
		}
		return out
	}

	// One process.
	one := filepath.Join(dir, "one")
	if code, out, errs := runCmd("study", "run", "--grid", grid, "--out", one, "--quiet"); code != 0 {
		t.Fatalf("one process: exit %d: %s%s", code, out, errs)
	}
	want := table(one)
	if !strings.HasPrefix(want, `{"rows":[{"rate_penalty":0,"weight_penalty":0.00001,"seed":1,"val_mse":`) || strings.Count(want, `"seed"`) != 6 {
		t.Fatalf("table: %s", want)
	}

	// Slurm: tasks 5 and 6 of an array starting at 5.
	slurm := filepath.Join(dir, "slurm")
	env := func(id int) []string {
		return []string{"SLURM_ARRAY_TASK_ID=" + itoa(id), "SLURM_ARRAY_TASK_MIN=5", "SLURM_ARRAY_TASK_COUNT=2"}
	}
	args := []string{"study", "run", "--grid", grid, "--out", slurm, "--quiet"}
	victim, _ := studyProc(t, env(5), args...)
	other, otherOut := studyProc(t, env(6), args...)
	first := filepath.Join(slurm, "cells", g.Cells()[0].Name()+".json") // task 5 = shard 0 runs cells 0, 2, 4
	deadline := time.Now().Add(5 * time.Minute)
	for {
		if _, err := os.Stat(first); err == nil {
			break
		}
		if time.Now().After(deadline) {
			victim.Process.Kill()
			t.Fatal("shard 0 wrote no cell in 5 minutes")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := victim.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	victim.Wait()
	if err := other.Wait(); err != nil {
		t.Fatalf("shard 1: %v\n%s", err, otherOut)
	}
	code, _, errs := runCmd("study", "table", slurm, "--json")
	if code != 1 || !strings.Contains(errs, "unfinished") || !strings.Contains(errs, g.Cells()[4].Name()) {
		t.Fatalf("table with a killed shard: exit %d, %s; want exit 1 naming %s", code, errs, g.Cells()[4].Name())
	}
	rerun, rerunOut := studyProc(t, env(5), args...)
	if err := rerun.Wait(); err != nil {
		t.Fatalf("rerun of shard 0: %v\n%s", err, rerunOut)
	}
	if !strings.Contains(rerunOut.String(), "shard 0/2: 3 cells, ") || strings.Contains(rerunOut.String(), "0 finished before") {
		t.Errorf("the rerun did not skip the finished cell: %s", rerunOut)
	}
	if left, _ := filepath.Glob(filepath.Join(slurm, "cells", ".*")); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
	if got := table(slurm); got != want {
		t.Errorf("Slurm shards' table differs from one process':\n%s\n%s", got, want)
	}

	// Kubernetes: an Indexed Job of 3 completions.
	k8s := filepath.Join(dir, "k8s")
	var procs []*exec.Cmd
	var outs []*bytes.Buffer
	for i := 0; i < 3; i++ {
		p, o := studyProc(t, []string{"JOB_COMPLETION_INDEX=" + itoa(i), "NMATOOLS_SHARDS=3"},
			"study", "run", "--grid", grid, "--out", k8s, "--quiet")
		procs, outs = append(procs, p), append(outs, o)
	}
	for i, p := range procs {
		if err := p.Wait(); err != nil {
			t.Fatalf("Indexed Job completion %d: %v\n%s", i, err, outs[i])
		}
		if !strings.Contains(outs[i].String(), "shard "+itoa(i)+"/3: 2 cells") {
			t.Errorf("completion %d: %s", i, outs[i])
		}
	}
	if got := table(k8s); got != want {
		t.Errorf("Indexed Job shards' table differs from one process':\n%s\n%s", got, want)
	}
	manifests, _ := filepath.Glob(filepath.Join(k8s, "shards", "*.json"))
	if len(manifests) != 3 {
		t.Errorf("manifests %v, want one per shard", manifests)
	}

	// The text table and the figure.
	code, out, errs := runCmd("study", "table", one)
	if code != 0 || !strings.Contains(out, "6 cells, epoch limit 1; backend Go Backend") || !strings.Contains(out, "synthetic") {
		t.Errorf("text table: exit %d %s %s", code, out, errs)
	}
	svg := filepath.Join(dir, "study.svg")
	if code, _, errs := runCmd("study", "plot", one, "--out", svg); code != 0 {
		t.Fatalf("plot: %s", errs)
	}
	if b, _ := os.ReadFile(svg); !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("synthetic data")) {
		t.Errorf("plot: not an SVG marked synthetic (%d bytes)", len(b))
	}
}

func TestStudyCommandErrors(t *testing.T) {
	dir := t.TempDir()
	grid := filepath.Join(dir, "grid.json")
	os.WriteFile(grid, []byte(`{"rate_penalty": [0], "weight_penalty": [0], "seeds": [1], "epochs": 1}`), 0o644)
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"rate_penalty": [0], "weight_penalty": [0], "seed": [1], "epochs": 1}`), 0o644)
	other := filepath.Join(dir, "other.json")
	os.WriteFile(other, []byte(`{"rate_penalty": [0], "weight_penalty": [0], "seeds": [1], "epochs": 2}`), 0o644)
	// A directory that already holds a study of grid.json (its manifest only).
	used := filepath.Join(dir, "used")
	os.MkdirAll(filepath.Join(used, "shards"), 0o755)
	os.WriteFile(filepath.Join(used, "shards", "0-of-1.json"), []byte(`{"version": 1, "grid": {"rate_penalty": [0], "weight_penalty": [0], "seeds": [1], "epochs": 1}}`), 0o644)
	for _, c := range []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"study"}, nil, "missing sub-command"},
		{[]string{"study", "go"}, nil, `unknown sub-command "go"`},
		{[]string{"study", "run", "--out", dir}, nil, "--grid G.json and --out DIR are required"},
		{[]string{"study", "run", "--grid", bad, "--out", dir}, nil, `unknown field "seed"`},
		{[]string{"study", "run", "--grid", filepath.Join(dir, "none.json"), "--out", dir}, nil, "none.json"},
		{[]string{"study", "run", "--grid", grid, "--out", dir, "--shard", "2/2"}, nil, "want 0 ≤ index < count"},
		{[]string{"study", "run", "--grid", grid, "--out", dir}, []string{"SLURM_ARRAY_TASK_ID=3", "SLURM_ARRAY_TASK_MIN=0", "SLURM_ARRAY_TASK_COUNT=2"}, "contiguous array"},
		{[]string{"study", "run", "--grid", grid, "--out", dir}, []string{"JOB_COMPLETION_INDEX=0"}, "NMATOOLS_SHARDS is not set"},
		{[]string{"study", "run", "--grid", other, "--out", used}, nil, "holds a study of another grid"},
		{[]string{"study", "run", "--grid", grid, "--out", dir, "--data", filepath.Join(dir, "none.mat")}, nil, "none.mat does not exist"},
		{[]string{"study", "run", "--grid", grid, "--out", dir, "--m1", grid}, nil, "grid.json"},
		{[]string{"study", "table"}, nil, "one study directory"},
		{[]string{"study", "table", dir}, nil, "holds no study"},
		{[]string{"study", "plot", used}, nil, "usage"},
		{[]string{"study", "plot", used, "--out", filepath.Join(dir, "f.gif")}, nil, "use a .svg, .png or .pdf"},
		{[]string{"study", "plot", used, "--out", filepath.Join(dir, "f.svg")}, nil, "no finished cells"},
	} {
		for _, kv := range c.env {
			k, v, _ := strings.Cut(kv, "=")
			t.Setenv(k, v)
		}
		code, out, errs := runCmd(c.args...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v %v: exit %d, stderr %q; want an error mentioning %q", c.args[1:], c.env, code, errs, c.want)
		}
		if strings.Contains(out, "cells,") {
			t.Errorf("%v: stdout %q on error", c.args[1:], out)
		}
		for _, kv := range c.env {
			k, _, _ := strings.Cut(kv, "=")
			os.Unsetenv(k)
		}
	}
	// `study table` of a study with missing cells exits 1 naming them.
	code, _, errs := runCmd("study", "table", used)
	if code != 1 || !strings.Contains(errs, "1 of 1 cells") || !strings.Contains(errs, "rate0_weight0_seed1") {
		t.Errorf("table of an unfinished study: exit %d, %q", code, errs)
	}
}
