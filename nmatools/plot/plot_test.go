package plot

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/nd"
	"gonum.org/v1/plot/cmpimg"
	"gonum.org/v1/plot/vg"
)

// Small goldens: 4×3 in at 96 dpi.
const goldenW, goldenH = 4 * vg.Inch, 3 * vg.Inch

func testTimes(n int) []float64 {
	t := make([]float64, n)
	for i := range t {
		t[i] = -1.8 + 2.5*float64(i)/float64(n)
	}
	return t
}

func testArray(t, f int, fn func(i, k int) float64) *nd.Array {
	a := nd.New(t, f)
	for i := 0; i < t; i++ {
		for k := 0; k < f; k++ {
			a.Data[i*f+k] = float32(fn(i, k))
		}
	}
	return a
}

func writePNG(t *testing.T, fig *Figure, err error, name string) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	fig.Resize(goldenW, goldenH)
	if err := fig.Save(filepath.Join("testdata", name)); err != nil {
		t.Fatal(err)
	}
}

func goldenFigures() map[string]func(t *testing.T) {
	const T = 100
	times := testTimes(T)
	return map[string]func(t *testing.T){
		"inputs.png": func(t *testing.T) {
			in := testArray(T, 16, func(i, k int) float64 {
				if k == 15 {
					return math.Exp(-math.Pow(times[i]/0.05, 2))
				}
				if times[i] > -1 && times[i] < 0 {
					return math.Sin(float64(k+1)) * 0.8
				}
				return 0
			})
			in, err := ExaggerateGoCue(in, 5)
			if err != nil {
				t.Fatal(err)
			}
			fig, err := InputsOverTime(times, in, "Inputs over Time, reach direction 0", Note("(synthetic data)"))
			writePNG(t, fig, err, "inputs.png")
		},
		"muscles.png": func(t *testing.T) {
			out := testArray(T, 2, func(i, k int) float64 { return math.Sin(3*times[i]+float64(k)) * math.Exp(-times[i]*times[i]) })
			fig, err := MusclesOverTime(times, out, "Targets")
			writePNG(t, fig, err, "muscles.png")
		},
		"losses.png": func(t *testing.T) {
			tr, va := make([]float64, 30), make([]float64, 30)
			for i := range tr {
				tr[i] = 1 / float64(i+1)
				va[i] = 1.2/float64(i+1) + 0.05
			}
			fig, err := TrainingValidationLosses(tr, va, 30, "Unregularized")
			writePNG(t, fig, err, "losses.png")
		},
		"hidden.png": func(t *testing.T) {
			h := testArray(T, 8, func(i, k int) float64 { return 2 * math.Sin(float64(i)/8+float64(k)) })
			fig, err := HiddenUnitActivations(h, times, 5, "")
			writePNG(t, fig, err, "hidden.png")
		},
		"psth.png": func(t *testing.T) {
			r := testArray(T, 6, func(i, k int) float64 { return 20 + 15*math.Cos(times[i]*float64(k+1)) })
			fig, err := PSTH(times, r, 5, "", Note("(synthetic data)"))
			writePNG(t, fig, err, "psth.png")
		},
		"perturbation.png": func(t *testing.T) {
			lv := []float64{0.0125, 0.025, 0.05, 0.1, 0.2}
			reg := []nd.MeanStd{{Mean: 5, Std: 1}, {Mean: 8, Std: 2}, {Mean: 15, Std: 3}, {Mean: 30, Std: 5}, {Mean: 55, Std: 8}}
			unreg := []nd.MeanStd{{Mean: 20, Std: 4}, {Mean: 40, Std: 6}, {Mean: 70, Std: 9}, {Mean: 95, Std: 10}, {Mean: 120, Std: 15}}
			fig, err := PerturbationResults(lv, reg, unreg, "Perturbation of the inputs")
			writePNG(t, fig, err, "perturbation.png")
		},
	}
}

// TestGolden compares every figure with testdata/*_golden.png; regenerate
// them with `go test -run TestGolden ./nmatools/plot/ -regen`.
func TestGolden(t *testing.T) {
	for name, fn := range goldenFigures() {
		t.Run(strings.TrimSuffix(name, ".png"), func(t *testing.T) {
			cmpimg.CheckPlot(func() { fn(t) }, t, name)
			if !t.Failed() && !*cmpimg.GenerateTestData {
				os.Remove(filepath.Join("testdata", name)) // keep it only to inspect a failure
			}
		})
	}
}

func TestLevelLabel(t *testing.T) {
	for x, want := range map[float64]string{0.0125: "0.01250", 0.025: "0.02500", 0.05: "0.05000", 0.01: "0.01000",
		0.1: "0.1", 0.2: "0.2", 0.4: "0.4", 0.8: "0.8", 1: "1.0"} {
		if got := LevelLabel(x); got != want {
			t.Errorf("LevelLabel(%v) = %q, want %q", x, got, want)
		}
	}
}

