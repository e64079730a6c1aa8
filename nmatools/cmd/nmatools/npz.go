package main

import (
	"archive/zip"
	"fmt"
	"sort"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/core/tensors/numpy"
	"github.com/neuromatch/nmatools/nmatools/internal/atomicfile"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

// writeNpz writes arrays (float32) and extra (any dtype, e.g. float64 times)
// as a NumPy .npz, names sorted so the file is a function of its content,
// atomically (temporary file + rename). A name may not be in both maps.
func writeNpz(path string, arrays map[string]*nd.Array, extra map[string]*tensors.Tensor) error {
	all := make(map[string]*tensors.Tensor, len(arrays)+len(extra))
	for n, a := range arrays {
		all[n] = nd.ToTensor(a)
	}
	for n, t := range extra {
		if _, dup := all[n]; dup {
			return fmt.Errorf("write %s: array %q given twice", path, n)
		}
		all[n] = t
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	f, err := atomicfile.Create(path)
	if err != nil {
		return fmt.Errorf("write %w", err)
	}
	defer f.Abort()
	zw := zip.NewWriter(f)
	for _, n := range names {
		w, err := zw.Create(n + ".npy")
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := numpy.ToNpyWriter(all[n], w); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}

// readNpy reads a float32 (or float64, converted) .npy array; rank > 0 also
// checks its number of dimensions.
func readNpy(path string, rank int) (*nd.Array, error) {
	t, err := numpy.FromNpyFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer t.FinalizeAll()
	a, err := tensorToND(t)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if rank > 0 && len(a.Shape) != rank {
		return nil, fmt.Errorf("%s: want a %d-D array, got shape %v", path, rank, a.Shape)
	}
	return a, nil
}

// readNpz reads every array of a .npz of float32 (or float64, converted)
// arrays, by name (without the .npy suffix).
func readNpz(path string) (map[string]*nd.Array, error) {
	m, err := numpy.FromNpzFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer func() {
		for _, t := range m {
			t.FinalizeAll()
		}
	}()
	out := make(map[string]*nd.Array, len(m))
	for n, t := range m {
		a, err := tensorToND(t)
		if err != nil {
			return nil, fmt.Errorf("%s: array %q: %w", path, n, err)
		}
		out[n] = a
	}
	return out, nil
}

// tensorToND copies a float32 or float64 tensor into an nd.Array (float32).
func tensorToND(t *tensors.Tensor) (*nd.Array, error) {
	if a, err := nd.FromTensor(t); err == nil {
		return a, nil
	}
	dims := t.Shape().Dimensions
	d64, err := tensors.CopyFlatData[float64](t)
	if err != nil {
		return nil, fmt.Errorf("want float32 or float64 data, got %s", t.Shape())
	}
	d := make([]float32, len(d64))
	for i, v := range d64 {
		d[i] = float32(v)
	}
	return nd.FromData(d, dims...)
}
