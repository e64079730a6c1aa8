package plot_test

import (
	"fmt"

	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/plot"
	"gonum.org/v1/plot/vg"
)

func ExampleLevelLabel() {
	for _, x := range []float64{0.0125, 0.05, 0.1, 0.8} {
		fmt.Println(plot.LevelLabel(x))
	}
	// Output:
	// 0.01250
	// 0.05000
	// 0.1
	// 0.8
}

func ExampleMusclesOverTime() {
	times := []float64{-0.02, -0.01, 0, 0.01}
	out := nd.New(4, 2) // (time, muscle)
	for i := range out.Data {
		out.Data[i] = float32(i)
	}
	fig, err := plot.MusclesOverTime(times, out, "Targets", plot.Note("(synthetic data)"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(fig.Plot.Title.Text)
	fmt.Println(fig.Plot.X.Label.Text, "|", fig.Plot.Y.Label.Text)
	fmt.Println(fig.Width/vg.Inch, "×", fig.Height/vg.Inch, "in")
	svg, err := fig.SVG() // or fig.PNG(dpi), fig.Save("muscles.svg"), tutorial.Show(fig, nil) in GoNB
	fmt.Println(err == nil && len(svg) > 0)
	// Output:
	// Targets (synthetic data)
	// Time (s) | Value (A.U.)
	// 8 × 3 in
	// true
}

func ExamplePerturbationResults() {
	levels := []float64{0.0125, 0.025, 0.05, 0.1, 0.2}
	reg := []nd.MeanStd{{Mean: 5, Std: 1}, {Mean: 8, Std: 2}, {Mean: 15, Std: 3}, {Mean: 30, Std: 5}, {Mean: 55, Std: 8}}
	unreg := []nd.MeanStd{{Mean: 20, Std: 4}, {Mean: 40, Std: 6}, {Mean: 70, Std: 9}, {Mean: 95, Std: 10}, {Mean: 99, Std: 15}}
	fig, err := plot.PerturbationResults(levels, reg, unreg, "Perturbation of the inputs")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(fig.Plot.Y.Min, fig.Plot.Y.Max, fig.Plot.Y.Label.Text)
	// Output:
	// 0 100 Normalized Error (%)
}
