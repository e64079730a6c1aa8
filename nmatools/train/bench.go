package train

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/gomlx/compute"

	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

// BenchResult holds the median times (milliseconds) of `nmatools bench`; the
// JSON keys are those bench/torch_bench.py prints.
type BenchResult struct {
	Backend      string  `json:"backend"`
	TrainStepMs  float64 `json:"train_step_ms"`  // one regularized training step, batch 20, T 250, N 150
	ForwardB20Ms float64 `json:"forward_b20_ms"` // one 250-step trajectory at batch 20 (model.Runner)
	ForwardB1Ms  float64 `json:"forward_b1_ms"`  // the same at batch 1
}

// BenchSteps is the trajectory length of the benchmark (the dataset's T).
const BenchSteps = 250

// Bench times, on backend b, one training step of the regularized recipe
// (batch 20, T 250, N 150; MSE + both penalties, gradients, global-norm
// clipping, Adam) and one trajectory at batch 20 and at batch 1, each the
// median of 5 runs after 2 warm-up runs (which include compilation).
func Bench(b compute.Backend) (BenchResult, error) { return BenchRepeats(b, 5) }

// BenchRepeats is Bench with the number of timed repeats.
func BenchRepeats(b compute.Backend, repeats int) (BenchResult, error) {
	if b == nil {
		return BenchResult{}, errors.New("train: Bench: no backend")
	}
	if repeats < 1 {
		return BenchResult{}, fmt.Errorf("train: Bench: repeats must be ≥ 1, got %d", repeats)
	}
	r := RegularizedRecipe()
	cfg := r.Model
	rng := rand.New(rand.NewPCG(DefaultSeed, 1))
	random := func(scale float64, shape ...int) *nd.Array {
		a := nd.New(shape...)
		for i := range a.Data {
			a.Data[i] = float32(rng.NormFloat64() * scale)
		}
		return a
	}
	inputs := random(1, r.BatchSize, BenchSteps, cfg.InputSize)
	targets := random(0.1, r.BatchSize, BenchSteps, cfg.OutputSize)
	p := model.NewParams(cfg, DefaultSeed)
	res := BenchResult{Backend: b.Name() + ": " + b.Description()}

	store, err := model.NewStore(p.Clone())
	if err != nil {
		return res, err
	}
	step, err := newStepper(b, store, r)
	if err != nil {
		return res, err
	}
	defer step.Finalize()
	if res.TrainStepMs, err = medianMs(repeats, func() error {
		_, _, _, err := step.Step(inputs, targets)
		return err
	}); err != nil {
		return res, fmt.Errorf("train: Bench: training step: %w", err)
	}

	runner := model.NewRunner(b, p)
	trajectory := func(x *nd.Array) func() error {
		return func() error { _, _, err := runner.Trajectory(x); return err }
	}
	if res.ForwardB20Ms, err = medianMs(repeats, trajectory(inputs)); err != nil {
		return res, fmt.Errorf("train: Bench: trajectory at batch 20: %w", err)
	}
	if res.ForwardB1Ms, err = medianMs(4*repeats, trajectory(inputs.Take([]int{0}))); err != nil {
		return res, fmt.Errorf("train: Bench: trajectory at batch 1: %w", err)
	}
	return res, nil
}

// medianMs runs fn twice to warm up, then repeats times, and returns the
// median duration in milliseconds.
func medianMs(repeats int, fn func() error) (float64, error) {
	for range 2 {
		if err := fn(); err != nil {
			return 0, err
		}
	}
	times := make([]float64, repeats)
	for i := range times {
		t0 := time.Now()
		if err := fn(); err != nil {
			return 0, err
		}
		times[i] = float64(time.Since(t0).Microseconds()) / 1e3
	}
	slices.Sort(times)
	if repeats%2 == 1 {
		return times[repeats/2], nil
	}
	return (times[repeats/2-1] + times[repeats/2]) / 2, nil
}
