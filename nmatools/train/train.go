package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
	mlmodel "github.com/gomlx/gomlx/ml/model"

	"github.com/neuromatch/nmatools/nmatools/data"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

// ErrDiverged is returned (wrapped) when the loss becomes NaN/Inf or explodes.
var ErrDiverged = errors.New("training diverged")

// Options are the per-run settings of Train.
type Options struct {
	Epochs int   // epoch limit; 0 means the recipe's MaxEpochs
	Seed   int64 // initial weights, train/val split and shuffling (the course used 2024)

	// OutDir, if not empty, receives the checkpoints (see the package
	// documentation): model.Load(OutDir) reads the last good one, Resume
	// continues from it, training.json holds the finished run's Result.
	// Empty: nothing is written.
	OutDir    string
	Keep      int  // checkpoints kept in OutDir (0: 2)
	SaveEvery int  // epochs between training checkpoints (0: 1); the last epoch is always saved
	Resume    bool // continue from OutDir's latest training checkpoint if there is one

	// Progress, if not nil, receives a one-line progress bar (rewritten with \r).
	Progress io.Writer
	// OnProgress, if not nil, receives the progress after each epoch (at most ten
	// times a second) and when the run stops, e.g. to draw a progress bar elsewhere.
	OnProgress func(ProgressUpdate)

	// Init, if not nil, is the starting point instead of model.NewParams(cfg, Seed);
	// its configuration must equal the recipe's.
	Init *model.Params

	// OnEpoch, if not nil, is called after every completed epoch (after its
	// checkpoint) with the result so far; e.g. to plot the losses live.
	OnEpoch func(res *Result)

	// ExplodeFactor: stop with ErrDiverged when an epoch's training loss exceeds
	// ExplodeFactor × the first epoch's (0: 1000). NaN/Inf always stops.
	ExplodeFactor float64
}

// Eval holds losses evaluated at fixed parameters (no update in between), so
// they can be reproduced from a checkpoint.
type Eval struct {
	TrainLoss float64 `json:"train_loss"` // the recipe's loss, mean over the unshuffled training batches
	TrainMSE  float64 `json:"train_mse"`  // MSE over all training sequences
	ValMSE    float64 `json:"val_mse"`    // MSE over all validation sequences
}

// Result is what a training run produced. The per-epoch slices cover every
// epoch since the start, including epochs of a resumed run.
type Result struct {
	Recipe string `json:"recipe"`
	Seed   int64  `json:"seed"`

	// TrainLoss[e] is epoch e's average of the batch losses (the recipe's loss,
	// penalties included, each batch measured before its update), as the course
	// reports it; TrainMSE[e] the same for the MSE part alone; ValLoss[e] the
	// MSE over all validation sequences after epoch e.
	TrainLoss []float64 `json:"train_loss"`
	TrainMSE  []float64 `json:"train_mse"`
	ValLoss   []float64 `json:"val_loss"`

	Epochs     int    `json:"epochs"`     // epochs completed
	Checkpoint string `json:"checkpoint"` // Options.OutDir ("" if none)
	Stopped    string `json:"stopped"`    // why it stopped
	Final      Eval   `json:"final"`      // losses at the final parameters

	TrainSequences int     `json:"train_sequences"`
	ValSequences   int     `json:"val_sequences"`
	WallSeconds    float64 `json:"wall_seconds"` // this run only (not earlier resumed runs)
	Backend        string  `json:"backend"`
	Data           DataID  `json:"data"`

	Params *model.Params `json:"-"` // final parameters
}

// DataID identifies the dataset a run used, so a checkpoint test can tell
// whether it has the same data.
type DataID struct {
	Source      string  `json:"source"`
	Synthetic   bool    `json:"synthetic"`
	InputsMean  float64 `json:"inputs_mean"`
	OutputsMean float64 `json:"outputs_mean"`
	OutputsStd  float64 `json:"outputs_std"`
}

// DataIDOf is the fingerprint Train records for ds (Result.Data).
func DataIDOf(ds *data.Dataset) DataID { return dataID(ds) }

func dataID(ds *data.Dataset) DataID {
	return DataID{Source: ds.Source, Synthetic: ds.Synthetic,
		InputsMean: ds.InputsWithDelay.Mean(), OutputsMean: ds.OutputsWithDelay.Mean(),
		OutputsStd: ds.OutputsWithDelay.Std(true)}
}

