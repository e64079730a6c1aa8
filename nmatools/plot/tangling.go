package plot

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// TanglingPairs are two tanglings of the same conditions and times (e.g.
// compare.TanglingResult.Q of the muscles and of a population), paired point
// by point.
type TanglingPairs struct {
	Label               string
	Muscles, Population []float64
}

// TanglingScatter draws Russo et al.'s (2018) comparison: for every paired
// condition and time, the population's tangling Q against the muscles', on
// log–log axes with the diagonal (points below it: the population is less
// tangled than the muscles), one colour per series; 5×5 in.
func TanglingScatter(series []TanglingPairs, title string, opts ...Option) (*Figure, error) {
	if len(series) == 0 {
		return nil, fmt.Errorf("plot: no tangling to draw")
	}
	c := configure(5, 5, opts)
	p := newPlot(c.title(title), "Q of the muscles (1/s²)", "Q of the population (1/s²)")
	p.X.Scale, p.Y.Scale = gplot.LogScale{}, gplot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = logTicks125{}, logTicks125{}
	lo, hi := math.Inf(1), math.Inf(-1)
	for si, s := range series {
		if len(s.Muscles) != len(s.Population) || len(s.Muscles) == 0 {
			return nil, fmt.Errorf("plot: %q: %d muscle and %d population values: want as many, at least one", s.Label, len(s.Muscles), len(s.Population))
		}
		xy := make(plotter.XYs, len(s.Muscles))
		for i := range xy {
			x, y := s.Muscles[i], s.Population[i]
			if !(x > 0) || !(y > 0) || math.IsInf(x, 0) || math.IsInf(y, 0) {
				return nil, fmt.Errorf("plot: %q point %d is (%v, %v): a log–log plot needs positive, finite values", s.Label, i, x, y)
			}
			xy[i] = plotter.XY{X: x, Y: y}
			lo, hi = min(lo, x, y), max(hi, x, y)
		}
		sc, err := plotter.NewScatter(xy)
		if err != nil {
			return nil, fmt.Errorf("plot: %s: %w", s.Label, err)
		}
		col := color.RGBAModel.Convert(Tab10[si%len(Tab10)]).(color.RGBA)
		col.A = 140
		col.R, col.G, col.B = uint8(int(col.R)*140/255), uint8(int(col.G)*140/255), uint8(int(col.B)*140/255) // premultiplied
		sc.GlyphStyle = draw.GlyphStyle{Color: col, Shape: draw.CircleGlyph{}, Radius: vg.Points(1.3)}
		p.Add(sc)
		leg, _ := plotter.NewScatter(xy[:1])
		leg.GlyphStyle = draw.GlyphStyle{Color: Tab10[si%len(Tab10)], Shape: draw.CircleGlyph{}, Radius: vg.Points(3)}
		p.Legend.Add(s.Label, leg)
	}
	lo, hi = lo/1.5, hi*1.5
	diag, err := plotter.NewLine(plotter.XYs{{X: lo, Y: lo}, {X: hi, Y: hi}})
	if err != nil {
		return nil, err
	}
	diag.Color, diag.Dashes = color.Gray{Y: 90}, []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(diag)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = lo, hi, lo, hi
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	return &Figure{Plot: p, Width: c.w, Height: c.h}, nil
}

// TanglingSeries is one data set's tangling values Q.
type TanglingSeries struct {
	Label string
	Q     []float64
}

// TanglingDistributions draws the distributions of Q side by side, as box
// plots on a log axis (box: quartiles; whiskers: 1.5 × the interquartile
// range; points beyond them are drawn) and, when q90 is not nil, a triangle
// at each one's 90th percentile beside its box; for data sets whose points
// cannot be paired. 1.3 in per data
// set wide (at least 5 in), 4 in high.
func TanglingDistributions(series []TanglingSeries, q90 []float64, title string, opts ...Option) (*Figure, error) {
	if len(series) == 0 {
		return nil, fmt.Errorf("plot: no tangling to draw")
	}
	if q90 != nil && len(q90) != len(series) {
		return nil, fmt.Errorf("plot: %d 90th percentiles for %d data sets", len(q90), len(series))
	}
	c := configure(max(5, 1.3*float64(len(series))+1), 4, opts)
	p := newPlot(c.title(title), "", "Q (1/s²)")
	p.Y.Scale = gplot.LogScale{}
	p.Y.Tick.Marker = logTicks125{}
	names := make([]string, len(series))
	for i, s := range series {
		if len(s.Q) == 0 {
			return nil, fmt.Errorf("plot: %q has no values", s.Label)
		}
		for j, v := range s.Q {
			if !(v > 0) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("plot: %q value %d is %v: a log axis needs positive, finite values", s.Label, j, v)
			}
		}
		b, err := plotter.NewBoxPlot(vg.Points(28), float64(i), plotter.Values(s.Q))
		if err != nil {
			return nil, fmt.Errorf("plot: %s: %w", s.Label, err)
		}
		col := Tab10[i%len(Tab10)]
		b.BoxStyle.Color, b.MedianStyle.Color, b.WhiskerStyle.Color = col, col, col
		b.GlyphStyle.Color, b.GlyphStyle.Radius = col, vg.Points(1)
		p.Add(b)
		names[i] = s.Label
		if q90 != nil {
			m, err := plotter.NewScatter(plotter.XYs{{X: float64(i) + 0.3, Y: q90[i]}})
			if err != nil {
				return nil, err
			}
			m.GlyphStyle = draw.GlyphStyle{Color: col, Shape: draw.PyramidGlyph{}, Radius: vg.Points(3)}
			p.Add(m)
		}
	}
	p.NominalX(names...)
	p.X.Tick.Label.Font.Size = vg.Points(8)
	return &Figure{Plot: p, Width: c.w, Height: c.h}, nil
}

// logTicks125 are ticks for a log axis at 1, 2 and 5 times the powers of
// ten, all labelled (gonum's LogTicks label only the powers of ten, too few
// for a range of one or two decades), with minor ticks at the other digits.
type logTicks125 struct{}

func (logTicks125) Ticks(lo, hi float64) []gplot.Tick {
	if !(lo > 0) || !(hi >= lo) {
		return nil
	}
	var ts []gplot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for d := 1; d <= 9; d++ {
			v := float64(d) * math.Pow(10, e)
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := gplot.Tick{Value: v}
			if d == 1 || d == 2 || d == 5 {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ts = append(ts, t)
		}
	}
	return ts
}
