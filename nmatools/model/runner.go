package model

import (
	"fmt"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

const dtypeF32 = dtypes.Float32

// Runner runs the network on a backend. Its executables are compiled once per input shape
// and reused (Trajectory is the tutorial's generate_trajectory, Step its forward).
// The weights are graph inputs, so SetParams swaps them without recompiling.
// A Runner is safe for concurrent use.
type Runner struct {
	mu      sync.Mutex
	backend compute.Backend
	params  *Params
	weights []*tensors.Tensor
	traj    *graph.Exec
	step    *graph.Exec
	err     error
}

// NewRunner prepares a Runner for p on backend b (see package backend). Invalid params
// are reported by the Runner's methods.
func NewRunner(b compute.Backend, p *Params) *Runner {
	r := &Runner{backend: b}
	r.err = r.SetParams(p)
	return r
}

// Params returns the parameters the Runner uses (not a copy).
func (r *Runner) Params() *Params {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.params
}

// SetParams replaces the weights; executables are kept when the configuration's sizes
// and τ are unchanged.
func (r *Runner) SetParams(p *Params) error {
	if err := p.Check(); err != nil {
		return err
	}
	if r.backend == nil {
		return fmt.Errorf("model.Runner: nil backend (use backend.Get())")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.params != nil && r.params.Config != p.Config {
		if r.traj != nil {
			r.traj.Finalize()
		}
		if r.step != nil {
			r.step.Finalize()
		}
		r.traj, r.step = nil, nil
	}
	for _, t := range r.weights {
		_ = t.FinalizeAll()
	}
	r.params = p
	r.weights = []*tensors.Tensor{toTensor(p.J), toTensor(p.B), toTensor(p.Bx), toTensor(p.W), toTensor(p.C)}
	r.err = nil
	return nil
}

func toTensor(a *nd.Array) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(a.Data, a.Shape...)
}

func fromTensor(t *tensors.Tensor) (*nd.Array, error) {
	data, err := tensors.CopyFlatData[float32](t)
	if err != nil {
		return nil, err
	}
	return nd.FromData(data, t.Shape().Dimensions...)
}

func weightsOf(in []*graph.Node) Weights {
	return Weights{J: in[0], B: in[1], Bx: in[2], W: in[3], C: in[4]}
}

// call runs an exec, converting GoMLX panics into errors.
func call(e *graph.Exec, args []any) (out []*tensors.Tensor, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			out, err = nil, fmt.Errorf("%v", rec)
		}
	}()
	return e.Call(args...)
}

// Trajectory runs all time steps from the zero hidden state (generate_trajectory):
// inputs (B,T,in) → outputs (B,T,out) and hidden (B,T,N), the pre-nonlinearity state
// after each step. A (T,in) input is taken as batch 1.
func (r *Runner) Trajectory(inputs *nd.Array) (outputs, hidden *nd.Array, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return nil, nil, r.err
	}
	cfg := r.params.Config
	if inputs == nil {
		return nil, nil, fmt.Errorf("model.Trajectory: nil inputs")
	}
	in := inputs
	if in.Rank() == 2 {
		in = &nd.Array{Shape: []int{1, in.Shape[0], in.Shape[1]}, Data: in.Data}
	}
	if in.Rank() != 3 || in.Shape[2] != cfg.InputSize || in.Shape[0] == 0 || in.Shape[1] == 0 {
		return nil, nil, fmt.Errorf("model.Trajectory: inputs must be (batch, time, %d), got shape %v", cfg.InputSize, inputs.Shape)
	}
	if len(in.Data) != nd.Size(in.Shape...) {
		return nil, nil, fmt.Errorf("model.Trajectory: inputs shape %v does not match its %d values", in.Shape, len(in.Data))
	}
	if r.traj == nil {
		useWhile := supportsWhileLoop(r.backend)
		e, err := graph.NewExec(r.backend, func(x []*graph.Node) []*graph.Node {
			w := weightsOf(x)
			u := x[5]
			b := u.Shape().Dimensions[0]
			x0 := graph.Zeros(u.Graph(), shapesMake(u, b, cfg.HiddenSize))
			if useWhile {
				out, hid := UnrollWhile(w, cfg, u, x0)
				return []*graph.Node{out, hid}
			}
			out, hid, _ := unroll(w, cfg, u, x0, false)
			return []*graph.Node{out, hid}
		})
		if err != nil {
			return nil, nil, err
		}
		r.traj = e.SetMaxCache(64)
	}
	return r.callPair(r.traj, "model.Trajectory", in)
}

// Step is one forward step (Exercise 2.1): u (B,in) and x (B,N) → out (B,out), xNew (B,N).
func (r *Runner) Step(u, x *nd.Array) (out, xNew *nd.Array, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return nil, nil, r.err
	}
	cfg := r.params.Config
	if u == nil || x == nil {
		return nil, nil, fmt.Errorf("model.Step: nil input or hidden state")
	}
	if u.Rank() != 2 || u.Shape[1] != cfg.InputSize || len(u.Data) != nd.Size(u.Shape...) {
		return nil, nil, fmt.Errorf("model.Step: input must be (batch, %d), got shape %v", cfg.InputSize, u.Shape)
	}
	if x.Rank() != 2 || x.Shape[0] != u.Shape[0] || x.Shape[1] != cfg.HiddenSize || len(x.Data) != nd.Size(x.Shape...) {
		return nil, nil, fmt.Errorf("model.Step: hidden must be (%d, %d) (see InitHidden), got shape %v", u.Shape[0], cfg.HiddenSize, x.Shape)
	}
	if r.step == nil {
		e, err := graph.NewExec(r.backend, func(in []*graph.Node) []*graph.Node {
			o, xn, _ := StepGraph(weightsOf(in), cfg, in[5], in[6])
			return []*graph.Node{o, xn}
		})
		if err != nil {
			return nil, nil, err
		}
		r.step = e.SetMaxCache(64)
	}
	return r.callPair(r.step, "model.Step", u, x)
}

// callPair runs e on the weights followed by extra and returns its two results,
// copied out of (and releasing) the result tensors; what prefixes a run error.
func (r *Runner) callPair(e *graph.Exec, what string, extra ...*nd.Array) (a, b *nd.Array, err error) {
	args := make([]any, 0, len(r.weights)+len(extra))
	for _, t := range r.weights {
		args = append(args, t)
	}
	for _, x := range extra {
		args = append(args, toTensor(x))
	}
	res, err := call(e, args)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	defer func() {
		for _, t := range res {
			_ = t.FinalizeAll()
		}
	}()
	if a, err = fromTensor(res[0]); err != nil {
		return nil, nil, err
	}
	if b, err = fromTensor(res[1]); err != nil {
		return nil, nil, err
	}
	return a, b, nil
}

// Close releases the compiled executables and device buffers.
func (r *Runner) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.traj != nil {
		r.traj.Finalize()
	}
	if r.step != nil {
		r.step.Finalize()
	}
	for _, t := range r.weights {
		_ = t.FinalizeAll()
	}
	r.traj, r.step, r.weights = nil, nil, nil
	r.err = fmt.Errorf("model.Runner: used after Close")
}
