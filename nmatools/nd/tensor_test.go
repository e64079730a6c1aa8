package nd

import (
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
)

func TestTensorRoundTrip(t *testing.T) {
	a := New(2, 3)
	for i := range a.Data {
		a.Data[i] = float32(i) - 2.5
	}
	tt := ToTensor(a)
	a.Data[0] = 99 // the tensor holds a copy
	b, err := FromTensor(tt)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(b.Shape, []int{2, 3}) || b.Data[0] != -2.5 || b.Data[5] != 2.5 {
		t.Fatalf("round trip gave %v %v", b.Shape, b.Data)
	}
	if _, err := FromTensor(tensors.FromFlatDataAndDimensions([]float64{1}, 1)); err == nil {
		t.Fatal("FromTensor accepted a float64 tensor")
	}
}
