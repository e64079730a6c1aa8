package model

import (
	"fmt"
	"math"
	"slices"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	gmodel "github.com/gomlx/gomlx/ml/model"
)

// Scope is the store scope holding the variables J, B, bx, W and c.
const Scope = "ctrnn"

// Variable names inside Scope.
const (
	VarJ  = "J"
	VarB  = "B"
	VarBx = "bx"
	VarW  = "W"
	VarC  = "c"
)

// Weights are the parameters as graph nodes (same shapes as Params).
type Weights struct {
	J, B, Bx, W, C *graph.Node
}

// WeightsFromScope returns the nodes of the variables J, B, bx, W, c for graph g. The scope may
// be the one holding them (store.Scope("/ctrnn")) or its parent (e.g. the root scope an Exec
// passes). It panics (inside graph building, as GoMLX does) with a clear message when a
// variable is missing.
// (A GoMLX v0.28 Scope carries no graph, so g is an argument.)
//
// It marks g as a training graph, so that every variable it reads (the weights, and an
// optimizer's state) is a parameter of the compiled graph: a backend that prefers constants
// for variables (the pure-Go backend does) would otherwise bake their values at compile time
// into a graph outside training, and a compiled step or evaluation would go on reading the
// weights it was compiled with.
func WeightsFromScope(scope *gmodel.Scope, g *graph.Graph) Weights {
	store := scope.Store()
	store.SetTraining(g, true)
	base := scope.Scope()
	if store.GetVariable(gmodel.JoinPath(base, VarJ)) == nil {
		base = gmodel.JoinPath(base, Scope)
	}
	get := func(name string) *graph.Node {
		p := gmodel.JoinPath(base, name)
		v := store.GetVariable(p)
		if v == nil {
			panic(fmt.Errorf("model: variable %q not found in the store (want J, B, bx, W, c under %q; build the store with model.NewStore)", p, "/"+Scope))
		}
		return v.NodeValue(g)
	}
	return Weights{J: get(VarJ), B: get(VarB), Bx: get(VarBx), W: get(VarW), C: get(VarC)}
}

// rtanh is the tutorial's rectified_tanh: tanh(x) where x > 0, else 0. Written as
// tanh(max(0, x)) with the constant first, so the derivative at x = 0 is 0 as in PyTorch's
// torch.where (GoMLX's Max sends a tie's gradient to its first operand).
func rtanh(x *graph.Node) *graph.Node {
	return rtanhWith(x, graph.ScalarZero(x.Graph(), x.DType()))
}

// rtanhWith is rtanh with the zero constant given (inside time loops, see stepConsts).
func rtanhWith(x, zero *graph.Node) *graph.Node { return graph.Tanh(graph.Max(zero, x)) }

// RectifiedTanh is the network's nonlinearity in a graph (a step function's rates).
func RectifiedTanh(x *graph.Node) *graph.Node { return rtanh(x) }

// Rate is the same nonlinearity on one number on the host: the firing rate
// r = rectified_tanh(x), tanh(x) for x > 0, else 0, of a unit in hidden state x (figures
// of hidden units, the model–brain comparison). It is RectifiedTanh for values that are
// not in a graph.
func Rate(x float64) float64 {
	if x > 0 {
		return math.Tanh(x)
	}
	return 0
}

// stepConsts are the scalar constants of eulerStep: zero and 1/τ. A time loop creates them
// once and passes them in with its loop-invariant values (the pure-Go backend pays per
// graph node, and a While body can only use its own parameters and constants).
func stepConsts(g *graph.Graph, dt dtypes.DType, inv float64) []*graph.Node {
	return []*graph.Node{graph.ConstAsDType(g, dt, 0), graph.ConstAsDType(g, dt, inv)}
}

