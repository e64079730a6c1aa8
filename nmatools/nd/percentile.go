package nd

import (
	"math"
	"slices"
)

// Percentile returns the p-th percentile (0 ≤ p ≤ 100) of xs as NumPy's
// np.percentile does by default (method "linear"): sort the values, take
// the position p/100·(n−1) and interpolate linearly between its two
// neighbours. xs is not changed. An empty slice, a NaN in xs or p outside
// [0, 100] gives NaN.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 || !(p >= 0 && p <= 100) {
		return math.NaN()
	}
	s := slices.Clone(xs)
	for _, x := range s {
		if math.IsNaN(x) {
			return math.NaN()
		}
	}
	slices.Sort(s)
	pos := p / 100 * float64(len(s)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(s)-1)
	f := pos - float64(lo)
	a, b := s[lo], s[hi]
	// NumPy's _lerp: a + (b−a)·f, computed from the upper end when f ≥ 0.5.
	if f >= 0.5 {
		return b - (b-a)*(1-f)
	}
	return a + (b-a)*f
}
