package study

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/neuromatch/nmatools/nmatools/backend"
	"github.com/neuromatch/nmatools/nmatools/data"
)

// synthSetup is a setup on the pure-Go backend and the synthetic data.
func synthSetup(t *testing.T) *Setup {
	t.Helper()
	conds, m1p, err := data.EnsureSynthetic(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ds, err := data.PrepareDataset(conds)
	if err != nil {
		t.Fatal(err)
	}
	m1, err := data.LoadM1(m1p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := backend.New("go")
	if err != nil {
		t.Fatal(err)
	}
	su, err := NewSetup(b, ds, m1)
	if err != nil {
		t.Fatal(err)
	}
	return su
}

// TestRunSweepErrorWritesNothing: an error of a perturbation sweep stops
// the run and leaves no cell file (a rerun measures the cell again), unlike
// a measure that cannot be taken, which is recorded in Failed.
func TestRunSweepErrorWritesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a small network")
	}
	su := synthSetup(t)
	su.maxError = -1 // the sweeps refuse it, as they would fail on a backend error
	g := Grid{RatePenalty: []float64{0}, WeightPenalty: []float64{0}, Seeds: []int64{1}, Epochs: 1}
	dir := t.TempDir()
	_, err := Run(context.Background(), su, g, dir, All, Options{})
	if err == nil || !strings.Contains(err.Error(), "input perturbation") {
		t.Fatalf("Run = %v, want the input perturbation's error", err)
	}
	if _, err := os.Stat(cellPath(dir, g.Cells()[0])); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the cell's file was written after a sweep failed (%v): a rerun would skip it", err)
	}
}

// writeManifest writes shard s's manifest of grid g with setup su's data
// and settings into dir.
func writeManifest(t *testing.T, dir string, g Grid, su *Setup, s Shard, finished bool) {
	t.Helper()
	os.MkdirAll(filepath.Join(dir, shardsDir), 0o755)
	m := manifest{Version: formatVersion, Grid: g, Shard: s.String(), Data: su.Data, Settings: su.Settings, Started: "2026-01-01T00:00:00Z"}
	if finished {
		m.Finished = "2026-01-01T01:00:00Z"
	}
	if err := writeJSON(filepath.Join(dir, shardsDir, manifestName(s)), m); err != nil {
		t.Fatal(err)
	}
}

// TestRunChecksDir: Run refuses a directory with an unfinished run in
// another number of shards (not a finished one), and a manifest of other
// data that appears while it starts (a shard started at the same moment),
// removing its own manifest then. Nothing trains: each refusal comes first.
func TestRunChecksDir(t *testing.T) {
	su := synthSetup(t)
	g := Grid{RatePenalty: []float64{0}, WeightPenalty: []float64{0}, Seeds: []int64{1, 2}, Epochs: 1}

	dir := t.TempDir()
	writeManifest(t, dir, g, su, Shard{1, 2}, false)
	_, err := Run(context.Background(), su, g, dir, All, Options{})
	if err == nil || !strings.Contains(err.Error(), "unfinished run in 2 shards") || !strings.Contains(err.Error(), "delete") {
		t.Fatalf("Run 0/1 beside an unfinished 1/2: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, shardsDir, "0-of-1.json")); err == nil {
		t.Error("the refused run left its manifest")
	}

	// The same shard count is the other shards of one run: allowed (it
	// would train now, so stop it at the re-check with the hook below).
	other := *su
	other.Data.Label = "recorded"
	dir = t.TempDir()
	writeManifest(t, dir, g, su, Shard{1, 2}, false)
	testHookBeforeManifest = func() { writeManifest(t, dir, g, &other, Shard{1, 2}, false) }
	defer func() { testHookBeforeManifest = nil }()
	_, err = Run(context.Background(), su, g, dir, Shard{0, 2}, Options{})
	var mm *MismatchError
	if !errors.As(err, &mm) || !strings.Contains(err.Error(), "other data") || !strings.Contains(err.Error(), "delete "+dir) {
		t.Fatalf("Run with a shard of other data appearing: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, shardsDir, "0-of-2.json")); err == nil {
		t.Error("the refused run left its manifest")
	}
	testHookBeforeManifest = nil

	// A finished run in another shard count does not stop a new one: it
	// passes the checks and starts training (stopped by the context).
	dir = t.TempDir()
	writeManifest(t, dir, g, su, Shard{1, 2}, true)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err = Run(ctx, su, g, dir, All, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("a run in 1 shard beside a finished one in 2: %v, want it to start (and stop on the cancelled context)", err)
	}
}

// TestRemoveTemps: only temporary files older than staleTemp are removed;
// a recent one may be another process's write in flight.
func TestRemoveTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.json")
	fresh, old := filepath.Join(dir, ".c.json.tmp1"), filepath.Join(dir, ".c.json.tmp2")
	os.WriteFile(fresh, []byte("{"), 0o644)
	os.WriteFile(old, []byte("{"), 0o644)
	long := time.Now().Add(-2 * staleTemp)
	os.Chtimes(old, long, long)
	removeTemps(path)
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a recent temporary file was removed: %v", err)
	}
	if _, err := os.Stat(old); err == nil {
		t.Error("an old temporary file was kept")
	}
}