// eulerStep is THE Euler step of the network, the one every graph of this module uses:
//
//	x ← x + (−x + (r·Jᵀ + d))/τ,   r = r(x) (given),
//
// where d = B·u + bx is the step's input drive. It returns the new x and r(x). x and r are
// (B,N), or (K,n,N) for K networks or K groups of sequences; jt = Jᵀ is (N,N) shared or
// (K,N,N) one per network; d has x's shape or broadcasts to it (a leading 1). consts are
// stepConsts. Every node is built from the arguments, so the step can build a While body.
func eulerStep(x, r, d, jt *graph.Node, consts []*graph.Node) (xNew, rNew *graph.Node) {
	var rec *graph.Node
	switch {
	case jt.Rank() == 3: // one J per network: a batched matmul
		rec = graph.DotGeneral(r, []int{2}, []int{0}, jt, []int{1}, []int{0})
	case x.Rank() == 2: // [B,N]×[N,N]: the layout of the pure-Go backend's fast kernel
		rec = graph.DotGeneral(r, []int{1}, nil, jt, []int{0}, nil)
	default: // (K,n,N) with one shared J: one [K·n,N]×[N,N] product
		dims := x.Shape().Dimensions
		rec = graph.Reshape(graph.DotGeneral(graph.Reshape(r, dims[0]*dims[1], dims[2]), []int{1}, nil, jt, []int{0}, nil), dims...)
	}
	if !d.Shape().Equal(x.Shape()) {
		d = broadcastLeading(d, x.Shape().Dimensions)
	}
	total := graph.Add(rec, d)
	xNew = graph.Add(x, graph.Mul(graph.Sub(total, x), consts[1]))
	return xNew, rtanhWith(xNew, consts[0])
}

// broadcastLeading broadcasts d (1,…) to dims (K,…) by concatenating K copies: block
// copies, where the pure-Go backend's broadcast goes element by element through an index
// iterator (12% of a weight sweep). Other broadcasts go to BroadcastToDims.
func broadcastLeading(d *graph.Node, dims []int) *graph.Node {
	dd := d.Shape().Dimensions
	if len(dd) != len(dims) || dd[0] != 1 || !slices.Equal(dd[1:], dims[1:]) {
		return graph.BroadcastToDims(d, dims...)
	}
	return graph.Concatenate(slices.Repeat([]*graph.Node{d}, dims[0]), 0)
}

// readout is the output z = W·r + c for rates r (B,N) or (K,n,N), W (O,N) or (K,O,N), c (O).
// Like eulerStep it can build a While body.
func readout(r, w, c *graph.Node) *graph.Node {
	var o *graph.Node
	switch {
	case w.Rank() == 3:
		o = graph.DotGeneral(r, []int{2}, []int{0}, w, []int{2}, []int{0})
	case r.Rank() == 2:
		o = graph.DotGeneral(r, []int{1}, nil, w, []int{1}, nil)
	default:
		dims := r.Shape().Dimensions
		o = graph.Reshape(graph.DotGeneral(graph.Reshape(r, dims[0]*dims[1], dims[2]), []int{1}, nil, w, []int{1}, nil),
			dims[0], dims[1], w.Shape().Dimensions[0])
	}
	for o.Rank() > c.Rank() {
		c = graph.ExpandAxes(c, 0)
	}
	return graph.Add(o, c)
}

// StepGraph is one Euler step of the tutorial's forward (Exercise 2.1), batched:
// u (B,in), x (B,N) → out (B,out) = W·r(xNew) + c, xNew (B,N) = x + (1/τ)(−x + J·r(x) + B·u + bx),
// r2 = Σ r(xNew)² over batch and neurons (the RegularizedRNN's firing_rate_reg; computed for both
// configurations).
func StepGraph(w Weights, cfg Config, u, x *graph.Node) (out, xNew, r2 *graph.Node) {
	d := graph.Add(graph.DotGeneral(u, []int{1}, nil, w.B, []int{1}, nil), graph.ExpandAxes(w.Bx, 0)) // (B,N): u·Bᵀ + bx
	xNew, r := eulerStep(x, rtanh(x), d, graph.Transpose(w.J, 0, 1), stepConsts(x.Graph(), x.DType(), 1/cfg.TauOverDt))
	out = readout(r, w.W, w.C)
	r2 = graph.ReduceAllSum(graph.Square(r))
	return
}

// transposeJ returns Jᵀ for J (N,N) or (K,N,N): every step's product then has the
// [B,K]×[K,M] layout the pure-Go backend's kernels run fastest.
func transposeJ(j *graph.Node) *graph.Node {
	if j.Rank() == 3 {
		return graph.TransposeAllAxes(j, 0, 2, 1)
	}
	return graph.Transpose(j, 0, 1)
}

