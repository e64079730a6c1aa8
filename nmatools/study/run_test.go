package study

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

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

