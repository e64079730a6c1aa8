package compare

import (
	"math"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestTanglingOpposite: two conditions run along the same line in opposite
// directions at the same speed, so each state meets another state at the
// same place with the opposite derivative. With one unit and K = 1, Q is
// known exactly: (2v)²/ε at every state that has a twin, ε = 0.1·mean x².
func TestTanglingOpposite(t *testing.T) {
	const nT, dt, v = 21, 0.01, 3.0
	vals := make([]float64, 2*nT)
	for k := 0; k < nT; k++ {
		vals[k] = v * dt * float64(k)         // up
		vals[nT+k] = v * dt * float64(nT-1-k) // down
	}
	x, err := New(2, nT, 1, vals)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Tangling(x, TanglingOptions{PCs: 1, Dt: dt})
	if err != nil {
		t.Fatal(err)
	}
	// Centred positions: the mean of 0..nT-1 steps is (nT-1)/2 steps.
	s := 0.0
	for c := 0; c < 2; c++ {
		for k := 0; k < nT-1; k++ {
			p := float64(k)
			if c == 1 {
				p = float64(nT - 1 - k)
			}
			p = v * dt * (p - float64(nT-1)/2)
			s += p * p
		}
	}
	eps := 0.1 * s / float64(2*(nT-1))
	if math.Abs(r.Epsilon-eps) > 1e-12*eps {
		t.Errorf("ε = %v, want %v", r.Epsilon, eps)
	}
	want := 4 * v * v / eps
	// State (up, k) meets (down, nT-1-k) at the same place: every state but
	// the up run's first (0) and the down run's first (top) has a twin, and
	// those two still see a neighbour one step away.
	for c := 0; c < 2; c++ {
		for k := 1; k < nT-1; k++ {
			if got := r.At(c, k); math.Abs(got-want) > 1e-9*want {
				t.Fatalf("Q[%d,%d] = %v, want (2v)²/ε = %v", c, k, got, want)
			}
		}
	}
	if r.Steps != nT-1 || r.Conditions != 2 || len(r.Q) != 2*(nT-1) {
		t.Errorf("shape %d × %d, %d values", r.Conditions, r.Steps, len(r.Q))
	}
	// Scaling the data does not change Q; doubling dt quarters it.
	for i := range vals {
		vals[i] *= 7
	}
	r2, _ := Tangling(x, TanglingOptions{PCs: 1, Dt: 2 * dt})
	if math.Abs(r2.Q90-r.Q90/4) > 1e-9*r.Q90 {
		t.Errorf("q90 of 7·x with 2·dt = %v, want q90/4 = %v", r2.Q90, r.Q90/4)
	}
}

// TestTanglingUntangledBelowTangled: concentric circles are far less tangled
// than figure-eights, whose paths cross themselves with different velocities.
func TestTanglingUntangledBelowTangled(t *testing.T) {
	const nC, nT, nU = 5, 80, 6
	mk := func(f func(r, th float64) (float64, float64)) *Data {
		v := make([]float64, 0, nC*nT*nU)
		for c := 0; c < nC; c++ {
			r := 1 + 0.5*float64(c)
			for k := 0; k < nT; k++ {
				a, b := f(r, 2*math.Pi*float64(k)/float64(nT-1))
				v = append(v, a, b, a+b, a-2*b, 0.5*a, 1+0.01*math.Sin(float64(13*k+c)))
			}
		}
		d, err := New(nC, nT, nU, v)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	circles := mk(func(r, th float64) (float64, float64) { return r * math.Cos(th), r * math.Sin(th) })
	eights := mk(func(r, th float64) (float64, float64) { return r * math.Sin(th), r * math.Sin(th) * math.Cos(th) })
	rc, err := Tangling(circles, TanglingOptions{PCs: 3})
	if err != nil {
		t.Fatal(err)
	}
	re, err := Tangling(eights, TanglingOptions{PCs: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !(re.Q90 > 5*rc.Q90) {
		t.Errorf("q90: figure-eights %.4g, circles %.4g; want the eights far more tangled", re.Q90, rc.Q90)
	}
}

// TestTanglingBlocks: the blocked, parallel pair loop equals a plain double
// loop over all pairs, for sizes around the block size, several workers, and
// K = 8 (the unrolled loop) and 3.
func TestTanglingBlocks(t *testing.T) {
	for _, n := range []int{1, 2, tanglingBlock - 1, tanglingBlock, tanglingBlock + 1, 3*tanglingBlock + 17} {
		for _, k := range []int{3, 8} {
			tanglingBlocksCase(t, n, k)
		}
	}
}

func tanglingBlocksCase(t *testing.T, n, k int) {
	{
		st := make([]float64, n*2*k)
		for i := range st {
			st[i] = math.Sin(float64(i)*0.37) + math.Cos(float64(i*i)*0.011)
		}
		want := make([]float64, n)
		for a := 0; a < n; a++ {
			for b := 0; b < n; b++ {
				var sx, sd float64
				for m := 0; m < k; m++ {
					ex, ed := st[a*2*k+m]-st[b*2*k+m], st[a*2*k+k+m]-st[b*2*k+k+m]
					sx, sd = sx+ex*ex, sd+ed*ed
				}
				want[a] = max(want[a], sd/(sx+0.05))
			}
		}
		for _, procs := range []int{1, 3} {
			old := runtime.GOMAXPROCS(procs)
			got := maxRatios(st, n, k, 0.05)
			runtime.GOMAXPROCS(old)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("n %d, K %d, %d workers: Q[%d] = %v, double loop %v", n, k, procs, i, got[i], want[i])
				}
			}
		}
	}
}

func TestTanglingErrors(t *testing.T) {
	v := make([]float64, 3*10*4)
	for i := range v {
		v[i] = math.Sin(float64(i) * 1.3)
	}
	x, _ := New(3, 10, 4, v)
	one, _ := New(3, 1, 4, v[:12])
	zero, _ := New(3, 10, 4, make([]float64, 120))
	for _, c := range []struct {
		name string
		x    *Data
		opt  TanglingOptions
		want string
	}{
		{"K > units", x, TanglingOptions{PCs: 5}, "at most 4"},
		{"K < 0", x, TanglingOptions{PCs: -1}, "at least 1"},
		{"dt < 0", x, TanglingOptions{Dt: -0.01}, "positive number of seconds"},
		{"one time point", one, TanglingOptions{PCs: 2}, "at least 2 time points"},
		{"soft-normalization constant", x, TanglingOptions{PCs: 2, SoftNorm: true, SoftNormConst: math.Inf(1)}, "soft-normalization constant"},
		{"constant data", zero, TanglingOptions{PCs: 2}, "rank 0"},
		{"nil", nil, TanglingOptions{}, "X is nil"},
	} {
		_, err := Tangling(c.x, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

// tanglingSize is the tutorial's size: 27 conditions × 250 steps, 150 units.
func tanglingSize() *Data {
	const nC, nT, nU = 27, 251, 150
	v := make([]float64, nC*nT*nU)
	for i := range v {
		v[i] = math.Sin(float64(i%9973)*0.013) + math.Cos(float64(i%(nU*7))*0.7)
	}
	d, _ := New(nC, nT, nU, v)
	return d
}

// BenchmarkTangling27x250 times Tangling on 27 conditions × 250 steps
// (6,750 states, 8 PCs of 150 units).
func BenchmarkTangling27x250(b *testing.B) {
	x := tanglingSize()
	for b.Loop() {
		if _, err := Tangling(x, TanglingOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTanglingFastEnough: the tutorial's size takes well under the seconds
// a notebook cell can spare (generous: the test machines are shared).
func TestTanglingFastEnough(t *testing.T) {
	x := tanglingSize()
	start := time.Now()
	if _, err := Tangling(x, TanglingOptions{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("27 conditions × 250 steps took %v", d)
	}
}

func TestMovementWindow(t *testing.T) {
	times := []float64{-0.2, -0.1, -0.05, 0, 0.3, 0.55, 0.56, 0.7}
	if from, to, err := MovementWindow(times, len(times)); err != nil || from != 2 || to != 6 {
		t.Errorf("window [%d, %d) %v, want [2, 6)", from, to, err)
	}
	if from, to, err := MovementWindow(times, 4); err != nil || from != 2 || to != 4 {
		t.Errorf("first 4: window [%d, %d) %v, want [2, 4)", from, to, err)
	}
	if _, _, err := MovementWindow(times, 2); err == nil || !strings.Contains(err.Error(), "no sample") {
		t.Errorf("first 2: %v", err)
	}
}

// TestTanglingStateLimit: more than MaxTanglingStates states are refused at once
// (comparing their 2·10^10 pairs would take minutes), with what to do; the limit itself
// is not refused on its size.
func TestTanglingStateLimit(t *testing.T) {
	x, err := New(2, MaxTanglingStates/2+2, 1, make([]float64, 2*(MaxTanglingStates/2+2)))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := Tangling(x, TanglingOptions{PCs: 1}); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "more than 200000 (MaxTanglingStates)") || !strings.Contains(err.Error(), "bin the data in time") {
			t.Errorf("Tangling of %d states: %v", 2*(MaxTanglingStates/2+1), err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Tangling of 200,002 states ran for 20 s instead of refusing them")
	}
	at, _ := New(2, MaxTanglingStates/2+1, 1, make([]float64, 2*(MaxTanglingStates/2+1)))
	if _, err := Tangling(at, TanglingOptions{PCs: 1}); err != nil && strings.Contains(err.Error(), "MaxTanglingStates") {
		t.Errorf("exactly MaxTanglingStates states refused: %v", err)
	}
}