// inputDrive is the input drive u·Bᵀ + bx of every step for inputs u (…,F), B (N,F), bx (N):
// (…,N), as ONE matmul of [u, 1] with [B, bx] (the pure-Go backend adds a broadcast bx
// element by element through a slow index iterator: 15% of a sweep). The bias is the last
// term of each dot product, so the values are those of adding it after the product.
func inputDrive(u, b, bx *graph.Node) *graph.Node {
	return graph.DotGeneral(withOnes(u), []int{u.Rank() - 1}, nil, biasColumn(b, bx), []int{1}, nil)
}

// withOnes appends a column of ones to the last axis of u: [u, 1].
func withOnes(u *graph.Node) *graph.Node {
	dims := append([]int(nil), u.Shape().Dimensions...)
	dims[len(dims)-1] = 1
	return graph.Concatenate([]*graph.Node{u, graph.Ones(u.Graph(), shapes.Make(u.DType(), dims...))}, -1)
}

// biasColumn is [B, bx] (N,F+1), the matrix inputDrive multiplies [u, 1] by.
func biasColumn(b, bx *graph.Node) *graph.Node {
	return graph.Concatenate([]*graph.Node{b, graph.ExpandAxes(bx, -1)}, 1)
}

// states runs the recurrence of one network (J (N,N), B (N,in), bx (N)) over inputs
// (B,T,in) from x0 (B,N) and returns the states x_1..x_T and rates r(x_1)..r(x_T), stacked
// along axis (0: time-first (T,B,N); 1: (B,T,N)). The input drive u·Bᵀ + bx of all steps is
// one DotGeneral before the loop (it also avoids the pure-Go backend's worker-pool deadlock
// with 250 concurrent matmuls).
func states(j, b, bx, inputs, x0 *graph.Node, inv float64, useWhile bool, axis int) (hidden, rates *graph.Node) {
	drive := inputDrive(graph.TransposeAllAxes(inputs, 1, 0, 2), b, bx) // (T,B,N)
	steps := inputs.Shape().Dimensions[1]
	consts := append([]*graph.Node{transposeJ(j)}, stepConsts(x0.Graph(), x0.DType(), inv)...)
	_, ys := scan(useWhile, steps, false, 0, axis, []*graph.Node{drive}, []*graph.Node{x0, rtanh(x0)}, consts,
		[]shapes.Shape{x0.Shape(), x0.Shape()}, func(xs, carry, consts []*graph.Node) (next, ys []*graph.Node) {
			x, r := eulerStep(carry[0], carry[1], xs[0], consts[0], consts[1:])
			return []*graph.Node{x, r}, []*graph.Node{x, r}
		})
	return ys[0], ys[1]
}

// NetworksGraph runs K networks over their inputs from x = 0 and returns the outputs
// (K,n,T,O), computing each step's readout inside the loop (the sweeps' batches are large:
// no (T,K,n,N) state history is kept; except with one W per network, read out after it). Any of J (K,N,N), B (K,N,F) and W (K,O,N) may carry
// the network axis; the others, bx (N) and c (O) are shared. inputs are (n,T,F), shared by
// every network, or (K,n,T,F); with no network axis anywhere K is 1. The loop form (unrolled
// or While) and the padding of the hidden size follow the backend (UsesWhileLoop).
func NetworksGraph(w Weights, tauOverDt float64, inputs *graph.Node) *graph.Node {
	return networks(w, 1/tauOverDt, inputs, UsesWhileLoop(inputs.Graph().Backend()))
}

