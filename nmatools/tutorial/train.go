package tutorial

// train.go trains the tutorial's two networks inside the notebook ("Train it
// yourself"), with a live progress bar and losses figure, and loads them back.

import (
	"context"
	"encoding/base64"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/neuromatch/nmatools/nmatools/internal/atomicfile"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/plot"
	"github.com/neuromatch/nmatools/nmatools/repo"
	"github.com/neuromatch/nmatools/nmatools/train"
)

// TrainResult is what TrainNetwork did.
type TrainResult struct {
	Name       string    // "unregularized" or "regularized"
	Epochs     int       // epochs completed
	MaxEpochs  int       // the recipe's epoch limit (the full recipe)
	TrainLoss  []float64 // per epoch: the recipe's training loss (penalties included)
	ValLoss    []float64 // per epoch: the validation MSE
	Stopped    string    // why training stopped
	Seconds    float64   // wall time of the training
	Dir        string    // where the network was saved: build/trained/<Name>
	Net        *Net      // the trained network, with the library's step
	finalTrain float64
	finalVal   float64
}

// String is a one-line summary.
func (r *TrainResult) String() string {
	return fmt.Sprintf("%s: %d epochs (full recipe: up to %d), %s, %.1f s; final training loss %.5f, validation MSE %.5f; saved in %s",
		r.Name, r.Epochs, r.MaxEpochs, r.Stopped, r.Seconds, r.finalTrain, r.finalVal, relToRoot(r.Dir))
}

// trainedRoot is the directory of the networks trained in the notebook; tests replace it.
var trainedRoot = func() string { return filepath.Join(repo.Dir(), "build", "trained") }

// trainedDir is where TrainNetwork keeps the network name: build/trained/<name>
// in the repository.
func trainedDir(name string) string { return filepath.Join(trainedRoot(), name) }

// FullRecipe, as the epochs of TrainNetwork, trains for the recipe's own epoch
// limit (500 unregularized, 100 regularized; both stop earlier once the
// training loss is below 0.0005).
const FullRecipe = 0

// TrainNetwork trains the network name ("unregularized" or "regularized")
// from scratch with the tutorial's recipe (train.UnregularizedRecipe,
// train.RegularizedRecipe; seed Seed) on ds, for at most epochs epochs
// (FullRecipe: the recipe's limit). In a notebook it shows a progress bar and
// the training and validation losses (plot.TrainingValidationLosses) while it
// trains, redrawn at most twice a second, and at the end it replaces them with
// the final losses figure (stored in the notebook) and a summary line.
//
// The trained network is written to build/trained/<name>: training runs in a new
// directory next to it, which replaces the old one only once training has
// finished, so an interrupted run leaves the previous network in place.
// Network(name, true) loads it in later cells.
func TrainNetwork(name string, epochs int, ds *Dataset, opts ...plot.Option) *TrainResult {
	res, err := trainNetwork(context.Background(), name, epochs, ds, opts...)
	Check(err)
	return res
}

func trainNetwork(ctx context.Context, name string, epochs int, ds *Dataset, opts ...plot.Option) (*TrainResult, error) {
	recipe, err := train.RecipeByName(name)
	if err != nil {
		return nil, err
	}
	if epochs < 0 {
		return nil, fmt.Errorf("train %s: epochs must be ≥ 0 (0: the full recipe, %d), got %d", name, recipe.MaxEpochs, epochs)
	}
	if ds == nil {
		return nil, fmt.Errorf("train %s: no dataset: pass tutorial.Data()", name)
	}
	b, err := getBackend()
	if err != nil {
		return nil, err
	}
	total := recipe.MaxEpochs
	if epochs > 0 {
		total = epochs
	}
	dst := trainedDir(name)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return nil, fmt.Errorf("train %s: %w", name, err)
	}
	// Runs interrupted by a kernel restart leave their directories behind.
	if stale, err := filepath.Glob(filepath.Join(filepath.Dir(dst), "."+name+"-training-*")); err == nil {
		for _, d := range stale {
			_ = os.RemoveAll(d)
		}
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), "."+name+"-training-")
	if err != nil {
		return nil, fmt.Errorf("train %s: %w", name, err)
	}
	defer os.RemoveAll(tmp) // after the swap it is gone already

	live := &liveLosses{name: name, total: total, start: time.Now(), opts: opts}
	if cellMode() {
		live.id = "nmatools-train-" + gonbui.UniqueID()
	}
	r, err := train.Train(ctx, b, recipe, ds, train.Options{
		Epochs: epochs, Seed: Seed, OutDir: tmp, Keep: 1, SaveEvery: total + 1,
		OnEpoch: func(r *train.Result) { live.update(r.TrainLoss, r.ValLoss, false) },
	})
	live.clear()
	if err != nil {
		return nil, fmt.Errorf("train %s: %w", name, err)
	}
	if err := atomicfile.ReplaceDir(tmp, dst); err != nil {
		return nil, fmt.Errorf("train %s: keep the trained network: %w", name, err)
	}
	p, err := model.Load(dst)
	if err != nil {
		return nil, fmt.Errorf("train %s: read back the trained network: %w", name, err)
	}
	net := ReferenceRNN(p)
	net.From = "trained in this notebook (" + relToRoot(dst) + ")"
	out := &TrainResult{Name: name, Epochs: r.Epochs, MaxEpochs: recipe.MaxEpochs, TrainLoss: r.TrainLoss, ValLoss: r.ValLoss,
		Stopped: r.Stopped, Seconds: r.WallSeconds, Dir: dst, Net: net, finalTrain: r.Final.TrainLoss, finalVal: r.Final.ValMSE}
	if cellMode() {
		fmt.Fprintln(noticeOut, out)
		if r.Epochs > 0 {
			fig, err := lossFigure(name, r.TrainLoss, r.ValLoss, opts)
			if err != nil {
				return nil, err
			}
			if err := display(fig); err != nil {
				return nil, err
			}
			gonbui.Sync()
		}
	}
	return out, nil
}

