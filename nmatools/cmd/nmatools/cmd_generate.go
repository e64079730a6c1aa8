package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/neuromatch/nmatools/nmatools/backend"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/npy"
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
	ckpt := fs.String("checkpoint", "", "trained network: a checkpoint directory, a weights .npz (J, B, bx, W, c) or a PyTorch .pth state_dict")
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
	inputs, err := npy.Read(*inPath)
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
	if err := npy.WriteNpz(*outPath, map[string]*nd.Array{"outputs": outputs, "hidden": hidden}, nil); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: outputs %v, hidden %v (backend %s)\n", *outPath, outputs.Shape, hidden.Shape, b.Name())
	return nil
}
