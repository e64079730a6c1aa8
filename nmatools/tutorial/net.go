package tutorial

import (
	"fmt"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

// Module is what a step function sees of its network (the tutorial's self):
// the weights as graph nodes and the time constant.
type Module struct {
	// J (N,N) recurrent, B (N,in) input weights, Bx (N) bias; W (out,N) and
	// C (out) the readout (the tutorial's output_linear weight and bias).
	J, B, Bx, W, C *graph.Node
	// TauOverDt is τ/Δt (5 in the tutorial).
	TauOverDt float64
	// HiddenSize is N.
	HiddenSize int

	cfg modelConfig
}

// Nonlinearity is the tutorial's rectified_tanh: tanh(x) where x > 0, else 0.
func (m *Module) Nonlinearity(x *graph.Node) *graph.Node { return nonlinearity(x) }

// OutputLinear is the readout nn.Linear: r (batch, N) → r·Wᵀ + c (batch, out).
func (m *Module) OutputLinear(r *graph.Node) *graph.Node {
	return graph.Add(graph.DotGeneral(r, []int{1}, nil, m.W, []int{1}, nil), graph.ExpandAxes(m.C, 0))
}

// StepFunc is one Euler step of a network (the tutorial's forward): input
// (batch, in) and hidden state (batch, N) give the output (batch, out) and the
// new hidden state (batch, N).
type StepFunc func(self *Module, input, hidden *graph.Node) (output, hiddenNew *graph.Node)

// RegularizedStepFunc is a step that also returns Σr², the sum of the squared
// firing rates after the update over the batch and the units (the
// RegularizedRNN's firing_rate_reg), a scalar.
type RegularizedStepFunc func(self *Module, input, hidden *graph.Node) (output, hiddenNew, firingRateReg *graph.Node)

// Net is a network: weights and a compiled step (the tutorial's nn.Module
// instance). Its weights are Params (model.Params); to run other weights, assign new arrays
// (net.Params.J = perturbed, as the tutorial's model.J.data = …): Net notices
// a changed array by its address, not a change of its values in place.
type Net struct {
	// Params are the weights and sizes.
	Params *model.Params
	// From says where pretrained weights came from (empty otherwise).
	From string

	mu      sync.Mutex
	step    RegularizedStepFunc
	hasReg  bool
	library bool // the step is the library's: Trajectory runs its compiled loop
	exec    *graph.Exec
	tensors []*tensors.Tensor
	arrays  []*nd.Array // what tensors were made from
	runner  libraryRunner
}

// NewRNN turns a step function into a network with weights p (compiled with
// GoMLX on the notebook's backend when first called).
func NewRNN(step StepFunc, p *model.Params) *Net {
	if step == nil {
		Fail("NewRNN: nil step function")
	}
	return newNet(func(self *Module, input, hidden *graph.Node) (o, h, r2 *graph.Node) {
		o, h = step(self, input, hidden)
		return o, h, nil
	}, p, false)
}

// NewRegularizedRNN is NewRNN for a step that also returns Σr² (see StepWithRates).
func NewRegularizedRNN(step RegularizedStepFunc, p *model.Params) *Net {
	if step == nil {
		Fail("NewRegularizedRNN: nil step function")
	}
	return newNet(step, p, true)
}

// ReferenceRNN is the network p with the library's step (nmatools/model), the
// reference the exercises are checked against.
func ReferenceRNN(p *model.Params) *Net {
	n := newNet(libraryStep, p, true)
	n.library = true
	return n
}

func newNet(step RegularizedStepFunc, p *model.Params, hasReg bool) *Net {
	if p == nil {
		Fail("no weights (nil *Params): use model.NewParams(cfg, seed) or tutorial.Pretrained(name).Params")
	}
	Check(p.Check())
	return &Net{Params: p, step: step, hasReg: hasReg}
}

// InitHidden is init_hidden: the zero hidden state (batch, N).
func (n *Net) InitHidden(batchSize int) *nd.Array {
	return nd.New(batchSize, n.Params.Config.HiddenSize)
}

// Step runs one time step: input (batch, in) and hidden (batch, N) give the
// output (batch, out) and the new hidden state (batch, N) (model(input, h)).
func (n *Net) Step(input, hidden *nd.Array) (output, hiddenNew *nd.Array) {
	output, hiddenNew, _ = n.run(input, hidden)
	return output, hiddenNew
}

// StepWithRates is Step that also returns the step's Σr² (firing_rate_reg);
// the network's step must return it (NewRegularizedRNN, ReferenceRNN, Pretrained).
func (n *Net) StepWithRates(input, hidden *nd.Array) (output, hiddenNew *nd.Array, firingRateReg float64) {
	if !n.hasReg {
		Fail("StepWithRates: this network's step returns no Σr² (build it with NewRegularizedRNN)")
	}
	output, hiddenNew, r2 := n.run(input, hidden)
	return output, hiddenNew, float64(r2.Data[0])
}

// Trajectory runs all time steps of inputs (batch, time, in) from the zero
// hidden state (generate_trajectory) and returns the outputs (batch, time,
// out) and the hidden states x after each step (batch, time, N). Networks with
// the library's step run its compiled loop; others loop over Step.
func (n *Net) Trajectory(inputs *nd.Array) (outputs, hiddenStates *nd.Array) {
	cfg := n.Params.Config
	if inputs == nil || inputs.Rank() != 3 || inputs.Shape[2] != cfg.InputSize {
		var sh []int
		if inputs != nil {
			sh = inputs.Shape
		}
		Fail("Trajectory: inputs must be (batch, time, %d), got shape %v (one sequence x of shape (time, %d) is x.Unsqueeze(0))", cfg.InputSize, sh, cfg.InputSize)
	}
	if n.library {
		b, err := getBackend()
		Check(err)
		n.mu.Lock()
		defer n.mu.Unlock()
		outputs, hiddenStates, err = n.runner.trajectory(b, n.Params, inputs)
		Check(err)
		return outputs, hiddenStates
	}
	h := n.InitHidden(inputs.Shape[0])
	var outs, hs []*nd.Array
	for t := 0; t < inputs.Shape[1]; t++ {
		var o *nd.Array
		o, h = n.Step(inputs.TimeSlice(t), h)
		outs, hs = append(outs, o), append(hs, h)
	}
	return nd.Stack(outs, 1), nd.Stack(hs, 1)
}

// run calls the compiled step.
func (n *Net) run(input, hidden *nd.Array) (output, hiddenNew, r2 *nd.Array) {
	cfg := n.Params.Config
	if input == nil || input.Rank() != 2 || input.Shape[1] != cfg.InputSize {
		Fail("Step: the input must be (batch, %d), got shape %v (the input at time t of inputs (batch, time, %d) is inputs.TimeSlice(t))", cfg.InputSize, shapeOfArray(input), cfg.InputSize)
	}
	if hidden == nil || hidden.Rank() != 2 || hidden.Shape[0] != input.Shape[0] || hidden.Shape[1] != cfg.HiddenSize {
		Fail("Step: the hidden state must be (%d, %d) (InitHidden(%d) at the start), got shape %v", input.Shape[0], cfg.HiddenSize, input.Shape[0], shapeOfArray(hidden))
	}
	b, err := getBackend()
	Check(err)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.exec == nil {
		n.exec, err = n.compile(b)
		Check(err)
	}
	n.syncWeights()
	args := make([]any, 0, 7)
	for _, t := range n.tensors {
		args = append(args, t)
	}
	args = append(args, nd.ToTensor(input), nd.ToTensor(hidden))
	res, err := callStep(n.exec, args)
	Check(err)
	defer func() {
		for _, t := range res {
			_ = t.FinalizeAll()
		}
	}()
	return arrayOf(res[0]), arrayOf(res[1]), arrayOf(res[2])
}

// compile builds the step's executable: weights, input and hidden in; output,
// new hidden and Σr² (0 when the step returns none) out.
func (n *Net) compile(b compute.Backend) (*graph.Exec, error) {
	cfg := n.Params.Config
	e, err := graph.NewExec(b, func(in []*graph.Node) []*graph.Node {
		self := &Module{J: in[0], B: in[1], Bx: in[2], W: in[3], C: in[4], TauOverDt: cfg.TauOverDt, HiddenSize: cfg.HiddenSize, cfg: cfg}
		o, h, r2 := n.step(self, in[5], in[6])
		if o == nil || h == nil {
			panic(fmt.Errorf("the step function returned a nil output or hidden state"))
		}
		if r2 == nil {
			r2 = graph.ScalarZero(o.Graph(), o.DType())
		}
		return []*graph.Node{o, h, r2}
	})
	if err != nil {
		return nil, err
	}
	return e.SetMaxCache(64), nil
}

// syncWeights remakes the weight tensors when an array of Params was replaced.
func (n *Net) syncWeights() {
	p := n.Params
	cur := []*nd.Array{p.J, p.B, p.Bx, p.W, p.C}
	if n.arrays != nil {
		same := true
		for i := range cur {
			same = same && cur[i] == n.arrays[i]
		}
		if same {
			return
		}
	}
	Check(p.Check())
	for _, t := range n.tensors {
		_ = t.FinalizeAll()
	}
	n.tensors = n.tensors[:0]
	for _, a := range cur {
		n.tensors = append(n.tensors, nd.ToTensor(a))
	}
	n.arrays = cur
}

// call runs an exec, turning GoMLX's panics (e.g. a shape mistake in a step
// function, reported when the graph is built) into one error.
func callStep(e *graph.Exec, args []any) (out []*tensors.Tensor, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("the step function: %v", r)
		}
	}()
	out, err = e.Call(args...)
	if err != nil {
		err = fmt.Errorf("the step function: %w", err)
	}
	return out, err
}

// arrayOf is nd.FromTensor for a cell: a failure stops the cell.
func arrayOf(t *tensors.Tensor) *nd.Array {
	a, err := nd.FromTensor(t)
	Check(err)
	return a
}

func shapeOfArray(a *nd.Array) []int {
	if a == nil {
		return nil
	}
	return a.Shape
}
