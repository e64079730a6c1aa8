package tutorial_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/compare"
	"github.com/neuromatch/nmatools/nmatools/data"
	"github.com/neuromatch/nmatools/nmatools/tutorial"
)

// The comparison of Sussillo et al. (2015) in three calls: a network's
// rectified hidden units and the M1 PSTHs of the same 27 conditions, their
// canonical correlations, and the rotational structure (jPCA) of the
// network's movement epoch.
func ExampleCCA() {
	ds := tutorial.Data()
	m1 := tutorial.M1()
	brain := tutorial.PSTHActivity(m1)
	units := tutorial.NetworkActivity("regularized network", tutorial.Pretrained("regularized"), ds)
	fmt.Println("network", units.Data.Shape(), "M1 conditions", brain.Data.Conditions)

	cc := tutorial.CCA(units, brain, 10)
	fmt.Println(len(cc), "canonical correlations, descending:", slices.IsSortedFunc(cc, func(a, b float64) int { return int(math.Copysign(1, b-a)) }))

	from, to := tutorial.MovementWindow(m1.Times, len(ds.Times))
	r := tutorial.JPCA(units, from, to, 6, 0.01)
	fmt.Println("jPCA: skew-symmetric fit explains no more than the best linear one:", r.R2Skew <= r.R2Best)
	fmt.Println("first jPC plane:", len(tutorial.PlaneTrajectories(r)), "conditions ×", to-from, "samples")
	// Output:
	// network [27 250 150] M1 conditions 27
	// 10 canonical correlations, descending: true
	// jPCA: skew-symmetric fit explains no more than the best linear one: true
	// first jPC plane: 27 conditions × 60 samples
}

func TestNetworkActivityIsRectified(t *testing.T) {
	ds := tutorial.Data()
	a := tutorial.NetworkActivity("unregularized network", tutorial.Pretrained("unregularized"), ds)
	if a.Synthetic != ds.Synthetic || a.Real {
		t.Errorf("labels: synthetic %v real %v, data synthetic %v", a.Synthetic, a.Real, ds.Synthetic)
	}
	zeros, pos := 0, 0
	for _, v := range a.Data.Values {
		switch {
		case v < 0 || v >= 1 || math.IsNaN(v):
			t.Fatalf("rate %v outside [0, 1): not rectified tanh", v)
		case v == 0:
			zeros++
		default:
			pos++
		}
	}
	if zeros == 0 || pos == 0 {
		t.Errorf("%d zero and %d positive rates: want both (rectified tanh of mixed-sign states)", zeros, pos)
	}
	if m1 := tutorial.M1(); m1.Synthetic {
		if b := tutorial.PSTHActivity(m1); b.Label != "M1 PSTHs (synthetic)" || b.Name != "M1 PSTHs" || !b.Synthetic {
			t.Errorf("synthetic M1: label %q name %q synthetic %v", b.Label, b.Name, b.Synthetic)
		}
	}
}

// CCA pairs time samples from the start and drops the longer one's extra samples.
func TestCCAPairsTheCommonSamples(t *testing.T) {
	mk := func(times int, f func(c, t, u int) float64) *tutorial.Activity {
		v := make([]float64, 0, 4*times*3)
		for c := 0; c < 4; c++ {
			for k := 0; k < times; k++ {
				for u := 0; u < 3; u++ {
					v = append(v, f(c, k, u))
				}
			}
		}
		d, err := compare.New(4, times, 3, v)
		if err != nil {
			t.Fatal(err)
		}
		return &tutorial.Activity{Label: fmt.Sprint(times), Data: d}
	}
	sig := func(c, k, u int) float64 { return math.Sin(float64(k*(u+1))/3+float64(c)) + 0.1*float64(u*c) }
	a := mk(20, sig)
	b := mk(30, func(c, k, u int) float64 {
		if k >= 20 {
			return math.Cos(float64(7 * k * c)) // unrelated samples, to be left out
		}
		return 2*sig(c, k, (u+1)%3) - 1
	})
	cc := tutorial.CCA(a, b, 3)
	for i, v := range cc {
		if math.Abs(v-1) > 1e-9 {
			t.Errorf("correlation %d = %v, want 1 (b's first 20 samples are a linear map of a)", i, v)
		}
	}
}

func TestMovementWindow(t *testing.T) {
	const movementFrom, movementTo = -0.05, 0.55 // seconds around movement onset
	m1 := tutorial.M1()
	from, to := tutorial.MovementWindow(m1.Times, 250)
	if m1.Times[from] < movementFrom-1e-9 || (from > 0 && m1.Times[from-1] >= movementFrom-1e-9) {
		t.Errorf("from %d: time %v", from, m1.Times[from])
	}
	if to > 250 || m1.Times[to-1] > movementTo+1e-9 {
		t.Errorf("to %d beyond the epoch or the limit", to)
	}
	churchland := make([]float64, 61)
	for i := range churchland {
		churchland[i] = -0.05 + 0.01*float64(i)
	}
	if f, e := tutorial.MovementWindow(churchland, 61); f != 0 || e != 61 {
		t.Errorf("Churchland's times: window [%d, %d), want [0, 61)", f, e)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "no sample") {
			t.Errorf("times before the epoch only: %v, want an error", r)
		}
	}()
	tutorial.MovementWindow([]float64{-2, -1.5, -1}, 3)
}

func TestRealM1FromSharedCopy(t *testing.T) {
	if _, ok := data.FindReal(data.ChurchlandFile); !ok {
		t.Skip("the real Churchland et al. data are not at hand (set NMATOOLS_SHARED_DATA)")
	}
	m, why := tutorial.RealM1()
	if m == nil {
		t.Fatalf("FindReal has the file but RealM1 does not: %s", why)
	}
	a := tutorial.PSTHActivity(m)
	if !a.Real || a.Synthetic || a.Label != "Churchland et al. 2012 M1 (real)" || a.Data.Shape() != [3]int{10, 61, 50} {
		t.Errorf("real data: %q real %v synthetic %v shape %v", a.Label, a.Real, a.Synthetic, a.Data.Shape())
	}
}
