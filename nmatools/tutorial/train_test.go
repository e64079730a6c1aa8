package tutorial

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/neuromatch/nmatools/nmatools/nd"
)

// withTrainedRoot points TrainedDir at a fresh temporary directory.
func withTrainedRoot(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	old := trainedRoot
	trainedRoot = func() string { return dir }
	t.Cleanup(func() { trainedRoot = old })
	return dir
}

func TestTrainNetworkSavesAndReplaces(t *testing.T) {
	root := withTrainedRoot(t)
	ds := Data()
	// What an interrupted run leaves behind is cleared.
	if err := os.MkdirAll(filepath.Join(root, ".unregularized-training-123", "train"), 0o755); err != nil {
		t.Fatal(err)
	}
	first, err := trainNetwork(context.Background(), "unregularized", 2, ds)
	if err != nil {
		t.Fatal(err)
	}
	if first.Epochs != 2 || len(first.TrainLoss) != 2 || len(first.ValLoss) != 2 || first.MaxEpochs != 500 {
		t.Fatalf("epochs %d (max %d), %d training and %d validation losses; want 2 of each, max 500",
			first.Epochs, first.MaxEpochs, len(first.TrainLoss), len(first.ValLoss))
	}
	if first.Dir != filepath.Join(root, "unregularized") {
		t.Errorf("saved in %s, want %s", first.Dir, filepath.Join(root, "unregularized"))
	}
	loaded := trained("unregularized")
	if d, err := nd.MaxAbsDiff(loaded.Params.J, first.Net.Params.J); err != nil || d != 0 {
		t.Errorf("Trained differs from the trained network: max |ΔJ| %v (%v)", d, err)
	}
	if !strings.Contains(first.String(), "2 epochs (full recipe: up to 500)") {
		t.Errorf("summary %q", first.String())
	}

	// A second run replaces the first, and leaves no temporary directory behind.
	second, err := trainNetwork(context.Background(), "unregularized", 3, ds)
	if err != nil {
		t.Fatal(err)
	}
	again := trained("unregularized")
	if d, _ := nd.MaxAbsDiff(again.Params.J, second.Net.Params.J); d != 0 {
		t.Errorf("Trained is not the second run's network: max |ΔJ| %v", d)
	}
	if d, _ := nd.MaxAbsDiff(again.Params.J, first.Net.Params.J); d == 0 {
		t.Error("3 epochs gave the same weights as 2: the second run did not replace the first")
	}
	// The first two epochs are the same run (same seed): training is reproducible.
	if !slices.Equal(second.TrainLoss[:2], first.TrainLoss) {
		t.Errorf("same seed, different losses: %v vs %v", second.TrainLoss[:2], first.TrainLoss)
	}
	ents, _ := os.ReadDir(root)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"unregularized"}) {
		t.Errorf("%s holds %v, want only unregularized", root, names)
	}
}

func TestTrainNetworkBadInput(t *testing.T) {
	withTrainedRoot(t)
	ds := Data()
	for name, run := range map[string]func() error{
		"unknown recipe":  func() error { _, err := trainNetwork(context.Background(), "lstm", 1, ds); return err },
		"negative epochs": func() error { _, err := trainNetwork(context.Background(), "regularized", -1, ds); return err },
		"no dataset":      func() error { _, err := trainNetwork(context.Background(), "regularized", 1, nil); return err },
	} {
		if err := run(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestTrainedWithoutTrainingSaysWhatToDo(t *testing.T) {
	withTrainedRoot(t)
	defer func() {
		r := recover()
		err, _ := r.(error)
		if err == nil || !strings.Contains(err.Error(), "Train it yourself") {
			t.Errorf("Trained without a trained network: %v, want an error naming the training cell", r)
		}
	}()
	trained("regularized")
}

func TestProgressHTML(t *testing.T) {
	h, err := lossesHTML("regularized", 5, nil, nil, time.Second, nil)
	if err != nil || !strings.Contains(h, `<progress value="0" max="5"`) || strings.Contains(h, "<img") {
		t.Errorf("before the first epoch: %q, %v", h, err)
	}
	h, err = lossesHTML("regularized", 5, []float64{0.3, 0.2}, []float64{0.4, 0.25}, 2*time.Second, nil)
	if err != nil || !strings.Contains(h, `<progress value="2" max="5"`) || !strings.Contains(h, "data:image/svg+xml;base64,") ||
		!strings.Contains(h, "training loss 0.20000") || !strings.Contains(h, "validation MSE 0.25000") {
		t.Errorf("after 2 epochs: %.300q, %v", h, err)
	}
}
