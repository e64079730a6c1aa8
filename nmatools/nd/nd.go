package nd

import (
	"fmt"
	"math"
)

// Array is a dense, row-major (C order) float32 array.
type Array struct {
	Shape []int
	Data  []float32
}

// Size is the number of elements a shape holds.
func Size(shape ...int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// New makes a zero-filled Array of the given shape. Negative dimensions panic.
func New(shape ...int) *Array {
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("nd.New: negative dimension in shape %v", shape))
		}
	}
	return &Array{Shape: append([]int(nil), shape...), Data: make([]float32, Size(shape...))}
}

// FromData wraps data (not copied) in an Array of the given shape.
func FromData(data []float32, shape ...int) (*Array, error) {
	if Size(shape...) != len(data) {
		return nil, fmt.Errorf("nd.FromData: shape %v holds %d elements, got %d", shape, Size(shape...), len(data))
	}
	return &Array{Shape: append([]int(nil), shape...), Data: data}, nil
}

// Rank is the number of axes.
func (a *Array) Rank() int { return len(a.Shape) }

// Len is the number of elements.
func (a *Array) Len() int { return len(a.Data) }

// Clone returns a deep copy.
func (a *Array) Clone() *Array {
	return &Array{Shape: append([]int(nil), a.Shape...), Data: append([]float32(nil), a.Data...)}
}

// offset converts a full index to a flat offset, panicking on a bad index.
func (a *Array) offset(idx []int) int {
	if len(idx) != len(a.Shape) {
		panic(fmt.Sprintf("nd: index %v has %d axes, array has shape %v", idx, len(idx), a.Shape))
	}
	off := 0
	for i, x := range idx {
		if x < 0 || x >= a.Shape[i] {
			panic(fmt.Sprintf("nd: index %v out of range for shape %v", idx, a.Shape))
		}
		off = off*a.Shape[i] + x
	}
	return off
}

// At returns the element at a full index.
func (a *Array) At(idx ...int) float32 { return a.Data[a.offset(idx)] }

// Set stores v at a full index.
func (a *Array) Set(v float32, idx ...int) { a.Data[a.offset(idx)] = v }

// Index returns the sub-array a[i] along the first axis, sharing memory with a.
func (a *Array) Index(i int) *Array {
	if len(a.Shape) == 0 || i < 0 || i >= a.Shape[0] {
		panic(fmt.Sprintf("nd: Index(%d) out of range for shape %v", i, a.Shape))
	}
	inner := Size(a.Shape[1:]...)
	return &Array{Shape: append([]int(nil), a.Shape[1:]...), Data: a.Data[i*inner : (i+1)*inner]}
}

// Take gathers the given indices along the first axis into a new array (a copy),
// like numpy's a[idx].
func (a *Array) Take(idx []int) *Array {
	if len(a.Shape) == 0 {
		panic("nd: Take on a scalar")
	}
	inner := Size(a.Shape[1:]...)
	out := New(append([]int{len(idx)}, a.Shape[1:]...)...)
	for k, i := range idx {
		if i < 0 || i >= a.Shape[0] {
			panic(fmt.Sprintf("nd: Take index %d out of range for shape %v", i, a.Shape))
		}
		copy(out.Data[k*inner:(k+1)*inner], a.Data[i*inner:(i+1)*inner])
	}
	return out
}

// Reshape returns an Array sharing memory with a, with a new shape of equal size.
func (a *Array) Reshape(shape ...int) (*Array, error) {
	return FromData(a.Data, shape...)
}

// MinMax returns the smallest and largest element (NaN-free input assumed: NaNs are
// skipped). Plain comparisons: Go's min and max builtins, which order NaN and ±0, cost about
// six times as much on float32 (a quarter of data.Load's time).
func (a *Array) MinMax() (lo, hi float32) {
	lo, hi = float32(math.Inf(1)), float32(math.Inf(-1))
	for _, v := range a.Data {
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return lo, hi
}

// Mean is the mean of all elements, accumulated in float64.
func (a *Array) Mean() float64 {
	var s float64
	for _, v := range a.Data {
		s += float64(v)
	}
	return s / float64(len(a.Data))
}

// Std is the standard deviation of all elements; unbiased selects the n-1
// denominator (torch.std's default), otherwise n.
func (a *Array) Std(unbiased bool) float64 {
	m := a.Mean()
	var s float64
	for _, v := range a.Data {
		d := float64(v) - m
		s += d * d
	}
	n := float64(len(a.Data))
	if unbiased {
		n--
	}
	return math.Sqrt(s / n)
}

// MaxAbsDiff is the largest |a-b| over all elements; shapes must match.
func MaxAbsDiff(a, b *Array) (float64, error) {
	if fmt.Sprint(a.Shape) != fmt.Sprint(b.Shape) {
		return 0, fmt.Errorf("nd.MaxAbsDiff: shapes differ: %v vs %v", a.Shape, b.Shape)
	}
	var m float64
	for i := range a.Data {
		m = max(m, math.Abs(float64(a.Data[i])-float64(b.Data[i])))
	}
	return m, nil
}
