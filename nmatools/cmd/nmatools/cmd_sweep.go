package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/neuromatch/nmatools/nmatools/backend"
	"github.com/neuromatch/nmatools/nmatools/data"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/npy"
	"github.com/neuromatch/nmatools/nmatools/plot"
	"github.com/neuromatch/nmatools/nmatools/sweep"
)

func init() {
	register(command{
		name:    "sweep",
		summary: "robustness sweeps (Section 4): `sweep inputs|weights --checkpoint PATH [--data FILE.mat] [--json] [--plot F.svg]`",
		run:     runSweep,
	})
}

const sweepUsage = `usage: nmatools sweep inputs|weights --checkpoint PATH [--compare PATH2]
        (--data FILE.mat | --inputs X.npy --targets Y.npy) [--repeats 30] [--seed N]
        [--levels a,b,...] [--json] [--plot FILE.svg|FILE.png|FILE.pdf]

Section 4 of the tutorial: perturb the inputs (test_perturbed_inputs) or the
recurrent weights J (test_perturbed_structure) of a trained network and
report, per level, the mean and standard deviation (np.std) of the error in
percent of max_error, the error of a model that outputs each muscle's mean.

With --data (or with no data flag: the cached tutorial file, else the
synthetic stand-in) the sweep runs on the tutorial's 20 training conditions
at the fixed delay (data.TrainValSplit(--split-seed); by default the seed a
checkpoint directory's training.json records, i.e. the split it was trained
on) and max_error is computed on all 27 conditions, as in the tutorial. With --inputs/--targets
(float32 .npy, (conditions, time, features) and (conditions, time, outputs))
max_error is computed on the given targets unless --max-error is set.

A checkpoint is what model.Load reads: a GoMLX checkpoint directory, a
weights .npz with arrays J, B, bx, W, c (float32) and optionally tau_over_dt
(nmatools convert writes one), or a PyTorch .pth state_dict. --compare adds a second model (the tutorial's figure
compares the regularized --checkpoint with the unregularized --compare).

--json prints [{"level":…,"mean":…,"std":…}, …] (percent of max_error); with
--compare, {"checkpoint":[…],"compare":[…]}.

flags:
`

type sweepLevelJSON struct {
	Level float64 `json:"level"`
	Mean  float64 `json:"mean"`
	Std   float64 `json:"std"`
}

