package plot

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/cmpimg"
	"gonum.org/v1/plot/vg"
)

// savePNG writes fig at its own size (or w×h inches) to testdata/name.
func savePNG(t *testing.T, fig *Figure, err error, name string, w, h float64) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	fig.Resize(vg.Length(w)*vg.Inch, vg.Length(h)*vg.Inch)
	if err := fig.Save(filepath.Join("testdata", name)); err != nil {
		t.Fatal(err)
	}
}

func tanglingFigures() map[string]func(t *testing.T) {
	q := func(n int, scale, phase float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = scale * (1.5 + math.Sin(float64(i)*0.37+phase))
		}
		return v
	}
	return map[string]func(t *testing.T){
		"tangling_scatter.png": func(t *testing.T) {
			fig, err := TanglingScatter([]TanglingPairs{
				{Label: "population A", Muscles: q(60, 1000, 0), Population: q(60, 200, 1)},
				{Label: "population B", Muscles: q(60, 1000, 0), Population: q(60, 900, 2)},
			}, "Tangling", Note("(synthetic data)"))
			savePNG(t, fig, err, "tangling_scatter.png", 4, 4)
		},
		"tangling_dist.png": func(t *testing.T) {
			fig, err := TanglingDistributions([]TanglingSeries{{Label: "M1", Q: q(80, 300, 0)}, {Label: "EMG", Q: q(80, 150, 1)}},
				[]float64{700, 350}, "Tangling", Note("(real data)"))
			savePNG(t, fig, err, "tangling_dist.png", 4, 3)
		},
		"panels.png": func(t *testing.T) {
			s := func(label string, m ...float64) SpreadSeries {
				sp := make([]float64, len(m))
				for i := range sp {
					sp[i] = 0.1 * math.Abs(m[i])
				}
				return SpreadSeries{Label: label, Mean: m, Spread: sp}
			}
			fig, err := Panels([]string{"0", "0.003", "0.03"}, "rate penalty", []Panel{
				{Title: "MSE", YLabel: "MSE", Series: []SpreadSeries{s("w 0", 1, 2, 3), s("w 1e-5", 1.5, math.NaN(), 2)}},
				{Title: "Narrow", YLabel: "x", Series: []SpreadSeries{s("w 0", 59.1, 59.2, 59.3), s("w 1e-5", 59.15, 59.25, 59.2)}},
				{Title: "Third", YLabel: "y", Series: []SpreadSeries{s("w 0", -1, 0, 1), s("w 1e-5", 1, 0, -1)}},
			}, 2, "Study", Note("(synthetic data)"))
			savePNG(t, fig, err, "panels.png", 7, 5)
		},
	}
}

// TestGoldenTangling compares the tangling and study figures with
// testdata/*_golden.png; regenerate them with
// `go test -run TestGoldenTangling ./nmatools/plot/ -regen`.
func TestGoldenTangling(t *testing.T) {
	for name, fn := range tanglingFigures() {
		t.Run(strings.TrimSuffix(name, ".png"), func(t *testing.T) {
			cmpimg.CheckPlot(func() { fn(t) }, t, name)
			if !t.Failed() && !*cmpimg.GenerateTestData {
				os.Remove(filepath.Join("testdata", name))
			}
		})
	}
}

func TestTanglingBadInput(t *testing.T) {
	one := []float64{1}
	cases := map[string]error{}
	_, cases["no series"] = TanglingScatter(nil, "")
	_, cases["unequal lengths"] = TanglingScatter([]TanglingPairs{{Label: "a", Muscles: one, Population: []float64{1, 2}}}, "")
	_, cases["zero on a log axis"] = TanglingScatter([]TanglingPairs{{Label: "a", Muscles: one, Population: []float64{0}}}, "")
	_, cases["no distributions"] = TanglingDistributions(nil, nil, "")
	_, cases["empty distribution"] = TanglingDistributions([]TanglingSeries{{Label: "a"}}, nil, "")
	_, cases["NaN in a distribution"] = TanglingDistributions([]TanglingSeries{{Label: "a", Q: []float64{math.NaN()}}}, nil, "")
	_, cases["q90 count"] = TanglingDistributions([]TanglingSeries{{Label: "a", Q: one}}, []float64{1, 2}, "")
	_, cases["no panels"] = Panels([]string{"a"}, "", nil, 2, "")
	_, cases["no columns"] = Panels([]string{"a"}, "", []Panel{{}}, 0, "")
	_, cases["series length"] = Panels([]string{"a", "b"}, "", []Panel{{Series: []SpreadSeries{{Label: "s", Mean: one, Spread: one}}}}, 1, "")
	_, cases["negative spread"] = Panels([]string{"a"}, "", []Panel{{Series: []SpreadSeries{{Label: "s", Mean: one, Spread: []float64{-1}}}}}, 1, "")
	for name, err := range cases {
		if err == nil || !strings.HasPrefix(err.Error(), "plot: ") {
			t.Errorf("%s: error %v, want a plot error", name, err)
		}
	}
}

// TestPanelsSVG: the panels' figure renders as one SVG with every panel's
// title, the figure's title and the side legend.
func TestPanelsSVG(t *testing.T) {
	one := []float64{1, 2}
	fig, err := Panels([]string{"a", "b"}, "x", []Panel{
		{Title: "first panel", Series: []SpreadSeries{{Label: "series one", Mean: one, Spread: one}}},
		{Title: "second panel", Series: []SpreadSeries{{Label: "series one", Mean: one, Spread: one}}},
		{Title: "third panel", Series: []SpreadSeries{{Label: "series one", Mean: one, Spread: one}}},
	}, 2, "whole figure")
	if err != nil {
		t.Fatal(err)
	}
	svg, err := fig.SVG()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"first panel", "second panel", "third panel", "whole figure", "series one"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}

func TestDistinctTicks(t *testing.T) {
	ts := distinctTicks{}.Ticks(59.076, 59.394)
	var labels []string
	for _, tk := range ts {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if strings.Join(labels, " ") != "59.12 59.24 59.36" {
		t.Errorf("labels %v, want 59.12 59.24 59.36 (gonum's own: 59 59 59)", labels)
	}
	var lg []string
	for _, tk := range (logTicks125{}).Ticks(60, 1500) {
		if tk.Label != "" {
			lg = append(lg, tk.Label)
		}
	}
	if strings.Join(lg, " ") != "100 200 500 1000" {
		t.Errorf("log labels %v", lg)
	}
}
