package model

import (
	"github.com/gomlx/compute"
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
	inv := 1 / cfg.TauOverDt
	decay := 1 - inv
	jts := graph.MulScalar(graph.Transpose(w.J, 0, 1), inv)
	bts := graph.MulScalar(graph.Transpose(w.B, 0, 1), inv)
	uT := graph.TransposeAllAxes(inputs, 1, 0, 2)                    // (T,B,in)
	drive := graph.DotGeneral(uT, []int{2}, nil, bts, []int{0}, nil) // (T,B,N)
	drive = graph.Add(drive, graph.ExpandAxes(graph.MulScalar(w.Bx, inv), 0, 1))
	hidden = graph.TransposeAllAxes(whileForward(drive, jts, x0, decay), 1, 0, 2) // (B,T,N)
	rates := rtanh(hidden)
	outputs = graph.DotGeneral(rates, []int{2}, nil, graph.Transpose(w.W, 0, 1), []int{0}, nil)
	outputs = graph.Add(outputs, graph.ExpandAxes(w.C, 0, 1))
	return
}
