// Command nmatools runs the tutorial's pieces from a terminal: data files,
// training, trajectory generation, robustness sweeps, benchmarks and
// model–brain comparison (CCA, jPCA).
//
// Each sub-command lives in its own file (cmd_*.go) and registers itself in
// init; `nmatools help` lists them.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/neuromatch/nmatools/nmatools/backend"
)

// command is one sub-command: run gets the arguments after its name and
// returns an error for the user (printed, exit status 1) or nil.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("nmatools: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: nmatools <command> [arguments]   (nmatools <command> -h for its flags)")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
}

// run is main without os.Exit, for tests.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "nmatools: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	if c.name != "backend" { // its report includes the notice
		simdNotice(stderr)
	}
	if err := c.run(args[1:], stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "nmatools %s: %v\n", c.name, err)
		return 1
	}
	return 0
}

func main() {
	backend.ProbeChild() // when re-executed by backend.Probe: test-load a plugin and exit
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
