package nd

import (
	"fmt"
	"math"
)

// The operations below are the tensor idioms the tutorial's code uses
// (x.unsqueeze(0), inputs[:, t, :], torch.stack, nn.MSELoss, np.mean/np.std).
// Like Index, they panic with a message naming the shapes when called on
// arrays of the wrong shape: that is a mistake in the calling code, not a
// condition to handle.

// Unsqueeze returns a with a new axis of size 1 inserted before axis
// (0 ≤ axis ≤ Rank), sharing memory with a: torch's x.unsqueeze(axis).
func (a *Array) Unsqueeze(axis int) *Array {
	if axis < 0 || axis > len(a.Shape) {
		panic(fmt.Sprintf("nd: Unsqueeze(%d) out of range for shape %v (use 0..%d)", axis, a.Shape, len(a.Shape)))
	}
	shape := make([]int, 0, len(a.Shape)+1)
	shape = append(shape, a.Shape[:axis]...)
	shape = append(shape, 1)
	shape = append(shape, a.Shape[axis:]...)
	return &Array{Shape: shape, Data: a.Data}
}

// TimeSlice returns a[:, t, :] of a (batch, time, features) array as a new
// (batch, features) array (a copy).
func (a *Array) TimeSlice(t int) *Array {
	if len(a.Shape) != 3 {
		panic(fmt.Sprintf("nd: TimeSlice wants a (batch, time, features) array, got shape %v", a.Shape))
	}
	b, T, f := a.Shape[0], a.Shape[1], a.Shape[2]
	if t < 0 || t >= T {
		panic(fmt.Sprintf("nd: TimeSlice(%d) out of range for shape %v (time steps 0..%d)", t, a.Shape, T-1))
	}
	out := New(b, f)
	for i := 0; i < b; i++ {
		copy(out.Data[i*f:(i+1)*f], a.Data[(i*T+t)*f:(i*T+t+1)*f])
	}
	return out
}

// Stack joins arrays of one shape along a new axis (0 ≤ axis ≤ their rank)
// into a new array: torch.stack(arrays, axis). Stacking the per-step
// (batch, features) outputs of a network along axis 1 gives its
// (batch, time, features) trajectory.
func Stack(arrays []*Array, axis int) *Array {
	if len(arrays) == 0 {
		panic("nd: Stack of no arrays")
	}
	shape := arrays[0].Shape
	for i, x := range arrays {
		if !sameShape(x.Shape, shape) {
			panic(fmt.Sprintf("nd: Stack: array %d has shape %v, array 0 has %v", i, x.Shape, shape))
		}
	}
	if axis < 0 || axis > len(shape) {
		panic(fmt.Sprintf("nd: Stack axis %d out of range for arrays of shape %v (use 0..%d)", axis, shape, len(shape)))
	}
	outer, inner := Size(shape[:axis]...), Size(shape[axis:]...)
	n := len(arrays)
	out := New(append(append(append([]int(nil), shape[:axis]...), n), shape[axis:]...)...)
	for k, x := range arrays {
		for o := 0; o < outer; o++ {
			copy(out.Data[(o*n+k)*inner:(o*n+k+1)*inner], x.Data[o*inner:(o+1)*inner])
		}
	}
	return out
}

// MSE is nn.MSELoss: the mean squared difference of two arrays of one shape,
// summed in float64.
func MSE(a, b *Array) float64 {
	if !sameShape(a.Shape, b.Shape) {
		panic(fmt.Sprintf("nd: MSE of arrays of different shapes %v and %v", a.Shape, b.Shape))
	}
	if len(a.Data) == 0 {
		panic(fmt.Sprintf("nd: MSE of empty arrays (shape %v)", a.Shape))
	}
	var s float64
	for i, v := range a.Data {
		d := float64(v) - float64(b.Data[i])
		s += d * d
	}
	return s / float64(len(a.Data))
}

// MeanStdOf returns np.mean(xs) and np.std(xs) (ddof 0). An empty slice gives NaNs.
func MeanStdOf(xs []float64) MeanStd {
	if len(xs) == 0 {
		return MeanStd{Mean: math.NaN(), Std: math.NaN()}
	}
	var m float64
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	var s float64
	for _, x := range xs {
		s += (x - m) * (x - m)
	}
	return MeanStd{Mean: m, Std: math.Sqrt(s / float64(len(xs)))}
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
