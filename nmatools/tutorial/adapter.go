package tutorial

// adapter.go: the calls behind the tutorial's classes, data and sweeps (packages model,
// sweep, data, backend) that the other files of this package share.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/neuromatch/nmatools/nmatools/backend"
	"github.com/neuromatch/nmatools/nmatools/data"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/notice"
	"github.com/neuromatch/nmatools/nmatools/repo"
	"github.com/neuromatch/nmatools/nmatools/sweep"
	"github.com/neuromatch/nmatools/nmatools/train"
)

// Dataset is the tutorial's prepared data (data.Dataset).
type Dataset = data.Dataset

// M1Data is a set of PSTHs (data.M1): the tutorial's M1 file, its synthetic
// stand-in, or the real Churchland et al. (2012) recordings.
type M1Data = data.M1

// Repeats is the tutorial's number of perturbations per level in Section 4 (30).
const Repeats = sweep.Repeats

// The library's notices (package notice) go nowhere in a notebook: Device, Data and
// Pretrained say where the backend, data and networks come from, once per kernel.
func init() { notice.SetOutput(io.Discard) }

// getBackend returns the notebook's GoMLX backend.
func getBackend() (compute.Backend, error) { return backend.Get() }

func backendReport() string { return backend.Report() }

// loadDataset is data.Load (Data reports the source once).
func loadDataset() (*data.Dataset, error) { return data.Load() }

// dataFiles describes the tutorial's data files in the cache.
func dataFiles() string {
	var b strings.Builder
	for _, r := range data.TutorialFiles {
		status := "not in the cache"
		if data.Cached(data.DefaultDir(), r) {
			status = "cached, MD5 " + r.MD5 + " ok"
		}
		fmt.Fprintf(&b, "%-32s %s\n", r.Name, status)
	}
	return b.String()
}

func trainValSplit(seed int64) (train, val []int) { return data.TrainValSplit(seed) }

// loadPretrained loads "unregularized" or "regularized": the course's
// <name>_model_final.pth when it is in the data cache with the tutorial's MD5,
// else the checkpoint shipped in checkpoints/<name> ($NMATOOLS_CHECKPOINTS/<name>
// when set). from says which, for people.
func loadPretrained(name string) (p *model.Params, from string, err error) {
	if err := checkNetworkName(name); err != nil {
		return nil, "", err
	}
	pth := name + "_model_final.pth"
	for _, r := range data.TutorialFiles {
		if r.Name == pth && data.Cached(data.DefaultDir(), r) {
			p, err := model.Load(filepath.Join(data.DefaultDir(), pth))
			if err != nil {
				return nil, "", err
			}
			return p, "the course's " + pth, nil
		}
	}
	root := repo.Dir()
	dir := filepath.Join(root, "checkpoints", name)
	if d := os.Getenv("NMATOOLS_CHECKPOINTS"); d != "" {
		dir = filepath.Join(d, name)
	}
	p, err = model.Load(dir)
	if err != nil {
		return nil, "", fmt.Errorf("no pretrained %s network (%v): get the course's file (bin/nmatools data fetch), or train one: bin/nmatools train --model %s --out %s", name, err, name, dir)
	}
	return p, "checkpoint " + strings.TrimPrefix(dir, root+string(filepath.Separator)) + " (trained by nmatools train on the synthetic data)", nil
}

// checkNetworkName accepts the tutorial's two networks, "unregularized" and
// "regularized": the names of train's recipes (train.RecipeByName).
func checkNetworkName(name string) error {
	if _, err := train.RecipeByName(name); err != nil {
		return fmt.Errorf("no network %q: the tutorial has \"unregularized\" and \"regularized\"", name)
	}
	return nil
}

// nonlinearity is the tutorial's rectified_tanh.
func nonlinearity(x *graph.Node) *graph.Node { return model.RectifiedTanh(x) }

// libraryStep is the library's Euler step (model.StepGraph) as a RegularizedStepFunc.
func libraryStep(self *Module, input, hidden *graph.Node) (output, hiddenNew, firingRateReg *graph.Node) {
	w := model.Weights{J: self.J, B: self.B, Bx: self.Bx, W: self.W, C: self.C}
	return model.StepGraph(w, self.cfg, input, hidden)
}

// libraryRunner runs whole trajectories with the library's compiled loop.
type libraryRunner struct {
	r *model.Runner
	p *model.Params
}

func (l *libraryRunner) trajectory(b compute.Backend, p *model.Params, inputs *nd.Array) (outputs, hidden *nd.Array, err error) {
	if l.r == nil {
		l.r, l.p = model.NewRunner(b, p), p
	} else if l.p != p {
		if err := l.r.SetParams(p); err != nil {
			return nil, nil, err
		}
		l.p = p
	}
	return l.r.Trajectory(inputs)
}

func maxError(targets *nd.Array) (float64, error) { return sweep.MaxError(targets) }

// runSweep runs sweep.InputSweep ("inputs") or sweep.WeightSweep ("weights").
func runSweep(kind string, b compute.Backend, p *model.Params, inputs, targets *nd.Array, levels []float64, repeats int, seed int64, maxErr float64) ([]nd.MeanStd, error) {
	run := sweep.InputSweep
	if kind == kindWeights {
		run = sweep.WeightSweep
	}
	stats, err := run(b, p, inputs, targets, levels, repeats, seed, sweep.WithMaxError(maxErr))
	if err != nil {
		return nil, err
	}
	return sweep.MeanStds(stats), nil
}

// sweepCacheDir is where the sweeps' results are kept between cells; tests replace it.
var sweepCacheDir = func() string { return filepath.Join(repo.Dir(), "build", "cache", "sweeps") }

// loadM1 loads the tutorial's M1 PSTHs (or their synthetic stand-in).
func loadM1() (*data.M1, error) {
	_, path, _, err := data.Ensure()
	if err != nil {
		return nil, err
	}
	return data.LoadM1(path)
}

// modelConfig is the configuration a Module carries for libraryStep.
type modelConfig = model.Config