func TestRenderFormats(t *testing.T) {
	times := testTimes(10)
	fig, err := MusclesOverTime(times, testArray(10, 2, func(i, k int) float64 { return float64(i * k) }), "", Note("(synthetic data)"))
	if err != nil {
		t.Fatal(err)
	}
	if got := fig.Plot.Title.Text; got != "Muscles over Time (synthetic data)" {
		t.Errorf("title = %q", got)
	}
	svg, err := fig.SVG()
	if err != nil || !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("Muscle 2")) {
		t.Errorf("SVG: err %v, %d bytes, no <svg or legend", err, len(svg))
	}
	png, err := fig.PNG(0)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("PNG: err %v", err)
	}
	dir := t.TempDir()
	for _, ext := range []string{".svg", ".png", ".pdf"} {
		p := filepath.Join(dir, "f"+ext)
		if err := fig.Save(p); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(p); err != nil || st.Size() < 100 {
			t.Errorf("%s: %v", p, err)
		}
	}
	if err := fig.Save(filepath.Join(dir, "f.gif")); err == nil || !strings.Contains(err.Error(), ".svg") {
		t.Errorf("Save(.gif) error = %v, want one naming the formats", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 3 {
		t.Errorf("left %d files in %s, want 3 (no temporaries)", len(ents), dir)
	}
}

func TestBadInput(t *testing.T) {
	times := testTimes(10)
	cases := map[string]func() error{
		"3-D inputs":       func() error { _, err := InputsOverTime(times, nd.New(2, 10, 16), ""); return err },
		"time mismatch":    func() error { _, err := MusclesOverTime(times[:5], nd.New(10, 2), ""); return err },
		"one muscle":       func() error { _, err := MusclesOverTime(times, nd.New(10, 1), ""); return err },
		"nil hidden":       func() error { _, err := HiddenUnitActivations(nil, times, 5, ""); return err },
		"too many neurons": func() error { _, err := PSTH(times, nd.New(10, 3), 5, ""); return err },
		"losses length":    func() error { _, err := TrainingValidationLosses([]float64{1}, []float64{1, 2}, 2, ""); return err },
		"zero epochs":      func() error { _, err := TrainingValidationLosses(nil, nil, 0, ""); return err },
		"results length": func() error {
			_, err := PerturbationResults([]float64{0.1, 0.2}, []nd.MeanStd{{Mean: 1, Std: 1}}, []nd.MeanStd{{Mean: 1, Std: 1}, {Mean: 2, Std: 2}}, "")
			return err
		},
		"no series": func() error { _, err := PerturbationBars([]float64{0.1}, nil, ""); return err },
		"no traces": func() error { _, err := OutputsAgainstTarget(times, nd.New(10, 2), nil, ""); return err },
		"trace columns": func() error {
			_, err := OutputsAgainstTarget(times, nd.New(10, 2), []Trace{{Label: "a", Values: nd.New(10, 3)}}, "")
			return err
		},
		"trace time": func() error {
			_, err := OutputsAgainstTarget(times, nd.New(10, 2), []Trace{{Label: "a", Values: nd.New(9, 2)}}, "")
			return err
		},
		"NaN result": func() error {
			_, err := PerturbationResults([]float64{0.1}, []nd.MeanStd{{Mean: math.NaN(), Std: 1}}, []nd.MeanStd{{Mean: 1, Std: 1}}, "")
			return err
		},
	}
	for name, f := range cases {
		if err := f(); err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.HasPrefix(err.Error(), "plot: ") {
			t.Errorf("%s: error %q lacks the package prefix", name, err)
		}
	}
	fig := &Figure{}
	if _, err := fig.PNG(0); err == nil {
		t.Error("empty figure rendered")
	}
}

func TestHiddenRectified(t *testing.T) {
	times := testTimes(3)
	h := testArray(3, 1, func(i, k int) float64 { return float64(i) - 1 }) // -1, 0, 1
	fig, err := HiddenUnitActivations(h, times, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if fig.Plot.Title.Text != "PSTHs of Hidden Units" {
		t.Errorf("default title %q", fig.Plot.Title.Text)
	}
}

func TestPerturbationBarsSingle(t *testing.T) {
	fig, err := PerturbationBars([]float64{0.01, 0.1}, []Series{{Label: "checkpoint", Values: []nd.MeanStd{{Mean: 10, Std: 1}, {Mean: 20, Std: 2}}}}, "Perturbation of the weights")
	if err != nil {
		t.Fatal(err)
	}
	svg, err := fig.SVG()
	if err != nil || !bytes.Contains(svg, []byte("checkpoint")) || !bytes.Contains(svg, []byte("0.01000")) {
		t.Errorf("single-series bar chart: err %v, label or tick missing", err)
	}
}

func TestOutputsAgainstTarget(t *testing.T) {
	times := testTimes(20)
	target := testArray(20, 2, func(i, k int) float64 { return math.Sin(float64(i)/3 + float64(k)) })
	out := testArray(20, 2, func(i, k int) float64 { return 0.9 * math.Sin(float64(i)/3+float64(k)) })
	fig, err := OutputsAgainstTarget(times, target, []Trace{{Label: "Regularized", Values: out}, {Label: "Unregularized", Values: target}}, "One draw", Note("(synthetic data)"))
	if err != nil {
		t.Fatal(err)
	}
	svg, err := fig.SVG()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"One draw (synthetic data)", "target", "Regularized", "Unregularized", "stroke-dasharray"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("the SVG lacks %q", want)
		}
	}
}
