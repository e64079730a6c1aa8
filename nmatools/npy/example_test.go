package npy_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/npy"
)

// A .npz of a float32 array and float64 sample times, read back.
func ExampleWriteNpz() {
	dir, _ := os.MkdirTemp("", "npy-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "trial.npz")
	x, _ := nd.FromData([]float32{0, 0.5, 1, 1.5}, 2, 2)
	if err := npy.WriteNpz(path, map[string]*nd.Array{"x": x}, map[string][]float64{"times": {-0.05, 0.05}}); err != nil {
		fmt.Println(err)
		return
	}
	arrays, err := npy.ReadNpz(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(arrays["x"].Shape, arrays["x"].Data, arrays["times"].Data)
	// Output:
	// [2 2] [0 0.5 1 1.5] [-0.05 0.05]
}
