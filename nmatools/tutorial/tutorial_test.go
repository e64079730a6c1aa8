package tutorial_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/tutorial"
)

func regularizedStep(self *tutorial.Module, input, hidden *graph.Node) (output, hiddenNew, firingRateReg *graph.Node) {
	output, hidden = rnnStep(self, input, hidden)
	return output, hidden, graph.ReduceAllSum(graph.Square(self.Nonlinearity(hidden)))
}

func randomInputs(b, T, f int, seed int64) *nd.Array {
	a := nd.New(b, T, f)
	x := uint64(seed)
	for i := range a.Data {
		x = x*6364136223846793005 + 1442695040888963407
		a.Data[i] = float32(int64(x>>40)%2000)/1000 - 1
	}
	return a
}

func testParams(t *testing.T) *model.Params {
	t.Helper()
	cfg := model.UnregularizedConfig()
	cfg.HiddenSize = 12
	p := model.NewParams(cfg, tutorial.Seed)
	for i := range p.Bx.Data { // non-zero biases, so a misplaced bias shows
		p.Bx.Data[i] = 0.1 * float32(i%3)
	}
	for i := range p.C.Data {
		p.C.Data[i] = 0.2 * float32(i+1)
	}
	return p
}

// A student's step compiled by tutorial.NewRNN runs like the library's step, one step
// at a time and over whole trajectories, and StepWithRates returns Σr².
func TestNewRNNMatchesReference(t *testing.T) {
	p := testParams(t)
	mine, ref := tutorial.NewRNN(rnnStep, p), tutorial.ReferenceRNN(p)
	inputs := randomInputs(3, 40, 16, 1)
	h := mine.InitHidden(3)
	if fmt.Sprint(h.Shape) != "[3 12]" {
		t.Fatalf("InitHidden(3) shape %v", h.Shape)
	}
	hr := h
	var o, or *nd.Array
	for step := 0; step < 40; step++ {
		o, h = mine.Step(inputs.TimeSlice(step), h)
		var r2 float64
		or, hr, r2 = ref.StepWithRates(inputs.TimeSlice(step), hr)
		want := 0.0
		for _, x := range hr.Data {
			r := math.Tanh(math.Max(0, float64(x)))
			want += r * r
		}
		if math.Abs(r2-want) > 1e-4*(1+want) {
			t.Fatalf("step %d: Σr² %v, want %v", step, r2, want)
		}
	}
	if d, _ := nd.MaxAbsDiff(o, or); d > 1e-5 {
		t.Fatalf("outputs differ from the library's step by %g", d)
	}
	if d, _ := nd.MaxAbsDiff(h, hr); d > 1e-5 {
		t.Fatalf("hidden states differ from the library's step by %g", d)
	}
	// Trajectory: the per-step loop (mine) and the library's compiled loop (ref).
	out, hid := mine.Trajectory(inputs)
	rout, rhid := ref.Trajectory(inputs)
	if fmt.Sprint(out.Shape, hid.Shape) != "[3 40 2] [3 40 12]" {
		t.Fatalf("Trajectory shapes %v %v", out.Shape, hid.Shape)
	}
	if d, _ := nd.MaxAbsDiff(out, rout); d > 1e-4 {
		t.Fatalf("trajectory outputs differ by %g", d)
	}
	if d, _ := nd.MaxAbsDiff(hid, rhid); d > 1e-4 {
		t.Fatalf("trajectory hidden states differ by %g", d)
	}
	// A regularized step's Σr² comes through StepWithRates.
	reg := tutorial.NewRegularizedRNN(regularizedStep, p)
	_, _, r2 := reg.StepWithRates(inputs.TimeSlice(0), reg.InitHidden(3))
	_, _, r2ref := ref.StepWithRates(inputs.TimeSlice(0), ref.InitHidden(3))
	if math.Abs(r2-r2ref) > 1e-5*(1+r2ref) || r2 == 0 {
		t.Fatalf("tutorial.NewRegularizedRNN Σr² %v, library %v", r2, r2ref)
	}
}

// Assigning a new J (net.Params.J = perturbed) changes what the net computes.
func TestNetSeesReplacedWeights(t *testing.T) {
	p := testParams(t)
	net := tutorial.NewRNN(rnnStep, p)
	u := randomInputs(2, 1, 16, 2).TimeSlice(0)
	h0 := randomInputs(2, 1, 12, 3).TimeSlice(0)
	_, before := net.Step(u, h0)
	orig := net.Params.J
	j := orig.Clone()
	for i := range j.Data {
		j.Data[i] *= 2
	}
	net.Params.J = j
	_, after := net.Step(u, h0)
	net.Params.J = orig
	_, again := net.Step(u, h0)
	if d, _ := nd.MaxAbsDiff(before, after); d < 1e-3 {
		t.Fatalf("doubling J changed the hidden state by only %g", d)
	}
	if d, _ := nd.MaxAbsDiff(before, again); d != 0 {
		t.Fatalf("restoring J left a difference of %g", d)
	}
}

