package model

import (
	"github.com/neuromatch/nmatools/nmatools/nd"
	"math"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// TestCustomGradientMatchesAutodiff compares Unroll's hand-written BPTT with GoMLX's autodiff
// of the plain loop (unrollAutodiff) for losses that use different parts of the result,
// including the gradient w.r.t. x0 and two Gradient calls on one graph.
func TestCustomGradientMatchesAutodiff(t *testing.T) {
	b := testBackend(t)
	cfg := Config{InputSize: 4, HiddenSize: 9, OutputSize: 3, G: 3, H: 1, TauOverDt: 5}
	p := NewParams(cfg, 21)
	for i := range p.Bx.Data {
		p.Bx.Data[i] = float32(0.1 * math.Sin(float64(5*i)))
	}
	const batch, steps = 3, 17
	u := randInputs(8, batch, steps, cfg.InputSize)
	x0 := randInputs(9, batch, cfg.HiddenSize)
	type lossFn func(out, hid, rates *graph.Node) *graph.Node
	losses := map[string]lossFn{
		"outputs": func(o, h, r *graph.Node) *graph.Node { return graph.ReduceAllSum(graph.Square(o)) },
		"hidden":  func(o, h, r *graph.Node) *graph.Node { return graph.ReduceAllSum(graph.Mul(h, graph.Sin(h))) },
		"rates":   func(o, h, r *graph.Node) *graph.Node { return graph.ReduceAllMean(graph.Square(r)) },
		"early outputs": func(o, h, r *graph.Node) *graph.Node {
			return graph.ReduceAllSum(graph.Slice(o, graph.AxisRange(), graph.AxisRange(0, 4)))
		},
	}
	for name, lf := range losses {
		build := func(unroll func(Weights, Config, *graph.Node, *graph.Node) (*graph.Node, *graph.Node, *graph.Node)) []float64 {
			e, err := graph.NewExec(b, func(in []*graph.Node) []*graph.Node {
				o, h, r := unroll(weightsOf(in), cfg, in[5], in[6])
				loss := lf(o, h, r)
				grads := graph.Gradient(loss, in[0], in[1], in[2], in[3], in[4], in[6])
				// A second gradient pass on the same graph must not see the first one's state.
				grads2 := graph.Gradient(graph.MulScalar(loss, 2), in[0], in[6])
				return append(append([]*graph.Node{loss}, grads...), grads2...)
			})
			if err != nil {
				t.Fatal(err)
			}
			res, err := e.Call(nd.ToTensor(p.J), nd.ToTensor(p.B), nd.ToTensor(p.Bx), nd.ToTensor(p.W), nd.ToTensor(p.C), nd.ToTensor(u), nd.ToTensor(x0))
			if err != nil {
				t.Fatal(err)
			}
			var flat []float64
			for _, r := range res {
				for _, v := range tensors.MustCopyFlatData[float32](r) {
					flat = append(flat, float64(v))
				}
			}
			return flat
		}
		got, want := build(Unroll), build(unrollAutodiff)
		if len(got) != len(want) {
			t.Fatalf("%s: %d values vs %d", name, len(got), len(want))
		}
		maxErr, maxAbs := 0.0, 0.0
		for i := range got {
			maxErr = max(maxErr, math.Abs(got[i]-want[i]))
			maxAbs = max(maxAbs, math.Abs(want[i]))
		}
		if maxAbs == 0 || maxErr > 2e-5*max(1, maxAbs) {
			t.Errorf("loss on %s: custom BPTT vs autodiff max difference %g (max |value| %g)", name, maxErr, maxAbs)
		}
	}
}
