package tutorial_test

import (
	"fmt"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/tutorial"
)

// rnnStep is Exercise 2.1's step (the tutorial's forward), written with GoMLX.
func rnnStep(self *tutorial.Module, input, hidden *graph.Node) (output, hiddenNew *graph.Node) {
	firingRateBefore := self.Nonlinearity(hidden)
	recurrentDrive := graph.MatMul(self.J, graph.Transpose(firingRateBefore, 0, 1))
	inputDrive := graph.MatMul(self.B, graph.Transpose(input, 0, 1))
	totalDrive := graph.Add(graph.Add(recurrentDrive, inputDrive), graph.ExpandAxes(self.Bx, 1))
	totalDrive = graph.Transpose(totalDrive, 0, 1)
	hidden = graph.Add(hidden, graph.MulScalar(graph.Sub(totalDrive, hidden), 1/self.TauOverDt))
	firingRate := self.Nonlinearity(hidden)
	return self.OutputLinear(firingRate), hidden
}

// A student's step becomes a network with one call; Step runs it one time
// step at a time, as generate_trajectory does.
func ExampleNewRNN() {
	cfg := model.UnregularizedConfig() // 16 inputs, 2 outputs, g = 4, h = 1
	cfg.HiddenSize = 10
	net := tutorial.NewRNN(rnnStep, model.NewParams(cfg, tutorial.Seed))

	inputs := nd.New(1, 3, 16) // one sequence of 3 steps: a go cue of 1 at t = 0
	inputs.Set(1, 0, 0, 15)
	h := net.InitHidden(1)
	var outputs []*nd.Array
	for t := 0; t < 3; t++ {
		var output *nd.Array
		output, h = net.Step(inputs.TimeSlice(t), h)
		outputs = append(outputs, output)
	}
	trajectory := nd.Stack(outputs, 1)
	fmt.Println("trajectory", trajectory.Shape, "hidden", h.Shape)

	// The library's step gives the same trajectory.
	ref, _ := tutorial.ReferenceRNN(net.Params).Trajectory(inputs)
	d, _ := nd.MaxAbsDiff(trajectory, ref)
	fmt.Println("matches the library:", d < 1e-5)
	// Output:
	// trajectory [1 3 2] hidden [1 10]
	// matches the library: true
}

// The prepared dataset and a pretrained network (the course's file when
// cached, else the checkpoint shipped in checkpoints/): the shapes are the
// tutorial's either way.
func ExamplePretrained() {
	ds := tutorial.Data()
	fmt.Println("inputs", ds.Inputs.Shape, "outputs", ds.Outputs.Shape, "times", len(ds.Times))
	trainIdx, valIdx := tutorial.TrainValSplit()
	fmt.Println(len(trainIdx), "training and", len(valIdx), "validation conditions")

	net := tutorial.Pretrained("regularized")
	out, hidden := net.Trajectory(ds.Inputs.Index(trainIdx[0]).Unsqueeze(0))
	fmt.Println("generated", out.Shape, "hidden states", hidden.Shape)
	// Output:
	// inputs [27 250 16] outputs [27 250 2] times 250
	// 20 training and 7 validation conditions
	// generated [1 250 2] hidden states [1 250 150]
}

// The tutorial's null-model error, and the mean and standard deviation of a
// list of errors as np.mean and np.std give them.
func ExampleMaxError() {
	targets := nd.New(2, 2, 1) // two conditions, two steps, one muscle: 0 0 / 2 2
	targets.Data = []float32{0, 0, 2, 2}
	fmt.Println(tutorial.MaxError(targets))
	fmt.Println(nd.MeanStdOf([]float64{10, 20, 30}))
	// Output:
	// 1
	// {20 8.16496580927726}
}
