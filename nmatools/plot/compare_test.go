package plot

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/cmpimg"
)

func compareFigures() map[string]func(t *testing.T) {
	return map[string]func(t *testing.T){
		"cca.png": func(t *testing.T) {
			a := []float64{0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4, 0.3, 0.2}
			b := []float64{0.97, 0.93, 0.85, 0.72, 0.66, 0.55, 0.4, 0.35, 0.25, 0.1}
			fig, err := CanonicalCorrelations([]CorrSeries{{Label: "unregularized", Values: a}, {Label: "regularized", Values: b}},
				"CCA with M1", Note("(synthetic data)"))
			writePNG(t, fig, err, "cca.png")
		},
		"jpc.png": func(t *testing.T) {
			traj := make([][][2]float64, 6)
			for c := range traj {
				phase := float64(c) * math.Pi / 6
				for k := 0; k < 40; k++ {
					r := 1 - 0.01*float64(k)
					a := phase + 0.08*float64(k)
					traj[c] = append(traj[c], [2]float64{r * math.Cos(a), r * math.Sin(a)})
				}
			}
			fig, err := JPCPlane(traj, "First jPC plane", Note("(real data)"))
			writePNG(t, fig, err, "jpc.png")
		},
	}
}

// TestGoldenCompare compares the comparison figures with testdata/*_golden.png;
// regenerate them with `go test -run TestGoldenCompare ./nmatools/plot/ -regen`.
func TestGoldenCompare(t *testing.T) {
	for name, fn := range compareFigures() {
		t.Run(strings.TrimSuffix(name, ".png"), func(t *testing.T) {
			cmpimg.CheckPlot(func() { fn(t) }, t, name)
			if !t.Failed() && !*cmpimg.GenerateTestData {
				os.Remove(filepath.Join("testdata", name)) // keep it only to inspect a failure
			}
		})
	}
}

func TestCompareBadInput(t *testing.T) {
	cases := map[string]error{}
	_, cases["no series"] = CanonicalCorrelations(nil, "")
	_, cases["empty series"] = CanonicalCorrelations([]CorrSeries{{Label: "a"}}, "")
	_, cases["correlation above 1"] = CanonicalCorrelations([]CorrSeries{{Label: "a", Values: []float64{1.5}}}, "")
	_, cases["NaN correlation"] = CanonicalCorrelations([]CorrSeries{{Label: "a", Values: []float64{math.NaN()}}}, "")
	_, cases["no trajectories"] = JPCPlane(nil, "")
	_, cases["one time point"] = JPCPlane([][][2]float64{{{0, 0}}}, "")
	_, cases["ragged"] = JPCPlane([][][2]float64{{{0, 0}, {1, 1}}, {{0, 0}}}, "")
	_, cases["infinite point"] = JPCPlane([][][2]float64{{{0, 0}, {math.Inf(1), 1}}}, "")
	for name, err := range cases {
		if err == nil || !strings.HasPrefix(err.Error(), "plot: ") {
			t.Errorf("%s: error %v, want one starting with \"plot: \"", name, err)
		}
	}
}
