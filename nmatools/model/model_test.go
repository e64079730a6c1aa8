package model

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/neuromatch/nmatools/nmatools/backend"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

func testBackend(t testing.TB) compute.Backend {
	t.Helper()
	b, err := backend.Get()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func randInputs(seed uint64, shape ...int) *nd.Array {
	rng := rand.New(rand.NewPCG(seed, 1))
	a := nd.New(shape...)
	for i := range a.Data {
		a.Data[i] = float32(rng.NormFloat64())
	}
	return a
}

func TestConfigs(t *testing.T) {
	u, r := UnregularizedConfig(), RegularizedConfig()
	if u.HiddenSize != 150 || u.G != 4 || u.H != 1 || u.TauOverDt != 5 || u.Regularized || u.InputSize != 16 || u.OutputSize != 2 {
		t.Errorf("UnregularizedConfig = %+v", u)
	}
	if r.HiddenSize != 150 || r.G != 1.5 || r.H != 1 || r.TauOverDt != 5 || !r.Regularized {
		t.Errorf("RegularizedConfig = %+v", r)
	}
	if err := (Config{InputSize: 1, HiddenSize: 0, OutputSize: 1, TauOverDt: 5}).Validate(); err == nil {
		t.Error("Validate accepted a hidden size of 0")
	}
}

func TestNewParamsStatistics(t *testing.T) {
	cfg := UnregularizedConfig()
	p := NewParams(cfg, 1)
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	// J ~ N(0, g²/N): std 4/√150 ≈ 0.3266; B ~ N(0, h²/in): std 0.25; bx = 0; |W|,|c| ≤ 1/√150.
	if s := p.J.Std(true); math.Abs(s-4/math.Sqrt(150)) > 0.01 {
		t.Errorf("std(J) = %v, want ≈ %v", s, 4/math.Sqrt(150))
	}
	if s := p.B.Std(true); math.Abs(s-0.25) > 0.02 {
		t.Errorf("std(B) = %v, want ≈ 0.25", s)
	}
	if lo, hi := p.Bx.MinMax(); lo != 0 || hi != 0 {
		t.Errorf("bx not zero: [%v, %v]", lo, hi)
	}
	bound := float32(1 / math.Sqrt(150))
	for _, a := range []*nd.Array{p.W, p.C} {
		if lo, hi := a.MinMax(); lo < -bound || hi > bound {
			t.Errorf("readout outside ±1/√N: [%v, %v]", lo, hi)
		}
	}
	q := NewParams(cfg, 1)
	if d, _ := nd.MaxAbsDiff(p.J, q.J); d != 0 {
		t.Error("NewParams is not deterministic for a seed")
	}
	c := p.Clone()
	c.J.Data[0]++
	if p.J.Data[0] == c.J.Data[0] {
		t.Error("Clone shares data")
	}
}

// TestTrajectoryMatchesReference checks Runner.Trajectory and Step against a float64
// transcription of the tutorial's forward loop.
func TestTrajectoryMatchesReference(t *testing.T) {
	b := testBackend(t)
	for _, cfg := range []Config{
		{InputSize: 3, HiddenSize: 7, OutputSize: 2, G: 1.5, H: 1, TauOverDt: 5},
		{InputSize: 16, HiddenSize: 40, OutputSize: 2, G: 4, H: 1, TauOverDt: 5},
	} {
		p := NewParams(cfg, 3)
		for i := range p.Bx.Data {
			p.Bx.Data[i] = float32(0.1 * math.Sin(float64(i)))
		}
		const batch, steps = 2, 30
		in := randInputs(7, batch, steps, cfg.InputSize)
		r := NewRunner(b, p)
		out, hid, err := r.Trajectory(in)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(out.Shape, []int{batch, steps, cfg.OutputSize}) || !slices.Equal(hid.Shape, []int{batch, steps, cfg.HiddenSize}) {
			t.Fatalf("shapes %v %v", out.Shape, hid.Shape)
		}
		in64 := make([]float64, len(in.Data))
		for i, v := range in.Data {
			in64[i] = float64(v)
		}
		wantOut, wantHid, _ := refFromParams(p).trajectory(in64, batch, steps)
		if d := maxDiff(out.Data, wantOut); d > 1e-4 {
			t.Errorf("N=%d: outputs differ from the reference by %g", cfg.HiddenSize, d)
		}
		if d := maxDiff(hid.Data, wantHid); d > 1e-4 {
			t.Errorf("N=%d: hidden differs from the reference by %g", cfg.HiddenSize, d)
		}
		// Step, fed back by hand, reproduces the trajectory.
		x := InitHidden(batch, cfg.HiddenSize)
		for tt := range steps {
			u := nd.New(batch, cfg.InputSize)
			for bb := range batch {
				copy(u.Data[bb*cfg.InputSize:], in.Data[(bb*steps+tt)*cfg.InputSize:(bb*steps+tt+1)*cfg.InputSize])
			}
			o, xn, err := r.Step(u, x)
			if err != nil {
				t.Fatal(err)
			}
			for bb := range batch {
				for k := range cfg.OutputSize {
					if d := math.Abs(float64(o.At(bb, k) - out.At(bb, tt, k))); d > 1e-4 {
						t.Fatalf("Step output at t=%d differs by %g", tt, d)
					}
				}
			}
			x = xn
		}
		// Same shape again uses the cached executable; a new batch compiles once more.
		if _, _, err := r.Trajectory(in.Index(0)); err != nil {
			t.Fatal(err)
		}
	}
}

func maxDiff(a []float32, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = max(m, math.Abs(float64(a[i])-b[i]))
	}
	return m
}

