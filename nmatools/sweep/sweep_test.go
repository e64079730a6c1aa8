package sweep

import (
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/compute"
	"github.com/neuromatch/nmatools/nmatools/backend"
	"github.com/neuromatch/nmatools/nmatools/model"
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

func smallParams(seed int64) *model.Params {
	cfg := model.RegularizedConfig()
	cfg.InputSize, cfg.HiddenSize, cfg.OutputSize = 4, 12, 2
	cfg.G = 2
	return model.NewParams(cfg, seed)
}

func randArray(rng *rand.Rand, shape ...int) *nd.Array {
	a := nd.New(shape...)
	for i := range a.Data {
		a.Data[i] = float32(rng.NormFloat64())
	}
	return a
}

// refForward is the tutorial's forward, step by step, in float64 on the host.
func refForward(p *model.Params, u *nd.Array) *nd.Array {
	n, T, F := u.Shape[0], u.Shape[1], u.Shape[2]
	N, O := p.Config.HiddenSize, p.Config.OutputSize
	rt := func(x float64) float64 {
		if x > 0 {
			return math.Tanh(x)
		}
		return 0
	}
	out := nd.New(n, T, O)
	for b := 0; b < n; b++ {
		x := make([]float64, N)
		for t := 0; t < T; t++ {
			r := make([]float64, N)
			for i := range r {
				r[i] = rt(x[i])
			}
			nx := make([]float64, N)
			for i := 0; i < N; i++ {
				tot := float64(p.Bx.Data[i])
				for j := 0; j < N; j++ {
					tot += float64(p.J.Data[i*N+j]) * r[j]
				}
				for f := 0; f < F; f++ {
					tot += float64(p.B.Data[i*F+f]) * float64(u.Data[(b*T+t)*F+f])
				}
				nx[i] = x[i] + (tot-x[i])/p.Config.TauOverDt
			}
			x = nx
			for o := 0; o < O; o++ {
				s := float64(p.C.Data[o])
				for i := 0; i < N; i++ {
					s += float64(p.W.Data[o*N+i]) * rt(x[i])
				}
				out.Data[(b*T+t)*O+o] = float32(s)
			}
		}
	}
	return out
}

func maxRel(a, b *nd.Array) float64 {
	d, _ := nd.MaxAbsDiff(a, b)
	_, hi := b.MinMax()
	lo, _ := b.MinMax()
	return d / math.Max(1e-6, math.Max(math.Abs(float64(hi)), math.Abs(float64(lo))))
}

func TestEngineMatchesReference(t *testing.T) {
	b := testBackend(t)
	rng := rand.New(rand.NewPCG(1, 2))
	p := smallParams(3)
	u := randArray(rng, 3, 15, 4)
	ev := model.NewRunner(b, p)
	defer ev.Close()
	got, err := ev.Outputs(u)
	if err != nil {
		t.Fatal(err)
	}
	if r := maxRel(got, refForward(p, u)); r > 1e-5 {
		t.Errorf("outputs differ from the float64 reference by %g (relative)", r)
	}
	// And from the model package's Runner.
	run := model.NewRunner(b, p)
	defer run.Close()
	mo, _, err := run.Trajectory(u)
	if err != nil {
		t.Fatal(err)
	}
	if r := maxRel(got, mo); r > 1e-5 {
		t.Errorf("outputs differ from model.Runner by %g (relative)", r)
	}
}

// Batched J, B or W: each k must equal a run of its own network.
func TestEngineBatchedWeights(t *testing.T) {
	b := testBackend(t)
	rng := rand.New(rand.NewPCG(5, 6))
	p := smallParams(4)
	u := randArray(rng, 2, 10, 4)
	for _, tg := range []Target{Recurrent, Input, Readout} {
		w := model.NetworksOf(p.Clone())
		orig := *targetOf(w, tg)
		const K = 3
		batched := nd.New(append([]int{K}, orig.Shape...)...)
		ps := make([]*model.Params, K)
		for k := 0; k < K; k++ {
			q := p.Clone()
			m := *targetOf(model.NetworksOf(q), tg)
			for i := range m.Data {
				m.Data[i] += float32(rng.NormFloat64() * 0.3)
			}
			copy(batched.Data[k*orig.Len():], m.Data)
			ps[k] = q
		}
		*targetOf(w, tg) = batched
		e, err := newEngine(b, p)
		if err != nil {
			t.Fatal(err)
		}
		out, err := e.run(w, u)
		e.close()
		if err != nil {
			t.Fatalf("%v: %v", tg, err)
		}
		if len(out.Shape) != 4 || out.Shape[0] != K {
			t.Fatalf("%v: output shape %v", tg, out.Shape)
		}
		for k := 0; k < K; k++ {
			if r := maxRel(out.Index(k), refForward(ps[k], u)); r > 1e-5 {
				t.Errorf("%v: network %d differs from the reference by %g", tg, k, r)
			}
		}
	}
}

func TestMaxError(t *testing.T) {
	// Two conditions, two steps, two outputs: channel 0 = 1,2,3,4 (mean 2.5), channel 1 = 0 everywhere.
	a, _ := nd.FromData([]float32{1, 0, 2, 0, 3, 0, 4, 0}, 2, 2, 2)
	got, err := MaxError(a)
	if err != nil {
		t.Fatal(err)
	}
	// squares: 2.25, .25, .25, 2.25 on channel 0, zeros on channel 1 → 5/8
	if math.Abs(got-5.0/8) > 1e-12 {
		t.Errorf("MaxError = %v, want 0.625", got)
	}
	if _, err := MaxError(nd.New(3, 4)); err == nil {
		t.Error("MaxError of a 2-D array: no error")
	}
	m, s := meanStd([]float64{1, 2, 3, 4})
	if m != 2.5 || math.Abs(s-math.Sqrt(1.25)) > 1e-15 { // np.std: ddof=0
		t.Errorf("meanStd = %v, %v", m, s)
	}
}

func TestPerturbInputs(t *testing.T) {
	u, _ := nd.FromData([]float32{3, 4, 0, 0, 6, 8}, 1, 3, 2) // norms 5, 0, 10
	rng := rand.New(rand.NewPCG(7, 1))
	got, err := PerturbInputs(u, 0.1, rng)
	if err != nil {
		t.Fatal(err)
	}
	rng = rand.New(rand.NewPCG(7, 1))
	xi0, xi1 := rng.Float32(), rng.Float32()
	want := []float32{3 + xi0*0.1*5, 4 + xi1*0.1*5, 0, 0, 6 + xi0*0.1*10, 8 + xi1*0.1*10}
	for i := range want {
		if math.Abs(float64(got.Data[i]-want[i])) > 1e-6 {
			t.Fatalf("PerturbInputs = %v, want %v", got.Data, want)
		}
	}
	if u.Data[0] != 3 {
		t.Error("PerturbInputs changed its input")
	}
	if xi0 < 0 || xi0 >= 1 {
		t.Error("noise not in [0,1)")
	}
}

// The vectorized sweep equals the tutorial's loop built from the per-call
// helpers, with the same random stream, whatever the chunking.
func TestInputSweepMatchesLoop(t *testing.T) {
	b := testBackend(t)
	rng := rand.New(rand.NewPCG(9, 9))
	p := smallParams(11)
	n, T := 5, 20
	u := randArray(rng, n, T, 4)
	y := randArray(rng, n, T, 2)
	levels := []float64{0.05, 0.5}
	const reps, seed = 4, 42
	maxErr, _ := MaxError(y)

	ev := model.NewRunner(b, p)
	defer ev.Close()
	noise := rand.New(rand.NewPCG(seed, 1))
	for _, chunk := range []int{1000, 3 * n} { // one call; 3 calls of 3 blocks (padded)
		got, err := InputSweep(b, p, u, y, levels, reps, seed, WithMaxSequences(chunk))
		if err != nil {
			t.Fatal(err)
		}
		noise = rand.New(rand.NewPCG(seed, 1))
		for i, s := range levels {
			var errs []float64
			for r := 0; r < reps; r++ {
				pu, err := PerturbInputs(u, s, noise)
				if err != nil {
					t.Fatal(err)
				}
				l, err := ev.Loss(pu, y)
				if err != nil {
					t.Fatal(err)
				}
				errs = append(errs, l/maxErr*100)
			}
			m, sd := meanStd(errs)
			if got[i].Level != s || math.Abs(got[i].Mean-m) > 1e-4*m || math.Abs(got[i].Std-sd) > 1e-3*sd+1e-6 {
				t.Errorf("chunk %d, level %v: sweep %+v, loop mean %v std %v", chunk, s, got[i], m, sd)
			}
		}
	}
	// Larger noise, larger error (on average): a sanity check on the scaling.
	got, _ := InputSweep(b, p, u, y, []float64{0, 2}, 8, 1)
	if got[0].Std > 1e-9 || got[1].Mean <= got[0].Mean {
		t.Errorf("strength 0 should be noiseless and 2 worse: %+v", got)
	}
}

func TestWeightSweepMatchesLoop(t *testing.T) {
	b := testBackend(t)
	rng := rand.New(rand.NewPCG(3, 3))
	p := smallParams(12)
	n, T := 4, 18
	u := randArray(rng, n, T, 4)
	y := randArray(rng, n, T, 2)
	levels := []float64{0.1, 0.8}
	const reps, seed = 5, 7
	maxErr := 0.5
	J0 := p.J.Clone()
	got, err := WeightSweep(b, p, u, y, levels, reps, seed, WithMaxError(maxErr), WithMaxSequences(3*n))
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := nd.MaxAbsDiff(J0, p.J); d != 0 {
		t.Fatal("WeightSweep changed the model's J")
	}
	ev := model.NewRunner(b, p)
	defer ev.Close()
	mean := MeanAbsoluteStrength(p)
	noise := rand.New(rand.NewPCG(seed, 3))
	for i, pc := range levels {
		var errs []float64
		for r := 0; r < reps; r++ {
			if err := ev.SetParams(PerturbRecurrentWeightsRand(p, mean, pc, noise)); err != nil {
				t.Fatal(err)
			}
			l, err := ev.Loss(u, y)
			if err != nil {
				t.Fatal(err)
			}
			errs = append(errs, l)
		}
		m, sd := meanStd(errs)
		m, sd = 100*m/maxErr, 100*sd/maxErr
		if math.Abs(got[i].Mean-m) > 1e-4*m || math.Abs(got[i].Std-sd) > 1e-3*sd+1e-6 {
			t.Errorf("level %v: sweep %+v, loop mean %v std %v", pc, got[i], m, sd)
		}
	}
	for _, tg := range []Target{Input, Readout} {
		st, err := WeightSweep(b, p, u, y, []float64{0, 0.5}, 3, 1, WithTarget(tg))
		if err != nil {
			t.Fatal(err)
		}
		if st[0].Std > 1e-9 || st[1].Std == 0 {
			t.Errorf("%v: %+v", tg, st)
		}
	}
}

func TestBatchesLikeDataLoader(t *testing.T) {
	mse := []float64{1, 2, 3, 4, 5}
	got := batchLosses(mse, 2, rand.New(rand.NewPCG(1, 1)))
	if len(got) != 3 {
		t.Fatalf("5 sequences in batches of 2: %d batches", len(got))
	}
	var s float64
	for _, g := range got[:2] {
		s += 2 * g
	}
	s += got[2]
	if math.Abs(s-15) > 1e-12 {
		t.Errorf("batches lose sequences: %v", got)
	}
	if g := batchLosses(mse, 20, nil); len(g) != 1 || g[0] != 3 {
		t.Errorf("one batch: %v", g)
	}
}

func TestBadInput(t *testing.T) {
	b := testBackend(t)
	p := smallParams(1)
	u, y := nd.New(2, 5, 4), nd.New(2, 5, 2)
	y.Data[0] = 1
	cases := map[string]func() error{
		"nil backend": func() error { _, err := InputSweep(nil, p, u, y, []float64{1}, 1, 0); return err },
		"features":    func() error { _, err := InputSweep(b, p, nd.New(2, 5, 3), y, []float64{1}, 1, 0); return err },
		"time":        func() error { _, err := InputSweep(b, p, u, nd.New(2, 4, 2), []float64{1}, 1, 0); return err },
		"no levels":   func() error { _, err := WeightSweep(b, p, u, y, nil, 1, 0); return err },
		"negative":    func() error { _, err := WeightSweep(b, p, u, y, []float64{-1}, 1, 0); return err },
		"repeats":     func() error { _, err := WeightSweep(b, p, u, y, []float64{1}, 0, 0); return err },
		"constant":    func() error { _, err := WeightSweep(b, p, u, nd.New(2, 5, 2), []float64{1}, 1, 0); return err },
		"bad target":  func() error { _, err := WeightSweep(b, p, u, y, []float64{1}, 1, 0, WithTarget(7)); return err },
		"broken model": func() error {
			q := p.Clone()
			q.J = nd.New(3, 3)
			_, err := InputSweep(b, q, u, y, []float64{1}, 1, 0)
			return err
		},
		"perturb 2-D": func() error { _, err := PerturbInputs(nd.New(5, 4), 1, rand.New(rand.NewPCG(1, 1))); return err },
	}
	for name, f := range cases {
		if err := f(); err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.Contains(err.Error(), "sweep") {
			t.Errorf("%s: error %q does not say where it comes from", name, err)
		}
	}
}

// A batch of 3000 sequences of the tutorial's network size in one call: the
// pure-Go backend deadlocked on this when u·Bᵀ ran per step (NOTES.md).
func TestLargeBatchDoesNotHang(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	b := testBackend(t)
	p := model.NewParams(model.RegularizedConfig(), 1)
	rng := rand.New(rand.NewPCG(1, 1))
	u := randArray(rng, 20, 40, 16)
	y := randArray(rng, 20, 40, 2)
	done := make(chan error, 1)
	go func() {
		_, err := InputSweep(b, p, u, y, InputStrengths, Repeats, 1, WithMaxSequences(3000))
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(3 * time.Minute):
		t.Fatal("a 3000-sequence sweep did not finish in 3 minutes: deadlock?")
	}
}

func TestMain(m *testing.M) {
	backend.ProbeChild() // when backend.Probe re-executes this binary
	os.Exit(m.Run())
}

// The seeded helpers give the draw a one-repetition sweep scores: the perturbed inputs of
// InputSweep and the perturbed J of WeightSweep, for the same seed (and another seed gives
// another draw).
func TestSeededDrawsAreTheSweepsFirst(t *testing.T) {
	b := testBackend(t)
	rng := rand.New(rand.NewPCG(5, 5))
	p := smallParams(13)
	u := randArray(rng, 3, 15, 4)
	y := randArray(rng, 3, 15, 2)
	const maxErr = 0.7
	ev := model.NewRunner(b, p)
	defer ev.Close()
	for _, seed := range []int64{21, 22} {
		st, err := InputSweep(b, p, u, y, []float64{0.3}, 1, seed, WithMaxError(maxErr))
		if err != nil {
			t.Fatal(err)
		}
		pu, err := PerturbInputsSeed(u, 0.3, seed)
		if err != nil {
			t.Fatal(err)
		}
		if err := ev.SetParams(p); err != nil {
			t.Fatal(err)
		}
		l, err := ev.Loss(pu, y)
		if err != nil {
			t.Fatal(err)
		}
		if want := l / maxErr * 100; math.Abs(st[0].Mean-want) > 1e-4*want {
			t.Errorf("seed %d: InputSweep %v, loss of PerturbInputsSeed's inputs %v", seed, st[0].Mean, want)
		}
		ws, err := WeightSweep(b, p, u, y, []float64{0.4}, 1, seed, WithMaxError(maxErr))
		if err != nil {
			t.Fatal(err)
		}
		if err := ev.SetParams(PerturbRecurrentWeights(p, MeanAbsoluteStrength(p), 0.4, seed)); err != nil {
			t.Fatal(err)
		}
		if l, err = ev.Loss(u, y); err != nil {
			t.Fatal(err)
		}
		if want := l / maxErr * 100; math.Abs(ws[0].Mean-want) > 1e-4*want {
			t.Errorf("seed %d: WeightSweep %v, loss of PerturbRecurrentWeights' network %v", seed, ws[0].Mean, want)
		}
	}
	a, _ := PerturbInputsSeed(u, 0.3, 21)
	c, _ := PerturbInputsSeed(u, 0.3, 22)
	if d, _ := nd.MaxAbsDiff(a, c); d == 0 {
		t.Error("seeds 21 and 22 drew the same input noise")
	}
}
