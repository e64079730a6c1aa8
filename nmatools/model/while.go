package model

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
)

// supportsWhileLoop reports whether b can run the rolled (While) forward: XLA can, the
// pure-Go backend v0.1.2 lacks DynamicSlice/DynamicUpdateSlice.
func supportsWhileLoop(b compute.Backend) bool {
	ops := b.Capabilities().Operations
	// go-xla v0.4.1 implements While without listing OpTypeWhile in its capabilities.
	return b.Capabilities().Functions && ops[compute.OpTypeDynamicSlice] && ops[compute.OpTypeDynamicUpdateSlice]
}

// UnrollWhile computes Unroll's outputs and hidden with a While loop instead of T unrolled
// steps: the same arithmetic, but a graph of constant size, so XLA compiles it in about a
// second instead of minutes. No gradients (GoMLX has none for While): for inference only.
// It needs a backend with While, DynamicSlice and DynamicUpdateSlice (XLA).
func UnrollWhile(w Weights, cfg Config, inputs, x0 *graph.Node) (outputs, hidden *graph.Node) {
	g := inputs.Graph()
	batch, steps := inputs.Shape().Dimensions[0], inputs.Shape().Dimensions[1]
	n := w.J.Shape().Dimensions[0]
	dt := inputs.DType()
	inv := 1 / cfg.TauOverDt
	decay := 1 - inv
	jts := graph.MulScalar(graph.Transpose(w.J, 0, 1), inv)
	bts := graph.MulScalar(graph.Transpose(w.B, 0, 1), inv)
	uT := graph.TransposeAllAxes(inputs, 1, 0, 2)                    // (T,B,in)
	drive := graph.DotGeneral(uT, []int{2}, nil, bts, []int{0}, nil) // (T,B,N)
	drive = graph.Add(drive, graph.ExpandAxes(graph.MulScalar(w.Bx, inv), 0, 1))

	cond := graph.NewClosure(g, func(g *graph.Graph) []*graph.Node {
		t := graph.Parameter(g, "t", shapes.Make(dtypes.Int32))
		_ = graph.Parameter(g, "x", shapes.Make(dt, batch, n))
		_ = graph.Parameter(g, "h", shapes.Make(dt, steps, batch, n))
		return []*graph.Node{graph.LessThan(t, graph.Const(g, int32(steps)))}
	})
	body := graph.NewClosure(g, func(g *graph.Graph) []*graph.Node {
		// Constants are created here, not with graph.Scalar & co.: those are cached per graph
		// and a cached node from another function cannot be used inside the closure.
		t := graph.Parameter(g, "t", shapes.Make(dtypes.Int32))
		x := graph.Parameter(g, "x", shapes.Make(dt, batch, n))
		h := graph.Parameter(g, "h", shapes.Make(dt, steps, batch, n))
		zero := graph.Const(g, int32(0))
		fzero := graph.ConstAsDType(g, dt, 0)
		fdecay := graph.ConstAsDType(g, dt, decay)
		d := graph.Reshape(graph.DynamicSlice(drive, []*graph.Node{t, zero, zero}, []int{1, batch, n}), batch, n)
		r := graph.Tanh(graph.Max(fzero, x))
		rec := graph.DotGeneral(r, []int{1}, nil, jts, []int{0}, nil)
		xNew := graph.Add(graph.Add(graph.Mul(x, fdecay), rec), d)
		h = graph.DynamicUpdateSlice(h, graph.Reshape(xNew, 1, batch, n), []*graph.Node{t, zero, zero})
		return []*graph.Node{graph.Add(t, graph.Const(g, int32(1))), xNew, h}
	})
	res := graph.While(cond, body, graph.Const(g, int32(0)), x0, graph.Zeros(g, shapes.Make(dt, steps, batch, n)))
	hidden = graph.TransposeAllAxes(res[2], 1, 0, 2) // (B,T,N)
	rates := rtanh(hidden)
	outputs = graph.DotGeneral(rates, []int{2}, nil, graph.Transpose(w.W, 0, 1), []int{0}, nil)
	outputs = graph.Add(outputs, graph.ExpandAxes(w.C, 0, 1))
	return
}
