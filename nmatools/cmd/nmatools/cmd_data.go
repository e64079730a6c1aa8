package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/neuromatch/nmatools/nmatools/data"
	"github.com/neuromatch/nmatools/nmatools/internal/atomicfile"
	"github.com/neuromatch/nmatools/nmatools/notice"
)

func init() {
	register(command{
		name:    "data",
		summary: "data files: `data synth --out DIR [--seed N]`, `data fetch [--dir DIR] [--strict]`, `data where`",
		run:     runData,
	})
}

func dataUsage(w io.Writer) {
	fmt.Fprintln(w, `usage:
  nmatools data synth --out DIR [--seed N]   write the synthetic condsForSimJ2moMuscles.mat and m1_reaching_data.mat
  nmatools data fetch [--dir DIR] [--strict] download the tutorial's four OSF files and the two open real-data files,
                                             checking MD5s (files already there with the right MD5 are kept)
  nmatools data where                        print the data files Ensure would use (no download)`)
}

func runData(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		dataUsage(stderr)
		return errors.New("missing sub-command (synth, fetch or where)")
	}
	switch args[0] {
	case "synth":
		return runDataSynth(args[1:], stdout, stderr)
	case "fetch":
		return runDataFetch(args[1:], stdout, stderr)
	case "where":
		return runDataWhere(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		dataUsage(stdout)
		return nil
	}
	dataUsage(stderr)
	return fmt.Errorf("unknown sub-command %q (want synth, fetch or where)", args[0])
}

// parseInterleaved parses flags that may come before or after positional
// arguments and returns the positionals.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func runDataSynth(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("data synth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "output directory (created if needed)")
	seed := fs.Int64("seed", data.DefaultSeed, "seed of the generative model")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("data synth: unexpected argument %q (use --out DIR)", pos[0])
	}
	if *out == "" {
		return errors.New("data synth: --out DIR is required")
	}
	if err := data.Synthesize(*out, *seed); err != nil {
		return err
	}
	for _, name := range []string{data.CondsFile, data.M1File} {
		p := filepath.Join(*out, name)
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		sum, err := data.FileMD5(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s (%d bytes, md5 %s, SYNTHETIC, seed %d)\n", p, st.Size(), sum, *seed)
	}
	return nil
}

func runDataFetch(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("data fetch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "download directory (default: the data cache, "+data.DefaultDir()+")")
	strict := fs.Bool("strict", false, "exit with an error if any file could not be had")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("data fetch: unexpected argument %q", pos[0])
	}
	if *dir == "" {
		*dir = data.DefaultDir()
	}
	failed := 0
	all := append(append([]data.Remote(nil), data.TutorialFiles...), data.RealFiles...)
	for _, r := range all {
		if data.Cached(*dir, r) {
			fmt.Fprintf(stdout, "ok       %s (cached, md5 %s)\n", filepath.Join(*dir, r.Name), r.MD5)
			continue
		}
		// A copy of a real-data file in the shared directory saves a download.
		if p, ok := data.FindReal(r.Name); ok {
			if err := copyFile(p, filepath.Join(*dir, r.Name)); err == nil && data.Cached(*dir, r) {
				fmt.Fprintf(stdout, "ok       %s (copied from %s, md5 %s)\n", filepath.Join(*dir, r.Name), p, r.MD5)
				continue
			}
		}
		p, err := data.Fetch(*dir, r)
		if err != nil {
			failed++
			fmt.Fprintf(stdout, "MISSING  %s: %v\n", r.Name, err)
			continue
		}
		fmt.Fprintf(stdout, "ok       %s (downloaded from %s, md5 %s)\n", p, r.URL, r.MD5)
	}
	if failed > 0 {
		fmt.Fprintf(stdout, "%d of %d files could not be had (each line says what is used instead)\n", failed, len(all))
		if *strict {
			return fmt.Errorf("data fetch: %d of %d files missing (--strict)", failed, len(all))
		}
	}
	return nil
}

func runDataWhere(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("data where", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	defer notice.SetOutput(notice.SetOutput(io.Discard)) // this command says which data itself
	conds, m1, synthetic, err := data.Ensure()
	if err != nil {
		return err
	}
	kind := "real (the tutorial's file)"
	if synthetic {
		kind = "SYNTHETIC stand-in"
	}
	fmt.Fprintf(stdout, "cache      %s\nconds      %s  [%s]\nm1         %s\n", data.DefaultDir(), conds, kind, m1)
	for _, r := range data.RealFiles {
		if p, ok := data.FindReal(r.Name); ok {
			fmt.Fprintf(stdout, "real       %s\n", p)
		} else {
			fmt.Fprintf(stdout, "real       %s: not found (nmatools data fetch)\n", r.Name)
		}
	}
	return nil
}

// copyFile copies src to dst atomically (temporary file + rename).
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return atomicfile.Write(dst, 0o644, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}
