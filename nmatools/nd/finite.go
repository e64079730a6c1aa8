package nd

import (
	"fmt"
	"math"
)

// FirstNonFinite returns the flat offset of the first NaN or ±Inf element of
// data, or -1 when every element is finite.
func FirstNonFinite(data []float32) int {
	for i, v := range data {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return i
		}
	}
	return -1
}

// UnravelIndex converts a flat row-major offset into the index of shape
// (numpy's unravel_index).
func UnravelIndex(off int, shape []int) []int {
	idx := make([]int, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		if shape[k] > 0 {
			idx[k] = off % shape[k]
			off /= shape[k]
		}
	}
	return idx
}

// CheckFinite returns nil when every element of a is finite, otherwise an
// error naming the array (name, e.g. "inputs in x.npy") and the index of its
// first NaN or ±Inf, e.g. "inputs in x.npy: element [3 17 5] is NaN (of
// shape [27 250 16]); non-finite values cannot be used: fix or drop them".
func CheckFinite(name string, a *Array) error {
	if a == nil {
		return nil
	}
	i := FirstNonFinite(a.Data)
	if i < 0 {
		return nil
	}
	return fmt.Errorf("%s: element %v is %v (array of shape %v): non-finite values (NaN, ±Inf) cannot be used; "+
		"fix or remove them in the source data", name, UnravelIndex(i, a.Shape), a.Data[i], a.Shape)
}

// CheckedSize is the number of elements a shape holds, or an error when a
// dimension is negative or the product exceeds limit (or overflows int):
// the check to make before allocating an array whose shape came from a file.
func CheckedSize(shape []int, limit int) (int, error) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("shape %v has a negative dimension", shape)
		}
	}
	for _, d := range shape {
		if d == 0 {
			return 0, nil
		}
	}
	for _, d := range shape {
		if n > limit/d {
			return 0, fmt.Errorf("shape %v holds more than %d elements (the limit)", shape, limit)
		}
		n *= d
	}
	return n, nil
}
