package data

import (
	"fmt"
	"math"

	"github.com/neuromatch/nmatools/nmatools/matfile"
)

// EMGSamplePeriod is the sample period LoadEMG assumes for the Hatsopoulos
// lab's EMG, in seconds: the file does not state it; 1 ms is a guess (the
// bursts then fall 0.9–1.1 s into the 3.3 s records, a plausible reach).
const EMGSamplePeriod = 0.001

// EMG holds trial-averaged muscle activity (envelopes), in float64.
type EMG struct {
	// Conditions (reach directions), Times and Muscles are the dimensions
	// of Values, element (c, t, m) at Values[(c·Times+t)·Muscles+m].
	Conditions, Times, Muscles int
	Values                     []float64
	// Dt is the sample period in seconds (for the real file an assumption:
	// EMGSamplePeriod, times the bin after Binned).
	Dt float64
	// Label says what the data are, for plot titles and reports; Source is
	// the file read.
	Label, Source string
}

// LoadEMG reads the Hatsopoulos lab's centre-out EMG (EMGFile, one of
// RealFiles): all_EMG, 13 muscles × 3341 samples × 8 reach directions,
// trial-averaged envelopes in arbitrary units, into (direction, sample,
// muscle). Dt is EMGSamplePeriod, an assumption.
func LoadEMG(path string) (*EMG, error) {
	f, err := readMat(path)
	if err != nil {
		return nil, err
	}
	v, err := f.Get("all_EMG")
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w; this is not the Hatsopoulos lab EMG file (%s)", path, err, EMGFile)
	}
	d, ok := v.(*matfile.Numeric)
	if !ok || d.IsComplex() || len(d.Dims) != 3 || d.Dims[0] < 1 || d.Dims[1] < 2 || d.Dims[2] < 1 {
		return nil, fmt.Errorf("data: %s: all_EMG is a %s %s, want a real muscles × samples × directions array",
			path, matfile.DimsString(v.Size()), v.ClassName())
	}
	nM, nT, nC := d.Dims[0], d.Dims[1], d.Dims[2]
	e := &EMG{Conditions: nC, Times: nT, Muscles: nM, Values: make([]float64, nC*nT*nM), Dt: EMGSamplePeriod,
		Label:  fmt.Sprintf("real: Hatsopoulos lab centre-out EMG (%d muscles, %d directions, trial-averaged)", nM, nC),
		Source: path}
	// Column-major (muscle, sample, direction) → row-major (direction, sample, muscle).
	for c := 0; c < nC; c++ {
		for t := 0; t < nT; t++ {
			for m := 0; m < nM; m++ {
				x := d.Real[m+nM*(t+nT*c)]
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return nil, fmt.Errorf("data: %s: all_EMG(%d,%d,%d) is %v: want finite values", path, m+1, t+1, c+1, x)
				}
				e.Values[(c*nT+t)*nM+m] = x
			}
		}
	}
	return e, nil
}

// Binned averages each muscle over non-overlapping bins of n samples
// (a remainder at the end is dropped); Dt becomes n·Dt.
func (e *EMG) Binned(n int) (*EMG, error) {
	if n < 1 || n > e.Times {
		return nil, fmt.Errorf("data: bins of %d samples: want 1 to %d (the EMG's samples)", n, e.Times)
	}
	nT := e.Times / n
	out := &EMG{Conditions: e.Conditions, Times: nT, Muscles: e.Muscles, Values: make([]float64, e.Conditions*nT*e.Muscles),
		Dt: e.Dt * float64(n), Label: e.Label, Source: e.Source}
	for c := 0; c < e.Conditions; c++ {
		for b := 0; b < nT; b++ {
			for m := 0; m < e.Muscles; m++ {
				s := 0.0
				for t := b * n; t < (b+1)*n; t++ {
					s += e.Values[(c*e.Times+t)*e.Muscles+m]
				}
				out.Values[(c*nT+b)*e.Muscles+m] = s / float64(n)
			}
		}
	}
	return out, nil
}