func runSweep(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ckpt := fs.String("checkpoint", "", "model to perturb: .pth, GoMLX checkpoint directory, or .npz (J, B, bx, W, c)")
	compare := fs.String("compare", "", "optional second model, swept with the same seed (e.g. the unregularized one)")
	dataFile := fs.String("data", "", "condsForSimJ2moMuscles.mat (default: the cached file, else the synthetic stand-in)")
	inputsF := fs.String("inputs", "", "inputs .npy (conditions, time, features), instead of --data")
	targetsF := fs.String("targets", "", "targets .npy (conditions, time, outputs), with --inputs")
	repeats := fs.Int("repeats", sweep.Repeats, "repetitions per level")
	seed := fs.Int64("seed", 0, "seed of the perturbations (PCG)")
	splitSeed := fs.Int64("split-seed", 0, "seed of the 20/7 train/validation split (data.TrainValSplit; default: the \"seed\" in the checkpoint directory's training.json, else 0)")
	levels := fs.String("levels", "", "comma-separated levels (default: the tutorial's: 0.0125,…,0.2 for inputs; 0.01,…,0.8 for weights)")
	maxErr := fs.Float64("max-error", 0, "max_error to normalise by (default: computed as the tutorial does)")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	plotF := fs.String("plot", "", "write the bar chart to this file (.svg, .png or .pdf)")
	gaussian := fs.Bool("gaussian", false, "inputs: zero-mean Gaussian noise instead of the tutorial's U[0,1) (extension)")
	target := fs.String("target", "J", "weights: the matrix to perturb: J (tutorial), B (inputs) or W (readout) (extension)")
	batch := fs.Int("batch", sweep.BatchSize, "DataLoader batch size the errors are taken over")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	fs.Usage = func() {
		fmt.Fprint(stderr, sweepUsage)
		fs.PrintDefaults()
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fs.Usage()
			return nil
		}
		fs.Usage()
		return errors.New("say what to perturb: `sweep inputs …` or `sweep weights …`")
	}
	kind := args[0]
	if kind != "inputs" && kind != "weights" {
		return fmt.Errorf("unknown sweep %q: use `sweep inputs` or `sweep weights`", kind)
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (flags go after `sweep %s`)", fs.Args(), kind)
	}
	if *ckpt == "" {
		return errors.New("--checkpoint PATH is required")
	}
	if (*inputsF == "") != (*targetsF == "") {
		return errors.New("--inputs and --targets go together")
	}
	if *inputsF != "" && *dataFile != "" {
		return errors.New("give either --data or --inputs/--targets, not both")
	}
	if *repeats < 1 {
		return fmt.Errorf("--repeats must be ≥ 1, got %d", *repeats)
	}
	if *plotF != "" {
		switch strings.ToLower(filepath.Ext(*plotF)) {
		case ".svg", ".png", ".pdf":
		default:
			return fmt.Errorf("--plot %s: use a .svg, .png or .pdf file name", *plotF)
		}
	}
	lv := sweep.InputStrengths
	if kind == "weights" {
		lv = sweep.WeightPercentages
	}
	if *levels != "" {
		var err error
		if lv, err = parseLevels(*levels); err != nil {
			return err
		}
	}
	var opts []sweep.Option
	opts = append(opts, sweep.WithBatchSize(*batch))
	if *gaussian {
		if kind != "inputs" {
			return errors.New("--gaussian applies to `sweep inputs`")
		}
		opts = append(opts, sweep.WithGaussianNoise())
	}
	switch strings.ToUpper(*target) {
	case "J":
	case "B":
		opts = append(opts, sweep.WithTarget(sweep.Input))
	case "W":
		opts = append(opts, sweep.WithTarget(sweep.Readout))
	default:
		return fmt.Errorf("--target %q: use J, B or W", *target)
	}
	if *target != "J" && kind != "weights" {
		return errors.New("--target applies to `sweep weights`")
	}

	// Data.
	var inputs, targets *nd.Array
	synthetic := false
	if *inputsF != "" {
		var err error
		if inputs, err = npy.Read(*inputsF); err != nil {
			return err
		}
		if targets, err = npy.Read(*targetsF); err != nil {
			return err
		}
		for _, f := range []struct {
			path string
			a    *nd.Array
		}{{*inputsF, inputs}, {*targetsF, targets}} {
			if f.a.Rank() != 3 {
				return fmt.Errorf("%s: want a 3-D array, got shape %v", f.path, f.a.Shape)
			}
		}
	} else {
		var ds *data.Dataset
		var err error
		if *dataFile != "" {
			ds, err = data.PrepareDataset(*dataFile)
		} else {
			ds, err = data.Load()
		}
		if err != nil {
			return err
		}
		synthetic = ds.Synthetic
		explicit := false
		fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "split-seed" })
		if !explicit {
			if s, ok := trainingSeed(*ckpt); ok {
				*splitSeed = s
				if !*quiet {
					fmt.Fprintf(stderr, "using the training split of %s (seed %d from its training.json; --split-seed overrides)\n", *ckpt, s)
				}
			}
		}
		train, _ := data.TrainValSplit(*splitSeed)
		inputs, targets = ds.Inputs.Take(train), ds.Outputs.Take(train)
		if *maxErr == 0 {
			if *maxErr, err = sweep.MaxError(ds.Outputs); err != nil {
				return err
			}
		}
		if synthetic && !*quiet {
			fmt.Fprintf(stderr, "note: %s is the synthetic stand-in data, not the tutorial's recordings\n", ds.Source)
		}
	}
	if *maxErr != 0 {
		opts = append(opts, sweep.WithMaxError(*maxErr))
	}

	paths := []string{*ckpt}
	if *compare != "" {
		paths = append(paths, *compare)
	}
	b, err := backend.Get()
	if err != nil {
		return err
	}
	results := make([][]sweep.Stat, len(paths))
	for i, path := range paths {
		p, err := model.Load(path)
		if err != nil {
			return err
		}
		o := opts
		if !*quiet {
			o = append(append([]sweep.Option(nil), opts...), sweep.WithProgress(sweep.ProgressTo(stderr, fmt.Sprintf("sweep %s %s", kind, filepath.Base(path)))))
		}
		start := time.Now()
		if kind == "inputs" {
			results[i], err = sweep.InputSweep(b, p, inputs, targets, lv, *repeats, *seed, o...)
		} else {
			results[i], err = sweep.WeightSweep(b, p, inputs, targets, lv, *repeats, *seed, o...)
		}
		if err != nil {
			return err
		}
		if !*quiet {
			fmt.Fprintf(stderr, "%s: %d levels × %d repeats × %d conditions in %.2fs on backend %q\n",
				path, len(lv), *repeats, inputs.Shape[0], time.Since(start).Seconds(), b.Name())
		}
	}

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if len(results) == 1 {
			if err := enc.Encode(statsJSON(results[0])); err != nil {
				return err
			}
		} else if err := enc.Encode(map[string][]sweepLevelJSON{"checkpoint": statsJSON(results[0]), "compare": statsJSON(results[1])}); err != nil {
			return err
		}
	} else {
		for i, r := range results {
			fmt.Fprintf(stdout, "%s (%s perturbation, %% of max_error):\n", paths[i], kind)
			fmt.Fprintf(stdout, "  %-10s %10s %10s\n", "level", "mean", "std")
			for _, s := range r {
				fmt.Fprintf(stdout, "  %-10s %10.3f %10.3f\n", plot.LevelLabel(s.Level), s.Mean, s.Std)
			}
		}
	}

	if *plotF != "" {
		title := "Perturbation of the inputs"
		if kind == "weights" {
			title = "Perturbation of the weights"
		}
		var fig *plot.Figure
		var opt []plot.Option
		if synthetic {
			opt = append(opt, plot.DataNote("synthetic"))
		}
		if len(results) == 2 {
			fig, err = plot.PerturbationResults(lv, sweep.MeanStds(results[0]), sweep.MeanStds(results[1]), title, opt...)
		} else {
			fig, err = plot.PerturbationBars(lv, []plot.Series{{Label: filepath.Base(paths[0]), Color: plot.Tab10[0], Values: sweep.MeanStds(results[0])}}, title, opt...)
		}
		if err != nil {
			return err
		}
		if err := fig.Save(*plotF); err != nil {
			return err
		}
	}
	return nil
}

// trainingSeed reads the "seed" a checkpoint directory's training.json
// (written by nmatools train) records: the seed of its TrainValSplit.
func trainingSeed(ckpt string) (int64, bool) {
	b, err := os.ReadFile(filepath.Join(ckpt, "training.json"))
	if err != nil {
		return 0, false
	}
	var v struct {
		Seed *int64 `json:"seed"`
	}
	if json.Unmarshal(b, &v) != nil || v.Seed == nil {
		return 0, false
	}
	return *v.Seed, true
}

func statsJSON(st []sweep.Stat) []sweepLevelJSON {
	out := make([]sweepLevelJSON, len(st))
	for i, s := range st {
		out[i] = sweepLevelJSON{Level: s.Level, Mean: s.Mean, Std: s.Std}
	}
	return out
}

func parseLevels(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
			return nil, fmt.Errorf("--levels: %q is not a number ≥ 0 (want e.g. 0.0125,0.025,0.05)", f)
		}
		out = append(out, v)
	}
	return out, nil
}
