package nd

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestIndexTakeReshape(t *testing.T) {
	a := New(3, 2, 2)
	for i := range a.Data {
		a.Data[i] = float32(i)
	}
	if got := a.At(2, 1, 0); got != 10 {
		t.Fatalf("At(2,1,0) = %v, want 10", got)
	}
	sub := a.Index(1)
	if fmt.Sprint(sub.Shape) != "[2 2]" || sub.At(0, 1) != 5 {
		t.Fatalf("Index(1) = %v %v", sub.Shape, sub.Data)
	}
	sub.Set(-1, 0, 0) // shares memory
	if a.At(1, 0, 0) != -1 {
		t.Fatal("Index does not share memory")
	}
	tk := a.Take([]int{2, 0})
	if tk.At(0, 0, 0) != 8 || tk.At(1, 1, 1) != 3 {
		t.Fatalf("Take: %v", tk.Data)
	}
	if _, err := a.Reshape(5, 2); err == nil {
		t.Fatal("Reshape to a wrong size must fail")
	}
}

func TestStats(t *testing.T) {
	a, _ := FromData([]float32{1, 2, 3, 4}, 4)
	if a.Mean() != 2.5 {
		t.Fatal(a.Mean())
	}
	if got, want := a.Std(true), math.Sqrt(5.0/3); math.Abs(got-want) > 1e-12 {
		t.Fatalf("unbiased std %v want %v", got, want)
	}
	if got, want := a.Std(false), math.Sqrt(1.25); math.Abs(got-want) > 1e-12 {
		t.Fatalf("biased std %v want %v", got, want)
	}
	lo, hi := a.MinMax()
	if lo != 1 || hi != 4 {
		t.Fatal(lo, hi)
	}
}

func ExampleArray_Index() {
	a, _ := FromData([]float32{1, 2, 3, 4, 5, 6}, 3, 2)
	fmt.Println(a.Index(2).Data, a.Take([]int{0, 2}).Shape)
	// Output: [5 6] [2 2]
}

func TestCheckFinite(t *testing.T) {
	a := New(2, 3)
	if err := CheckFinite("x", a); err != nil {
		t.Fatal(err)
	}
	a.Set(float32(math.Inf(-1)), 1, 2)
	a.Set(float32(math.NaN()), 1, 1)
	err := CheckFinite("inputs in f.npy", a)
	if err == nil || !strings.Contains(err.Error(), "inputs in f.npy: element [1 1] is NaN") {
		t.Fatalf("got %v", err)
	}
	if got := UnravelIndex(17, []int{2, 3, 4}); fmt.Sprint(got) != "[1 1 1]" {
		t.Fatalf("UnravelIndex(17, [2 3 4]) = %v", got)
	}
}

func TestCheckedSize(t *testing.T) {
	for _, c := range []struct {
		shape []int
		want  int
		ok    bool
	}{
		{[]int{27, 250, 16}, 108000, true},
		{[]int{0, -1}, 0, false},
		{[]int{-1, 250, 16}, 0, false},
		{[]int{4611686018427387904, 4, 16}, 0, false}, // overflows to 0 when multiplied blindly
		{[]int{100000000000}, 0, false},
		{[]int{0, 4611686018427387904, 4611686018427387904}, 0, true},
		{nil, 1, true},
	} {
		n, err := CheckedSize(c.shape, 1<<30)
		if (err == nil) != c.ok || n != c.want {
			t.Errorf("CheckedSize(%v) = %d, %v; want %d, ok %v", c.shape, n, err, c.want, c.ok)
		}
	}
}
