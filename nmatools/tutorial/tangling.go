package tutorial

// tangling.go: the notebook's "Tangled or not?" section (trajectory tangling,
// Russo et al. 2018) and its study of penalties × seeds (package study).

import (
	"fmt"

	"github.com/neuromatch/nmatools/nmatools/compare"
	"github.com/neuromatch/nmatools/nmatools/data"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/plot"
)

// Tangling is compare.Tangling with k principal components and time step dt
// seconds on the samples [from, to) of a (from = to = 0: all of them).
func Tangling(a *Activity, from, to, k int, dt float64) *compare.TanglingResult {
	if a == nil {
		Fail("Tangling: nil activity")
	}
	d := a.Data
	if from != 0 || to != 0 {
		var err error
		d, err = d.TimeWindow(from, to)
		Check(err)
	}
	r, err := compare.Tangling(d, compare.TanglingOptions{PCs: min(k, d.Units), Dt: dt})
	if err != nil {
		Fail("tangling of %s: %v", a.Label, err)
	}
	return r
}

// Window returns a's time samples [from, to) (e.g. the movement epoch,
// MovementWindow) as an Activity of their own.
func (a *Activity) Window(from, to int) *Activity {
	if a == nil {
		Fail("Window: nil activity")
	}
	d, err := a.Data.TimeWindow(from, to)
	Check(err)
	w := *a
	w.Data = d
	if a.Times != nil {
		w.Times = a.Times[from:to]
	}
	return &w
}

// EMGActivity is the dataset's EMG targets at the fixed delay (conditions,
// time, muscles): the muscles the networks are trained to drive, "EMG
// targets (synthetic)" without the course's files.
func EMGActivity(ds *Dataset) *Activity {
	if ds == nil {
		Fail("EMGActivity: no dataset (tutorial.Data())")
	}
	d, err := compare.FromND(ds.Outputs)
	Check(err)
	return &Activity{Name: "EMG targets", Label: labelled("EMG targets", ds), Data: d, Synthetic: ds.Synthetic}
}

// RealEMG returns the Hatsopoulos lab centre-out EMG (13 muscles, 8
// directions, trial-averaged) averaged into bins of binSamples samples,
// when the file is at hand (../shared/data/real or the data cache; with
// NMATOOLS_DOWNLOAD=1 it is downloaded). Its sample period is not stated:
// 1 ms is assumed (data.EMGSamplePeriod), so bins of 10 samples are taken
// as 10 ms. Without the file, a is nil and why says what to do.
func RealEMG(binSamples int) (a *Activity, why string) {
	path, why := realFile(data.EMGFile, "the real Hatsopoulos lab EMG file")
	if path == "" {
		return nil, why
	}
	e, err := data.LoadEMG(path)
	Check(err)
	e, err = e.Binned(binSamples)
	Check(err)
	d, err := compare.New(e.Conditions, e.Times, e.Muscles, e.Values)
	Check(err)
	times := make([]float64, e.Times)
	for i := range times {
		times[i] = float64(i) * e.Dt
	}
	a = &Activity{Name: "Hatsopoulos lab EMG", Data: d, Real: true, Times: times}
	a.Label = labelled(a.Name, a)
	return a, ""
}

// EMGOnset is the first time sample at which a's mean over conditions and
// muscles has risen 10% of the way from its baseline (the mean of its first
// tenth of the samples) to its peak: a stand-in for movement onset where a
// recording does not say when the movement began.
func EMGOnset(a *Activity) int {
	d := a.Data
	mean := make([]float64, d.Times)
	for c := 0; c < d.Conditions; c++ {
		for t := 0; t < d.Times; t++ {
			for u := 0; u < d.Units; u++ {
				mean[t] += d.At(c, t, u) / float64(d.Conditions*d.Units)
			}
		}
	}
	nb := max(1, d.Times/10)
	base := Mean(mean[:nb])
	peak := base
	for _, v := range mean {
		peak = max(peak, v)
	}
	for t, v := range mean {
		if v >= base+0.1*(peak-base) {
			return t
		}
	}
	return 0
}

// TanglingPairs pairs the tangling of muscles and of a population computed
// on the same conditions and time samples, point by point, for
// plot.TanglingScatter.
func TanglingPairs(label string, muscles, population *compare.TanglingResult) plot.TanglingPairs {
	if muscles.Conditions != population.Conditions || muscles.Steps != population.Steps {
		Fail("TanglingPairs %s: the muscles have %d conditions × %d steps, the population %d × %d: pair the same samples",
			label, muscles.Conditions, muscles.Steps, population.Conditions, population.Steps)
	}
	return plot.TanglingPairs{Label: label, Muscles: muscles.Q, Population: population.Q}
}

// TanglingRow is one line of the tangling table.
type TanglingRow struct {
	Label, Samples         string
	Conditions, Steps, PCs int
	Median, Q90, Epsilon   float64
	VarianceExplained      float64
}

// TanglingRow is the tangling table's line for r, a's tangling on the samples
// described by samples.
func (a *Activity) TanglingRow(samples string, r *compare.TanglingResult) TanglingRow {
	return TanglingRow{Label: a.Label, Samples: samples, Conditions: r.Conditions, Steps: r.Steps, PCs: r.PCs,
		Median: nd.Percentile(r.Q, 50), Q90: r.Q90, Epsilon: r.Epsilon, VarianceExplained: r.VarianceExplained}
}

// FormatTanglingTable renders rows as a fixed-width table.
func FormatTanglingTable(rows []TanglingRow) string {
	var b []byte
	b = fmt.Appendf(b, "%-40s %-22s %5s %5s %4s %8s %8s %6s\n", "data", "samples (10 ms)", "cond", "steps", "K", "median", "q90", "var.")
	for _, r := range rows {
		b = fmt.Appendf(b, "%-40s %-22s %5d %5d %4d %8.0f %8.0f %5.0f%%\n", r.Label, r.Samples, r.Conditions, r.Steps, r.PCs,
			r.Median, r.Q90, 100*r.VarianceExplained)
	}
	return string(b)
}
