package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/train"
)

func init() {
	register(command{
		name:    "convert",
		summary: "convert a PyTorch .pth state_dict to a GoMLX checkpoint: `convert FILE.pth --out DIR [--model unregularized|regularized]`",
		run:     runConvert,
	})
}

func runConvert(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("convert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "checkpoint directory to write (replaced if it is an nmatools checkpoint)")
	modelName := fs.String("model", "", "unregularized or regularized (default: from the file name, sizes from the tensors)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("want exactly one FILE.pth (e.g. nmatools convert regularized_model_final.pth --out DIR)")
	}
	if *out == "" {
		return errors.New("--out DIR is required")
	}
	var p *model.Params
	if *modelName == "" {
		p, err = model.Load(pos[0])
	} else {
		var r train.Recipe
		if r, err = train.RecipeByName(*modelName); err != nil {
			return err
		}
		p, err = model.LoadPth(pos[0], r.Model)
	}
	if err != nil {
		return err
	}
	if err := p.Save(*out); err != nil {
		return err
	}
	c := p.Config
	fmt.Fprintf(stdout, "%s → %s (input %d, hidden %d, output %d, g %g, regularized %v)\n",
		pos[0], *out, c.InputSize, c.HiddenSize, c.OutputSize, c.G, c.Regularized)
	return nil
}
