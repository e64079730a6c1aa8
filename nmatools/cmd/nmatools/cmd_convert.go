package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/train"
)

func init() {
	register(command{
		name:    "convert",
		summary: "convert a .pth or checkpoint dir to a GoMLX checkpoint dir, or to a weights .npz (J, B, bx, W, c): `convert PATH --out DIR|FILE.npz [--model unregularized|regularized]`",
		run:     runConvert,
	})
}

func runConvert(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("convert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "checkpoint directory to write (replaced if it is an nmatools checkpoint), or FILE.npz for the weights J, B, bx, W, c (float32; what `sweep --checkpoint` and bench/torch_sweep.py --weights read)")
	modelName := fs.String("model", "", "unregularized or regularized, for a .pth (default: from the file name, sizes from the tensors)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("want exactly one FILE.pth or checkpoint directory (e.g. nmatools convert regularized_model_final.pth --out DIR, nmatools convert checkpoints/regularized --out reg.npz)")
	}
	if *out == "" {
		return errors.New("--out DIR or --out FILE.npz is required")
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
	if strings.EqualFold(filepath.Ext(*out), ".npz") {
		err = writeParamsNpz(*out, p)
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

// writeParamsNpz writes p's weights as a .npz with arrays J, B, bx, W, c
// (float32), the format loadParamsNpz (sweep --checkpoint W.npz) and
// bench/torch_sweep.py --weights read; a time constant other than the
// tutorial's tau/dt = 5 is added as tau_over_dt (which loadParamsNpz reads).
func writeParamsNpz(path string, p *model.Params) error {
	var extra map[string]*tensors.Tensor
	if p.Config.TauOverDt != 5 {
		extra = map[string]*tensors.Tensor{"tau_over_dt": tensors.FromFlatDataAndDimensions([]float32{float32(p.Config.TauOverDt)})}
	}
	return writeNpz(path, map[string]*nd.Array{"J": p.J, "B": p.B, "bx": p.Bx, "W": p.W, "c": p.C}, extra)
}
