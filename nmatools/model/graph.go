package model

import (
	"fmt"

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
//
// Deviation from CONTRACTS.md: a GoMLX v0.28 Scope carries no graph, so g is an argument.
func WeightsFromScope(scope *gmodel.Scope, g *graph.Graph) Weights {
	store := scope.Store()
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
	return graph.Tanh(graph.Max(graph.ScalarZero(x.Graph(), x.DType()), x))
}

// RectifiedTanh exposes the nonlinearity for other packages (plots of rates, sweeps).
func RectifiedTanh(x *graph.Node) *graph.Node { return rtanh(x) }

// StepGraph is one Euler step of the tutorial's forward (Exercise 2.1), batched:
// u (B,in), x (B,N) → out (B,out) = W·r(xNew) + c, xNew (B,N) = x + (1/τ)(−x + J·r(x) + B·u + bx),
// r2 = Σ r(xNew)² over batch and neurons (the RegularizedRNN's firing_rate_reg; computed for both
// configurations).
func StepGraph(w Weights, cfg Config, u, x *graph.Node) (out, xNew, r2 *graph.Node) {
	inv := 1 / cfg.TauOverDt
	rBefore := rtanh(x)
	rec := graph.DotGeneral(rBefore, []int{1}, nil, w.J, []int{1}, nil) // (B,N): r·Jᵀ
	inp := graph.DotGeneral(u, []int{1}, nil, w.B, []int{1}, nil)       // (B,N): u·Bᵀ
	total := graph.Add(graph.Add(rec, inp), graph.ExpandAxes(w.Bx, 0))
	xNew = graph.Add(x, graph.MulScalar(graph.Sub(total, x), inv))
	r := rtanh(xNew)
	out = graph.Add(graph.DotGeneral(r, []int{1}, nil, w.W, []int{1}, nil), graph.ExpandAxes(w.C, 0))
	r2 = graph.ReduceAllSum(graph.Square(r))
	return
}

// Unroll runs the recurrence over all T steps of inputs (B,T,in) from x0 (B,N) and returns
// outputs (B,T,out), hidden (B,T,N) (the pre-nonlinearity x after each step, as
// generate_trajectory stacks it) and rates (B,T,N) = r(hidden).
//
// The loop is unrolled (GoMLX has no While with gradients). Forward: u·Bᵀ + bx for all steps
// is one DotGeneral before the loop (it avoids the pure-Go backend's worker-pool deadlock
// with 250 concurrent matmuls), and every matmul is laid out [B,K]×[K,M], the layout of the
// pure-Go backend's fast kernel.
//
// Backward: GoMLX's generic autodiff of the unrolled loop costs O(T²) (each per-step slice of
// the hoisted drive gets a full-size padded gradient, summed 250 times), 250 separate J
// gradients, and a slow matmul layout. Unroll therefore defines its own gradient through
// graph.IdentityWithCustomGradient (see bptt below): backpropagation through time written
// out, with the gradients of J, B and bx each computed as ONE matmul over all steps.
// Gradients w.r.t. J, B, bx, W, c, x0 and inputs-independent terms are exact; inputs get no
// gradient. They are checked against finite differences and GoMLX's own autodiff in the tests.
func Unroll(w Weights, cfg Config, inputs, x0 *graph.Node) (outputs, hidden, rates *graph.Node) {
	return unroll(w, cfg, inputs, x0, true)
}

// unroll is Unroll; withGrad=false leaves out the gradient plumbing (for inference).
func unroll(w Weights, cfg Config, inputs, x0 *graph.Node, withGrad bool) (outputs, hidden, rates *graph.Node) {
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
	// Pure-Go backend: zero-pad the hidden size to a multiple of 16 (its small-matrix kernel
	// handles the columns beyond a multiple of 16 one at a time; 150 → 160 is much faster).
	// Exact: padded units get no drive, stay at x = 0, r = 0 (and r'(0) = 0), and W's padded
	// columns are zero; hidden and rates are sliced back to N below. Concatenate's VJP hands
	// the real parameters their slice of the padded gradients.
	nReal := n
	if !supportsWhileLoop(inputs.Graph().Backend()) {
		if np := (n + hiddenPadMultiple - 1) / hiddenPadMultiple * hiddenPadMultiple; np != n {
			w = Weights{
				J:  padAxis(padAxis(w.J, 0, np), 1, np),
				B:  padAxis(w.B, 0, np),
				Bx: padAxis(w.Bx, 0, np),
				W:  padAxis(w.W, 1, np),
				C:  w.C,
			}
			x0 = padAxis(x0, 1, np)
			n = np
		}
	}
	unpad := func(v *graph.Node) *graph.Node {
		if n == nReal {
			return v
		}
		return graph.SliceAxis(v, 2, graph.AxisRange(0, nReal))
	}

	inv := 1 / cfg.TauOverDt
	decay := 1 - inv
	sg := graph.StopGradient

	// Scaled parameters, laid out for [B,K]×[K,M] products. The custom-gradient carriers pass
	// their values through and receive the BPTT gradients.
	bp := &bptt{steps: steps, batch: batch, n: n, decay: decay}
	jts := graph.MulScalar(graph.Transpose(w.J, 0, 1), inv) // (N_in, N_out) = Jᵀ/τ
	bts := graph.MulScalar(graph.Transpose(w.B, 0, 1), inv) // (in, N) = Bᵀ/τ
	bxs := graph.MulScalar(w.Bx, inv)                       // (N)
	js := sg(graph.MulScalar(w.J, inv))                     // (N_out, N_in), for the backward
	jtsC := graph.IdentityWithCustomGradient(jts, bp.grad(0))
	btsC := graph.IdentityWithCustomGradient(bts, bp.grad(1))
	bxsC := graph.IdentityWithCustomGradient(bxs, bp.grad(2))
	x0C := graph.IdentityWithCustomGradient(x0, bp.grad(3))
	bp.js = js

	// Forward on gradient-stopped values.
	uT := graph.TransposeAllAxes(sg(inputs), 1, 0, 2) // (T,B,in)
	bp.u = uT
	drive := graph.DotGeneral(uT, []int{2}, nil, sg(btsC), []int{0}, nil) // (T,B,N)
	drive = graph.Add(drive, graph.ExpandAxes(sg(bxsC), 0, 1))
	jf := sg(jtsC)
	x := sg(x0C)
	r := rtanh(x)
	bp.x = []*graph.Node{x}
	bp.r = []*graph.Node{r}
	var hiddenV, ratesV *graph.Node
	if withGrad && supportsWhileLoop(inputs.Graph().Backend()) {
		bp.hT = whileForward(drive, jf, x, decay)        // (T,B,N)
		hiddenV = graph.TransposeAllAxes(bp.hT, 1, 0, 2) // (B,T,N)
		ratesV = rtanh(hiddenV)
	} else {
		bp.x = append(make([]*graph.Node, 0, steps+1), x)
		bp.r = append(make([]*graph.Node, 0, steps+1), r)
		for t := range steps {
			d := graph.Reshape(graph.Slice(drive, graph.AxisRange(t, t+1)), batch, n)
			rec := graph.DotGeneral(r, []int{1}, nil, jf, []int{0}, nil) // (B,N)
			x = graph.Add(graph.Add(graph.MulScalar(x, decay), rec), d)
			r = rtanh(x)
			bp.x, bp.r = append(bp.x, x), append(bp.r, r)
		}
		hiddenV = graph.Stack(bp.x[1:], 1) // (B,T,N)
		ratesV = graph.Stack(bp.r[1:], 1)
	}
	if !withGrad {
		outputs = graph.DotGeneral(ratesV, []int{2}, nil, graph.Transpose(w.W, 0, 1), []int{0}, nil)
		outputs = graph.Add(outputs, graph.ExpandAxes(w.C, 0, 1))
		hidden, rates = unpad(hiddenV), unpad(ratesV)
		return
	}

	// hook = 0 in value; its gradient path reaches the carriers, whose custom gradients run
	// after the recorders below (GoMLX back-propagates in reverse creation order).
	zero := func(c *graph.Node) *graph.Node { return graph.ReduceAllSum(graph.Sub(c, sg(c))) }
	hook := graph.Add(graph.Add(zero(jtsC), zero(btsC)), graph.Add(zero(bxsC), zero(x0C)))
	hidden = graph.IdentityWithCustomGradient(graph.Add(hiddenV, hook), bp.record(0))
	rates = graph.IdentityWithCustomGradient(graph.Add(ratesV, hook), bp.record(1))

	wt := graph.Transpose(w.W, 0, 1)                                    // (N,out)
	outputs = graph.DotGeneral(rates, []int{2}, nil, wt, []int{0}, nil) // (B,T,out)
	outputs = graph.Add(outputs, graph.ExpandAxes(w.C, 0, 1))
	hidden, rates = unpad(hidden), unpad(rates)
	return
}

// hiddenPadMultiple is the multiple the pure-Go backend's unrolled graph pads the hidden
// size to (1 turns padding off).
var hiddenPadMultiple = 16

// padAxis zero-pads x along axis to size (Concatenate, which has a VJP; Pad has none).
func padAxis(x *graph.Node, axis, size int) *graph.Node {
	dims := x.Shape().Dimensions
	if dims[axis] >= size {
		return x
	}
	zd := append([]int(nil), dims...)
	zd[axis] = size - dims[axis]
	zeros := graph.Zeros(x.Graph(), shapes.Make(x.DType(), zd...))
	return graph.Concatenate([]*graph.Node{x, zeros}, axis)
}

// bptt holds one Unroll's forward nodes and computes its backward pass on demand.
type bptt struct {
	steps, batch, n int
	decay           float64
	js, u           *graph.Node    // J/τ (N_out,N_in); inputs (T,B,in)
	x, r            []*graph.Node  // states x_0..x_T and rates r(x_t)
	v               [2]*graph.Node // incoming gradients of hidden and rates (B,T,N), nil = none
	res             []*graph.Node  // gradients for the carriers jts, bts, bxs, x0
	hT              *graph.Node    // While forward only: x_1..x_T as (T,B,N); then x has only x_0
}

// record returns the custom gradient of hidden (k=0) or rates (k=1): it keeps v for the
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
			if b.hT != nil {
				b.res = b.backwardWhile()
			} else {
				b.res = b.backward()
			}
			b.v = [2]*graph.Node{}
		}
		return b.res[k]
	}
}

