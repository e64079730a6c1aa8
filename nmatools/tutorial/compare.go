package tutorial

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/neuromatch/nmatools/nmatools/compare"
	"github.com/neuromatch/nmatools/nmatools/data"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

// Activity is a population's activity for the model–brain comparison: a
// network's rectified hidden units or a set of PSTHs, shaped (conditions,
// time, units).
type Activity struct {
	// Name names it in figure titles (whose notes say synthetic or real),
	// e.g. "M1 PSTHs"; Label in tables, e.g. "M1 PSTHs (synthetic)".
	Name, Label string
	// Data are the values (conditions, time, units).
	Data *compare.Data
	// Synthetic marks data that are not recorded (the synthetic M1 stand-in,
	// or a network trained on the synthetic stand-in data).
	Synthetic bool
	// Real marks recorded neural data.
	Real bool
	// Times are the sample times in seconds relative to movement onset, when
	// known (PSTHs); nil for a network.
	Times []float64
}

// NetworkActivity runs net on the fixed-delay inputs of all the conditions of
// ds and returns its rectified hidden units, the firing rates r =
// rectified_tanh(x) (conditions, time, units): the activity the comparison
// uses for a network, as Sussillo et al. (2015) did.
func NetworkActivity(label string, net *Net, ds *Dataset) *Activity {
	if net == nil || ds == nil {
		Fail("NetworkActivity: need a network and the dataset (tutorial.Data())")
	}
	_, hidden := net.Trajectory(ds.Inputs)
	d, err := compare.FromND(hidden)
	Check(err)
	return &Activity{Name: label, Label: label, Data: d.Apply(model.Rate), Synthetic: ds.Synthetic}
}

// PSTHActivity is the comparison's view of a set of PSTHs (tutorial.M1(),
// tutorial.RealM1()): "M1 PSTHs" or "Churchland et al. 2012 M1", and its
// label says "(synthetic)" or "(real)", as Note does.
func PSTHActivity(m *M1Data) *Activity {
	if m == nil {
		Fail("PSTHActivity: no PSTHs (nil)")
	}
	d, err := compare.FromND(m.PSTH)
	Check(err)
	name := "M1 PSTHs"
	if filepath.Base(m.Source) == data.ChurchlandFile {
		name = "Churchland et al. 2012 M1"
	}
	return &Activity{Name: name, Label: labelled(name, m), Data: d, Synthetic: m.Synthetic, Real: m.Real, Times: m.Times}
}

// CCA returns the k canonical correlations (descending) between a and b
// (compare.CCA: each reduced to its top-k principal components), pairing the
// conditions one to one and time sample t of a with sample t of b, as the
// tutorial's figures do; when one has more samples, its extra ones at the end
// are left out. The two must have the same number of conditions.
func CCA(a, b *Activity, k int) []float64 {
	if a == nil || b == nil {
		Fail("CCA: nil activity")
	}
	if a.Data.Conditions != b.Data.Conditions {
		Fail("CCA: %s has %d conditions, %s %d: CCA pairs the same conditions", a.Label, a.Data.Conditions, b.Label, b.Data.Conditions)
	}
	n := min(a.Data.Times, b.Data.Times)
	da, err := a.Data.TimeWindow(0, n)
	Check(err)
	db, err := b.Data.TimeWindow(0, n)
	Check(err)
	cc, err := compare.CCA(da, db, k)
	Check(err)
	return cc
}

// Mean is the mean of xs (NaN for none).
func Mean(xs []float64) float64 { return nd.MeanStdOf(xs).Mean }

// MovementWindow returns the time samples [from, to) of times (seconds
// relative to movement onset) within the movement epoch, −50 ms to +550 ms
// around movement onset (the span of the real Churchland et al. 2012 data, where
// jPCA looks for rotations), limited to the first n samples: compare.MovementWindow,
// stopping the cell when no sample lies in the epoch.
func MovementWindow(times []float64, n int) (from, to int) {
	from, to, err := compare.MovementWindow(times, n)
	Check(err)
	return from, to
}

