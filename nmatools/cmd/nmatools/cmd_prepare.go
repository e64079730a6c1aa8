package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/neuromatch/nmatools/nmatools/data"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/npy"
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
	arrays := map[string]*nd.Array{
		"inputs":             ds.Inputs,
		"outputs":            ds.Outputs,
		"inputs_with_delay":  ds.InputsWithDelay,
		"outputs_with_delay": ds.OutputsWithDelay,
	}
	if err := npy.WriteNpz(*out, arrays, map[string][]float64{"times": ds.Times}); err != nil {
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
