package nd

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func seq(shape ...int) *Array {
	a := New(shape...)
	for i := range a.Data {
		a.Data[i] = float32(i)
	}
	return a
}

func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(fmt.Sprint(r), want) {
			t.Fatalf("panic %v, want one containing %q", r, want)
		}
	}()
	f()
}

func TestUnsqueezeTimeSliceStack(t *testing.T) {
	a := seq(2, 3, 4)
	u := a.Unsqueeze(0)
	if fmt.Sprint(u.Shape) != "[1 2 3 4]" || &u.Data[0] != &a.Data[0] {
		t.Fatalf("Unsqueeze(0): shape %v, shares memory %v", u.Shape, &u.Data[0] == &a.Data[0])
	}
	if s := a.Unsqueeze(3).Shape; fmt.Sprint(s) != "[2 3 4 1]" {
		t.Fatalf("Unsqueeze(3): %v", s)
	}
	mustPanic(t, "Unsqueeze(4)", func() { a.Unsqueeze(4) })

	// TimeSlice(t)[b][f] == a[b][t][f]; stacking all slices on axis 1 gives a back.
	var steps []*Array
	for ti := 0; ti < 3; ti++ {
		s := a.TimeSlice(ti)
		for b := 0; b < 2; b++ {
			for f := 0; f < 4; f++ {
				if s.At(b, f) != a.At(b, ti, f) {
					t.Fatalf("TimeSlice(%d)[%d,%d] = %v, want %v", ti, b, f, s.At(b, f), a.At(b, ti, f))
				}
			}
		}
		steps = append(steps, s)
	}
	back := Stack(steps, 1)
	if d, _ := MaxAbsDiff(back, a); d != 0 || fmt.Sprint(back.Shape) != "[2 3 4]" {
		t.Fatalf("Stack(TimeSlices, 1) = %v (diff %v), want a", back.Shape, d)
	}
	// Axis 0 puts the arrays first; the last axis interleaves them.
	s0 := Stack(steps, 0)
	if fmt.Sprint(s0.Shape) != "[3 2 4]" || s0.At(2, 1, 3) != a.At(1, 2, 3) {
		t.Fatalf("Stack axis 0: shape %v, [2,1,3] = %v", s0.Shape, s0.At(2, 1, 3))
	}
	s2 := Stack(steps, 2)
	if fmt.Sprint(s2.Shape) != "[2 4 3]" || s2.At(1, 3, 2) != a.At(1, 2, 3) {
		t.Fatalf("Stack axis 2: shape %v, [1,3,2] = %v", s2.Shape, s2.At(1, 3, 2))
	}
	mustPanic(t, "time steps 0..2", func() { a.TimeSlice(3) })
	mustPanic(t, "(batch, time, features)", func() { seq(2, 3).TimeSlice(0) })
	mustPanic(t, "array 1 has shape [3]", func() { Stack([]*Array{seq(2), seq(3)}, 0) })
}

func TestMSEAndMeanStdOf(t *testing.T) {
	a, _ := FromData([]float32{1, 2, 3, 4}, 2, 2)
	b, _ := FromData([]float32{1, 0, 3, 8}, 2, 2)
	if got := MSE(a, b); got != (0+4+0+16)/4.0 {
		t.Fatalf("MSE = %v, want 5", got)
	}
	mustPanic(t, "different shapes", func() { MSE(a, seq(4)) })
	ms := MeanStdOf([]float64{2, 4, 4, 4, 5, 5, 7, 9})
	if ms.Mean != 5 || ms.Std != 2 {
		t.Fatalf("MeanStdOf = %+v, want {5 2} (np.std, ddof 0)", ms)
	}
	if e := MeanStdOf(nil); !math.IsNaN(e.Mean) {
		t.Fatalf("MeanStdOf(nil) = %+v, want NaN", e)
	}
}

func ExampleStack() {
	// Two time steps of a batch of 1 with 2 features, stacked on the time axis.
	steps := []*Array{{Shape: []int{1, 2}, Data: []float32{1, 2}}, {Shape: []int{1, 2}, Data: []float32{3, 4}}}
	trajectory := Stack(steps, 1)
	fmt.Println(trajectory.Shape, trajectory.Data)
	fmt.Println(trajectory.TimeSlice(1).Data, trajectory.Index(0).Unsqueeze(0).Shape)
	fmt.Println(MSE(steps[0], steps[1]), MeanStdOf([]float64{1, 3}))
	// Output:
	// [1 2 2] [1 2 3 4]
	// [3 4] [1 2 2]
	// 4 {2 1}
}
