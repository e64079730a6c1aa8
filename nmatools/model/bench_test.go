package model

import (
	"github.com/neuromatch/nmatools/nmatools/nd"
	"testing"
)

// Benchmarks at the tutorial's sizes: N 150, T 250, 16 inputs, 2 outputs. Run with
//
//	GOEXPERIMENT=simd go test -run XXX -bench . -benchtime 20x ./nmatools/model/
//
// and compare with `/usr/bin/python3 bench/torch_bench.py --model-bench` (PyTorch, 1 thread).

func benchTrajectory(b *testing.B, batch int) {
	p := NewParams(UnregularizedConfig(), 1)
	r := NewRunner(testBackend(b), p)
	in := randInputs(1, batch, 250, 16)
	if _, _, err := r.Trajectory(in); err != nil { // compile outside the timing
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, _, err := r.Trajectory(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTrajectoryB1(b *testing.B)  { benchTrajectory(b, 1) }
func BenchmarkTrajectoryB20(b *testing.B) { benchTrajectory(b, 20) }

// BenchmarkTrainStep: loss (MSE + weight and rate penalties) and its gradient w.r.t. all
// five parameters at batch 20 (no optimizer update).
func BenchmarkTrainStep(b *testing.B) { benchTrainStep(b, Unroll) }

// BenchmarkTrainStepAutodiff is the same step through GoMLX's own autodiff of the plain
// unrolled loop (the baseline Unroll's hand-written backward replaces; slow to compile on XLA).
func BenchmarkTrainStepAutodiff(b *testing.B) { benchTrainStep(b, unrollAutodiff) }

func benchTrainStep(b *testing.B, unroll unrollFn) {
	cfg := RegularizedConfig()
	p := NewParams(cfg, 1)
	e := newTrainStepExecWith(b, testBackend(b), cfg, unroll)
	args := []any{nd.ToTensor(p.J), nd.ToTensor(p.B), nd.ToTensor(p.Bx), nd.ToTensor(p.W), nd.ToTensor(p.C),
		nd.ToTensor(randInputs(1, 20, 250, 16)), nd.ToTensor(randInputs(2, 20, 250, 2))}
	run := func() {
		res, err := e.Call(args...)
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range res {
			_ = t.FinalizeAll()
		}
	}
	run()
	b.ResetTimer()
	for range b.N {
		run()
	}
}
