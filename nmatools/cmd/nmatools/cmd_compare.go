package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/neuromatch/nmatools/nmatools/compare"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/npy"
)

func init() {
	register(command{
		name:    "compare",
		summary: "model–brain comparison: `compare cca A.npy B.npy`, `compare jpca X.npy`, `compare tangling X.npy` [--pcs K] [--dt S] [--json]",
		run:     runCompare,
	})
}

func compareUsage(w io.Writer) {
	fmt.Fprintf(w, `usage:
  nmatools compare cca A.npy B.npy [--pcs K] [--json]
      canonical correlations (Sussillo et al. 2015, Fig. 4) between two data sets of the same
      conditions and times, each reduced to its top K principal components (default %d)
  nmatools compare jpca X.npy [--pcs K] [--dt SECONDS] [--softnorm] [--softnorm-const C] [--json]
      rotational structure (jPCA, Churchland et al. 2012): R² of the best linear and the best
      skew-symmetric fit of the dynamics of the top K principal components (default %d), dt default %g s
  nmatools compare tangling X.npy [--pcs K] [--dt SECONDS] [--softnorm] [--softnorm-const C] [--json]
      trajectory tangling (Russo et al. 2018): Q[c,t] for every condition c and step t = 0..T−2 in
      the top K principal components (default %d), and its 90th percentile q90; --json prints
      {"q": [C·(T−1) values, condition-major], "q90": …}

Arrays are .npy files shaped (conditions, time, units), float32 or float64, finite; they are read
as float32 (the command's shared .npy reader) and analysed in float64.
`, compare.DefaultCCAPCs, compare.DefaultJPCAPCs, compare.DefaultDt, compare.DefaultTanglingPCs)
}

func runCompare(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		compareUsage(stderr)
		return errors.New("missing sub-command (cca, jpca or tangling)")
	}
	switch args[0] {
	case "cca":
		return runCompareCCA(args[1:], stdout, stderr)
	case "jpca":
		return runCompareJPCA(args[1:], stdout, stderr)
	case "tangling":
		return runCompareTangling(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		compareUsage(stdout)
		return nil
	}
	compareUsage(stderr)
	return fmt.Errorf("unknown sub-command %q (want cca, jpca or tangling)", args[0])
}

// readCompareData reads a (conditions, time, units) .npy into a compare.Data.
func readCompareData(path string) (*compare.Data, error) {
	a, err := npy.Read(path)
	if err != nil {
		return nil, err
	}
	if a.Rank() != 3 {
		return nil, fmt.Errorf("%s has shape %v: want a 3-D array (conditions, time, units)", path, a.Shape)
	}
	d, err := compare.FromND(a)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

func shapeString(d *compare.Data) string {
	return fmt.Sprintf("(%d conditions, %d times, %d units)", d.Conditions, d.Times, d.Units)
}

func runCompareCCA(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("compare cca", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pcs := fs.Int("pcs", compare.DefaultCCAPCs, "number of principal components K kept from each data set (= number of correlations)")
	asJSON := fs.Bool("json", false, `print {"correlations": [...]} as JSON`)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		compareUsage(stderr)
		return fmt.Errorf("compare cca wants two .npy files, got %d arguments", len(pos))
	}
	a, err := readCompareData(pos[0])
	if err != nil {
		return err
	}
	b, err := readCompareData(pos[1])
	if err != nil {
		return err
	}
	cc, err := compare.CCA(a, b, *pcs)
	if err != nil {
		return fmt.Errorf("%s vs %s: %w", pos[0], pos[1], err)
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(struct {
			Correlations []float64 `json:"correlations"`
		}{cc})
	}
	mean := nd.MeanStdOf(cc).Mean
	var sb strings.Builder
	fmt.Fprintf(&sb, "Canonical correlations between the top %d principal components of\n  A %s %s\n  B %s %s\n",
		*pcs, pos[0], shapeString(a), pos[1], shapeString(b))
	for i, c := range cc {
		fmt.Fprintf(&sb, "  %2d  %.4f\n", i+1, c)
	}
	fmt.Fprintf(&sb, "mean %.4f\n", mean)
	_, err = io.WriteString(stdout, sb.String())
	return err
}

func runCompareJPCA(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("compare jpca", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pcs := fs.Int("pcs", compare.DefaultJPCAPCs, "number of principal components K (≥ 2)")
	tf := addTimeFlags(fs)
	asJSON := fs.Bool("json", false, `print {"r2_best": …, "r2_skew": …} as JSON`)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		compareUsage(stderr)
		return fmt.Errorf("compare jpca wants one .npy file, got %d arguments", len(pos))
	}
	// The library treats 0 as "default"; on the command line 0 is a mistake.
	if *pcs < 2 {
		return fmt.Errorf("--pcs %d: jPCA needs at least 2 principal components", *pcs)
	}
	if err := tf.check(); err != nil {
		return err
	}
	x, err := readCompareData(pos[0])
	if err != nil {
		return err
	}
	r, err := compare.JPCA(x, compare.JPCAOptions{PCs: *pcs, Dt: *tf.dt, SoftNorm: *tf.soft, SoftNormConst: *tf.softC})
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(struct {
			R2Best float64 `json:"r2_best"`
			R2Skew float64 `json:"r2_skew"`
		}{r.R2Best, r.R2Skew})
	}
	fmt.Fprintf(stdout, "jPCA of %s %s, top %d principal components (%.1f%% of the condition-mean-subtracted variance), %s\n",
		pos[0], shapeString(x), *pcs, 100*r.VarianceExplained, tf)
	fmt.Fprintf(stdout, "  %-30s %.4f\n  %-30s %.4f\n", "R² best linear dynamics", r.R2Best, "R² skew-symmetric (rotation)", r.R2Skew)
	if r.Plane != nil {
		fmt.Fprintf(stdout, "  first jPC plane rotates at %.2f Hz\n", r.RotationHz)
	}
	return nil
}

