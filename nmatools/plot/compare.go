package plot

import (
	"fmt"
	"image/color"
	"math"
	"sort"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// CorrSeries is one model's canonical correlations in CanonicalCorrelations.
type CorrSeries struct {
	Label  string
	Color  color.Color // nil: the next Tab10 colour
	Values []float64   // descending, one per component
}

// CanonicalCorrelations draws canonical correlations (compare.CCA) against
// the component number 1..K, one line with markers per series, on a 0–1
// axis; 6×4 in, legend inside at the top right.
func CanonicalCorrelations(series []CorrSeries, title string, opts ...Option) (*Figure, error) {
	if len(series) == 0 {
		return nil, fmt.Errorf("plot: no canonical correlations to draw")
	}
	c := configure(6, 4, opts)
	p := newPlot(c.title(title), "Canonical component", "Canonical correlation")
	maxK := 0
	for si, s := range series {
		if len(s.Values) == 0 {
			return nil, fmt.Errorf("plot: %q has no canonical correlations", s.Label)
		}
		xy := make(plotter.XYs, len(s.Values))
		for i, v := range s.Values {
			if math.IsNaN(v) || v < -1e-9 || v > 1+1e-9 {
				return nil, fmt.Errorf("plot: %q correlation %d is %v, want a value in [0, 1]", s.Label, i+1, v)
			}
			xy[i] = plotter.XY{X: float64(i + 1), Y: v}
		}
		maxK = max(maxK, len(s.Values))
		col := s.Color
		if col == nil {
			col = Tab10[si%len(Tab10)]
		}
		l, pts, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, fmt.Errorf("plot: %s: %w", s.Label, err)
		}
		l.Color, l.Width = col, vg.Points(1.5)
		pts.Color, pts.Shape, pts.Radius = col, draw.CircleGlyph{}, vg.Points(3)
		p.Add(l, pts)
		p.Legend.Add(s.Label, l, pts)
	}
	p.Legend.Top = true
	p.X.Min, p.X.Max = 0.5, float64(maxK)+0.5
	p.Y.Min, p.Y.Max = 0, 1
	ticks := make([]gplot.Tick, maxK)
	for i := range ticks {
		ticks[i] = gplot.Tick{Value: float64(i + 1), Label: fmt.Sprint(i + 1)}
	}
	p.X.Tick.Marker = gplot.ConstantTicks(ticks)
	return &Figure{Plot: p, Width: c.w, Height: c.h}, nil
}

// JPCPlane draws each condition's trajectory in the first jPC plane
// (compare.JPCAResult.Projection): traj[c][t] is condition c's point at time
// t. As in Churchland et al. (2012), the colour runs from red to green with
// the conditions' positions along jPC 1 at the first time point, and a dot
// marks each start; equal axis scales, 4×4 in.
func JPCPlane(traj [][][2]float64, title string, opts ...Option) (*Figure, error) {
	if len(traj) == 0 {
		return nil, fmt.Errorf("plot: no trajectories to draw (the jPCA fit found no rotation?)")
	}
	nT := len(traj[0])
	if nT < 2 {
		return nil, fmt.Errorf("plot: trajectories need at least 2 time points, got %d", nT)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for c, tr := range traj {
		if len(tr) != nT {
			return nil, fmt.Errorf("plot: condition %d has %d time points, condition 0 has %d", c, len(tr), nT)
		}
		for _, pt := range tr {
			for _, v := range pt {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("plot: condition %d has a non-finite point", c)
				}
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	order := make([]int, len(traj))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return traj[order[i]][0][0] < traj[order[j]][0][0] })
	rank := make([]int, len(traj))
	for r, c := range order {
		rank[c] = r
	}
	c := configure(4, 4, opts)
	p := newPlot(c.title(title), "jPC 1", "jPC 2")
	for ci, tr := range traj {
		f := 0.0
		if len(traj) > 1 {
			f = float64(rank[ci]) / float64(len(traj)-1)
		}
		col := color.RGBA{R: uint8(220 * (1 - f)), G: uint8(160 * f), B: 40, A: 255}
		xy := make(plotter.XYs, nT)
		for t, pt := range tr {
			xy[t] = plotter.XY{X: pt[0], Y: pt[1]}
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("plot: condition %d: %w", ci, err)
		}
		l.Color, l.Width = col, vg.Points(1)
		start, err := plotter.NewScatter(xy[:1])
		if err != nil {
			return nil, fmt.Errorf("plot: condition %d: %w", ci, err)
		}
		start.Color, start.Shape, start.Radius = col, draw.CircleGlyph{}, vg.Points(2.5)
		p.Add(l, start)
	}
	pad := 0.05 * (hi - lo)
	if pad == 0 {
		pad = 1
	}
	p.X.Min, p.X.Max = lo-pad, hi+pad
	p.Y.Min, p.Y.Max = lo-pad, hi+pad
	return &Figure{Plot: p, Width: c.w, Height: c.h}, nil
}
