package nd

import (
	"fmt"

	"github.com/gomlx/gomlx/core/tensors"
)

// ToTensor returns a GoMLX float32 tensor with a's shape and a copy of its values: the one
// conversion from host arrays to tensors in this module.
func ToTensor(a *Array) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(append([]float32(nil), a.Data...), a.Shape...)
}

// FromTensor copies a float32 tensor into a new Array (it fails for other dtypes).
func FromTensor(t *tensors.Tensor) (*Array, error) {
	if t == nil {
		return nil, fmt.Errorf("nd.FromTensor: nil tensor")
	}
	data, err := tensors.CopyFlatData[float32](t)
	if err != nil {
		return nil, fmt.Errorf("nd.FromTensor: %w", err)
	}
	return FromData(data, t.Shape().Dimensions...)
}