func networks(w Weights, inv float64, u *graph.Node, useWhile bool) *graph.Node {
	k := 1
	for _, a := range []*graph.Node{w.J, w.B, w.W} {
		if a.Rank() == 3 {
			k = a.Shape().Dimensions[0]
		}
	}
	if u.Rank() == 4 && k == 1 {
		k = u.Shape().Dimensions[0]
	}
	n, steps := u.Shape().Dimensions[u.Rank()-3], u.Shape().Dimensions[u.Rank()-2]
	if np := paddedHidden(useWhile, w.J.Shape().Dimensions[w.J.Rank()-1]); np != w.J.Shape().Dimensions[w.J.Rank()-1] {
		w = padWeights(w, np)
	}
	uK := u.Rank() == 4
	if w.B.Rank() == 3 && !uK {
		d := u.Shape().Dimensions
		u = graph.BroadcastToDims(graph.ExpandAxes(u, 0), k, d[0], d[1], d[2])
		uK = true
	}
	// The input drive B·u + bx. Time first, so that each step's slice is contiguous. Shared
	// inputs: computed for all steps before the loop, once for all K networks: (T,1,n,N), or
	// (T,K,n,N) with one B per network. Each sequence with its own inputs and one B (the input
	// sweep): the loop slices the inputs with a column of ones, (T,K,n,F+1), and each step
	// multiplies its slice by [B, bx]ᵀ; the (T,K,n,N) drive is never made (114 MB for a chunk
	// of 760 sequences) and a step copies F+1 values a sequence instead of N (the pure-Go
	// backend's Slice copies element by element).
	var seq *graph.Node
	var bt *graph.Node // [B, bx]ᵀ (F+1,N) when the drive is made in the loop
	switch {
	case w.B.Rank() == 3:
		drive := graph.DotGeneral(u, []int{3}, []int{0}, w.B, []int{2}, []int{0}) // (K,n,T,N)
		drive = graph.Add(drive, graph.ExpandAxes(w.Bx, 0, 1, 2))
		seq = graph.TransposeAllAxes(drive, 2, 0, 1, 3)
	case uK:
		seq = withOnes(graph.TransposeAllAxes(u, 2, 0, 1, 3))
		bt = graph.Transpose(biasColumn(w.B, w.Bx), 0, 1)
	default:
		seq = graph.ExpandAxes(inputDrive(graph.TransposeAllAxes(u, 1, 0, 2), w.B, w.Bx), 1)
	}
	nh := w.J.Shape().Dimensions[w.J.Rank()-1]
	o := w.W.Shape().Dimensions[w.W.Rank()-2]
	x0 := graph.Zeros(u.Graph(), shapes.Make(u.DType(), k, n, nh))
	consts := append([]*graph.Node{transposeJ(w.J)}, stepConsts(u.Graph(), u.DType(), inv)...)
	carry := []*graph.Node{x0, rtanh(x0)}
	if bt != nil {
		consts = append(consts, bt)
	}
	// step is one Euler step on the step's slice of seq (consts: Jᵀ, the step constants,
	// then [B, bx]ᵀ when the drive is made here).
	step := func(xt *graph.Node, carry, consts []*graph.Node) (x, r *graph.Node) {
		d := xt
		if bt != nil {
			dims := xt.Shape().Dimensions // (K,n,F+1)
			d = graph.Reshape(graph.DotGeneral(graph.Reshape(xt, dims[0]*dims[1], dims[2]), []int{1}, nil, consts[3], []int{0}, nil),
				dims[0], dims[1], nh)
		}
		return eulerStep(carry[0], carry[1], d, consts[0], consts[1:3])
	}
	if w.W.Rank() == 3 {
		// One W per network: keep the rates and read them all out with one batched matmul
		// after the loop. (T independent per-step batched products deadlocked the pure-Go
		// backend's worker pool when it ran a call's operations on the pool.)
		_, ys := scan(useWhile, steps, false, 0, 0, []*graph.Node{seq}, carry, consts, []shapes.Shape{x0.Shape()},
			func(xs, carry, consts []*graph.Node) (next, ys []*graph.Node) {
				x, r := step(xs[0], carry, consts)
				return []*graph.Node{x, r}, []*graph.Node{r}
			})
		out := graph.DotGeneral(ys[0], []int{3}, []int{1}, w.W, []int{2}, []int{0}) // (K,T,n,O)
		out = graph.Add(out, graph.ExpandAxes(w.C, 0, 1, 2))
		return graph.TransposeAllAxes(out, 0, 2, 1, 3) // (K, n, T, O)
	}
	nc := len(consts)
	consts = append(consts, w.W, w.C)
	_, ys := scan(useWhile, steps, false, 0, 0, []*graph.Node{seq}, carry, consts, []shapes.Shape{shapes.Make(u.DType(), k, n, o)},
		func(xs, carry, consts []*graph.Node) (next, ys []*graph.Node) {
			x, r := step(xs[0], carry, consts)
			return []*graph.Node{x, r}, []*graph.Node{readout(r, consts[nc], consts[nc+1])}
		})
	return graph.TransposeAllAxes(ys[0], 1, 2, 0, 3) // (K, n, T, O)
}