// JPCA is compare.JPCA with k principal components and time step dt seconds
// on the samples [from, to) of a (from = to = 0: all of them).
func JPCA(a *Activity, from, to, k int, dt float64) *compare.JPCAResult {
	if a == nil {
		Fail("JPCA: nil activity")
	}
	d := a.Data
	if from != 0 || to != 0 {
		var err error
		d, err = d.TimeWindow(from, to)
		Check(err)
	}
	r, err := compare.JPCA(d, compare.JPCAOptions{PCs: k, Dt: dt})
	if err != nil {
		Fail("jPCA of %s: %v", a.Label, err)
	}
	return r
}

// PlaneTrajectories are the conditions' trajectories in the first jPC plane
// of r, as plot.JPCPlane draws them; nil when the fit found no rotation.
func PlaneTrajectories(r *compare.JPCAResult) [][][2]float64 {
	if r == nil || r.Projection == nil {
		return nil
	}
	p := r.Projection
	out := make([][][2]float64, p.Conditions)
	for c := range out {
		out[c] = make([][2]float64, p.Times)
		for t := range out[c] {
			out[c][t] = [2]float64{p.At(c, t, 0), p.At(c, t, 1)}
		}
	}
	return out
}

// JPCARow is one line of the jPCA table.
type JPCARow struct {
	Label                  string
	Samples                string // which time samples, e.g. "190–249 (movement)"
	Units, Conditions      int
	R2Best, R2Skew, FreqHz float64
}

// Row is the jPCA table's line for r, a's jPCA on the samples described by samples.
func (a *Activity) Row(samples string, r *compare.JPCAResult) JPCARow {
	return JPCARow{Label: a.Label, Samples: samples, Units: a.Data.Units, Conditions: a.Data.Conditions,
		R2Best: r.R2Best, R2Skew: r.R2Skew, FreqHz: r.RotationHz}
}

// fetchReal downloads a real-data file into the data cache; tests replace it.
var fetchReal = func(name string) (string, error) {
	for _, r := range data.RealFiles {
		if r.Name == name {
			return data.Fetch(data.DefaultDir(), r)
		}
	}
	return "", fmt.Errorf("no real-data file %q", name)
}

// realFile returns the path of the real-data file name (data.RealFiles), what
// naming it in messages: from ../shared/data/real or the data cache when it is
// there with its MD5 (data.FindReal); else, when NMATOOLS_DOWNLOAD=1 is set,
// downloaded into the data cache (fetchReal). Without it, path is "" and why
// says what to do.
func realFile(name, what string) (path, why string) {
	if path, ok := data.FindReal(name); ok {
		return path, ""
	}
	if os.Getenv("NMATOOLS_DOWNLOAD") != "1" {
		return "", fmt.Sprintf("%s is not at hand: set NMATOOLS_DOWNLOAD=1 (or run bin/nmatools data fetch) to download it", what)
	}
	path, err := fetchReal(name)
	if err != nil {
		return "", fmt.Sprintf("%s could not be downloaded (%v)", what, err)
	}
	return path, ""
}

// RealM1 returns the real Churchland et al. (2012) PSTHs
// (churchland2012_TME_exampleData.mat): from ../shared/data/real or the data cache
// when the file is there with its MD5; else, when NMATOOLS_DOWNLOAD=1 is set,
// downloaded into the data cache from its URL and checked against its MD5
// (data.RealFiles). Without the file, m is nil and why says what to do.
func RealM1() (m *M1Data, why string) {
	path, why := realFile(data.ChurchlandFile, "the real Churchland et al. (2012) data file")
	if path == "" {
		return nil, why
	}
	m, err := data.LoadChurchland(path)
	Check(err)
	return m, ""
}

// FormatJPCATable renders rows as a fixed-width table.
func FormatJPCATable(rows []JPCARow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-36s %-20s %5s %5s %8s %8s %8s\n", "data", "samples", "cond", "units", "R² best", "R² skew", "rot. Hz")
	for _, r := range rows {
		fmt.Fprintf(&b, "%-36s %-20s %5d %5d %8.3f %8.3f %8.2f\n", r.Label, r.Samples, r.Conditions, r.Units, r.R2Best, r.R2Skew, r.FreqHz)
	}
	return b.String()
}
