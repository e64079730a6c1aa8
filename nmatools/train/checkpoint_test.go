package train

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/model"
)

// TestFirstEpochLeftoversStartOver: a directory holding only what a first epoch that
// was killed or diverged leaves (model.json, the staging directory, a state or .bin
// file without its checkpoint .json) starts from scratch, saying so, and trains
// exactly as an empty directory does. A directory with anything else is refused.
func TestFirstEpochLeftoversStartOver(t *testing.T) {
	b := testBackend(t)
	r := tinyRecipe(false)
	r.MaxEpochs = 2
	ds := tinyDataset(10)
	fresh, err := Train(context.Background(), b, r, ds, Options{Seed: 3, OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	if err := model.WriteConfig(dir, r.Model); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, stagingSubdir), 0o755)
	os.WriteFile(filepath.Join(dir, stagingSubdir, "checkpoint-n0000001.bin"), []byte("half"), 0o644)
	os.WriteFile(filepath.Join(dir, epochName(statePrefix, 1)+".json"), []byte("{}"), 0o644)
	os.WriteFile(filepath.Join(dir, epochName(ckptPrefix, 1)+".bin"), []byte("half"), 0o644)
	var log bytes.Buffer
	res, err := Train(context.Background(), b, r, ds, Options{Seed: 3, OutDir: dir, Progress: &log})
	if err != nil {
		t.Fatalf("leftovers of a first epoch: %v", err)
	}
	if !strings.Contains(log.String(), "starting from scratch") {
		t.Errorf("no note about starting over in %q", log.String())
	}
	if !slices.Equal(res.TrainLoss, fresh.TrainLoss) {
		t.Errorf("losses %v, a fresh directory gives %v", res.TrainLoss, fresh.TrainLoss)
	}

	// A run that diverges in its first epoch (NaN targets), then a good run on the
	// same directory: it starts from scratch.
	diverged := t.TempDir()
	bad := tinyDataset(10)
	for i := range bad.Outputs.Data {
		bad.Outputs.Data[i] = float32(math.NaN())
	}
	if _, err := Train(context.Background(), b, r, bad, Options{Seed: 3, OutDir: diverged}); !errors.Is(err, ErrDiverged) {
		t.Fatalf("NaN targets: want ErrDiverged, got %v", err)
	}
	log.Reset()
	res, err = Train(context.Background(), b, r, ds, Options{Seed: 3, OutDir: diverged, Progress: &log})
	if err != nil || !strings.Contains(log.String(), "starting from scratch") || !slices.Equal(res.TrainLoss, fresh.TrainLoss) {
		t.Fatalf("after a diverged first epoch: %v, log %q", err, log.String())
	}

	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644)
	if _, err := Train(context.Background(), b, r, ds, Options{Seed: 3, OutDir: other}); err == nil ||
		!strings.Contains(err.Error(), "found notes.txt") {
		t.Fatalf("a directory with other files: %v", err)
	}
	foreign := t.TempDir()
	os.WriteFile(filepath.Join(foreign, model.ConfigFile), []byte(`{"format": "keras"}`), 0o644)
	if _, err := Train(context.Background(), b, r, ds, Options{Seed: 3, OutDir: foreign}); err == nil ||
		!strings.Contains(err.Error(), "that nmatools did not write") {
		t.Fatalf("a foreign model.json: %v", err)
	}
}

// TestConcurrentRunsRefused: while a run holds a directory's lock, a second run on it
// is refused naming the holder; after release the directory is usable again.
func TestConcurrentRunsRefused(t *testing.T) {
	b := testBackend(t)
	r := tinyRecipe(false)
	r.MaxEpochs = 1
	ds := tinyDataset(10)
	dir := t.TempDir()
	holder, err := newCheckpointer(dir, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Train(context.Background(), b, r, ds, Options{Seed: 3, OutDir: dir})
	if err == nil || !strings.Contains(err.Error(), "is writing into") ||
		!strings.Contains(err.Error(), "process ") {
		t.Fatalf("second run while locked: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("the refused run wrote into the directory: %v", ents)
	}
	holder.release()
	holder.release() // idempotent
	if _, err := Train(context.Background(), b, r, ds, Options{Seed: 3, OutDir: dir}); err != nil {
		t.Fatalf("after release: %v", err)
	}
	// The finished run released its lock: the directory resumes.
	r.MaxEpochs = 2
	if res, err := Train(context.Background(), b, r, ds, Options{Seed: 3, OutDir: dir, Resume: true}); err != nil || res.Epochs != 2 {
		t.Fatalf("resume after a finished run: %v", err)
	}
}
