package model

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

const dtypeF32 = dtypes.Float32

// Runner runs the network on a backend. Its executables are compiled once per input shape
// and reused (Trajectory is the tutorial's generate_trajectory, Step its forward, Outputs and
// Loss its compute_loss, RunNetworks many networks at once for the sweeps).
// The weights are graph inputs, so SetParams swaps them without recompiling.
// A Runner is safe for concurrent use; calls of RunNetworks (and Outputs, Loss) run in
// parallel.
type Runner struct {
	busy    sync.RWMutex // held for reading by running RunNetworks calls, for writing while the executables change
	mu      sync.Mutex
	calls   atomic.Uint64 // RunNetworks calls so far (device round robin)
	backend compute.Backend
	params  *Params
	weights []*tensors.Tensor
	traj    *graph.Exec
	step    *graph.Exec
	nets    *graph.Exec
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
	r.busy.Lock()
	defer r.busy.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.params != nil && r.params.Config != p.Config {
		r.finalizeExecs()
	}
	for _, t := range r.weights {
		_ = t.FinalizeAll()
	}
	r.params = p
	r.weights = []*tensors.Tensor{nd.ToTensor(p.J), nd.ToTensor(p.B), nd.ToTensor(p.Bx), nd.ToTensor(p.W), nd.ToTensor(p.C)}
	// On the device now: the parts of a split Trajectory share them (see OnDevice).
	if err := OnDevice(r.backend, r.weights...); err != nil {
		r.err = fmt.Errorf("model.Runner: %w", err)
		return r.err
	}
	r.err = nil
	return nil
}

func (r *Runner) finalizeExecs() {
	for _, e := range []*graph.Exec{r.traj, r.step, r.nets} {
		if e != nil {
			e.Finalize()
		}
	}
	r.traj, r.step, r.nets = nil, nil, nil
}

func weightsOf(in []*graph.Node) Weights {
	return Weights{J: in[0], B: in[1], Bx: in[2], W: in[3], C: in[4]}
}

// call runs an exec, converting GoMLX panics into errors.
func call(e *graph.Exec, args []any) (out []*tensors.Tensor, err error) {
	return callOn(e, 0, args)
}

// callOn is call on device dev.
func callOn(e *graph.Exec, dev compute.DeviceNum, args []any) (out []*tensors.Tensor, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			out, err = nil, fmt.Errorf("%v", rec)
		}
	}()
	out, _, err = e.CallWithGraphOnDevice(dev, args...)
	return out, err
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
		useWhile := UsesWhileLoop(r.backend)
		e, err := graph.NewExec(r.backend, func(x []*graph.Node) []*graph.Node {
			u := x[5]
			x0 := graph.Zeros(u.Graph(), shapesMake(u, u.Shape().Dimensions[0], cfg.HiddenSize))
			out, hid, _ := trajectory(weightsOf(x), cfg, u, x0, useWhile)
			return []*graph.Node{out, hid}
		})
		if err != nil {
			return nil, nil, err
		}
		r.traj = e.SetMaxCache(64)
	}
	parts := RowParts(r.backend, in.Shape[0])
	if parts == 1 {
		return r.callPair(r.traj, "model.Trajectory", in)
	}
	// The rows are independent, so the results are those of one call up to the float32
	// rounding of the matmul's sums.
	outs := make([][2]*nd.Array, parts)
	if err := RunParts(in.Shape[0], parts, func(p int, rows []int) (err error) {
		outs[p][0], outs[p][1], err = r.callPair(r.traj, "model.Trajectory", in.Take(rows))
		return err
	}); err != nil {
		return nil, nil, err
	}
	batch := in.Shape[0]
	joined := [2]*nd.Array{}
	for k := range joined {
		size, inner := outs[0][k].Shape[0], nd.Size(outs[0][k].Shape[1:]...)
		a := nd.New(append([]int{batch}, outs[0][k].Shape[1:]...)...)
		for p := range parts {
			n := min(size, batch-p*size)
			copy(a.Data[p*size*inner:], outs[p][k].Data[:n*inner])
		}
		joined[k] = a
	}
	return joined[0], joined[1], nil
}

