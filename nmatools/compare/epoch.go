package compare

import "fmt"

// The movement epoch, in seconds relative to movement onset: the span of
// the real Churchland et al. (2012) data (−50 ms to +550 ms), where jPCA
// looks for rotations.
const (
	MovementFrom = -0.05
	MovementTo   = 0.55
)

// MovementWindow returns the time samples [from, to) of times (seconds
// relative to movement onset) that lie in the movement epoch
// [MovementFrom, MovementTo], looking only at the first n samples (e.g. the
// steps a network's activity has). It fails when none does.
func MovementWindow(times []float64, n int) (from, to int, err error) {
	from, to = -1, 0
	for i, t := range times[:max(0, min(n, len(times)))] {
		if t >= MovementFrom-1e-9 && t <= MovementTo+1e-9 {
			if from < 0 {
				from = i
			}
			to = i + 1
		}
	}
	if from < 0 {
		return 0, 0, fmt.Errorf("compare: no sample between %g s and %g s around movement onset among the first %d", MovementFrom, MovementTo, n)
	}
	return from, to, nil
}
