package study

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gomlx/compute"

	"github.com/neuromatch/nmatools/nmatools/compare"
	"github.com/neuromatch/nmatools/nmatools/data"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/sweep"
	"github.com/neuromatch/nmatools/nmatools/train"
)

// The measurement settings of every cell (see the package documentation).
const (
	// InputStrength is the input perturbation strength of InputError: the
	// fourth of Section 4's five levels (sweep.InputStrengths).
	InputStrength = 0.1
	// WeightPercentage is the recurrent-weight perturbation of WeightError:
	// the fourth of Exercise 4.1's five levels (sweep.WeightPercentages).
	WeightPercentage = 0.4
	// PerturbSeed seeds the perturbations (the tutorial's seed, 2024), so
	// every cell sees the same noise draws.
	PerturbSeed = 2024
	// Dt is the time step of the networks and of the PSTHs, in seconds.
	Dt = 0.01
)

// Settings are the measurement settings a cell was measured with; cells
// measured with other settings are not mixed into one table.
type Settings struct {
	InputStrength    float64 `json:"input_strength"`
	WeightPercentage float64 `json:"weight_percentage"`
	Repeats          int     `json:"repeats"`
	PerturbSeed      int64   `json:"perturb_seed"`
	CCAPCs           int     `json:"cca_pcs"`
	JPCAPCs          int     `json:"jpca_pcs"`
	TanglingPCs      int     `json:"tangling_pcs"`
	Dt               float64 `json:"dt"`
	// Window is the movement epoch [from, to) in time steps of the
	// networks (and samples of the PSTHs paired with them).
	Window [2]int `json:"window"`
}

// DataInfo identifies the data a study ran on.
type DataInfo struct {
	// Label is "synthetic" when the dataset is the synthetic stand-in,
	// "recorded, M1 synthetic" when only the M1 PSTHs are, else "recorded".
	Label string `json:"label"`
	// Dataset is the training data's fingerprint (its source path cleared:
	// it differs between machines).
	Dataset train.DataID `json:"dataset"`
	// M1 describes the PSTHs CCA compares with: their label, whether
	// synthetic, and the mean of all their values (a fingerprint).
	M1          string  `json:"m1"`
	M1Synthetic bool    `json:"m1_synthetic"`
	M1Mean      float64 `json:"m1_mean"`
}

// Setup is what every cell of a study shares: the backend, the data and
// the measurement settings. NewSetup checks and prepares it.
type Setup struct {
	Backend  compute.Backend
	Dataset  *data.Dataset
	M1       *data.M1
	Settings Settings
	Data     DataInfo

	maxError float64
	m1Window *compare.Data
}

// NewSetup prepares a study on backend b with dataset ds (data.Load or
// data.PrepareDataset) and the M1 PSTHs m1 (data.LoadM1) of the same
// conditions. It fails when the PSTHs do not pair with the dataset's
// conditions or have no sample in the movement epoch.
func NewSetup(b compute.Backend, ds *data.Dataset, m1 *data.M1) (*Setup, error) {
	if b == nil || ds == nil || m1 == nil {
		return nil, errors.New("study: a setup needs a backend, a dataset and M1 PSTHs")
	}
	if ds.Inputs == nil || len(ds.Inputs.Shape) != 3 || ds.Outputs == nil {
		return nil, errors.New("study: the dataset has no prepared inputs (use data.Load or data.PrepareDataset)")
	}
	nC, nT := ds.Inputs.Shape[0], ds.Inputs.Shape[1]
	if m1.PSTH == nil || m1.NumConditions() != nC {
		n := 0
		if m1.PSTH != nil {
			n = m1.NumConditions()
		}
		return nil, fmt.Errorf("study: the M1 PSTHs (%s) have %d conditions, the dataset %d: CCA pairs the same conditions", m1.Label, n, nC)
	}
	from, to, err := compare.MovementWindow(m1.Times, min(nT, m1.NumTimes()))
	if err != nil {
		return nil, fmt.Errorf("study: %s: %w", m1.Label, err)
	}
	m, err := compare.FromND(m1.PSTH)
	if err != nil {
		return nil, fmt.Errorf("study: M1 PSTHs: %w", err)
	}
	mw, err := m.TimeWindow(from, to)
	if err != nil {
		return nil, err
	}
	maxErr, err := sweep.MaxError(ds.Outputs)
	if err != nil {
		return nil, err
	}
	id := train.DataIDOf(ds)
	id.Source = ""
	label := "recorded"
	switch {
	case ds.Synthetic:
		label = "synthetic"
	case m1.Synthetic:
		label = "recorded, M1 synthetic"
	}
	return &Setup{
		Backend: b, Dataset: ds, M1: m1,
		Settings: Settings{InputStrength: InputStrength, WeightPercentage: WeightPercentage, Repeats: sweep.Repeats,
			PerturbSeed: PerturbSeed, CCAPCs: compare.DefaultCCAPCs, JPCAPCs: compare.DefaultJPCAPCs,
			TanglingPCs: compare.DefaultTanglingPCs, Dt: Dt, Window: [2]int{from, to}},
		Data:     DataInfo{Label: label, Dataset: id, M1: m1.Label, M1Synthetic: m1.Synthetic, M1Mean: m1.PSTH.Mean()},
		maxError: maxErr, m1Window: mw,
	}, nil
}

