package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/neuromatch/nmatools/nmatools/backend"
	"github.com/neuromatch/nmatools/nmatools/train"
)

func init() {
	register(command{
		name:    "bench",
		summary: "time a regularized training step and a trajectory (batch 20 and 1) on the backend in use: `bench [--json]`",
		run:     runBench,
	})
}

func runBench(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	jsonOut := fs.Bool("json", false, "print one JSON line with the keys of bench/torch_bench.py")
	repeats := fs.Int("repeats", 5, "timed repeats (after 2 warm-up runs); the median is reported")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	b, err := backend.Get()
	if err != nil {
		return err
	}
	res, err := train.BenchRepeats(b, *repeats)
	if err != nil {
		return err
	}
	if *jsonOut {
		line, err := json.Marshal(res)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, string(line))
		return nil
	}
	fmt.Fprintf(stdout, "backend: %s\n", res.Backend)
	fmt.Fprintf(stdout, "training step (regularized, batch 20, T 250, N 150): %8.2f ms\n", res.TrainStepMs)
	fmt.Fprintf(stdout, "trajectory, batch 20:                               %8.2f ms\n", res.ForwardB20Ms)
	fmt.Fprintf(stdout, "trajectory, batch 1:                                %8.2f ms\n", res.ForwardB1Ms)
	fmt.Fprintf(stdout, "(median of %d after 2 warm-up runs; compare: /usr/bin/python3 bench/torch_bench.py)\n", *repeats)
	return nil
}
