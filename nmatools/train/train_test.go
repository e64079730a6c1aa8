package train

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/neuromatch/nmatools/nmatools/backend"
	"github.com/neuromatch/nmatools/nmatools/data"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

// testBackend is $GOMLX_BACKEND's backend if set (`make test-xla` sets it),
// else the pure-Go backend, on which the tests are deterministic.
func testBackend(t testing.TB) compute.Backend {
	t.Helper()
	config := os.Getenv(backend.EnvBackend)
	if config == "" {
		config = "go"
	}
	b, err := backend.New(config)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tinyDataset is a deterministic stand-in with the dataset's layout but T steps:
// 27 conditions, 8 delays, 16 inputs (a constant code plus a go bump), 2
// smooth outputs that depend on the code.
func tinyDataset(steps int) *data.Dataset {
	const conds, delays = 27, 8
	inD := nd.New(conds, delays, steps, 16)
	outD := nd.New(conds, delays, steps, 2)
	for c := range conds {
		for d := range delays {
			goAt := steps/2 + d - 4
			for t := range steps {
				for f := range 15 {
					inD.Set(float32(math.Sin(float64(c*15+f))), c, d, t, f)
				}
				if t == goAt {
					inD.Set(1, c, d, t, 15)
				}
				if t > goAt {
					s := float64(t-goAt) / float64(steps)
					outD.Set(float32(0.3*math.Sin(float64(c)/4)*math.Sin(6*s)), c, d, t, 0)
					outD.Set(float32(0.2*math.Cos(float64(c)/5)*s), c, d, t, 1)
				}
			}
		}
	}
	fixed := func(a *nd.Array) *nd.Array {
		r := nd.New(conds, a.Shape[2], a.Shape[3])
		for c := range conds {
			copy(r.Index(c).Data, a.Index(c).Index(3).Data)
		}
		return r
	}
	times := make([]float64, steps)
	for i := range times {
		times[i] = float64(i) / 100
	}
	return &data.Dataset{Inputs: fixed(inD), Outputs: fixed(outD), InputsWithDelay: inD, OutputsWithDelay: outD,
		Times: times, Source: "tinyDataset", Synthetic: true}
}

// tinyRecipe is the regularized recipe on a network of 8 units.
func tinyRecipe(allDelays bool) Recipe {
	r := RegularizedRecipe()
	r.Name = "tiny"
	r.Model.HiddenSize = 8
	r.AllDelays = allDelays
	r.MaxEpochs = 5
	return r
}

func TestTrainLossDecreases(t *testing.T) {
	b := testBackend(t)
	ds := tinyDataset(30)
	r := tinyRecipe(true)
	r.MaxEpochs = 15
	res, err := Train(context.Background(), b, r, ds, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Epochs != 15 || len(res.TrainLoss) != 15 || len(res.ValLoss) != 15 || len(res.TrainMSE) != 15 {
		t.Fatalf("epochs %d, %d train / %d val losses, want 15 each", res.Epochs, len(res.TrainLoss), len(res.ValLoss))
	}
	if res.TrainSequences != 160 || res.ValSequences != 56 {
		t.Errorf("sequences %d/%d, want 160/56 (all delays)", res.TrainSequences, res.ValSequences)
	}
	if !(res.TrainMSE[14] < 0.5*res.TrainMSE[0]) {
		t.Errorf("training MSE did not halve: %v", res.TrainMSE)
	}
	for e := range res.Epochs {
		if !(res.TrainLoss[e] > res.TrainMSE[e]) {
			t.Errorf("epoch %d: loss %g should exceed its MSE %g (penalties are positive)", e, res.TrainLoss[e], res.TrainMSE[e])
		}
	}
	if res.Params == nil || res.Params.Config != r.Model {
		t.Fatalf("no final parameters of the recipe's configuration")
	}
	// Final is reproducible from the parameters alone.
	ev, err := Evaluate(b, r, res.Params, ds, 1)
	if err != nil {
		t.Fatal(err)
	}
	if ev != res.Final {
		t.Errorf("Evaluate = %+v, Result.Final = %+v", ev, res.Final)
	}
	if math.Abs(ev.ValMSE-res.ValLoss[14]) > 1e-6 {
		t.Errorf("final validation MSE %g differs from the last epoch's %g", ev.ValMSE, res.ValLoss[14])
	}
}

func TestTargetLossStops(t *testing.T) {
	r := tinyRecipe(false)
	r.TargetLoss = 10 // the first epoch is already below
	res, err := Train(context.Background(), testBackend(t), r, tinyDataset(10), Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Epochs != 1 || !strings.Contains(res.Stopped, "below") {
		t.Errorf("ran %d epochs, stopped %q; want 1 epoch, stopped on the target loss", res.Epochs, res.Stopped)
	}
	if res.TrainSequences != 20 || res.ValSequences != 7 {
		t.Errorf("sequences %d/%d, want 20/7 (fixed delay)", res.TrainSequences, res.ValSequences)
	}
}

func TestPartialBatch(t *testing.T) {
	r := tinyRecipe(false)
	r.BatchSize = 6 // 20 = 6+6+6+2
	r.MaxEpochs = 2
	res, err := Train(context.Background(), testBackend(t), r, tinyDataset(10), Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Epochs != 2 {
		t.Fatalf("epochs %d, want 2", res.Epochs)
	}
}

// TestResumeMatchesUninterrupted: an interrupted run resumed from its
// checkpoint (weights, Adam state, step counter) gives the same losses.
func TestResumeMatchesUninterrupted(t *testing.T) {
	b := testBackend(t)
	ds := tinyDataset(20)
	r := tinyRecipe(true)
	r.MaxEpochs = 4
	full, err := Train(context.Background(), b, r, ds, Options{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	opt := Options{Seed: 5, OutDir: dir, Keep: 1, OnEpoch: func(res *Result) {
		if res.Epochs == 2 {
			cancel()
		}
	}}
	part, err := Train(ctx, b, r, ds, opt)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want an interruption error, got %v", err)
	}
	if part == nil || part.Epochs != 2 || !strings.Contains(err.Error(), "epoch 2") {
		t.Fatalf("interrupted result %+v, error %v: want 2 saved epochs named in the error", part, err)
	}
	if _, err := model.Load(dir); err != nil {
		t.Fatalf("the interrupted run left no loadable model: %v", err)
	}
	ckpts, _ := filepath.Glob(filepath.Join(dir, "checkpoint-*"))
	states, _ := filepath.Glob(filepath.Join(dir, "state-*"))
	if len(ckpts) != 2 || filepath.Base(ckpts[0]) != "checkpoint-epoch-000002.bin" || len(states) != 1 {
		t.Fatalf("checkpoint files %v %v, want only epoch 2's (Keep 1)", ckpts, states)
	}

	if _, err := Train(context.Background(), b, r, ds, Options{Seed: 5, OutDir: dir}); err == nil ||
		!strings.Contains(err.Error(), "resume") {
		t.Errorf("training into a used directory without Resume: error %v, want one that mentions resume", err)
	}
	opt = Options{Seed: 5, OutDir: dir, Resume: true}
	resumed, err := Train(context.Background(), b, r, ds, opt)
	if err != nil {
		t.Fatal(err)
	}
	if resumed.Epochs != 4 {
		t.Fatalf("resumed run ended at epoch %d, want 4", resumed.Epochs)
	}
	for e := range 4 {
		if d := math.Abs(resumed.TrainLoss[e] - full.TrainLoss[e]); d > 1e-6 {
			t.Errorf("epoch %d: resumed loss %g, uninterrupted %g", e+1, resumed.TrainLoss[e], full.TrainLoss[e])
		}
		if d := math.Abs(resumed.ValLoss[e] - full.ValLoss[e]); d > 1e-6 {
			t.Errorf("epoch %d: resumed val loss %g, uninterrupted %g", e+1, resumed.ValLoss[e], full.ValLoss[e])
		}
	}
	rec, err := ReadResult(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Epochs != 4 || rec.Final != resumed.Final {
		t.Errorf("training.json: %d epochs, final %+v; want 4, %+v", rec.Epochs, rec.Final, resumed.Final)
	}
	p, err := model.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := nd.MaxAbsDiff(p.J, resumed.Params.J); err != nil || d != 0 {
		t.Errorf("exported J differs from the final parameters by %g (%v)", d, err)
	}

	// Resuming on other data is refused.
	other0 := tinyDataset(20)
	other0.Outputs.Data[0] += 1
	other0.OutputsWithDelay.Data[0] += 1
	if _, err := Train(context.Background(), b, r, other0, Options{Seed: 5, OutDir: dir, Resume: true}); err == nil ||
		!strings.Contains(err.Error(), "other data") {
		t.Errorf("resuming on other data: error %v", err)
	}

	// Resuming with a network of another size is refused with a clear error.
	other := r
	other.Model.HiddenSize = 9
	_, err = Train(context.Background(), b, other, ds, Options{Seed: 5, OutDir: dir, Resume: true})
	if err == nil || !strings.Contains(err.Error(), "another model") {
		t.Errorf("resuming with another network: error %v, want one naming the checkpoint's model", err)
	}
}

func TestDivergenceKeepsLastGoodCheckpoint(t *testing.T) {
	b := testBackend(t)
	r := tinyRecipe(false)
	r.LearningRate = 1e6 // every Adam step moves each weight by ~1e6
	r.ClipNorm = 0
	r.MaxEpochs = 6
	dir := t.TempDir()
	res, err := Train(context.Background(), b, r, tinyDataset(10), Options{Seed: 1, OutDir: dir})
	if !errors.Is(err, ErrDiverged) {
		t.Fatalf("want ErrDiverged, got %v", err)
	}
	if !strings.Contains(err.Error(), "last good checkpoint (epoch 1)") {
		t.Errorf("error %q does not name the last good checkpoint", err)
	}
	if res.Epochs != 1 || len(res.TrainLoss) != 1 {
		t.Errorf("result holds %d epochs, want the 1 good one", res.Epochs)
	}
	p, err := model.Load(dir)
	if err != nil {
		t.Fatalf("no loadable last good model: %v", err)
	}
	for _, v := range p.J.Data {
		if math.IsNaN(float64(v)) || math.Abs(float64(v)) > 1e7 {
			t.Fatalf("the kept model holds diverged weights (%g)", v)
		}
	}
}

func TestNaNDataIsDiverged(t *testing.T) {
	ds := tinyDataset(10)
	for i := range ds.Outputs.Data {
		ds.Outputs.Data[i] = float32(math.NaN())
	}
	_, err := Train(context.Background(), testBackend(t), tinyRecipe(false), ds, Options{Seed: 1})
	if !errors.Is(err, ErrDiverged) || !strings.Contains(err.Error(), "NaN") {
		t.Fatalf("want ErrDiverged naming NaN, got %v", err)
	}
}

func TestBadInputs(t *testing.T) {
	b := testBackend(t)
	ds := tinyDataset(10)
	r := tinyRecipe(false)
	bad := r
	bad.BatchSize = 0
	if _, err := Train(context.Background(), b, bad, ds, Options{}); err == nil || !strings.Contains(err.Error(), "batch size") {
		t.Errorf("batch 0: %v", err)
	}
	bad = r
	bad.PenalizedParams = []string{"K"}
	if _, err := Train(context.Background(), b, bad, ds, Options{}); err == nil || !strings.Contains(err.Error(), "K") {
		t.Errorf("unknown penalized parameter: %v", err)
	}
	bad = r
	bad.Model.InputSize = 3
	if _, err := Train(context.Background(), b, bad, ds, Options{}); err == nil || !strings.Contains(err.Error(), "do not fit") {
		t.Errorf("dataset/model mismatch: %v", err)
	}
	if _, err := Train(context.Background(), b, r, nil, Options{}); err == nil {
		t.Error("nil dataset accepted")
	}
	if _, err := Train(context.Background(), nil, r, ds, Options{}); err == nil {
		t.Error("nil backend accepted")
	}
	if _, err := RecipeByName("chaotic"); err == nil {
		t.Error("unknown recipe accepted")
	}
	wrong := model.NewParams(model.UnregularizedConfig(), 1)
	if _, err := Evaluate(b, r, wrong, ds, 1); err == nil || !strings.Contains(err.Error(), "checkpoint") {
		t.Errorf("Evaluate with another model's parameters: %v", err)
	}
}

// TestLossTermsMatchReference checks the loss graph (forward, MSE, Σp², Σr²,
// rate penalty scale) against a plain-Go transcription of the tutorial's
// RegularizedRNN and training loss.
func TestLossTermsMatchReference(t *testing.T) {
	b := testBackend(t)
	r := tinyRecipe(false)
	r.Model.HiddenSize = 5
	ds := tinyDataset(12)
	p := model.NewParams(r.Model, 7)
	for i := range p.Bx.Data {
		p.Bx.Data[i] = 0.1 * float32(i-2)
	}
	in, out := ds.Inputs.Take([]int{0, 1, 2}), ds.Outputs.Take([]int{0, 1, 2})
	// Reference.
	n, T := r.Model.HiddenSize, in.Shape[1]
	rt := func(x float64) float64 {
		if x > 0 {
			return math.Tanh(x)
		}
		return 0
	}
	var sse, r2 float64
	for bi := range 3 {
		x := make([]float64, n)
		for t := range T {
			rb := make([]float64, n)
			for i := range n {
				rb[i] = rt(x[i])
			}
			for i := range n {
				drive := float64(p.Bx.Data[i])
				for j := range n {
					drive += float64(p.J.At(i, j)) * rb[j]
				}
				for k := range r.Model.InputSize {
					drive += float64(p.B.At(i, k)) * float64(in.At(bi, t, k))
				}
				x[i] += (drive - x[i]) / r.Model.TauOverDt
			}
			for o := range r.Model.OutputSize {
				z := float64(p.C.Data[o])
				for i := range n {
					z += float64(p.W.At(o, i)) * rt(x[i])
				}
				d := z - float64(out.At(bi, t, o))
				sse += d * d
			}
			for i := range n {
				r2 += rt(x[i]) * rt(x[i])
			}
		}
	}
	var l2 float64
	for _, a := range []*nd.Array{p.J, p.B, p.Bx, p.W, p.C} {
		for _, v := range a.Data {
			l2 += float64(v) * float64(v)
		}
	}
	mse := sse / float64(out.Len())
	want := mse + 1e-5*l2 + 0.003*r2/float64(T)/float64(n)/27

	store, err := model.NewStore(p)
	if err != nil {
		t.Fatal(err)
	}
	e, err := newEvalExec(b, store, r)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Finalize()
	gotMSE, gotLoss, err := evaluate(e, r, in, out)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(gotMSE-mse) > 1e-5*math.Max(1, mse) || math.Abs(gotLoss-want) > 1e-5*math.Max(1, want) {
		t.Errorf("graph mse %.7g loss %.7g, reference mse %.7g loss %.7g", gotMSE, gotLoss, mse, want)
	}

	// The tutorial's R0 (B and W only) is a different, smaller penalty.
	r0 := r
	r0.PenalizedParams = []string{"B", "W"}
	e0, err := newEvalExec(b, store, r0)
	if err != nil {
		t.Fatal(err)
	}
	defer e0.Finalize()
	_, loss0, err := evaluate(e0, r0, in, out)
	if err != nil {
		t.Fatal(err)
	}
	var l2BW float64
	for _, a := range []*nd.Array{p.B, p.W} {
		for _, v := range a.Data {
			l2BW += float64(v) * float64(v)
		}
	}
	if d := (gotLoss - loss0) - 1e-5*(l2-l2BW); math.Abs(d) > 1e-6 {
		t.Errorf("R0 loss %.7g vs all-parameter loss %.7g: difference off by %g", loss0, gotLoss, d)
	}
}

func TestClipGlobalNorm(t *testing.T) {
	b := testBackend(t)
	for _, tc := range []struct {
		max, norm float64
		scale     float64
	}{{1, 13, 1 / (13 + 1e-6)}, {100, 13, 1}, {0, 13, 1}} {
		fn := func(a, c *Node) (*Node, *Node, *Node) {
			g, norm := clipGlobalNorm([]*Node{a, c}, tc.max)
			return g[0], g[1], norm
		}
		e := MustNewExec(b, fn)
		outs := e.MustExec(tensors.FromValue([]float32{3, 4}), tensors.FromValue([][]float32{{12}}))
		a := tensors.MustCopyFlatData[float32](outs[0])
		c := tensors.MustCopyFlatData[float32](outs[1])
		norm := tensors.ToScalar[float32](outs[2])
		if math.Abs(float64(norm)-tc.norm) > 1e-5 {
			t.Errorf("max %g: norm %g, want %g", tc.max, norm, tc.norm)
		}
		want := []float64{3 * tc.scale, 4 * tc.scale, 12 * tc.scale}
		for i, v := range []float32{a[0], a[1], c[0]} {
			if math.Abs(float64(v)-want[i]) > 1e-6 {
				t.Errorf("max %g: clipped %v %v, want %v", tc.max, a, c, want)
				break
			}
		}
		e.Finalize()
	}
}

func TestBench(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles and times the full-size training step")
	}
	res, err := BenchRepeats(testBackend(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	if !(res.TrainStepMs > 0 && res.ForwardB20Ms > 0 && res.ForwardB1Ms > 0) || res.Backend == "" {
		t.Errorf("bench result %+v", res)
	}
	if res.TrainStepMs < res.ForwardB1Ms {
		t.Errorf("a batch-20 training step (%g ms) faster than a batch-1 forward (%g ms)?", res.TrainStepMs, res.ForwardB1Ms)
	}
}

func TestProgressBar(t *testing.T) {
	var sb strings.Builder
	var got []ProgressUpdate
	p := newProgress(&sb, func(u ProgressUpdate) { got = append(got, u) }, "tiny", 4)
	for e := 1; e <= 4; e++ {
		p.update(e, 0.5/float64(e), 0.25)
	}
	p.done("epoch limit")
	out := sb.String()
	if n := len(got); n < 2 || got[n-1].Epoch != 4 || !got[n-1].Done || got[n-1].Stopped != "epoch limit" ||
		got[n-2].Done || got[n-2].TrainLoss != 0.125 {
		t.Errorf("callback got %+v", got)
	}
	if !strings.Contains(out, "4/4 epochs  train 0.12500  val 0.25000") || !strings.Contains(out, "tiny: stopped (epoch limit)") {
		t.Errorf("progress output %q lacks the last epoch or the stop line", out)
	}
	if strings.Count(out, "4/4 epochs") != 1 {
		t.Errorf("the last epoch is drawn %d times: %q", strings.Count(out, "4/4 epochs"), out)
	}
}
