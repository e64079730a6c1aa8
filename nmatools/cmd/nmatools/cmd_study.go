package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/neuromatch/nmatools/nmatools/backend"
	"github.com/neuromatch/nmatools/nmatools/data"
	"github.com/neuromatch/nmatools/nmatools/notice"
	"github.com/neuromatch/nmatools/nmatools/study"
)

func init() {
	register(command{
		name:    "study",
		summary: "regularization × seed study: `study run --grid G.json --out DIR [--shard I/N]`, `study table DIR [--json]`, `study plot DIR --out F.svg`",
		run:     runStudy,
	})
}

const studyUsage = `usage:
  nmatools study run --grid G.json --out DIR [--data FILE.mat] [--m1 FILE.mat] [--shard I/N] [--quiet]
      train and measure the grid's cells that DIR does not hold finished (a rerun skips them);
      G.json is {"rate_penalty": [...], "weight_penalty": [...], "seeds": [...], "epochs": E}
  nmatools study table DIR [--json]
      the results, one row per cell in the grid's order; exits 1 naming the unfinished cells
  nmatools study plot DIR --out F.svg|F.png|F.pdf
      the measures against the rate penalty, one line per weight penalty, mean ± s.d. over seeds

Shards: --shard I/N runs the cells i with i mod N = I (I from 0 to N−1, cells in the grid's order:
rate penalties, then weight penalties, then seeds). Without --shard, a Slurm job array gives
I = SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN, N = SLURM_ARRAY_TASK_COUNT; else a Kubernetes
Indexed Job gives I = JOB_COMPLETION_INDEX, N = NMATOOLS_SHARDS; else one process runs them all.
Shards share only DIR (a network file system is fine: no locks, each file has one writer).
`

func runStudy(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, studyUsage)
		return errors.New("missing sub-command (run, table or plot)")
	}
	switch args[0] {
	case "run":
		return runStudyRun(args[1:], stdout, stderr)
	case "table":
		return runStudyTable(args[1:], stdout, stderr)
	case "plot":
		return runStudyPlot(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, studyUsage)
		return nil
	}
	fmt.Fprint(stderr, studyUsage)
	return fmt.Errorf("unknown sub-command %q (want run, table or plot)", args[0])
}

func runStudyRun(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("study run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	gridF := fs.String("grid", "", "the grid, G.json")
	out := fs.String("out", "", "the study directory (shared by all shards)")
	dataF := fs.String("data", "", "condsForSimJ2moMuscles.mat (default: the cached course file, else the synthetic stand-in)")
	m1F := fs.String("m1", "", "M1 PSTHs for CCA, m1_reaching_data.mat of the same 27 conditions (default: the cached course file, else the synthetic stand-in)")
	shardF := fs.String("shard", "", "run shard I of N (I/N, I from 0); default: from Slurm or Kubernetes, else all cells")
	quiet := fs.Bool("quiet", false, "no progress bar on stderr (the line per cell stays)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q (flags: --grid, --out, --data, --m1, --shard)", pos[0])
	}
	if *gridF == "" || *out == "" {
		fmt.Fprint(stderr, studyUsage)
		return errors.New("--grid G.json and --out DIR are required")
	}
	g, err := study.ReadGrid(*gridF)
	if err != nil {
		return err
	}
	var sh study.Shard
	from := ""
	if *shardF != "" {
		if sh, err = study.ParseShard(*shardF); err != nil {
			return err
		}
		from = "--shard " + *shardF
	} else if sh, from, err = study.ShardFromEnv(os.Getenv); err != nil {
		return err
	}

	conds, m1Path := *dataF, *m1F
	if conds == "" || m1Path == "" {
		restore := func() {}
		if conds != "" { // data's notice is about the conditions file, which --data gives
			prev := notice.SetOutput(io.Discard)
			restore = func() { notice.SetOutput(prev) }
		}
		c, m, _, err := data.Ensure()
		restore()
		if err != nil {
			return err
		}
		if conds == "" {
			conds = c
		}
		if m1Path == "" {
			m1Path = m
		}
	}
	ds, err := data.PrepareDataset(conds)
	if err != nil {
		return err
	}
	m1, err := data.LoadM1(m1Path)
	if err != nil {
		return err
	}
	b, err := backend.Get()
	if err != nil {
		return err
	}
	su, err := study.NewSetup(b, ds, m1)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "nmatools study: %d cells, shard %s (%s), %d epochs each, backend %s, data %s (%s), M1 %s\n",
		len(g.Cells()), sh, from, g.Epochs, b.Name(), su.Data.Label, ds.Source, m1.Label)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opt := study.Options{From: from, Log: stderr}
	if !*quiet {
		opt.Progress = stderr
	}
	sum, err := study.Run(ctx, su, g, *out, sh, opt)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w (interrupted: finished cells are kept; run the same command again to continue)", err)
		}
		return err
	}
	fmt.Fprintf(stdout, "shard %s: %d cells, %d finished before, %d trained now (%d with a failed measure) in %.1f s; results in %s\n",
		sum.Shard, sum.Cells, sum.Skipped, sum.Trained, sum.Failed, sum.Seconds, filepath.Join(*out, "cells"))
	return nil
}

// readStudy reads the table of dir; missing cells are reported on stderr
// and, with strict, returned as the error.
func readStudy(dir string, strict bool, stderr io.Writer) (*study.Table, error) {
	t, err := study.ReadTable(dir)
	var miss *study.MissingError
	if errors.As(err, &miss) && !strict {
		fmt.Fprintf(stderr, "warning: %v\n", err)
		return t, nil
	}
	return t, err
}

func runStudyTable(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("study table", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, `print {"rows": [{"rate_penalty", "weight_penalty", "seed", "val_mse", "input_error", "weight_error", "cca_mean", "jpca_r2_skew", "tangling_q90"}, …]}`)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("study table wants one study directory, got %d arguments", len(pos))
	}
	t, err := readStudy(pos[0], true, stderr)
	if err != nil {
		return err
	}
	if *asJSON {
		b, err := t.JSON()
		if err != nil {
			return err
		}
		_, err = stdout.Write(b)
		return err
	}
	fmt.Fprintf(stdout, "%d cells, epoch limit %d; backend %s; data %s\n", len(t.Rows), t.Grid.Epochs,
		strings.Join(t.Backends, ", "), strings.Join(t.Data, ", "))
	_, err = io.WriteString(stdout, t.Text())
	return err
}

func runStudyPlot(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("study plot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "the figure: .svg, .png or .pdf")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *out == "" {
		return errors.New("usage: nmatools study plot DIR --out F.svg")
	}
	switch strings.ToLower(filepath.Ext(*out)) {
	case ".svg", ".png", ".pdf":
	default:
		return fmt.Errorf("--out %s: use a .svg, .png or .pdf file name", *out)
	}
	t, err := readStudy(pos[0], false, stderr) // an unfinished study is drawn with what it has
	if err != nil {
		return err
	}
	fig, err := t.Figure()
	if err != nil {
		return err
	}
	if err := fig.Save(*out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d cells)\n", *out, len(t.Rows))
	return nil
}