func runCompareTangling(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("compare tangling", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pcs := fs.Int("pcs", compare.DefaultTanglingPCs, "number of principal components K (≥ 1, at most the number of units)")
	tf := addTimeFlags(fs)
	asJSON := fs.Bool("json", false, `print {"q": [C·(T−1) values, condition-major], "q90": …} as JSON`)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		compareUsage(stderr)
		return fmt.Errorf("compare tangling wants one .npy file, got %d arguments", len(pos))
	}
	// The library treats 0 as "default"; on the command line 0 is a mistake.
	if *pcs < 1 {
		return fmt.Errorf("--pcs %d: want at least 1 principal component", *pcs)
	}
	if err := tf.check(); err != nil {
		return err
	}
	x, err := readCompareData(pos[0])
	if err != nil {
		return err
	}
	r, err := compare.Tangling(x, compare.TanglingOptions{PCs: *pcs, Dt: *tf.dt, SoftNorm: *tf.soft, SoftNormConst: *tf.softC})
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(struct {
			Q   []float64 `json:"q"`
			Q90 float64   `json:"q90"`
		}{r.Q, r.Q90})
	}
	fmt.Fprintf(stdout, "Tangling of %s %s, top %d principal components (%.1f%% of the variance), %s\n",
		pos[0], shapeString(x), r.PCs, 100*r.VarianceExplained, tf)
	fmt.Fprintf(stdout, "  %d states (%d conditions × %d steps), ε = %.4g\n", len(r.Q), r.Conditions, r.Steps, r.Epsilon)
	for _, p := range []float64{50, 90, 100} {
		fmt.Fprintf(stdout, "  %-18s %.4g\n", fmt.Sprintf("Q, %gth percentile", p), nd.Percentile(r.Q, p))
	}
	return nil
}

// timeFlags are the --dt and --softnorm flags of jpca and tangling.
type timeFlags struct {
	dt, softC *float64
	soft      *bool
}

func addTimeFlags(fs *flag.FlagSet) timeFlags {
	return timeFlags{
		dt:    fs.Float64("dt", compare.DefaultDt, "time step between samples, seconds"),
		soft:  fs.Bool("softnorm", false, "soft-normalize: divide each unit by its range plus --softnorm-const first"),
		softC: fs.Float64("softnorm-const", compare.DefaultSoftNormConst, "constant added to each unit's range (with --softnorm)"),
	}
}

// check refuses what the library would take as "default" (0) or reject.
func (f timeFlags) check() error {
	if !(*f.dt > 0) {
		return fmt.Errorf("--dt %v: want a positive number of seconds", *f.dt)
	}
	if *f.soft && !(*f.softC > 0) {
		return fmt.Errorf("--softnorm-const %v: want a positive number", *f.softC)
	}
	return nil
}

// String is "dt 0.01 s" and, when soft-normalizing, ", soft-normalized (range + C)".
func (f timeFlags) String() string {
	s := fmt.Sprintf("dt %g s", *f.dt)
	if *f.soft {
		s += fmt.Sprintf(", soft-normalized (range + %g)", *f.softC)
	}
	return s
}