// failures makes Check behave as in a notebook cell (notebook) or elsewhere,
// with exits recorded instead of taken.
func failures(t *testing.T, notebook bool) (*bytes.Buffer, *int) {
	t.Helper()
	var buf bytes.Buffer
	code := -1
	restore := tutorial.SetHooks(func(c int) { code = c; panic("exitCell") }, &buf, os.Stdout, notebook)
	t.Cleanup(restore)
	return &buf, &code
}

func catch(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

func TestCheckStopsTheCellWithOneLine(t *testing.T) {
	buf, code := failures(t, true)
	catch(func() { tutorial.Check(errors.New("no such file")) })
	if *code != 1 || buf.String() != "error: no such file\n" {
		t.Fatalf("notebook: exitCell %d, failOut %q", *code, buf.String())
	}
	// A shape mistake in a step: one line naming the expected shape.
	buf.Reset()
	net := tutorial.NewRNN(rnnStep, testParams(t))
	catch(func() { net.Step(nd.New(2, 15), net.InitHidden(2)) })
	if lines := strings.Count(buf.String(), "\n"); lines != 1 || !strings.Contains(buf.String(), "input must be (batch, 16)") {
		t.Fatalf("bad input: failOut %q", buf.String())
	}
	// A step function that builds a wrong graph.
	buf.Reset()
	bad := tutorial.NewRNN(func(self *tutorial.Module, input, hidden *graph.Node) (*graph.Node, *graph.Node) {
		return graph.MatMul(self.J, input), hidden // J (N,N) · input (batch,16): wrong
	}, testParams(t))
	catch(func() { bad.Step(nd.New(2, 16), bad.InitHidden(2)) })
	if !strings.HasPrefix(buf.String(), "error: the step function:") {
		t.Fatalf("bad step: failOut %q", buf.String())
	}
	// Todo prints the student message.
	buf.Reset()
	catch(func() { tutorial.Todo[int]("Exercise 2.1", "r") })
	if buf.String() != "Student exercise: Exercise 2.1: fill in r, then run this cell again.\n" {
		t.Fatalf("Todo: %q", buf.String())
	}
	// Outside a notebook: a panic with the error, no exit.
	buf2, code2 := failures(t, false)
	if r := catch(func() { tutorial.Check(errors.New("boom")) }); fmt.Sprint(r) != "boom" || *code2 != -1 || buf2.Len() != 0 {
		t.Fatalf("outside a notebook: recovered %v, exitCell %d, failOut %q", r, *code2, buf2.String())
	}
}

func TestOnceShowsAMessageOncePerKernel(t *testing.T) {
	var out bytes.Buffer
	t.Cleanup(tutorial.SetHooks(func(int) {}, os.Stderr, &out, true))
	t.Setenv("GONB_TMP_DIR", t.TempDir())
	tutorial.Once("a")
	tutorial.Once("a")
	tutorial.Once("b")
	if out.String() != "a\nb\n" {
		t.Fatalf("once printed %q, want a and b once each", out.String())
	}
}

func TestMain(m *testing.M) {
	if os.Getenv("GOMLX_BACKEND") == "" {
		os.Setenv("GOMLX_BACKEND", "go")
	}
	os.Exit(m.Run())
}

// Load reads a network from a checkpoint directory and from a weights .npz alike.
func TestLoadReadsEveryCheckpointForm(t *testing.T) {
	p := testParams(t)
	dir := t.TempDir()
	ck, npz := filepath.Join(dir, "ck"), filepath.Join(dir, "w.npz")
	if err := p.Save(ck); err != nil {
		t.Fatal(err)
	}
	if err := p.SaveNpz(npz); err != nil {
		t.Fatal(err)
	}
	inputs := randomInputs(2, 10, 16, 3)
	want, _ := tutorial.ReferenceRNN(p).Trajectory(inputs)
	for _, path := range []string{ck, npz} {
		n := tutorial.Load(path)
		got, _ := n.Trajectory(inputs)
		if d, err := nd.MaxAbsDiff(got, want); err != nil || d != 0 || n.From != path {
			t.Errorf("%s: outputs differ by %g (%v), From %q", path, d, err, n.From)
		}
	}
}
