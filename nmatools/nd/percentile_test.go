package nd

import (
	"math"
	"testing"
)

func TestPercentile(t *testing.T) {
	x := []float64{0.3, -1.2, 5.5, 2.25, 7.0, 1.0, 1.0}
	orig := append([]float64(nil), x...)
	// np.percentile(x, p) from NumPy 1.24.2.
	for _, c := range []struct{ p, want float64 }{
		{0, -1.2}, {10, -0.2999999999999999}, {33.3, 0.9985999999999998}, {50, 1.0},
		{90, 6.1000000000000005}, {99.9, 6.991000000000001}, {100, 7.0},
	} {
		if got := Percentile(x, c.p); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("Percentile(x, %g) = %.17g, NumPy %.17g", c.p, got, c.want)
		}
	}
	for i := range x {
		if x[i] != orig[i] {
			t.Fatal("Percentile changed its input")
		}
	}
	if got := Percentile([]float64{4}, 90); got != 4 {
		t.Errorf("one value: %v", got)
	}
	for _, bad := range []struct {
		x []float64
		p float64
	}{{nil, 50}, {x, -1}, {x, 100.5}, {x, math.NaN()}, {[]float64{1, math.NaN()}, 50}} {
		if got := Percentile(bad.x, bad.p); !math.IsNaN(got) {
			t.Errorf("Percentile(%v, %v) = %v, want NaN", bad.x, bad.p, got)
		}
	}
}