// drtanh is r'(x) = (1 − r²)·[x > 0] for r = rtanh(x).
func drtanh(x, r *graph.Node) *graph.Node {
	mask := graph.ConvertDType(graph.GreaterThan(x, graph.ScalarZero(x.Graph(), x.DType())), x.DType())
	return graph.Mul(graph.OneMinus(graph.Square(r)), mask)
}

// backward builds BPTT: a_t = dL/dx_t (total) for t = T..1,
//
//	a_t = vh_t + r'(x_t)⊙(vr_t + a_{t+1}·J/τ) + (1−1/τ)·a_{t+1},
//
// then dL/d(Jᵀ/τ) = Σ_t r_{t-1}ᵀ a_t, dL/d(Bᵀ/τ) = Σ_t u_tᵀ a_t, dL/d(bx/τ) = Σ_t a_t,
// dL/dx0 = (1−1/τ)·a_1 + r'(x_0)⊙(a_1·J/τ).
func (b *bptt) backward() []*graph.Node {
	g := b.x[0].Graph()
	dt := b.x[0].DType()
	vAt := func(k, t int) *graph.Node {
		if b.v[k] == nil {
			return nil
		}
		return graph.Reshape(graph.Slice(b.v[k], graph.AxisRange(), graph.AxisRange(t, t+1)), b.batch, b.n)
	}
	as := make([]*graph.Node, b.steps) // as[t] = a_{t+1}
	var next *graph.Node               // a_{t+2}·J/τ
	var a *graph.Node
	for t := b.steps - 1; t >= 0; t-- {
		xt, rt := b.x[t+1], b.r[t+1]
		var viaR *graph.Node // gradient arriving at r(x_{t+1})
		if vr := vAt(1, t); vr != nil {
			viaR = vr
		}
		if next != nil {
			if viaR == nil {
				viaR = next
			} else {
				viaR = graph.Add(viaR, next)
			}
		}
		var cur *graph.Node
		if viaR != nil {
			cur = graph.Mul(drtanh(xt, rt), viaR)
		}
		if vh := vAt(0, t); vh != nil {
			cur = addOrSet(cur, vh)
		}
		if a != nil {
			cur = addOrSet(cur, graph.MulScalar(a, b.decay))
		}
		if cur == nil {
			cur = graph.Zeros(g, shapes.Make(dt, b.batch, b.n))
		}
		a = cur
		as[t] = a
		next = graph.DotGeneral(a, []int{1}, nil, b.js, []int{0}, nil) // a·J/τ: (B,N_in)
	}
	aAll := graph.Reshape(graph.Stack(as, 0), b.steps*b.batch, b.n)             // (T·B, N)
	rPrev := graph.Reshape(graph.Stack(b.r[:b.steps], 0), b.steps*b.batch, b.n) // r_0..r_{T-1}
	in := b.u.Shape().Dimensions[2]
	u := graph.Reshape(b.u, b.steps*b.batch, in)
	dJts := graph.DotGeneral(rPrev, []int{0}, nil, aAll, []int{0}, nil) // (N_in, N_out)
	dBts := graph.DotGeneral(u, []int{0}, nil, aAll, []int{0}, nil)     // (in, N)
	dBxs := graph.ReduceSum(aAll, 0)
	dx0 := graph.Add(graph.MulScalar(as[0], b.decay), graph.Mul(drtanh(b.x[0], b.r[0]), next))
	return []*graph.Node{dJts, dBts, dBxs, dx0}
}

