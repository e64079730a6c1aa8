package model

import (
	"math/rand/v2"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/nd"
)

// Zero-padding the hidden size changes nothing: the unrolled graphs with and without
// padding agree, for one network (Trajectory) and a batch of networks with one J each
// (RunNetworks, as the weight sweep runs them).
func TestPaddingIsExact(t *testing.T) {
	b := testBackend(t)
	cfg := Config{InputSize: 4, HiddenSize: 5, OutputSize: 2, G: 2, H: 1, TauOverDt: 5}
	p := NewParams(cfg, 3)
	const k = 3
	rng := rand.New(rand.NewPCG(4, 4))
	nets := NetworksOf(p)
	nets.J = nd.New(k, 5, 5)
	for i := range nets.J.Data {
		nets.J.Data[i] = float32(rng.NormFloat64())
	}
	u := randInputs(7, 2, 12, 4)
	run := func(mult int) (traj, batched *nd.Array) {
		defer func(m int) { hiddenPadMultiple = m }(hiddenPadMultiple)
		hiddenPadMultiple = mult
		r := NewRunner(b, p)
		defer r.Close()
		out, hid, err := r.Trajectory(u)
		if err != nil {
			t.Fatal(err)
		}
		if hid.Shape[2] != 5 {
			t.Fatalf("hidden shape %v: padding leaked out", hid.Shape)
		}
		bo, err := r.RunNetworks(nets, u)
		if err != nil {
			t.Fatal(err)
		}
		if bo.Shape[0] != k || bo.Shape[3] != 2 {
			t.Fatalf("RunNetworks output shape %v", bo.Shape)
		}
		return out, bo
	}
	t1, b1 := run(1)
	t16, b16 := run(16)
	for name, pair := range map[string][2]*nd.Array{"Trajectory": {t1, t16}, "RunNetworks": {b1, b16}} {
		if d, err := nd.MaxAbsDiff(pair[0], pair[1]); err != nil || d > 1e-6 {
			t.Errorf("%s: padded and unpadded outputs differ by %g (%v)", name, d, err)
		}
	}
	// Each network of the batch is the network with that J.
	for i := range k {
		q := p.Clone()
		copy(q.J.Data, nets.J.Data[i*25:(i+1)*25])
		r := NewRunner(b, q)
		out, _, err := r.Trajectory(u)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if d, _ := nd.MaxAbsDiff(b16.Index(i), out); d > 1e-5 {
			t.Errorf("network %d of the batch differs from its own Trajectory by %g", i, d)
		}
	}
}

func TestRunnerLoss(t *testing.T) {
	b := testBackend(t)
	p := NewParams(Config{InputSize: 3, HiddenSize: 4, OutputSize: 2, G: 1.5, H: 1, TauOverDt: 5}, 1)
	r := NewRunner(b, p)
	defer r.Close()
	u := randInputs(1, 2, 6, 3)
	out, err := r.Outputs(u)
	if err != nil {
		t.Fatal(err)
	}
	y := out.Clone()
	for i := range y.Data {
		y.Data[i] += 0.5 // every error 0.5: MSE 0.25
	}
	l, err := r.Loss(u, y)
	if err != nil || l < 0.25-1e-6 || l > 0.25+1e-6 {
		t.Fatalf("Loss = %v, %v; want 0.25", l, err)
	}
	if _, err := r.Loss(u, nd.New(2, 5, 2)); err == nil {
		t.Error("Loss accepted targets with the wrong number of steps")
	}
	if _, err := r.RunNetworks(&Networks{J: p.J}, u); err == nil {
		t.Error("RunNetworks accepted missing weights")
	}
}

// TestTrajectoryPartsMatchOneCall: a batch that RowParts splits (on the pure-Go backend; on
// XLA it is one call and the comparison is trivially equal) gives the outputs and states of
// one call over the whole batch, row for row, up to float32 rounding, also when the last
// part is padded (odd batches).
func TestTrajectoryPartsMatchOneCall(t *testing.T) {
	b := testBackend(t)
	r := NewRunner(b, NewParams(UnregularizedConfig(), 1))
	defer r.Close()
	for _, batch := range []int{8, 9, 20, 27} {
		in := randInputs(uint64(batch), batch, 60, 16)
		out, hid, err := r.Trajectory(in)
		if err != nil {
			t.Fatal(err)
		}
		out1, hid1, err := r.callPair(r.traj, "one call", in)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			a, b *nd.Array
		}{{"outputs", out, out1}, {"hidden", hid, hid1}} {
			d, err := nd.MaxAbsDiff(c.a, c.b)
			if err != nil || d > 1e-4 {
				t.Errorf("batch %d (%d parts): %s differ from one call's by %v (err %v)", batch, RowParts(b, batch), c.name, d, err)
			}
		}
	}
	if UsesWhileLoop(b) {
		t.Log("XLA: RowParts is 1, the parts path was not exercised")
	}
}