// RunParts calls fn(part, rows) for parts equal slices of the rows 0..n-1, all at once,
// the last padded with copies of row n-1 (so that one compiled shape serves every part),
// and returns their errors joined (see RowParts).
func RunParts(n, parts int, fn func(part int, rows []int) error) error {
	size := (n + parts - 1) / parts
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for p := range parts {
		rows := make([]int, size)
		for k := range rows {
			rows[k] = min(p*size+k, n-1)
		}
		wg.Go(func() { errs[p] = fn(p, rows) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// OnDevice puts host tensors on device 0 of b now (a no-op for those already there), so
// that concurrent calls may share them: GoMLX moves a host tensor to the device on its
// first use, unsynchronized with another call reading it (the race detector caught the
// two parts of a split batch doing so with the same weights).
func OnDevice(b compute.Backend, ts ...*tensors.Tensor) error {
	for _, t := range ts {
		if err := t.MaterializeOnDevice(b, true, 0); err != nil {
			return err
		}
	}
	return nil
}

// minPartRows is the fewest rows each part of a split batch holds (RowParts).
const minPartRows = 4

// RowParts is the number of concurrent calls a batch of rows is split into on backend b:
// 2 on the pure-Go backend from 2·minPartRows rows on, else 1. That backend runs one
// call's operations on one core (its matmul aside) and concurrent calls on different
// cores (measured on 2 cores: trajectory at batch 20 45 → 27 ms); XLA spreads one call
// over the cores itself. The count does not depend on the machine, so neither do the
// results (the float32 sums of a matmul depend on the rows per call).
func RowParts(b compute.Backend, rows int) int {
	if UsesWhileLoop(b) || rows < 2*minPartRows {
		return 1
	}
	return 2
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

// Networks are the weights of K networks of one configuration, host-side, for running many
// at once (the sweeps): any of J (K,N,N), B (K,N,in) and W (K,out,N) may carry the leading
// network axis K; the others, Bx (N) and C (out) are shared.
type Networks struct {
	J, B, Bx, W, C *nd.Array
}

// NetworksOf returns p's weights as Networks (one network; the arrays are not copied).
func NetworksOf(p *Params) *Networks {
	return &Networks{J: p.J, B: p.B, Bx: p.Bx, W: p.W, C: p.C}
}

// Count is K, the number of networks (1 when no weight has the network axis).
func (w *Networks) Count() int {
	for _, a := range []*nd.Array{w.J, w.B, w.W} {
		if a != nil && a.Rank() == 3 {
			return a.Shape[0]
		}
	}
	return 1
}

// check verifies the shapes against cfg.
func (w *Networks) check(cfg Config) error {
	k := w.Count()
	for i, p := range cfg.params() {
		a := []*nd.Array{w.J, w.B, w.Bx, w.W, w.C}[i]
		if a == nil {
			return fmt.Errorf("model.RunNetworks: weight %s is missing", p.Var)
		}
		ok := slices.Equal(a.Shape, p.Shape) || (p.PerNetwork && slices.Equal(a.Shape, append([]int{k}, p.Shape...)))
		if !ok || len(a.Data) != nd.Size(a.Shape...) {
			return fmt.Errorf("model.RunNetworks: weight %s has shape %v, want %v (or with a leading axis of %d networks)",
				p.Var, a.Shape, p.Shape, k)
		}
	}
	return nil
}

// RunNetworks runs every network of w (with the Runner's τ; the Runner's own weights are not
// used) over inputs (n,T,in), shared by all networks, or (K,n,T,in), one batch per network,
// from the zero state, and returns the outputs (K,n,T,out). It is compiled once per shape.
func (r *Runner) RunNetworks(w *Networks, inputs *nd.Array) (*nd.Array, error) {
	// busy (read) keeps the executable alive while it runs; mu only guards finding or
	// building it, so that calls run in parallel.
	r.busy.RLock()
	defer r.busy.RUnlock()
	e, err := r.networksExec(w, inputs)
	if err != nil {
		return nil, err
	}
	args := []*tensors.Tensor{nd.ToTensor(w.J), nd.ToTensor(w.B), nd.ToTensor(w.Bx), nd.ToTensor(w.W), nd.ToTensor(w.C), nd.ToTensor(inputs)}
	anyArgs := make([]any, len(args))
	for i, a := range args {
		anyArgs[i] = a
	}
	// Calls take the backend's devices in turn (XLA CPU exposes several; concurrent calls on
	// different ones run on different cores, on one they queue). The executable is portable.
	dev := compute.DeviceNum(0)
	if nd := r.backend.NumDevices(); nd > 1 {
		dev = compute.DeviceNum((r.calls.Add(1) - 1) % uint64(nd))
	}
	res, err := callOn(e, dev, anyArgs)
	for _, a := range args {
		_ = a.FinalizeAll()
	}
	if err != nil {
		return nil, fmt.Errorf("model.RunNetworks: %w", err)
	}
	defer func() { _ = res[0].FinalizeAll() }()
	return nd.FromTensor(res[0])
}

// networksExec checks RunNetworks' arguments and returns its executable, built on first use.
func (r *Runner) networksExec(w *Networks, inputs *nd.Array) (*graph.Exec, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return nil, r.err
	}
	cfg := r.params.Config
	if w == nil {
		return nil, fmt.Errorf("model.RunNetworks: nil networks")
	}
	if err := w.check(cfg); err != nil {
		return nil, err
	}
	k := w.Count()
	okShape := inputs != nil && (inputs.Rank() == 3 || (inputs.Rank() == 4 && (k == 1 || inputs.Shape[0] == k)))
	if !okShape || inputs.Shape[inputs.Rank()-1] != cfg.InputSize || len(inputs.Data) != nd.Size(inputs.Shape...) || len(inputs.Data) == 0 {
		var sh []int
		if inputs != nil {
			sh = inputs.Shape
		}
		return nil, fmt.Errorf("model.RunNetworks: inputs must be (batch, time, %d) or (%d, batch, time, %d), got shape %v",
			cfg.InputSize, k, cfg.InputSize, sh)
	}
	if r.nets == nil {
		useWhile := UsesWhileLoop(r.backend)
		e, err := graph.NewExec(r.backend, func(x []*graph.Node) *graph.Node {
			return networks(weightsOf(x), 1/cfg.TauOverDt, x[5], useWhile)
		})
		if err != nil {
			return nil, err
		}
		r.nets = e.SetMaxCache(64).WithName("model_networks")
	}
	return r.nets, nil
}

// Outputs runs the Runner's network on inputs (B,T,in) from the zero state and returns the
// outputs (B,T,out) (the sweeps' forward: each step's readout inside the loop).
func (r *Runner) Outputs(inputs *nd.Array) (*nd.Array, error) {
	if inputs == nil || inputs.Rank() != 3 {
		var sh []int
		if inputs != nil {
			sh = inputs.Shape
		}
		return nil, fmt.Errorf("model.Outputs: inputs must be (batch, time, features), got shape %v", sh)
	}
	var nets *Networks
	if p := r.Params(); p != nil {
		nets = NetworksOf(p)
	} // else RunNetworks reports the Runner's error
	out, err := r.RunNetworks(nets, inputs)
	if err != nil {
		return nil, err
	}
	return out.Reshape(out.Shape[1:]...)
}

// Loss is the tutorial's compute_loss with nn.MSELoss: the mean over time of the per-step
// mean squared error of the outputs on inputs (B,T,in) against targets (B,T,out).
func (r *Runner) Loss(inputs, targets *nd.Array) (float64, error) {
	if p := r.Params(); p != nil { // else Outputs reports the Runner's error
		if err := p.Config.CheckData(inputs, targets); err != nil {
			return 0, fmt.Errorf("model.Loss: %w", err)
		}
	}
	out, err := r.Outputs(inputs)
	if err != nil {
		return 0, err
	}
	if !slices.Equal(out.Shape, targets.Shape) {
		return 0, fmt.Errorf("model.Loss: targets have shape %v, the outputs %v", targets.Shape, out.Shape)
	}
	// The mean of the per-sequence MSEs (all have the same length): the MSE over all.
	n := targets.Shape[0]
	per := len(targets.Data) / n
	var m float64
	for i := range n {
		var s float64
		for j := i * per; j < (i+1)*per; j++ {
			d := float64(out.Data[j]) - float64(targets.Data[j])
			s += d * d
		}
		m += s / float64(per)
	}
	return m / float64(n), nil
}

// callPair runs e on the weights followed by extra and returns its two results,
// copied out of (and releasing) the result tensors; what prefixes a run error.
func (r *Runner) callPair(e *graph.Exec, what string, extra ...*nd.Array) (a, b *nd.Array, err error) {
	args := make([]any, 0, len(r.weights)+len(extra))
	for _, t := range r.weights {
		args = append(args, t)
	}
	for _, x := range extra {
		args = append(args, nd.ToTensor(x))
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
	if a, err = nd.FromTensor(res[0]); err != nil {
		return nil, nil, err
	}
	if b, err = nd.FromTensor(res[1]); err != nil {
		return nil, nil, err
	}
	return a, b, nil
}

// Close releases the compiled executables and device buffers.
func (r *Runner) Close() {
	r.busy.Lock()
	defer r.busy.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.finalizeExecs()
	for _, t := range r.weights {
		_ = t.FinalizeAll()
	}
	r.weights = nil
	r.err = fmt.Errorf("model.Runner: used after Close")
}