// Unroll runs the recurrence over all T steps of inputs (B,T,in) from x0 (B,N) and returns
// outputs (B,T,out), hidden (B,T,N) (the pre-nonlinearity x after each step, as
// generate_trajectory stacks it) and rates (B,T,N) = r(hidden).
//
// The forward is the package's one loop (unrolled on the pure-Go backend, a While loop on
// XLA; see UsesWhileLoop) over eulerStep. GoMLX cannot differentiate a While, and its
// generic autodiff of the unrolled loop costs O(T²) (each per-step slice of the hoisted
// drive gets a full-size padded gradient, summed 250 times), 250 separate J gradients and a
// slow matmul layout. Unroll therefore defines its own gradient through
// graph.IdentityWithCustomGradient (see bptt below): backpropagation through time, itself a
// reverse loop of the same form, with the gradients of J, B, bx and of the readout's W and c
// each ONE matmul (or sum) over all steps. Gradients w.r.t. J, B, bx, W, c and x0 are exact; inputs get no gradient. They are
// checked against finite differences and GoMLX's own autodiff in the tests.
func Unroll(w Weights, cfg Config, inputs, x0 *graph.Node) (outputs, hidden, rates *graph.Node) {
	if inputs.Rank() != 3 {
		panic(fmt.Errorf("model.Unroll: inputs must be (batch, time, input), got shape %s", inputs.Shape()))
	}
	batch, steps := inputs.Shape().Dimensions[0], inputs.Shape().Dimensions[1]
	n := w.J.Shape().Dimensions[0]
	if x0.Rank() != 2 || x0.Shape().Dimensions[0] != batch || x0.Shape().Dimensions[1] != n {
		panic(fmt.Errorf("model.Unroll: x0 must be (%d, %d), got shape %s", batch, n, x0.Shape()))
	}
	if steps == 0 {
		panic(fmt.Errorf("model.Unroll: inputs have no time steps"))
	}
	useWhile := UsesWhileLoop(inputs.Graph().Backend())
	nReal := n
	if np := paddedHidden(useWhile, n); np != n {
		w = padWeights(w, np)
		x0 = padAxis(x0, 1, np)
		n = np
	}
	inv := 1 / cfg.TauOverDt
	sg := graph.StopGradient

	// The custom-gradient carriers pass their values through and receive the BPTT gradients.
	bp := &bptt{steps: steps, batch: batch, n: n, inv: inv, useWhile: useWhile}
	jC := graph.IdentityWithCustomGradient(w.J, bp.grad(0))
	bC := graph.IdentityWithCustomGradient(w.B, bp.grad(1))
	bxC := graph.IdentityWithCustomGradient(w.Bx, bp.grad(2))
	x0C := graph.IdentityWithCustomGradient(x0, bp.grad(3))
	wC := graph.IdentityWithCustomGradient(w.W, bp.grad(4))
	cC := graph.IdentityWithCustomGradient(w.C, bp.grad(5))
	bp.js = sg(graph.MulScalar(w.J, inv)) // J/τ (N_out, N_in), for the backward
	bp.w = sg(wC)
	bp.u = sg(inputs)
	bp.x0 = sg(x0C)

	// Forward on gradient-stopped values.
	hiddenV, ratesV := states(sg(jC), sg(bC), sg(bxC), sg(inputs), bp.x0, inv, useWhile, 1) // (B,T,N)
	outputsV := trajectoryReadout(ratesV, bp.w, sg(cC))
	bp.h, bp.r = hiddenV, ratesV

	// hook = 0 in value; its gradient path reaches the carriers, whose custom gradients run
	// after the recorders below (GoMLX back-propagates in reverse creation order). The
	// forward values enter gradient-stopped, so GoMLX builds no autodiff of the loop (nor of
	// the readout: its gradient is part of the BPTT, without the layout transposes GoMLX's
	// DotGeneral gradient costs the pure-Go backend).
	zero := func(c *graph.Node) *graph.Node { return graph.ReduceAllSum(graph.Sub(c, sg(c))) }
	hook := graph.Add(graph.Add(graph.Add(zero(jC), zero(bC)), graph.Add(zero(bxC), zero(x0C))), graph.Add(zero(wC), zero(cC)))
	hidden = graph.IdentityWithCustomGradient(graph.Add(sg(hiddenV), hook), bp.record(0))
	rates = graph.IdentityWithCustomGradient(graph.Add(sg(ratesV), hook), bp.record(1))
	outputs = graph.IdentityWithCustomGradient(graph.Add(sg(outputsV), hook), bp.record(2))
	return unpadHidden(outputs, hidden, rates, nReal)
}

