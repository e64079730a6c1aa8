package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/neuromatch/nmatools/nmatools/backend"
)

func init() {
	register(command{
		name:    "backend",
		summary: "say which compute backend runs (GoMLX pure Go or XLA) and how to change it",
		run:     runBackend,
	})
}

func runBackend(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backend", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: nmatools backend\n\nPrints the backend nmatools uses (the tutorial's set_device): $GOMLX_BACKEND if set,\nelse XLA CPU when a PJRT CPU plugin is installed (`make xla`), else the pure-Go backend.")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	fmt.Fprint(stdout, backend.Report())
	_, err := backend.Get()
	return err
}
