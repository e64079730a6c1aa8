package plot

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Tab10 is matplotlib's default colour cycle ("tab10"), used for line plots
// as the tutorial's figures do.
var Tab10 = []color.Color{
	rgb(0x1f77b4), rgb(0xff7f0e), rgb(0x2ca02c), rgb(0xd62728), rgb(0x9467bd),
	rgb(0x8c564b), rgb(0xe377c2), rgb(0x7f7f7f), rgb(0xbcbd22), rgb(0x17becf),
}

func rgb(v uint32) color.Color {
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 255}
}

// Option changes a figure as it is built.
type Option func(*config)

type config struct {
	note string
	w, h vg.Length
}

// Note appends a note to the title, separated by a space.
func Note(s string) Option { return func(c *config) { c.note = s } }

// DataNote is the note of a figure drawn from data of the given origin: "synthetic"
// (the generated stand-in, or networks trained on it) gives "(synthetic data)", "real"
// (open recordings) "(real data)", and "" (the course's files) no note. The notebook
// (tutorial.Note), the command and the study label their figures with it.
func DataNote(origin string) Option {
	if origin == "" {
		return nil
	}
	return Note("(" + origin + " data)")
}

// Size overrides the figure size (default: the tutorial's figsize).
func Size(w, h vg.Length) Option { return func(c *config) { c.w, c.h = w, h } }

func configure(defW, defH float64, opts []Option) config {
	c := config{w: vg.Length(defW) * vg.Inch, h: vg.Length(defH) * vg.Inch}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

func (c config) title(t string) string {
	if c.note == "" {
		return t
	}
	if t == "" {
		return c.note
	}
	return t + " " + c.note
}

func newPlot(title, xlabel, ylabel string) *gplot.Plot {
	p := gplot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	return p
}

func sideLegend() *gplot.Legend {
	l := gplot.NewLegend()
	l.Left = true
	l.Top = true
	l.TextStyle.Font.Size = vg.Points(8)
	return &l
}

func line(xs []float64, y func(i int) float64, col color.Color) (*plotter.Line, error) {
	pts := make(plotter.XYs, len(xs))
	for i, x := range xs {
		pts[i].X, pts[i].Y = x, y(i)
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	l.Color = col
	l.Width = vg.Points(1.5)
	return l, nil
}

// check2D checks that a is a (len(times), ≥minCols) array.
func check2D(what string, times []float64, a *nd.Array, minCols int) error {
	if a == nil {
		return fmt.Errorf("plot: %s is nil", what)
	}
	if len(a.Shape) != 2 {
		return fmt.Errorf("plot: %s must be 2-D (time, feature), got shape %v; take one condition first, e.g. a.Index(0)", what, a.Shape)
	}
	if len(times) == 0 {
		return fmt.Errorf("plot: no time values")
	}
	if a.Shape[0] != len(times) {
		return fmt.Errorf("plot: %s has %d time steps but %d times were given", what, a.Shape[0], len(times))
	}
	if a.Shape[1] < minCols {
		return fmt.Errorf("plot: %s has %d columns, need at least %d", what, a.Shape[1], minCols)
	}
	for _, v := range times {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("plot: times contain %v", v)
		}
	}
	return nil
}

func xRange(p *gplot.Plot, lo, hi float64) {
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	}
	p.X.Min, p.X.Max = lo, hi
}

func minMax(xs []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return lo, hi
}

// addColumns draws columns 0..cols-1 of a (time, n) against times, each
// through f (nil: as is), in the Tab10 colours, named name(k) in leg; what
// names a column in errors ("plot: <what> k+1: …").
func addColumns(p *gplot.Plot, leg *gplot.Legend, times []float64, a *nd.Array, cols int, f func(float64) float64, what string, name func(k int) string) error {
	n := a.Shape[1]
	for k := 0; k < cols; k++ {
		y := func(i int) float64 { return float64(a.Data[i*n+k]) }
		if f != nil {
			y = func(i int) float64 { return f(float64(a.Data[i*n+k])) }
		}
		l, err := line(times, y, Tab10[k%len(Tab10)])
		if err != nil {
			return fmt.Errorf("plot: %s %d: %w", what, k+1, err)
		}
		p.Add(l)
		leg.Add(name(k), l)
	}
	return nil
}

// numbered names column k "<prefix> k+1".
func numbered(prefix string) func(k int) string {
	return func(k int) string { return fmt.Sprintf("%s %d", prefix, k+1) }
}