// trained returns the network name trained by TrainNetwork (in this notebook
// or an earlier session), from build/trained/<name>, with the library's step.
func trained(name string) *Net {
	Check(checkNetworkName(name))
	dir := trainedDir(name)
	p, err := model.Load(dir)
	if err != nil {
		Fail("no %s network trained in the notebook in %s (%v): run the \"Train it yourself\" cell first, or use the pretrained networks", name, relToRoot(dir), err)
	}
	from := "trained in the notebook (" + relToRoot(dir) + ")"
	showOnce(name + " model: " + from)
	n := ReferenceRNN(p)
	n.From = from
	return n
}

// Network is the network name trained by TrainNetwork (in this notebook or an earlier
// session, from build/trained/<name>) when useTrained is set, else Pretrained(name).
func Network(name string, useTrained bool) *Net {
	if useTrained {
		return trained(name)
	}
	return Pretrained(name)
}

func relToRoot(p string) string {
	root := repo.Dir()
	if r, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

// liveLosses draws a progress bar and the losses so far into one notebook
// output block (gonbui.UpdateHTML), at most twice a second.
type liveLosses struct {
	id          string // "" outside a notebook: nothing is drawn
	name        string
	total       int
	start, last time.Time
	opts        []plot.Option
	draws       int
}

const liveRedraw = 500 * time.Millisecond

func (l *liveLosses) update(trainLoss, valLoss []float64, force bool) {
	if l.id == "" || (!force && time.Since(l.last) < liveRedraw) {
		return
	}
	l.last = time.Now()
	h, err := lossesHTML(l.name, l.total, trainLoss, valLoss, time.Since(l.start), l.opts)
	if err != nil {
		h = "<div>" + html.EscapeString(err.Error()) + "</div>"
	}
	gonbui.UpdateHTML(l.id, h)
	l.draws++
}

// clear empties the live block (its contents are transient: the final figure
// is displayed as an image instead).
func (l *liveLosses) clear() {
	if l.id != "" {
		gonbui.UpdateHTML(l.id, "")
	}
}

// lossFigure is the tutorial's plot_training_validation_losses for a run.
func lossFigure(name string, trainLoss, valLoss []float64, opts []plot.Option) (*plot.Figure, error) {
	n := min(len(trainLoss), len(valLoss))
	return plot.TrainingValidationLosses(trainLoss[:n], valLoss[:n], n, "Training and validation losses, "+name+" network", opts...)
}

// lossesHTML renders the progress bar (progressHTML) and, after the first
// epoch, the losses figure as an inline SVG image.
func lossesHTML(name string, total int, trainLoss, valLoss []float64, elapsed time.Duration, opts []plot.Option) (string, error) {
	n := min(len(trainLoss), len(valLoss))
	rest := fmt.Sprintf("%d/%d epochs", n, total)
	if n > 0 {
		rest += fmt.Sprintf(" · training loss %.5f · validation MSE %.5f", trainLoss[n-1], valLoss[n-1])
	}
	rest += " · " + elapsed.Round(100*time.Millisecond).String()
	var b strings.Builder
	b.WriteString(progressHTML("training "+name, n, total, rest))
	if n > 0 {
		fig, err := lossFigure(name, trainLoss, valLoss, opts)
		if err != nil {
			return "", err
		}
		svg, err := fig.SVG()
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, `<div><img src="data:image/svg+xml;base64,%s"/></div>`, base64.StdEncoding.EncodeToString(svg))
	}
	return b.String(), nil
}
