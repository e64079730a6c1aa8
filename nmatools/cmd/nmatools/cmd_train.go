package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/neuromatch/nmatools/nmatools/backend"
	"github.com/neuromatch/nmatools/nmatools/data"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/train"
)

func init() {
	register(command{
		name:    "train",
		summary: "train a CTRNN: `train --model unregularized|regularized --out DIR [--data FILE.mat] [--epochs N] [--seed N] [--json]`",
		run:     runTrain,
	})
}

// trainJSON is the last stdout line of `nmatools train --json`.
type trainJSON struct {
	TrainLoss  []float64 `json:"train_loss"`
	ValLoss    []float64 `json:"val_loss"`
	Epochs     int       `json:"epochs"`
	Checkpoint string    `json:"checkpoint"`
}

func runTrain(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modelName := fs.String("model", "", "recipe: unregularized or regularized")
	dataPath := fs.String("data", "", "condsForSimJ2moMuscles.mat (default: the file data.Ensure finds, real or synthetic)")
	out := fs.String("out", "", "checkpoint directory (the model, training.json, and the resumable state under train/)")
	epochs := fs.Int("epochs", 0, "epoch limit (default: the recipe's, 500 unregularized / 100 regularized)")
	seed := fs.Int64("seed", train.DefaultSeed, "seed of the initial weights, the train/validation split and the shuffling")
	resume := fs.Bool("resume", true, "continue the run already in --out (false: refuse a used directory)")
	keep := fs.Int("keep", 2, "training checkpoints to keep under DIR/train")
	jsonOut := fs.Bool("json", false, `print {"train_loss": [...], "val_loss": [...], "epochs": N, "checkpoint": DIR} as the last stdout line`)
	quiet := fs.Bool("quiet", false, "no progress bar on stderr")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q", pos[0])
	}
	if *modelName == "" {
		return errors.New("--model is required: unregularized or regularized")
	}
	recipe, err := train.RecipeByName(*modelName)
	if err != nil {
		return err
	}
	if *out == "" {
		return errors.New("--out DIR is required (where the checkpoints go)")
	}
	if *epochs < 0 {
		return fmt.Errorf("--epochs must be positive, got %d", *epochs)
	}

	var ds *data.Dataset
	if *dataPath != "" {
		ds, err = data.PrepareDataset(*dataPath)
	} else {
		ds, err = data.Load()
	}
	if err != nil {
		return err
	}
	// PrepareDataset refuses non-finite values already; this keeps any other
	// source of a Dataset honest before hours of training on NaN.
	for _, a := range []struct {
		name string
		a    *nd.Array
	}{{"inputs", ds.InputsWithDelay}, {"targets", ds.OutputsWithDelay}, {"inputs", ds.Inputs}, {"targets", ds.Outputs}} {
		if err := nd.CheckFinite(fmt.Sprintf("%s: %s", ds.Source, a.name), a.a); err != nil {
			return err
		}
	}
	b, err := backend.Get()
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "nmatools train: recipe %s, seed %d, backend %s, data %s (synthetic: %v)\n",
		recipe.Name, *seed, b.Name(), ds.Source, ds.Synthetic)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opt := train.Options{Epochs: *epochs, Seed: *seed, OutDir: *out, Keep: *keep, Resume: *resume}
	if !*quiet {
		opt.Progress = stderr
	}
	res, err := train.Train(ctx, b, recipe, ds, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d epochs (%s) in %.1f s on %s\n", res.Recipe, res.Epochs, res.Stopped, res.WallSeconds, res.Backend)
	fmt.Fprintf(stdout, "last epoch: train loss %.6f, validation MSE %.6f\n",
		res.TrainLoss[res.Epochs-1], res.ValLoss[res.Epochs-1])
	fmt.Fprintf(stdout, "final parameters: train loss %.6f, train MSE %.6f, validation MSE %.6f\n",
		res.Final.TrainLoss, res.Final.TrainMSE, res.Final.ValMSE)
	fmt.Fprintf(stdout, "checkpoint: %s\n", res.Checkpoint)
	if *jsonOut {
		line, err := json.Marshal(trainJSON{TrainLoss: res.TrainLoss, ValLoss: res.ValLoss, Epochs: res.Epochs, Checkpoint: res.Checkpoint})
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, string(line))
	}
	return nil
}