// ExaggerateGoCue returns a copy of a (time, 16) input array with its last
// feature (the go cue) multiplied by factor, as the tutorial does (×5) before
// plotting inputs.
func ExaggerateGoCue(inputs *nd.Array, factor float64) (*nd.Array, error) {
	if inputs == nil || len(inputs.Shape) != 2 || inputs.Shape[1] == 0 {
		var sh []int
		if inputs != nil {
			sh = inputs.Shape
		}
		return nil, fmt.Errorf("plot: ExaggerateGoCue wants a (time, feature) array, got shape %v", sh)
	}
	out := inputs.Clone()
	f := out.Shape[1]
	for t := 0; t < out.Shape[0]; t++ {
		out.Data[t*f+f-1] *= float32(factor)
	}
	return out, nil
}

// InputsOverTime is plot_inputs_over_time: every input feature against time,
// labelled "Feature 1"… and "Go Cue" for the last one, legend outside on the
// right; 8×3 in. inputs is (time, features); title "" gives "Inputs over Time".
func InputsOverTime(times []float64, inputs *nd.Array, title string, opts ...Option) (*Figure, error) {
	if err := check2D("inputs", times, inputs, 1); err != nil {
		return nil, err
	}
	if title == "" {
		title = "Inputs over Time"
	}
	c := configure(8, 3, opts)
	p := newPlot(c.title(title), "Time (s)", "Value (A.U.)")
	leg := sideLegend()
	nf := inputs.Shape[1]
	if err := addColumns(p, leg, times, inputs, nf, nil, "inputs feature", func(k int) string {
		if k == nf-1 {
			return "Go Cue"
		}
		return fmt.Sprintf("Feature %d", k+1)
	}); err != nil {
		return nil, err
	}
	lo, hi := minMax(times)
	xRange(p, lo, hi)
	return &Figure{Plot: p, Side: leg, Width: c.w, Height: c.h}, nil
}

// MusclesOverTime is plot_muscles_over_time: the two muscle outputs
// (time, 2) against time, "Muscle 1"/"Muscle 2", legend outside; 8×3 in.
// title "" gives "Muscles over Time".
func MusclesOverTime(times []float64, outputs *nd.Array, title string, opts ...Option) (*Figure, error) {
	if err := check2D("outputs", times, outputs, 2); err != nil {
		return nil, err
	}
	if title == "" {
		title = "Muscles over Time"
	}
	c := configure(8, 3, opts)
	p := newPlot(c.title(title), "Time (s)", "Value (A.U.)")
	leg := sideLegend()
	if err := addColumns(p, leg, times, outputs, 2, nil, "muscle", numbered("Muscle")); err != nil {
		return nil, err
	}
	lo, hi := minMax(times)
	xRange(p, lo, hi)
	return &Figure{Plot: p, Side: leg, Width: c.w, Height: c.h}, nil
}

// Trace is one network's outputs (time, outputs) in OutputsAgainstTarget.
type Trace struct {
	Label  string
	Color  color.Color // nil: the next Tab10 colour
	Values *nd.Array
}

