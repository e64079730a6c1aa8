package sweep_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/neuromatch/nmatools/nmatools/backend"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/sweep"
)

func ExampleMaxError() {
	// 2 conditions × 2 steps × 1 output: 1, 2, 3, 4 around their mean 2.5.
	targets, _ := nd.FromData([]float32{1, 2, 3, 4}, 2, 2, 1)
	m, err := sweep.MaxError(targets)
	fmt.Println(m, err)
	// Output: 1.25 <nil>
}

// toyTask is a small network and data set standing in for the tutorial's.
func toyTask() (*model.Params, *nd.Array, *nd.Array) {
	cfg := model.RegularizedConfig()
	cfg.HiddenSize = 20
	p := model.NewParams(cfg, 1)
	rng := rand.New(rand.NewPCG(1, 2))
	inputs, targets := nd.New(4, 30, 16), nd.New(4, 30, 2)
	for i := range inputs.Data {
		inputs.Data[i] = float32(rng.NormFloat64())
	}
	for i := range targets.Data {
		targets.Data[i] = float32(rng.NormFloat64())
	}
	return p, inputs, targets
}

func ExampleInputSweep() {
	b, err := backend.Get()
	if err != nil {
		fmt.Println(err)
		return
	}
	p, inputs, targets := toyTask()
	maxErr, _ := sweep.MaxError(targets)
	stats, err := sweep.InputSweep(b, p, inputs, targets, []float64{0, 0.2}, sweep.Repeats, 7, sweep.WithMaxError(maxErr))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range stats {
		fmt.Printf("strength %-4v error %.0f%% ± %.0f%%\n", s.Level, s.Mean, s.Std)
	}
	// Output:
	// strength 0    error 105% ± 0%
	// strength 0.2  error 108% ± 2%
}

func ExampleWeightSweep() {
	b, err := backend.Get()
	if err != nil {
		fmt.Println(err)
		return
	}
	p, inputs, targets := toyTask()
	stats, err := sweep.WeightSweep(b, p, inputs, targets, []float64{0, 0.8}, 10, 7)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("mean|J| = %.3f\n", sweep.MeanAbsoluteStrength(p))
	for _, s := range stats {
		fmt.Printf("%-4v spread: %v\n", s.Level, s.Std > 1e-3)
	}
	// Output:
	// mean|J| = 0.276
	// 0    spread: false
	// 0.8  spread: true
}