// same reports whether two fingerprints are of the same data (wherever its file is).
func (d DataID) same(o DataID) bool {
	return d.Synthetic == o.Synthetic && d.InputsMean == o.InputsMean &&
		d.OutputsMean == o.OutputsMean && d.OutputsStd == o.OutputsStd
}

// split holds the train and validation sequences of a recipe.
type split struct {
	trainIn, trainOut, valIn, valOut *nd.Array
}

// makeSplit selects the recipe's sequences: the fixed delay or all delays of
// the TrainValSplit(seed) conditions.
func makeSplit(r Recipe, ds *data.Dataset, seed int64) (*split, error) {
	if ds == nil || ds.Inputs == nil || ds.InputsWithDelay == nil {
		return nil, errors.New("train: no dataset: load one with data.Load() or data.PrepareDataset(path)")
	}
	in := ds.Inputs.Shape
	if len(in) != 3 || in[2] != r.Model.InputSize || ds.Outputs.Shape[2] != r.Model.OutputSize {
		return nil, fmt.Errorf("train: dataset inputs %v / outputs %v do not fit model %q (%d inputs, %d outputs)",
			ds.Inputs.Shape, ds.Outputs.Shape, r.Name, r.Model.InputSize, r.Model.OutputSize)
	}
	trainIdx, valIdx := data.TrainValSplit(seed)
	sub := ds.Subset
	if r.AllDelays {
		sub = ds.WithDelaySubset
	}
	s := &split{}
	var err error
	if s.trainIn, s.trainOut, err = sub(trainIdx); err != nil {
		return nil, err
	}
	if s.valIn, s.valOut, err = sub(valIdx); err != nil {
		return nil, err
	}
	return s, nil
}

