package model_test

import (
	"fmt"

	"github.com/neuromatch/nmatools/nmatools/backend"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

// The tutorial's check after Exercise 2.1: a hidden-size-10 network, one step on a batch
// of 20 inputs, gives outputs shaped like the targets and a hidden state shaped like the
// initial one.
func Example_hiddenSize10() {
	cfg := model.UnregularizedConfig()
	cfg.HiddenSize = 10
	p := model.NewParams(cfg, 0)
	r := model.NewRunner(backend.MustGet(), p)
	const batch = 20
	hidden := model.InitHidden(batch, cfg.HiddenSize)
	inputs := nd.New(batch, cfg.InputSize)
	for i := range inputs.Data {
		inputs.Data[i] = float32(i%7) / 7
	}
	output, hiddenAfter, err := r.Step(inputs, hidden)
	if err != nil {
		panic(err)
	}
	fmt.Println("output shape:", output.Shape, "== targets[:, 0].shape (20, 2):", output.Shape[0] == 20 && output.Shape[1] == 2)
	fmt.Println("hidden_after shape:", hiddenAfter.Shape, "== hidden.shape:", fmt.Sprint(hiddenAfter.Shape) == fmt.Sprint(hidden.Shape))
	// Output:
	// output shape: [20 2] == targets[:, 0].shape (20, 2): true
	// hidden_after shape: [20 10] == hidden.shape: true
}

// generate_trajectory (Exercise 2.2): outputs (B,T,out) and hidden states (B,T,N).
func ExampleRunner_Trajectory() {
	p := model.NewParams(model.RegularizedConfig(), 1)
	r := model.NewRunner(backend.MustGet(), p)
	inputs := nd.New(1, 250, 16) // one condition, 250 steps
	inputs.Set(1, 0, 100, 15)    // a go-cue pulse
	outputs, hidden, err := r.Trajectory(inputs)
	if err != nil {
		panic(err)
	}
	fmt.Println(outputs.Shape, hidden.Shape)
	// Output: [1 250 2] [1 250 150]
}

// Loading a PyTorch state_dict (here a small fixture written by testdata/gen_pth.py; the
// tutorial's own files are regularized_model_final.pth and unregularized_model_final.pth).
func ExampleLoad() {
	p, err := model.Load("testdata/reg_small_cuda.pth") // saved with storages on 'cuda:0'
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Config.InputSize, p.Config.HiddenSize, p.Config.OutputSize, p.J.Shape, p.W.Shape)
	// Output: 16 64 2 [64 64] [2 64]
}