// OutputsAgainstTarget draws one condition's target (time, outputs) as black
// dashed lines and each trace's outputs (time, outputs, the same shape) as
// solid lines in its colour, every output column (muscle) against times; a
// legend inside at the top left; 8×3 in.
func OutputsAgainstTarget(times []float64, target *nd.Array, traces []Trace, title string, opts ...Option) (*Figure, error) {
	if err := check2D("target", times, target, 1); err != nil {
		return nil, err
	}
	if len(traces) == 0 {
		return nil, fmt.Errorf("plot: no outputs to draw against the target")
	}
	for _, tr := range traces {
		if err := check2D("outputs of "+tr.Label, times, tr.Values, target.Shape[1]); err != nil {
			return nil, err
		}
		if tr.Values.Shape[1] != target.Shape[1] {
			return nil, fmt.Errorf("plot: outputs of %s have %d columns, the target %d", tr.Label, tr.Values.Shape[1], target.Shape[1])
		}
	}
	c := configure(8, 3, opts)
	p := newPlot(c.title(title), "Time (s)", "Value (A.U.)")
	add := func(a *nd.Array, col color.Color, dashed bool, label string) error {
		n := a.Shape[1]
		for k := 0; k < n; k++ {
			l, err := line(times, func(i int) float64 { return float64(a.Data[i*n+k]) }, col)
			if err != nil {
				return fmt.Errorf("plot: %s, column %d: %w", label, k+1, err)
			}
			if dashed {
				l.Width = vg.Points(1.2)
				l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			}
			p.Add(l)
			if k == 0 {
				p.Legend.Add(label, l)
			}
		}
		return nil
	}
	if err := add(target, color.Black, true, "target"); err != nil {
		return nil, err
	}
	for i, tr := range traces {
		col := tr.Color
		if col == nil {
			col = Tab10[i%len(Tab10)]
		}
		if err := add(tr.Values, col, false, tr.Label); err != nil {
			return nil, err
		}
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	lo, hi := minMax(times)
	xRange(p, lo, hi)
	return &Figure{Plot: p, Width: c.w, Height: c.h}, nil
}

// TrainingValidationLosses is plot_training_validation_losses: training and
// validation loss against epochs 1..actualEpochs; 8×4 in, legend inside.
//
// The tutorial also calls plt.xlim(xlim) with the module-level xlim=(-1.8, .7)
// meant for time axes, which would hide every epoch; the x axis here spans
// the epochs instead.
func TrainingValidationLosses(epochLosses, valLosses []float64, actualEpochs int, title string, opts ...Option) (*Figure, error) {
	if actualEpochs <= 0 {
		return nil, fmt.Errorf("plot: actualEpochs must be positive, got %d", actualEpochs)
	}
	if len(epochLosses) != actualEpochs || len(valLosses) != actualEpochs {
		return nil, fmt.Errorf("plot: need %d training and validation losses (one per epoch), got %d and %d",
			actualEpochs, len(epochLosses), len(valLosses))
	}
	c := configure(8, 4, opts)
	p := newPlot(c.title(title), "Epoch", "Loss")
	xs := make([]float64, actualEpochs)
	for i := range xs {
		xs[i] = float64(i + 1)
	}
	for k, s := range []struct {
		name string
		v    []float64
	}{{"Training Loss", epochLosses}, {"Validation Loss", valLosses}} {
		l, err := line(xs, func(i int) float64 { return s.v[i] }, Tab10[k])
		if err != nil {
			return nil, fmt.Errorf("plot: %s: %w", s.name, err)
		}
		p.Add(l)
		p.Legend.Add(s.name, l)
	}
	p.Legend.Top = true
	xRange(p, 1, float64(actualEpochs))
	return &Figure{Plot: p, Width: c.w, Height: c.h}, nil
}

// HiddenUnitActivations is plot_hidden_unit_activations: the first
// neuronsToPlot hidden units of hidden (time, N), given before the
// nonlinearity, passed through the rectified tanh (model.Rate) and drawn against times;
// "Neuron 1"…, legend outside; 8×4 in. neuronsToPlot ≤ 0 gives 5; title ""
// gives "PSTHs of Hidden Units". The x label is the tutorial's "Time Steps".
func HiddenUnitActivations(hidden *nd.Array, times []float64, neuronsToPlot int, title string, opts ...Option) (*Figure, error) {
	if err := check2D("hidden", times, hidden, 1); err != nil {
		return nil, err
	}
	if neuronsToPlot <= 0 {
		neuronsToPlot = 5
	}
	if title == "" {
		title = "PSTHs of Hidden Units"
	}
	c := configure(8, 4, opts)
	p := newPlot(c.title(title), "Time Steps", "Activation")
	leg := sideLegend()
	if err := addColumns(p, leg, times, hidden, min(neuronsToPlot, hidden.Shape[1]), model.Rate, "neuron", numbered("Neuron")); err != nil {
		return nil, err
	}
	xRange(p, times[0], times[len(times)-1])
	return &Figure{Plot: p, Side: leg, Width: c.w, Height: c.h}, nil
}

// PSTH is plot_psth: firing rates (time, neuron) in Hz of the first
// neuronsToPlot neurons against times in seconds relative to movement onset
// (data.M1's Times and one condition of its PSTH, e.g. m1.PSTH.Index(0));
// 8×4 in. neuronsToPlot ≤ 0 gives 5; title "" gives "PSTHs of real data".
func PSTH(times []float64, rates *nd.Array, neuronsToPlot int, title string, opts ...Option) (*Figure, error) {
	if err := check2D("rates", times, rates, 1); err != nil {
		return nil, err
	}
	if neuronsToPlot <= 0 {
		neuronsToPlot = 5
	}
	if neuronsToPlot > rates.Shape[1] {
		return nil, fmt.Errorf("plot: asked for %d neurons, the data hold %d", neuronsToPlot, rates.Shape[1])
	}
	if title == "" {
		title = "PSTHs of real data"
	}
	c := configure(8, 4, opts)
	p := newPlot(c.title(title), "Time (s)", "Average Activity (Hz)")
	leg := sideLegend()
	if err := addColumns(p, leg, times, rates, neuronsToPlot, nil, "neuron", numbered("Neuron")); err != nil {
		return nil, err
	}
	xRange(p, times[0], times[len(times)-1])
	return &Figure{Plot: p, Side: leg, Width: c.w, Height: c.h}, nil
}

// LevelLabel formats a perturbation level as the tutorial's xticks do:
// f"{x:.5f}" if x < 0.1 else f"{x}" (Python's shortest float repr).
func LevelLabel(x float64) string {
	if x < 0.1 {
		return strconv.FormatFloat(x, 'f', 5, 64)
	}
	s := strconv.FormatFloat(x, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEnN") {
		s += ".0"
	}
	return s
}

// PerturbationResults is plot_perturbation_results: for each level, a blue
// bar (regularized) and a red bar (unregularized), 0.35 wide, with ±std error
// bars, x ticks labelled by LevelLabel, y from 0 to 100, a legend; 8×6 in.
func PerturbationResults(levels []float64, regularized, unregularized []nd.MeanStd, title string, opts ...Option) (*Figure, error) {
	return PerturbationBars(levels, []Series{
		{Label: "Regularized Model", Color: color.RGBA{B: 255, A: 255}, Values: regularized},
		{Label: "Unregularized Model", Color: color.RGBA{R: 255, A: 255}, Values: unregularized},
	}, title, opts...)
}

// Series is one model's bars in PerturbationBars.
type Series struct {
	Label  string
	Color  color.Color  // nil: the next Tab10 colour
	Values []nd.MeanStd // one per level
}

// PerturbationBars is PerturbationResults for any number of models (one
// for a single checkpoint): grouped bars 0.7/len(series) wide per level.
func PerturbationBars(levels []float64, series []Series, title string, opts ...Option) (*Figure, error) {
	n := len(levels)
	if n == 0 {
		return nil, fmt.Errorf("plot: no perturbation levels")
	}
	if len(series) == 0 {
		return nil, fmt.Errorf("plot: no results to draw")
	}
	for _, s := range series {
		if len(s.Values) != n {
			return nil, fmt.Errorf("plot: %d levels but %d results for %q; give one per level", n, len(s.Values), s.Label)
		}
	}
	c := configure(8, 6, opts)
	p := newPlot(c.title(title), "Perturbation Magnitude", "Normalized Error (%)")
	barWidth := 0.7 / float64(len(series))
	for si, s := range series {
		rings := make([]plotter.XYer, n)
		errs := errPoints{}
		off := (float64(si) - float64(len(series)-1)/2) * barWidth
		for i, ms := range s.Values {
			if math.IsNaN(ms.Mean) || math.IsNaN(ms.Std) {
				return nil, fmt.Errorf("plot: %s result %d is NaN", s.Label, i)
			}
			x := float64(i) + off
			rings[i] = plotter.XYs{{X: x - barWidth/2, Y: 0}, {X: x + barWidth/2, Y: 0},
				{X: x + barWidth/2, Y: ms.Mean}, {X: x - barWidth/2, Y: ms.Mean}}
			errs.XYs = append(errs.XYs, plotter.XY{X: x, Y: ms.Mean})
			errs.YErrors = append(errs.YErrors, struct{ Low, High float64 }{Low: ms.Std, High: ms.Std})
		}
		poly, err := plotter.NewPolygon(rings...)
		if err != nil {
			return nil, fmt.Errorf("plot: %s bars: %w", s.Label, err)
		}
		poly.Color = s.Color
		if poly.Color == nil {
			poly.Color = Tab10[si%len(Tab10)]
		}
		poly.LineStyle.Width = 0
		eb, err := plotter.NewYErrorBars(errs)
		if err != nil {
			return nil, fmt.Errorf("plot: %s error bars: %w", s.Label, err)
		}
		eb.CapWidth = vg.Points(10) // matplotlib capsize=5 is the half-width in points
		eb.LineStyle.Width = vg.Points(1.5)
		p.Add(poly, eb)
		if s.Label != "" {
			p.Legend.Add(s.Label, poly)
		}
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs = vg.Points(4)
	p.X.Padding, p.Y.Padding = 0, 0
	ticks := make([]gplot.Tick, n)
	for i, l := range levels {
		ticks[i] = gplot.Tick{Value: float64(i), Label: LevelLabel(l)}
	}
	p.X.Tick.Marker = gplot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = -0.535, float64(n)-0.465
	p.Y.Min, p.Y.Max = 0, 100
	return &Figure{Plot: p, Width: c.w, Height: c.h}, nil
}

type errPoints struct {
	plotter.XYs
	plotter.YErrors
}
