package model

import (
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
)

// This file is Unroll for backends with While and dynamic slices (XLA): the forward and the
// hand-written backward are both While loops, so the graph has a constant size and XLA
// compiles it in seconds (the unrolled training step did not finish compiling in 9.5 min of
// XLA CPU time). GoMLX cannot differentiate a While, but it never has to: the forward runs on
// gradient-stopped values and the custom gradients of bptt supply every parameter gradient.

// whileForward runs the recurrence from x0 over drive (T,B,N) with jts (N_in,N_out) and
// returns the states x_1..x_T stacked as (T,B,N).
func whileForward(drive, jts, x0 *graph.Node, decay float64) *graph.Node {
	g := drive.Graph()
	dims := drive.Shape().Dimensions
	steps, batch, n := dims[0], dims[1], dims[2]
	dt := drive.DType()
	cond := graph.NewClosure(g, func(g *graph.Graph) []*graph.Node {
		t := graph.Parameter(g, "t", shapes.Make(dtypes.Int32))
		_ = graph.Parameter(g, "x", shapes.Make(dt, batch, n))
		_ = graph.Parameter(g, "h", shapes.Make(dt, steps, batch, n))
		return []*graph.Node{graph.LessThan(t, graph.Const(g, int32(steps)))}
	})
	body := graph.NewClosure(g, func(g *graph.Graph) []*graph.Node {
		// Constants are created here, not with graph.Scalar & co.: those are cached per graph
		// and a cached node of another function cannot be used inside the closure.
		t := graph.Parameter(g, "t", shapes.Make(dtypes.Int32))
		x := graph.Parameter(g, "x", shapes.Make(dt, batch, n))
		h := graph.Parameter(g, "h", shapes.Make(dt, steps, batch, n))
		zero := graph.Const(g, int32(0))
		d := graph.Reshape(graph.DynamicSlice(drive, []*graph.Node{t, zero, zero}, []int{1, batch, n}), batch, n)
		r := graph.Tanh(graph.Max(graph.ConstAsDType(g, dt, 0), x))
		rec := graph.DotGeneral(r, []int{1}, nil, jts, []int{0}, nil)
		xNew := graph.Add(graph.Add(graph.Mul(x, graph.ConstAsDType(g, dt, decay)), rec), d)
		h = graph.DynamicUpdateSlice(h, graph.Reshape(xNew, 1, batch, n), []*graph.Node{t, zero, zero})
		return []*graph.Node{graph.Add(t, graph.Const(g, int32(1))), xNew, h}
	})
	res := graph.While(cond, body, graph.Const(g, int32(0)), x0, graph.Zeros(g, shapes.Make(dt, steps, batch, n)))
	return res[2]
}

// whileBackward runs a_t = E_t + D_t⊙(a_{t+1}·J/τ) + decay·a_{t+1} for t = T..1 (a_{T+1} = 0)
// over E, D (T,B,N) and returns a_1..a_T stacked as (T,B,N).
func whileBackward(e, d, js *graph.Node, decay float64) *graph.Node {
	g := e.Graph()
	dims := e.Shape().Dimensions
	steps, batch, n := dims[0], dims[1], dims[2]
	dt := e.DType()
	cond := graph.NewClosure(g, func(g *graph.Graph) []*graph.Node {
		t := graph.Parameter(g, "t", shapes.Make(dtypes.Int32))
		_ = graph.Parameter(g, "a", shapes.Make(dt, batch, n))
		_ = graph.Parameter(g, "acc", shapes.Make(dt, steps, batch, n))
		return []*graph.Node{graph.GreaterOrEqual(t, graph.Const(g, int32(0)))}
	})
	body := graph.NewClosure(g, func(g *graph.Graph) []*graph.Node {
		t := graph.Parameter(g, "t", shapes.Make(dtypes.Int32))
		aNext := graph.Parameter(g, "a", shapes.Make(dt, batch, n))
		acc := graph.Parameter(g, "acc", shapes.Make(dt, steps, batch, n))
		zero := graph.Const(g, int32(0))
		idx := []*graph.Node{t, zero, zero}
		et := graph.Reshape(graph.DynamicSlice(e, idx, []int{1, batch, n}), batch, n)
		dtt := graph.Reshape(graph.DynamicSlice(d, idx, []int{1, batch, n}), batch, n)
		next := graph.DotGeneral(aNext, []int{1}, nil, js, []int{0}, nil)
		a := graph.Add(graph.Add(et, graph.Mul(dtt, next)), graph.Mul(aNext, graph.ConstAsDType(g, dt, decay)))
		acc = graph.DynamicUpdateSlice(acc, graph.Reshape(a, 1, batch, n), idx)
		return []*graph.Node{graph.Sub(t, graph.Const(g, int32(1))), a, acc}
	})
	res := graph.While(cond, body, graph.Const(g, int32(steps-1)), graph.Zeros(g, shapes.Make(dt, batch, n)),
		graph.Zeros(g, shapes.Make(dt, steps, batch, n)))
	return res[2]
}

// backwardWhile is bptt.backward for the While forward: b.hT holds x_1..x_T as (T,B,N).
func (b *bptt) backwardWhile() []*graph.Node {
	g := b.hT.Graph()
	dt := b.hT.DType()
	x0, r0 := b.x[0], b.r[0]
	rT := rtanh(b.hT)      // r_1..r_T (T,B,N)
	dT := drtanh(b.hT, rT) // r'(x_1..x_T)
	toT := func(v *graph.Node) *graph.Node { return graph.TransposeAllAxes(v, 1, 0, 2) }
	var e *graph.Node
	if b.v[1] != nil {
		e = graph.Mul(dT, toT(b.v[1]))
	}
	if b.v[0] != nil {
		e = addOrSet(e, toT(b.v[0]))
	}
	if e == nil {
		e = graph.Zeros(g, shapes.Make(dt, b.steps, b.batch, b.n))
	}
	aT := whileBackward(e, dT, b.js, b.decay) // a_1..a_T
	aAll := graph.Reshape(aT, b.steps*b.batch, b.n)
	rPrev := graph.Concatenate([]*graph.Node{graph.ExpandAxes(r0, 0),
		graph.Slice(rT, graph.AxisRange(0, b.steps-1))}, 0)
	rPrev = graph.Reshape(rPrev, b.steps*b.batch, b.n)
	in := b.u.Shape().Dimensions[2]
	u := graph.Reshape(b.u, b.steps*b.batch, in)
	dJts := graph.DotGeneral(rPrev, []int{0}, nil, aAll, []int{0}, nil)
	dBts := graph.DotGeneral(u, []int{0}, nil, aAll, []int{0}, nil)
	dBxs := graph.ReduceSum(aAll, 0)
	a1 := graph.Reshape(graph.Slice(aT, graph.AxisRange(0, 1)), b.batch, b.n)
	next := graph.DotGeneral(a1, []int{1}, nil, b.js, []int{0}, nil)
	dx0 := graph.Add(graph.MulScalar(a1, b.decay), graph.Mul(drtanh(x0, r0), next))
	return []*graph.Node{dJts, dBts, dBxs, dx0}
}
