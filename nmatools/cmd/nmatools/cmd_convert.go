package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/train"
)

func init() {
	register(command{
		name:    "convert",
		summary: "convert a .pth, weights .npz or checkpoint dir to a GoMLX checkpoint dir or a weights .npz (J, B, bx, W, c): `convert PATH --out DIR|FILE.npz [--model unregularized|regularized]`",
		run:     runConvert,
	})
}

func runConvert(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("convert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "checkpoint directory to write (replaced if it is an nmatools checkpoint), or FILE.npz for the weights J, B, bx, W, c (float32; what every --checkpoint and bench/torch_sweep.py --weights read)")
	modelName := fs.String("model", "", "unregularized or regularized: the recipe's constants (default: from the file name for a .pth or .npz, from model.json for a directory; sizes always from the file)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("want exactly one FILE.pth, weights FILE.npz or checkpoint directory (e.g. nmatools convert regularized_model_final.pth --out DIR, nmatools convert checkpoints/regularized --out reg.npz)")
	}
	if *out == "" {
		return errors.New("--out DIR or --out FILE.npz is required")
	}
	var p *model.Params
	if *modelName == "" {
		p, err = model.Load(pos[0])
	} else {
		// The recipe's constants, with the file's sizes (which must be the recipe's) and τ/Δt.
		var r train.Recipe
		if r, err = train.RecipeByName(*modelName); err != nil {
			return err
		}
		if p, err = model.LoadAs(pos[0], r.Model); err == nil {
			cfg := r.Model
			cfg.TauOverDt = p.Config.TauOverDt
			p.Config = cfg
		}
	}
	if err != nil {
		return err
	}
	if strings.EqualFold(filepath.Ext(*out), ".npz") {
		err = p.SaveNpz(*out)
	} else {
		err = p.Save(*out)
	}
	if err != nil {
		return err
	}
	c := p.Config
	fmt.Fprintf(stdout, "%s → %s (input %d, hidden %d, output %d, g %g, regularized %v)\n",
		pos[0], *out, c.InputSize, c.HiddenSize, c.OutputSize, c.G, c.Regularized)
	return nil
}
