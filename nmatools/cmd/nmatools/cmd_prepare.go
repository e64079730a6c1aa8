package main

import (
	"archive/zip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/core/tensors/numpy"
	"github.com/neuromatch/nmatools/nmatools/data"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

func init() {
	register(command{
		name:    "prepare",
		summary: "prepare_dataset: `prepare FILE.mat --out FILE.npz` (inputs, outputs, *_with_delay, times)",
		run:     runPrepare,
	})
}

func runPrepare(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("prepare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "output .npz file (written atomically)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: nmatools prepare FILE.mat --out FILE.npz\n\nRuns the tutorial's prepare_dataset on a condsForSimJ2moMuscles.mat file and writes a NumPy .npz with\ninputs (27,250,16), outputs (27,250,2), inputs_with_delay (27,8,250,16), outputs_with_delay (27,8,250,2)\n(float32) and times (250, float64, seconds). Without FILE it uses the cached (or synthetic) dataset.")
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if *out == "" {
		return errors.New("prepare: --out FILE.npz is required")
	}
	var ds *data.Dataset
	switch len(pos) {
	case 0:
		ds, err = data.Load()
	case 1:
		ds, err = data.PrepareDataset(pos[0])
	default:
		return fmt.Errorf("prepare: want one .mat file, got %d arguments", len(pos))
	}
	if err != nil {
		return err
	}
	arrays := map[string]*tensors.Tensor{
		"inputs":             ndTensor(ds.Inputs),
		"outputs":            ndTensor(ds.Outputs),
		"inputs_with_delay":  ndTensor(ds.InputsWithDelay),
		"outputs_with_delay": ndTensor(ds.OutputsWithDelay),
		"times":              tensors.FromFlatDataAndDimensions(append([]float64(nil), ds.Times...), len(ds.Times)),
	}
	if err := writeNpzAtomic(*out, arrays); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	kind := "real"
	if ds.Synthetic {
		kind = "SYNTHETIC"
	}
	fmt.Fprintf(stdout, "wrote %s from %s (%s): inputs %v, outputs %v, inputs_with_delay %v, outputs_with_delay %v, times (%d) %.3f..%.3f s\n",
		*out, ds.Source, kind, ds.Inputs.Shape, ds.Outputs.Shape, ds.InputsWithDelay.Shape, ds.OutputsWithDelay.Shape,
		len(ds.Times), ds.Times[0], ds.Times[len(ds.Times)-1])
	return nil
}

func ndTensor(a *nd.Array) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(append([]float32(nil), a.Data...), a.Shape...)
}

// writeNpzAtomic writes the arrays as a .npz (names sorted, so the file is a
// function of its content) through a temporary file and a rename.
func writeNpzAtomic(path string, arrays map[string]*tensors.Tensor) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	names := make([]string, 0, len(arrays))
	for n := range arrays {
		names = append(names, n)
	}
	sort.Strings(names)
	zw := zip.NewWriter(tmp)
	for _, n := range names {
		w, err := zw.Create(n + ".npy")
		if err != nil {
			return err
		}
		if err := numpy.ToNpyWriter(arrays[n], w); err != nil {
			return err
		}
	}
	if err = zw.Close(); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