func TestRunnerBadInput(t *testing.T) {
	b := testBackend(t)
	p := NewParams(Config{InputSize: 3, HiddenSize: 5, OutputSize: 2, G: 1, H: 1, TauOverDt: 5}, 1)
	r := NewRunner(b, p)
	if _, _, err := r.Trajectory(nd.New(1, 4, 2)); err == nil {
		t.Error("Trajectory accepted 2 input features for a 3-input network")
	}
	if _, _, err := r.Step(nd.New(2, 3), nd.New(3, 5)); err == nil {
		t.Error("Step accepted a hidden state with the wrong batch")
	}
	bad := p.Clone()
	bad.J = nd.New(5, 4)
	if err := r.SetParams(bad); err == nil {
		t.Error("SetParams accepted J of shape (5,4)")
	}
}

func TestMain(m *testing.M) {
	backend.ProbeChild() // when backend.Probe re-executes this binary
	os.Setenv("GOMLX_NO_AUTO_INSTALL", "1")
	os.Exit(m.Run())
}

// CheckData names what is wrong with inputs and targets, and accepts good ones.
func TestConfigCheckData(t *testing.T) {
	cfg := Config{InputSize: 3, HiddenSize: 4, OutputSize: 2, TauOverDt: 5}
	good := func() (*nd.Array, *nd.Array) { return nd.New(5, 7, 3), nd.New(5, 7, 2) }
	in, out := good()
	if err := cfg.CheckData(in, out); err != nil {
		t.Fatalf("good data refused: %v", err)
	}
	short := nd.New(5, 7, 2)
	short.Data = short.Data[:10]
	for _, c := range []struct {
		name        string
		in, targets *nd.Array
		want        string
	}{
		{"nil targets", in, nil, "required"},
		{"2-D inputs", nd.New(7, 3), out, "(conditions, time, features)"},
		{"other conditions", nd.New(4, 7, 3), out, "disagree on conditions or time steps"},
		{"other time steps", in, nd.New(5, 6, 2), "disagree on conditions or time steps"},
		{"empty", nd.New(0, 7, 3), nd.New(0, 7, 2), "empty inputs"},
		{"features", nd.New(5, 7, 4), out, "inputs have 4 features, the model takes 3"},
		{"outputs", in, nd.New(5, 7, 1), "targets have 1 outputs, the model produces 2"},
		{"values", in, short, "holds 10 values"},
	} {
		if err := cfg.CheckData(c.in, c.targets); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

// Rate, on the host, is the graph's RectifiedTanh.
func TestRateIsRectifiedTanh(t *testing.T) {
	xs := []float32{-2, -1e-3, 0, 1e-3, 0.5, 3}
	e, err := graph.NewExec(testBackend(t), func(x *graph.Node) *graph.Node { return RectifiedTanh(x) })
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Call(tensors.FromFlatDataAndDimensions(xs, len(xs)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := nd.FromTensor(res[0])
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range xs {
		if d := math.Abs(Rate(float64(x)) - float64(got.Data[i])); d > 1e-6 {
			t.Errorf("Rate(%g) = %g, the graph's RectifiedTanh %g", x, Rate(float64(x)), got.Data[i])
		}
	}
	if Rate(-1) != 0 || Rate(0) != 0 || Rate(1) != math.Tanh(1) {
		t.Error("Rate is not tanh(x) for x > 0, else 0")
	}
}