// trajectoryReadout is the output W·r + c of all steps, rates (B,T,N): one matmul.
func trajectoryReadout(rates, w, c *graph.Node) *graph.Node {
	out := graph.DotGeneral(rates, []int{2}, nil, graph.Transpose(w, 0, 1), []int{0}, nil) // (B,T,out)
	return graph.Add(out, graph.ExpandAxes(c, 0, 1))
}

func unpadHidden(outputs, hidden, rates *graph.Node, n int) (o, h, r *graph.Node) {
	if hidden.Shape().Dimensions[2] == n {
		return outputs, hidden, rates
	}
	cut := func(v *graph.Node) *graph.Node { return graph.SliceAxis(v, 2, graph.AxisRange(0, n)) }
	return outputs, cut(hidden), cut(rates)
}

// trajectory is the inference forward (no gradient plumbing): Unroll's results for one
// network, from x0 (B,N).
func trajectory(w Weights, cfg Config, inputs, x0 *graph.Node, useWhile bool) (outputs, hidden, rates *graph.Node) {
	n := w.J.Shape().Dimensions[0]
	if np := paddedHidden(useWhile, n); np != n {
		w = padWeights(w, np)
		x0 = padAxis(x0, 1, np)
	}
	hidden, rates = states(w.J, w.B, w.Bx, inputs, x0, 1/cfg.TauOverDt, useWhile, 1)
	return unpadHidden(trajectoryReadout(rates, w.W, w.C), hidden, rates, n)
}

// bptt holds one Unroll's forward nodes and computes its backward pass on demand.
type bptt struct {
	steps, batch, n int
	inv             float64
	useWhile        bool
	js, w, u, x0    *graph.Node    // J/τ (N_out,N_in); W (O,N); inputs (B,T,in); x_0 (B,N)
	h, r            *graph.Node    // x_1..x_T and r(x_1)..r(x_T) (B,T,N)
	v               [3]*graph.Node // incoming gradients of hidden, rates (B,T,N) and outputs (B,T,O), nil = none
	res             []*graph.Node  // gradients for the carriers J, B, bx, x0, W, c
}

// record returns the custom gradient of hidden (k=0), rates (k=1) or outputs (k=2): it keeps v for the
// backward pass and passes it on unchanged (the hook's share goes to the carriers).
func (b *bptt) record(k int) func(x, v *graph.Node) *graph.Node {
	return func(_, v *graph.Node) *graph.Node {
		b.v[k] = v
		b.res = nil // a new gradient pass
		return v
	}
}

// grad returns the custom gradient of carrier k; the first carrier reached runs the BPTT.
func (b *bptt) grad(k int) func(x, v *graph.Node) *graph.Node {
	return func(_, _ *graph.Node) *graph.Node {
		if b.res == nil {
			b.res = b.backward()
			b.v = [3]*graph.Node{}
		}
		return b.res[k]
	}
}

// drtanh is r'(x) = (1 − r²)·[x > 0] for r = rtanh(x).
func drtanh(x, r *graph.Node) *graph.Node {
	mask := graph.ConvertDType(graph.GreaterThan(x, graph.ScalarZero(x.Graph(), x.DType())), x.DType())
	return graph.Mul(graph.OneMinus(graph.Square(r)), mask)
}