// Train runs recipe r on ds with backend b. It stops at the epoch limit, when
// an epoch's average training loss drops below r.TargetLoss, when ctx is
// cancelled (the last good checkpoint stays; the error wraps ctx.Err()), or
// when the loss diverges (ErrDiverged; the last good checkpoint stays). The
// returned Result is non-nil whenever at least the setup succeeded.
func Train(ctx context.Context, b compute.Backend, r Recipe, ds *data.Dataset, opt Options) (*Result, error) {
	if b == nil {
		return nil, errors.New("train: no backend: pass backend.MustGet() or backend.New(\"go\")")
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	maxEpochs := r.MaxEpochs
	if opt.Epochs < 0 {
		return nil, fmt.Errorf("train: epochs must not be negative, got %d", opt.Epochs)
	} else if opt.Epochs > 0 {
		maxEpochs = opt.Epochs
	}
	explode := opt.ExplodeFactor
	if explode <= 0 {
		explode = 1000
	}
	sp, err := makeSplit(r, ds, opt.Seed)
	if err != nil {
		return nil, err
	}
	res := &Result{Recipe: r.Name, Seed: opt.Seed, Checkpoint: opt.OutDir, Backend: b.Name(), Data: dataID(ds),
		TrainSequences: sp.trainIn.Shape[0], ValSequences: sp.valIn.Shape[0]}
	start := time.Now()

	// The store: resumed from a checkpoint, or fresh weights.
	var ck *checkpointer
	var store *mlmodel.Store
	if opt.OutDir != "" {
		if ck, err = newCheckpointer(opt.OutDir, opt.Keep, opt.Progress); err != nil {
			return nil, err
		}
		defer ck.release()
		st, s, err := ck.latest(r.Model)
		if err != nil {
			return nil, err
		}
		if st != nil {
			if !opt.Resume {
				return nil, fmt.Errorf("train: %s already holds a training run (%q, %d epochs): resume it or choose an empty directory",
					opt.OutDir, st.Recipe, st.Epoch)
			}
			if st.Recipe != r.Name || st.Seed != opt.Seed {
				return nil, fmt.Errorf("train: cannot resume %s: it was trained with recipe %q and seed %d, not %q and seed %d",
					opt.OutDir, st.Recipe, st.Seed, r.Name, opt.Seed)
			}
			if st.Data != (DataID{}) && !st.Data.same(res.Data) {
				return nil, fmt.Errorf("train: cannot resume %s: it was trained on other data (%s, synthetic %v) than %s",
					opt.OutDir, st.Data.Source, st.Data.Synthetic, ds.Source)
			}
			store = s
			res.TrainLoss, res.TrainMSE, res.ValLoss = st.TrainLoss, st.TrainMSE, st.ValLoss
			res.Epochs = st.Epoch
		}
	}
	if store == nil {
		p := opt.Init
		if p == nil {
			p = model.NewParams(r.Model, opt.Seed)
		} else if p.Config != r.Model {
			return nil, fmt.Errorf("train: Options.Init has configuration %+v, recipe %q needs %+v", p.Config, r.Name, r.Model)
		}
		if store, err = model.NewStore(p.Clone()); err != nil {
			return nil, err
		}
	}
	if ck != nil {
		if err := ck.attach(store, r.Model); err != nil {
			return nil, err
		}
	}
	step, err := newStepper(b, store, r)
	if err != nil {
		return nil, err
	}
	defer step.Finalize()
	eval, err := newEvalExec(b, store, r)
	if err != nil {
		return nil, err
	}
	defer eval.Finalize()

	prog := newProgress(opt.Progress, opt.OnProgress, r.Name, maxEpochs)
	saveEvery := max(opt.SaveEvery, 1)
	n := sp.trainIn.Shape[0]
	lastSaved := res.Epochs
	finish := func(stopped string, runErr error) (*Result, error) {
		res.Stopped = stopped
		res.WallSeconds = time.Since(start).Seconds()
		prog.done(stopped)
		return res, runErr
	}
	stopped := "epoch limit"
	if res.Epochs > 0 && r.TargetLoss > 0 && res.TrainLoss[res.Epochs-1] < r.TargetLoss {
		maxEpochs = res.Epochs // the resumed run had already converged
		stopped = fmt.Sprintf("training loss below %g", r.TargetLoss)
	}
	for epoch := res.Epochs; epoch < maxEpochs; epoch++ {
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		if r.Shuffle {
			rng := rand.New(rand.NewPCG(uint64(opt.Seed), uint64(epoch)))
			rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		var sumLoss, sumMSE float64
		batches := 0
		for lo := 0; lo < n; lo += r.BatchSize {
			if err := ctx.Err(); err != nil {
				trimTo(res, lastSaved)
				return finish("interrupted", fmt.Errorf("train: interrupted during epoch %d; %s: %w",
					epoch+1, ck.lastGood(lastSaved), err))
			}
			idx := order[lo:min(lo+r.BatchSize, n)]
			loss, mse, _, err := step.Step(sp.trainIn.Take(idx), sp.trainOut.Take(idx))
			if err != nil {
				return finish("error", fmt.Errorf("train: step %d of epoch %d: %w", batches+1, epoch+1, err))
			}
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				trimTo(res, lastSaved)
				return finish("diverged", fmt.Errorf("train: %w: the loss became %v at step %d of epoch %d "+
					"(try a smaller learning rate or gradient clipping); %s",
					ErrDiverged, loss, batches+1, epoch+1, ck.lastGood(lastSaved)))
			}
			sumLoss += loss
			sumMSE += mse
			batches++
		}
		trainLoss, trainMSE := sumLoss/float64(batches), sumMSE/float64(batches)
		if len(res.TrainLoss) > 0 && trainLoss > explode*res.TrainLoss[0] {
			trimTo(res, lastSaved)
			return finish("diverged", fmt.Errorf("train: %w: epoch %d's training loss %.4g is over %g× the first epoch's %.4g "+
				"(try a smaller learning rate or gradient clipping); %s",
				ErrDiverged, epoch+1, trainLoss, explode, res.TrainLoss[0], ck.lastGood(lastSaved)))
		}
		valMSE, _, err := evaluate(eval, r, sp.valIn, sp.valOut)
		if err != nil {
			return finish("error", err)
		}
		if math.IsNaN(valMSE) || math.IsInf(valMSE, 0) {
			trimTo(res, lastSaved)
			return finish("diverged", fmt.Errorf("train: %w: the validation loss became %v after epoch %d; %s",
				ErrDiverged, valMSE, epoch+1, ck.lastGood(lastSaved)))
		}
		res.TrainLoss = append(res.TrainLoss, trainLoss)
		res.TrainMSE = append(res.TrainMSE, trainMSE)
		res.ValLoss = append(res.ValLoss, valMSE)
		res.Epochs = epoch + 1
		prog.update(res.Epochs, trainLoss, valMSE)

		converged := r.TargetLoss > 0 && trainLoss < r.TargetLoss
		last := converged || res.Epochs == maxEpochs
		if ck != nil && (last || res.Epochs%saveEvery == 0) {
			if err := ck.save(res); err != nil {
				return finish("error", err)
			}
			lastSaved = res.Epochs
		}
		if ck == nil {
			lastSaved = res.Epochs // nothing to lose: every completed epoch counts
		}
		if opt.OnEpoch != nil {
			opt.OnEpoch(res)
		}
		if converged {
			stopped = fmt.Sprintf("training loss below %g", r.TargetLoss)
			break
		}
	}

	p, err := model.ParamsFromStore(store, r.Model)
	if err != nil {
		return finish("error", err)
	}
	res.Params = p
	if res.Final, err = evalSplit(eval, r, sp); err != nil {
		return finish("error", err)
	}
	res.Stopped = stopped
	res.WallSeconds = time.Since(start).Seconds()
	if ck != nil {
		if err := ck.finish(res); err != nil {
			return finish("error", err)
		}
	}
	prog.done(stopped)
	return res, nil
}

// trimTo drops per-epoch entries after the last saved epoch.
func trimTo(res *Result, epochs int) {
	if len(res.TrainLoss) > epochs {
		res.TrainLoss, res.TrainMSE, res.ValLoss = res.TrainLoss[:epochs], res.TrainMSE[:epochs], res.ValLoss[:epochs]
	}
	res.Epochs = epochs
}

// evaluate runs the evaluation graph over inputs/targets in unshuffled batches
// of r.BatchSize. mse is over all sequences; loss is the recipe's loss averaged
// over the batches (as the course averages a DataLoader's batch losses).
func evaluate(e *mlmodel.Exec, r Recipe, inputs, targets *nd.Array) (mse, loss float64, err error) {
	n := inputs.Shape[0]
	steps := float64(inputs.Shape[1])
	var sse float64
	batches := 0
	for lo := 0; lo < n; lo += r.BatchSize {
		idx := make([]int, 0, r.BatchSize)
		for i := lo; i < min(lo+r.BatchSize, n); i++ {
			idx = append(idx, i)
		}
		tgt := targets.Take(idx)
		outs, err := e.Exec(nd.ToTensor(inputs.Take(idx)), nd.ToTensor(tgt))
		if err != nil {
			return 0, 0, fmt.Errorf("train: evaluation: %w", err)
		}
		bSSE, l2, r2 := scalar(outs[evalSSE]), scalar(outs[evalL2]), scalar(outs[evalR2])
		finalize(outs)
		sse += bSSE
		bLoss := bSSE / float64(tgt.Len())
		bLoss += r.WeightPenalty * l2
		if r.RatePenalty > 0 {
			bLoss += r.RatePenalty * r2 / (steps * float64(r.Model.HiddenSize) * r.RateDivisor)
		}
		loss += bLoss
		batches++
	}
	return sse / float64(targets.Len()), loss / float64(batches), nil
}

func evalSplit(e *mlmodel.Exec, r Recipe, sp *split) (Eval, error) {
	var ev Eval
	var err error
	if ev.TrainMSE, ev.TrainLoss, err = evaluate(e, r, sp.trainIn, sp.trainOut); err != nil {
		return ev, err
	}
	ev.ValMSE, _, err = evaluate(e, r, sp.valIn, sp.valOut)
	return ev, err
}

// Evaluate computes, at fixed parameters p, the recipe's training loss and MSE
// and the validation MSE on the TrainValSplit(seed) split of ds — the numbers
// a finished run records in Result.Final.
func Evaluate(b compute.Backend, r Recipe, p *model.Params, ds *data.Dataset, seed int64) (Eval, error) {
	if err := r.Validate(); err != nil {
		return Eval{}, err
	}
	if p == nil {
		return Eval{}, errors.New("train: Evaluate: no parameters")
	}
	if p.Config != r.Model {
		return Eval{}, fmt.Errorf("train: the parameters are for model %+v, but recipe %q is for %+v: "+
			"load the %s checkpoint instead", p.Config, r.Name, r.Model, r.Name)
	}
	sp, err := makeSplit(r, ds, seed)
	if err != nil {
		return Eval{}, err
	}
	store, err := model.NewStore(p)
	if err != nil {
		return Eval{}, err
	}
	e, err := newEvalExec(b, store, r)
	if err != nil {
		return Eval{}, err
	}
	defer e.Finalize()
	return evalSplit(e, r, sp)
}

func scalar(t *tensors.Tensor) float64 {
	return float64(tensors.ToScalar[float32](t))
}

func finalize(ts []*tensors.Tensor) {
	for _, t := range ts {
		t.MustFinalizeAll()
	}
}
