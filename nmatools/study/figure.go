package study

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/plot"
)

// Figure draws the table: one panel per measure against the rate penalty
// (the grid's order), one line per weight penalty, each point the mean ±
// standard deviation (np.std) over the seeds (cells without the measure
// left out). Data made from the synthetic stand-in are marked
// "(synthetic data)" in the title.
func (t *Table) Figure(opts ...plot.Option) (*plot.Figure, error) {
	if t == nil || len(t.Rows) == 0 {
		return nil, errors.New("study: no finished cells to draw")
	}
	set := t.Results[0].Settings
	measures := []struct {
		title, ylabel string
		get           func(r Row) *float64
	}{
		{"Validation MSE", "MSE (7 held-out conditions)", func(r Row) *float64 { return r.ValMSE }},
		{fmt.Sprintf("Input noise, strength %g", set.InputStrength), "error (% of max error)", func(r Row) *float64 { return r.InputError }},
		{fmt.Sprintf("Weight noise, %g%% of mean |J|", 100*set.WeightPercentage), "error (% of max error)", func(r Row) *float64 { return r.WeightError }},
		{fmt.Sprintf("CCA with M1 (mean of top %d)", set.CCAPCs), "canonical correlation", func(r Row) *float64 { return r.CCAMean }},
		{"jPCA, skew-symmetric fit", "R²", func(r Row) *float64 { return r.JPCAR2Skew }},
		{"Tangling of the rates", "q90 (1/s²)", func(r Row) *float64 { return r.TanglingQ90 }},
	}
	g := t.Grid
	cats := make([]string, len(g.RatePenalty))
	for i, v := range g.RatePenalty {
		cats[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	panels := make([]plot.Panel, len(measures))
	for mi, m := range measures {
		panels[mi] = plot.Panel{Title: m.title, YLabel: m.ylabel}
		for _, w := range g.WeightPenalty {
			s := plot.SpreadSeries{Label: "weight penalty " + strconv.FormatFloat(w, 'g', -1, 64),
				Mean: make([]float64, len(cats)), Spread: make([]float64, len(cats))}
			for ri, rp := range g.RatePenalty {
				var vs []float64
				for _, r := range t.Rows {
					if r.RatePenalty == rp && r.WeightPenalty == w {
						if v := m.get(r); v != nil {
							vs = append(vs, *v)
						}
					}
				}
				ms := nd.MeanStdOf(vs) // NaN for none: the point is left out
				s.Mean[ri], s.Spread[ri] = ms.Mean, ms.Std
				if math.IsNaN(ms.Mean) {
					s.Spread[ri] = math.NaN()
				}
			}
			panels[mi].Series = append(panels[mi].Series, s)
		}
	}
	for _, d := range t.Data {
		if strings.Contains(d, "synthetic") {
			opts = append([]plot.Option{plot.DataNote("synthetic")}, opts...)
			break
		}
	}
	title := fmt.Sprintf("Regularized recipe, epoch limit %d: mean ± s.d. over %d seeds, movement epoch", g.Epochs, len(g.Seeds))
	return plot.Panels(cats, "rate penalty β", panels, 3, title, opts...)
}