// backward builds BPTT: a_t = dL/dx_t (total) for t = T..1, a reverse loop
//
//	a_t = E_t + D_t⊙(a_{t+1}·J/τ) + (1−1/τ)·a_{t+1},  E_t = vh_t + D_t⊙(vr_t + vo_t·W),  D_t = r'(x_t),
//
// then dL/dJ = Σ_t a_tᵀ r_{t-1} /τ, dL/dB = Σ_t a_tᵀ u_t /τ, dL/dbx = Σ_t a_t /τ,
// dL/dx0 = (1−1/τ)·a_1 + r'(x_0)⊙(a_1·J/τ), dL/dW = Σ_t vo_tᵀ r_t, dL/dc = Σ_t vo_t.
// The sums over all (batch, step) rows are single matmuls whose left operand is transposed
// once, explicitly: the right operands are then in the pure-Go backend's [K,N] layout and
// need no transposed copy.
func (b *bptt) backward() []*graph.Node {
	g := b.h.Graph()
	dt := b.h.DType()
	decay := 1 - b.inv
	r0 := rtanh(b.x0)
	d := drtanh(b.h, b.r) // r'(x_1..x_T) (B,T,N)
	var e, vr *graph.Node
	rows := b.batch * b.steps
	var vo *graph.Node // (B·T, O)
	if b.v[2] != nil {
		vo = graph.Reshape(b.v[2], rows, b.w.Shape().Dimensions[0])
		vr = graph.Reshape(graph.DotGeneral(vo, []int{1}, nil, b.w, []int{0}, nil), b.batch, b.steps, b.n) // vo·W
	}
	if b.v[1] != nil {
		vr = addOrSet(vr, b.v[1])
	}
	if vr != nil {
		e = graph.Mul(d, vr)
	}
	if b.v[0] != nil {
		e = addOrSet(e, b.v[0])
	}
	if e == nil {
		e = graph.Zeros(g, shapes.Make(dt, b.batch, b.steps, b.n))
	}
	aZero := graph.Zeros(g, shapes.Make(dt, b.batch, b.n))
	consts := []*graph.Node{b.js, graph.ConstAsDType(g, dt, decay)}
	_, as := scan(b.useWhile, b.steps, true, 1, 1, []*graph.Node{e, d}, []*graph.Node{aZero}, consts,
		[]shapes.Shape{aZero.Shape()}, func(xs, carry, consts []*graph.Node) (next, ys []*graph.Node) {
			aNext := carry[0]
			back := graph.DotGeneral(aNext, []int{1}, nil, consts[0], []int{0}, nil) // a_{t+1}·J/τ
			a := graph.Add(graph.Add(xs[0], graph.Mul(xs[1], back)), graph.Mul(aNext, consts[1]))
			return []*graph.Node{a}, []*graph.Node{a}
		})
	// All (batch, step) pairs as rows, in the same order for a, r_{t-1}, r_t, u_t and vo_t.
	aS := graph.MulScalar(graph.Reshape(as[0], rows, b.n), b.inv) // a_1..a_T / τ
	aT := graph.Transpose(aS, 0, 1)                               // (N, B·T)
	rPrev := graph.Concatenate([]*graph.Node{graph.ExpandAxes(r0, 1),
		graph.Slice(b.r, graph.AxisRange(), graph.AxisRange(0, b.steps-1))}, 1)
	rPrev = graph.Reshape(rPrev, rows, b.n)
	u := graph.Reshape(b.u, rows, b.u.Shape().Dimensions[2])
	dJ := graph.DotGeneral(aT, []int{1}, nil, rPrev, []int{0}, nil) // (N_out, N_in)
	dB := graph.DotGeneral(aT, []int{1}, nil, u, []int{0}, nil)     // (N, in)
	dBx := graph.ReduceSum(aS, 0)
	var dW, dC *graph.Node
	if vo != nil {
		dW = graph.DotGeneral(graph.Transpose(vo, 0, 1), []int{1}, nil, graph.Reshape(b.r, rows, b.n), []int{0}, nil) // (O, N)
		dC = graph.ReduceSum(vo, 0)
	} else {
		dW, dC = graph.ZerosLike(b.w), graph.Zeros(g, shapes.Make(dt, b.w.Shape().Dimensions[0]))
	}
	a1 := graph.Reshape(graph.Slice(as[0], graph.AxisRange(), graph.AxisRange(0, 1)), b.batch, b.n)
	next := graph.DotGeneral(a1, []int{1}, nil, b.js, []int{0}, nil)
	dx0 := graph.Add(graph.MulScalar(a1, decay), graph.Mul(drtanh(b.x0, r0), next))
	return []*graph.Node{dJ, dB, dBx, dx0, dW, dC}
}

func addOrSet(a, b *graph.Node) *graph.Node {
	if a == nil {
		return b
	}
	return graph.Add(a, b)
}

// unrollAutodiff is the same forward (the one loop, unrolled) differentiated by GoMLX's own
// autodiff: the reference the custom gradient of Unroll is tested against, and the
// benchmark baseline.
func unrollAutodiff(w Weights, cfg Config, inputs, x0 *graph.Node) (outputs, hidden, rates *graph.Node) {
	return trajectory(w, cfg, inputs, x0, false)
}
