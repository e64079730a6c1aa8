package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/neuromatch/nmatools/nmatools/matfile"
)

func init() {
	register(command{
		name:    "mat",
		summary: "list the variables of MATLAB .mat files, like whos (--json for JSON)",
		run:     runMat,
	})
}

func runMat(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the listing as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: nmatools mat FILE.mat... [--json]")
		fmt.Fprintln(stderr, "Lists every variable with its size and class, and the fields of each struct's")
		fmt.Fprintln(stderr, "first element, recursively (MATLAB Level 5 files: save -v6/-v7, scipy.io.savemat).")
		fs.PrintDefaults()
	}
	// Accept flags before and after the file names.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) == 0 {
		fs.Usage()
		return errors.New("no file given")
	}
	var listings []matfile.Listing
	for i, path := range files {
		f, err := matfile.ReadFile(path)
		if err != nil {
			return err
		}
		l := matfile.NewListing(path, f)
		if *asJSON {
			listings = append(listings, l)
			continue
		}
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		if len(files) > 1 {
			fmt.Fprintf(stdout, "%s:\n", path)
		}
		fmt.Fprintf(stdout, "  %s\n\n", l.Header)
		if err := matfile.WriteWhos(stdout, l.Variables); err != nil {
			return err
		}
		for _, n := range l.Notes {
			fmt.Fprintf(stdout, "  note: %s\n", n)
		}
	}
	if *asJSON {
		if len(listings) == 1 {
			return listings[0].WriteJSON(stdout)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(listings)
	}
	return nil
}
