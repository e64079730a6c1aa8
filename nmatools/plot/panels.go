package plot

import (
	"fmt"
	"math"
	"strconv"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// drawMain draws the figure's plot, or its grid of panels under the plot's
// title.
func (f *Figure) drawMain(c draw.Canvas) {
	if f.panels == nil {
		f.Plot.Draw(c)
		return
	}
	if t := f.Plot.Title; t.Text != "" {
		sty := t.TextStyle
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
		c.FillText(sty, vg.Point{X: c.Center().X, Y: c.Max.Y - t.Padding}, t.Text)
		c = draw.Crop(c, 0, 0, 0, -(sty.Height(t.Text) + 2*t.Padding))
	}
	rows := len(f.panels)
	cols := 0
	for _, r := range f.panels {
		cols = max(cols, len(r))
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(8), PadY: vg.Points(8)}
	canvases := gplot.Align(f.panels, tiles, c)
	for i, r := range f.panels {
		for j, p := range r {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
}

// SpreadSeries is one line of a Panel: a mean and a spread (drawn as an
// error bar, e.g. the standard deviation over seeds) per category; NaN
// leaves a category out.
type SpreadSeries struct {
	Label        string
	Mean, Spread []float64
}

// Panel is one plot of Panels.
type Panel struct {
	Title, YLabel string
	Series        []SpreadSeries
}

// Panels draws a grid of plots, cols wide, that share their x axis of
// categories (e.g. penalty strengths): each series is a line through its
// means with error bars of ± its spread, the series of one category shifted
// slightly apart so that their bars do not overlap, in the Tab10 colours;
// one legend at the side names the series (those of the first panel). The
// figure is 4 in per column wide and 3 in per row high.
func Panels(categories []string, xLabel string, panels []Panel, cols int, title string, opts ...Option) (*Figure, error) {
	if len(categories) == 0 || len(panels) == 0 {
		return nil, fmt.Errorf("plot: Panels needs categories and panels")
	}
	if cols < 1 {
		return nil, fmt.Errorf("plot: Panels: %d columns, want at least 1", cols)
	}
	rows := (len(panels) + cols - 1) / cols
	c := configure(4*float64(cols)+1.5, 3*float64(rows)+0.4, opts)
	grid := make([][]*gplot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*gplot.Plot, cols)
	}
	side := sideLegend()
	ticks := make([]gplot.Tick, len(categories))
	for i, s := range categories {
		ticks[i] = gplot.Tick{Value: float64(i), Label: s}
	}
	for pi, pn := range panels {
		p := newPlot(pn.Title, xLabel, pn.YLabel)
		p.Title.TextStyle.Font.Size = vg.Points(10)
		p.Title.Padding = vg.Points(8)
		p.X.Label.TextStyle.Font.Size = vg.Points(10)
		p.Y.Label.TextStyle.Font.Size = vg.Points(10)
		p.Y.Tick.Marker = distinctTicks{}
		p.X.Tick.Marker = gplot.ConstantTicks(ticks)
		p.X.Min, p.X.Max = -0.5, float64(len(categories))-0.5
		lo, hi := math.Inf(1), math.Inf(-1)
		for si, s := range pn.Series {
			if len(s.Mean) != len(categories) || len(s.Spread) != len(categories) {
				return nil, fmt.Errorf("plot: panel %q, series %q: %d means and %d spreads for %d categories",
					pn.Title, s.Label, len(s.Mean), len(s.Spread), len(categories))
			}
			col := Tab10[si%len(Tab10)]
			shift := 0.0
			if n := len(pn.Series); n > 1 {
				shift = 0.2 * (float64(si)/float64(n-1) - 0.5)
			}
			var pts plotter.XYs
			var errs plotter.YErrors
			for i, m := range s.Mean {
				e := s.Spread[i]
				if math.IsNaN(m) || math.IsInf(m, 0) {
					continue
				}
				if math.IsNaN(e) || math.IsInf(e, 0) || e < 0 {
					return nil, fmt.Errorf("plot: panel %q, series %q: spread %v at %s, want a finite number ≥ 0", pn.Title, s.Label, e, categories[i])
				}
				pts = append(pts, plotter.XY{X: float64(i) + shift, Y: m})
				errs = append(errs, struct{ Low, High float64 }{e, e})
				lo, hi = min(lo, m-e), max(hi, m+e)
			}
			if len(pts) == 0 {
				continue
			}
			l, sc, err := plotter.NewLinePoints(pts)
			if err != nil {
				return nil, fmt.Errorf("plot: panel %q, series %q: %w", pn.Title, s.Label, err)
			}
			l.Color, l.Width = col, vg.Points(1.2)
			sc.Color, sc.Radius = col, vg.Points(2.5)
			eb, err := plotter.NewYErrorBars(struct {
				plotter.XYer
				plotter.YErrorer
			}{pts, errs})
			if err != nil {
				return nil, fmt.Errorf("plot: panel %q, series %q: %w", pn.Title, s.Label, err)
			}
			eb.Color = col
			p.Add(l, sc, eb)
			if pi == 0 {
				side.Add(s.Label, l, sc)
			}
		}
		if lo <= hi {
			pad := 0.08 * (hi - lo)
			if pad == 0 {
				pad = 0.05*math.Abs(hi) + 1e-9
			}
			p.Y.Min, p.Y.Max = lo-pad, hi+pad
		}
		grid[pi/cols][pi%cols] = p
	}
	head := gplot.New()
	head.Title.Text = c.title(title)
	head.Title.TextStyle.Font.Size = vg.Points(12)
	return &Figure{Plot: head, Side: side, Width: c.w, Height: c.h, panels: grid}, nil
}

// distinctTicks are gonum's default ticks with labels given as many
// significant digits as it takes to tell them apart and to say where they
// are (the default labels of a narrow range repeat or round: "59, 59, 59"
// for ticks at 59.12, 59.24, 59.36).
type distinctTicks struct{}

func (distinctTicks) Ticks(lo, hi float64) []gplot.Tick {
	ts := gplot.DefaultTicks{}.Ticks(lo, hi)
	// Plain decimals (0.005, 300) in the usual range, else exponents.
	label := func(v float64, prec int) string {
		if a := math.Abs(v); a == 0 || (a >= 1e-4 && a < 1e6) {
			return strconv.FormatFloat(v, 'f', prec, 64)
		}
		return strconv.FormatFloat(v, 'g', prec+1, 64)
	}
	for prec := 0; prec <= 12; prec++ {
		seen := map[string]bool{}
		ok := true
		for _, t := range ts {
			if t.Label == "" {
				continue
			}
			l := label(t.Value, prec)
			back, _ := strconv.ParseFloat(l, 64)
			if seen[l] || math.Abs(back-t.Value) > 1e-3*(hi-lo) {
				ok = false
				break
			}
			seen[l] = true
		}
		if ok || prec == 12 {
			for i := range ts {
				if ts[i].Label != "" {
					ts[i].Label = label(ts[i].Value, prec)
				}
			}
			break
		}
	}
	return ts
}