// Options are a run's optional settings.
type Options struct {
	// Progress, if not nil, receives a one-line progress bar (rewritten
	// with \r).
	Progress io.Writer
	// Log, if not nil, receives a line per finished cell (its measures and
	// cost) and per cell skipped as finished before.
	Log io.Writer
	// OnProgress, if not nil, receives the progress in units of epochs (a
	// cell counts its epochs plus one for its measurements), e.g. a
	// notebook's progress bar (tutorial.RunStudy passes one).
	OnProgress func(done, total int)
	// From says where the shard came from, for the manifest (e.g. "Slurm
	// array task 3 (shard 3/8)").
	From string
}

// Summary is what a run did.
type Summary struct {
	Shard            Shard
	Cells            int // cells of this shard
	Skipped, Trained int // finished before, and trained now
	Failed           int // trained, with a measure that failed (see Result.Failed)
	Seconds          float64
}

// Run runs shard s of grid g into dir: the shard's cells that dir does not
// hold finished are trained and measured, each written atomically to
// dir/cells/<Cell.Name>.json when done. It fails when dir holds a study of
// another grid, other data or other settings (a *MismatchError), and when a
// run in another number of shards is unfinished there; it checks again
// after writing its own manifest, for shards that start together. Several
// shards may run at once into one dir (even over NFS): each writes only its
// own cells and its own manifest dir/shards/<I>-of-<N>.json, and nothing is
// locked. An error of the backend (training, the perturbation sweeps, the
// rates) stops the run with nothing written for that cell.
func Run(ctx context.Context, su *Setup, g Grid, dir string, s Shard, opt Options) (*Summary, error) {
	if su == nil {
		return nil, errors.New("study: no setup (NewSetup)")
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, cellsDir), 0o755); err != nil {
		return nil, fmt.Errorf("study: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, shardsDir), 0o755); err != nil {
		return nil, fmt.Errorf("study: %w", err)
	}
	mans, err := checkDir(dir, g, su, s)
	if err != nil {
		return nil, err
	}
	mine := s.Deal(g.Cells())
	host, _ := os.Hostname()
	man := manifest{Version: formatVersion, Grid: g, Shard: s.String(), From: opt.From, Backend: su.Backend.Name(),
		Data: su.Data, Settings: su.Settings, Host: host, Started: time.Now().UTC().Format(time.RFC3339)}
	for _, c := range mine {
		man.Cells = append(man.Cells, c.Name())
	}
	manPath := filepath.Join(dir, shardsDir, manifestName(s))
	if testHookBeforeManifest != nil {
		testHookBeforeManifest()
	}
	if err := writeJSON(manPath, man); err != nil {
		return nil, err
	}
	// Shards start together (a Slurm array): another one may have written
	// its manifest since the check above. Check again, now that this
	// shard's manifest is there for the others to see, and on a conflict
	// put back what was there before.
	if _, err := checkDir(dir, g, su, s); err != nil {
		var prev *manifest
		for _, m := range mans {
			if m.file == manPath {
				prev = m
			}
		}
		if prev != nil {
			writeJSON(manPath, prev)
		} else {
			os.Remove(manPath)
		}
		return nil, err
	}

	start := time.Now()
	sum := &Summary{Shard: s, Cells: len(mine)}
	pr := &progress{w: opt.Progress, log: opt.Log, fn: opt.OnProgress, shard: s, cells: len(mine), epochs: g.Epochs, start: start}
	for i, c := range mine {
		path := cellPath(dir, c)
		if r, err := readResult(path); err == nil && r.matches(c, g, su) {
			sum.Skipped++
			pr.skip(i, c)
			continue
		}
		removeTemps(path)
		r, err := runCell(ctx, su, g, c, func(epoch int) { pr.epoch(i, c, epoch) })
		if err != nil {
			pr.finish()
			return sum, fmt.Errorf("study: cell %s: %w", c, err)
		}
		r.Shard = s.String()
		if err := writeJSON(path, r); err != nil {
			pr.finish()
			return sum, err
		}
		sum.Trained++
		if r.Failed != "" {
			sum.Failed++
		}
		pr.cellDone(i, c, r)
	}
	pr.finish()
	sum.Seconds = time.Since(start).Seconds()
	man.Finished = time.Now().UTC().Format(time.RFC3339)
	if err := writeJSON(manPath, man); err != nil {
		return sum, err
	}
	return sum, nil
}

// testHookBeforeManifest, when set by a test, runs between Run's check of
// the directory and the writing of its manifest.
var testHookBeforeManifest func()