func addOrSet(a, b *graph.Node) *graph.Node {
	if a == nil {
		return b
	}
	return graph.Add(a, b)
}

// unrollAutodiff is the plain unrolled loop differentiated by GoMLX's own autodiff: the
// reference the custom gradient of Unroll is tested against, and the benchmark baseline.
func unrollAutodiff(w Weights, cfg Config, inputs, x0 *graph.Node) (outputs, hidden, rates *graph.Node) {
	batch, steps := inputs.Shape().Dimensions[0], inputs.Shape().Dimensions[1]
	n := w.J.Shape().Dimensions[0]
	inv := 1 / cfg.TauOverDt
	drive := graph.DotGeneral(inputs, []int{2}, nil, w.B, []int{1}, nil) // (B,T,N)
	drive = graph.Add(drive, graph.ExpandAxes(w.Bx, 0, 1))
	drive = graph.MulScalar(graph.TransposeAllAxes(drive, 1, 0, 2), inv)
	js := graph.MulScalar(w.J, inv)
	x := x0
	r := rtanh(x)
	hs := make([]*graph.Node, steps)
	rs := make([]*graph.Node, steps)
	for t := range steps {
		d := graph.Reshape(graph.Slice(drive, graph.AxisRange(t, t+1)), batch, n)
		rec := graph.DotGeneral(r, []int{1}, nil, js, []int{1}, nil)
		x = graph.Add(graph.Add(graph.MulScalar(x, 1-inv), rec), d)
		r = rtanh(x)
		hs[t], rs[t] = x, r
	}
	hidden = graph.Stack(hs, 1)
	rates = graph.Stack(rs, 1)
	outputs = graph.DotGeneral(rates, []int{2}, nil, w.W, []int{1}, nil)
	outputs = graph.Add(outputs, graph.ExpandAxes(w.C, 0, 1))
	return
}

// paramShapes lists the five parameter shapes for dtype-generic executors.
func paramShapes(cfg Config) []shapes.Shape {
	n, in, out := cfg.HiddenSize, cfg.InputSize, cfg.OutputSize
	f := func(d ...int) shapes.Shape { return shapes.Make(dtypeF32, d...) }
	return []shapes.Shape{f(n, n), f(n, in), f(n), f(out, n), f(out)}
}
