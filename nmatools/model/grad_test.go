package model

import (
	"math"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// trainLossGraph is a training-step-like loss: MSE over outputs + λ_w(ΣB² + ΣW²) + λ_r·mean(r²),
// the tutorial's regularized objective shape. in: J, B, bx, W, c, inputs, targets.
type unrollFn func(Weights, Config, *graph.Node, *graph.Node) (*graph.Node, *graph.Node, *graph.Node)

func trainLossGraph(cfg Config, in []*graph.Node, unroll unrollFn) (loss *graph.Node) {
	w := weightsOf(in)
	u, target := in[5], in[6]
	b := u.Shape().Dimensions[0]
	x0 := graph.Zeros(u.Graph(), shapesMake(u, b, cfg.HiddenSize))
	out, _, rates := unroll(w, cfg, u, x0)
	mse := graph.ReduceAllMean(graph.Square(graph.Sub(out, target)))
	l2 := graph.Add(graph.ReduceAllSum(graph.Square(w.B)), graph.ReduceAllSum(graph.Square(w.W)))
	rr := graph.ReduceAllMean(graph.Square(rates))
	return graph.Add(graph.Add(mse, graph.MulScalar(l2, 1e-3)), graph.MulScalar(rr, 0.1))
}

func newTrainStepExec(t testing.TB, b compute.Backend, cfg Config) *graph.Exec {
	return newTrainStepExecWith(t, b, cfg, Unroll)
}

func newTrainStepExecWith(t testing.TB, b compute.Backend, cfg Config, unroll unrollFn) *graph.Exec {
	e, err := graph.NewExec(b, func(in []*graph.Node) []*graph.Node {
		loss := trainLossGraph(cfg, in, unroll)
		grads := graph.Gradient(loss, in[:5]...)
		return append([]*graph.Node{loss}, grads...)
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// refLoss is the same objective on the float64 host reference.
func refLoss(m *refNet, u, target []float64, batch, steps int) float64 {
	out, _, r2 := m.trajectory(u, batch, steps)
	mse := 0.0
	for i := range out {
		d := out[i] - target[i]
		mse += d * d
	}
	mse /= float64(len(out))
	l2 := 0.0
	for _, v := range m.B {
		l2 += v * v
	}
	for _, v := range m.W {
		l2 += v * v
	}
	rr := r2 / float64(batch*steps*m.cfg.HiddenSize)
	return mse + 1e-3*l2 + 0.1*rr
}

// TestGradientFiniteDifferences compares the gradient of Unroll (float64, tiny net) with
// central finite differences of the independent host reference.
func TestGradientFiniteDifferences(t *testing.T) {
	b := testBackend(t)
	cfg := Config{InputSize: 3, HiddenSize: 6, OutputSize: 2, G: 2.5, H: 1, TauOverDt: 5}
	p := NewParams(cfg, 11)
	for i := range p.Bx.Data {
		p.Bx.Data[i] = float32(0.2*math.Cos(float64(3*i))) + 0.05
	}
	const batch, steps = 2, 15
	uf := randInputs(5, batch, steps, cfg.InputSize)
	tf := randInputs(6, batch, steps, cfg.OutputSize)
	f64 := func(a []float32) []float64 {
		o := make([]float64, len(a))
		for i, v := range a {
			o[i] = float64(v)
		}
		return o
	}
	ref := refFromParams(p)
	u, target := f64(uf.Data), f64(tf.Data)
	params := [][]float64{ref.J, ref.B, ref.Bx, ref.W, ref.C}
	dims := [][]int{p.J.Shape, p.B.Shape, p.Bx.Shape, p.W.Shape, p.C.Shape}
	e := newTrainStepExec(t, b, cfg)
	args := []any{}
	for i := range params {
		args = append(args, tensors.FromFlatDataAndDimensions(params[i], dims[i]...))
	}
	args = append(args, tensors.FromFlatDataAndDimensions(u, batch, steps, cfg.InputSize),
		tensors.FromFlatDataAndDimensions(target, batch, steps, cfg.OutputSize))
	res, err := e.Call(args...)
	if err != nil {
		t.Fatal(err)
	}
	loss := res[0].Value().(float64)
	if want := refLoss(ref, u, target, batch, steps); math.Abs(loss-want) > 1e-10*max(1, math.Abs(want)) {
		t.Fatalf("loss %v, reference %v", loss, want)
	}
	names := []string{"J", "B", "bx", "W", "c"}
	const eps = 1e-6
	for k, pk := range params {
		grad := tensors.MustCopyFlatData[float64](res[1+k])
		maxErr, maxG := 0.0, 0.0
		for i := range pk {
			old := pk[i]
			pk[i] = old + eps
			lp := refLoss(ref, u, target, batch, steps)
			pk[i] = old - eps
			lm := refLoss(ref, u, target, batch, steps)
			pk[i] = old
			fd := (lp - lm) / (2 * eps)
			maxErr = max(maxErr, math.Abs(fd-grad[i]))
			maxG = max(maxG, math.Abs(fd))
		}
		if maxG == 0 {
			t.Errorf("d loss/d %s is identically zero: the test would not catch anything", names[k])
		}
		if maxErr > 1e-6*max(1, maxG) {
			t.Errorf("d loss/d %s: max |autodiff − finite difference| = %g (max |grad| %g)", names[k], maxErr, maxG)
		}
	}
}