// staleTemp is the age from which a temporary file is taken as left behind
// by an interrupted write (a write takes well under a second).
const staleTemp = 10 * time.Minute

// removeTemps removes what an interrupted write of path left behind
// (atomicfile's temporary files ".<name>.tmp*" older than staleTemp): only
// this shard writes path, but a second process started by mistake on the
// same shard may be writing one now, so recent ones are left alone.
func removeTemps(path string) {
	old, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp*"))
	for _, f := range old {
		if st, err := os.Lstat(f); err == nil && st.Mode().IsRegular() && time.Since(st.ModTime()) > staleTemp {
			os.Remove(f)
		}
	}
}

// runCell trains cell c with the regularized recipe and measures it.
func runCell(ctx context.Context, su *Setup, g Grid, c Cell, onEpoch func(int)) (*Result, error) {
	rec := train.RegularizedRecipe()
	rec.RatePenalty, rec.WeightPenalty = c.RatePenalty, c.WeightPenalty
	start := time.Now()
	opt := train.Options{Epochs: g.Epochs, Seed: c.Seed,
		OnProgress: func(u train.ProgressUpdate) { onEpoch(u.Epoch) }}
	res, err := train.Train(ctx, su.Backend, rec, su.Dataset, opt)
	r := &Result{Row: Row{Cell: c}, Epochs: g.Epochs, Backend: su.Backend.Name(), Data: su.Data, Settings: su.Settings,
		Version: formatVersion}
	if err != nil {
		if errors.Is(err, train.ErrDiverged) {
			r.Failed = "training diverged: " + err.Error()
			r.WallSeconds = time.Since(start).Seconds()
			return r, nil
		}
		return nil, err
	}
	r.EpochsTrained, r.Stopped = res.Epochs, res.Stopped
	r.TrainSeconds = time.Since(start).Seconds()
	r.ValMSE = num(res.Final.ValMSE)
	var fails []string
	fail := func(what string, err error) { fails = append(fails, what+": "+err.Error()) }
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// Section 4: the cell's own 20 training conditions at the fixed delay.
	p := res.Params
	trainIdx, _ := data.TrainValSplit(c.Seed)
	inputs, targets := su.Dataset.Inputs.Take(trainIdx), su.Dataset.Outputs.Take(trainIdx)
	set := su.Settings
	// The sweeps' errors are the backend's (NewSetup checked the data), so
	// they stop the run like the rates' below: nothing is written, and a
	// rerun measures the cell again.
	st, err := sweep.InputSweep(su.Backend, p, inputs, targets, []float64{set.InputStrength}, set.Repeats, set.PerturbSeed,
		sweep.WithMaxError(su.maxError))
	if err != nil {
		return nil, fmt.Errorf("input perturbation: %w", err)
	}
	r.InputError = num(st[0].Mean)
	if st, err = sweep.WeightSweep(su.Backend, p, inputs, targets, []float64{set.WeightPercentage}, set.Repeats, set.PerturbSeed,
		sweep.WithMaxError(su.maxError)); err != nil {
		return nil, fmt.Errorf("weight perturbation: %w", err)
	}
	r.WeightError = num(st[0].Mean)

	// Brain-likeness: the rates of all conditions at the fixed delay, movement epoch.
	rates, err := Rates(su.Backend, p, su.Dataset.Inputs)
	if err != nil {
		return nil, err
	}
	w, err := rates.TimeWindow(set.Window[0], set.Window[1])
	if err != nil {
		return nil, err
	}
	if cc, err := compare.CCA(w, su.m1Window, set.CCAPCs); err != nil {
		fail("CCA", err)
	} else {
		r.CCAMean = num(nd.MeanStdOf(cc).Mean)
	}
	if j, err := compare.JPCA(w, compare.JPCAOptions{PCs: set.JPCAPCs, Dt: set.Dt}); err != nil {
		fail("jPCA", err)
	} else {
		r.JPCAR2Skew = num(j.R2Skew)
	}
	if t, err := compare.Tangling(w, compare.TanglingOptions{PCs: set.TanglingPCs, Dt: set.Dt}); err != nil {
		fail("tangling", err)
	} else {
		r.TanglingQ90 = num(t.Q90)
	}
	r.Failed = strings.Join(fails, "; ")
	r.WallSeconds = time.Since(start).Seconds()
	return r, nil
}

// Rates runs the network p on inputs (conditions, time, features) from the
// zero state and returns its firing rates r = rectified_tanh(x),
// (conditions, time, units): the activity the comparison uses.
func Rates(b compute.Backend, p *model.Params, inputs *nd.Array) (*compare.Data, error) {
	run := model.NewRunner(b, p)
	defer run.Close()
	_, hidden, err := run.Trajectory(inputs)
	if err != nil {
		return nil, err
	}
	d, err := compare.FromND(hidden)
	if err != nil {
		return nil, err
	}
	return d.Apply(model.Rate), nil
}

// num is a measure for JSON: nil for NaN or ±Inf (JSON has no NaN).
func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}
