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
// The loop is unrolled (GoMLX has no While with gradients). u·Bᵀ + bx for all steps is one
// DotGeneral before the loop (it avoids the pure-Go backend's worker-pool deadlock with 250
// concurrent matmuls, and is faster), 1/τ is folded into J once, and the readout is one
// DotGeneral after the loop. Every DotGeneral contracts axes in ascending order, the case
// GoMLX's DotGeneral gradient handles correctly; gradients are checked against finite
// differences in the tests.
func Unroll(w Weights, cfg Config, inputs, x0 *graph.Node) (outputs, hidden, rates *graph.Node) {
	if inputs.Rank() != 3 {
		panic(fmt.Errorf("model.Unroll: inputs must be (batch, time, input), got shape %s", inputs.Shape()))
	}
	batch, steps := inputs.Shape().Dimensions[0], inputs.Shape().Dimensions[1]
	n := w.J.Shape().Dimensions[0]
	if x0.Rank() != 2 || x0.Shape().Dimensions[0] != batch || x0.Shape().Dimensions[1] != n {
		panic(fmt.Errorf("model.Unroll: x0 must be (%d, %d), got shape %s", batch, n, x0.Shape()))
	}
	inv := 1 / cfg.TauOverDt
	decay := 1 - inv
	// drive[t] = (u_t·Bᵀ + bx)/τ, laid out (T,B,N) so each step takes a contiguous slice.
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
		rec := graph.DotGeneral(r, []int{1}, nil, js, []int{1}, nil) // (B,N)
		x = graph.Add(graph.Add(graph.MulScalar(x, decay), rec), d)
		r = rtanh(x)
		hs[t], rs[t] = x, r
	}
	hidden = graph.Stack(hs, 1)
	rates = graph.Stack(rs, 1)
	outputs = graph.DotGeneral(rates, []int{2}, nil, w.W, []int{1}, nil) // (B,T,out)
	outputs = graph.Add(outputs, graph.ExpandAxes(w.C, 0, 1))
	return
}

// paramShapes lists the five parameter shapes for dtype-generic executors.
func paramShapes(cfg Config) []shapes.Shape {
	n, in, out := cfg.HiddenSize, cfg.InputSize, cfg.OutputSize
	f := func(d ...int) shapes.Shape { return shapes.Make(dtypeF32, d...) }
	return []shapes.Shape{f(n, n), f(n, in), f(n), f(out, n), f(out)}
}
