package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/core/tensors/numpy"
	"github.com/neuromatch/nmatools/nmatools/backend"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

func init() {
	register(command{
		name:    "generate",
		summary: "run a trained network on inputs (generate_trajectory): .npy in, .npz (outputs, hidden) out",
		run:     runGenerate,
	})
}

func runGenerate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ckpt := fs.String("checkpoint", "", "trained network: a checkpoint directory or a PyTorch .pth state_dict")
	inPath := fs.String("inputs", "", "inputs .npy, float32 or float64, shaped (batch, time, input) or (time, input)")
	outPath := fs.String("out", "", "output .npz with arrays outputs (batch, time, output) and hidden (batch, time, hidden)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: nmatools generate --checkpoint PATH --inputs X.npy --out Y.npz")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *ckpt == "" || *inPath == "" || *outPath == "" {
		fs.Usage()
		return fmt.Errorf("--checkpoint, --inputs and --out are all required")
	}
	p, err := model.Load(*ckpt)
	if err != nil {
		return err
	}
	inputs, err := generateReadNpy(*inPath)
	if err != nil {
		return err
	}
	if inputs.Rank() == 2 {
		inputs, _ = inputs.Reshape(1, inputs.Shape[0], inputs.Shape[1])
	}
	if inputs.Rank() != 3 || inputs.Shape[2] != p.Config.InputSize {
		return fmt.Errorf("%s has shape %v; the network wants (batch, time, %d) or (time, %d)",
			*inPath, inputs.Shape, p.Config.InputSize, p.Config.InputSize)
	}
	b, err := backend.Get()
	if err != nil {
		return err
	}
	r := model.NewRunner(b, p)
	defer r.Close()
	outputs, hidden, err := r.Trajectory(inputs)
	if err != nil {
		return err
	}
	if err := generateWriteNpz(*outPath, map[string]*nd.Array{"outputs": outputs, "hidden": hidden}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: outputs %v, hidden %v (backend %s)\n", *outPath, outputs.Shape, hidden.Shape, b.Name())
	return nil
}

func generateReadNpy(path string) (*nd.Array, error) {
	t, err := numpy.FromNpyFile(path)
	if err != nil {
		return nil, fmt.Errorf("read inputs %s: %w", path, err)
	}
	dims := t.Shape().Dimensions
	switch t.DType() {
	case dtypes.Float32:
		data, err := tensors.CopyFlatData[float32](t)
		if err != nil {
			return nil, err
		}
		return nd.FromData(data, dims...)
	case dtypes.Float64:
		d64, err := tensors.CopyFlatData[float64](t)
		if err != nil {
			return nil, err
		}
		data := make([]float32, len(d64))
		for i, v := range d64 {
			data[i] = float32(v)
		}
		return nd.FromData(data, dims...)
	}
	return nil, fmt.Errorf("inputs %s are %s; want float32 or float64", path, t.DType())
}

func generateWriteNpz(path string, arrays map[string]*nd.Array) error {
	m := map[string]*tensors.Tensor{}
	for k, a := range arrays {
		m[k] = tensors.FromFlatDataAndDimensions(a.Data, a.Shape...)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-*.npz")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	f.Close()
	if err := numpy.ToNpzFile(m, tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
