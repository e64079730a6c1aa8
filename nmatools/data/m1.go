package data

import (
	"errors"
	"fmt"
	"math"
	"os"
	"sort"

	"github.com/neuromatch/nmatools/nmatools/matfile"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

// M1 holds trial-averaged neural activity (PSTHs) on a common time grid.
type M1 struct {
	// Times are the sample times in seconds relative to movement onset.
	Times []float64
	// PSTH is (condition, time, neuron). Units says in what.
	PSTH *nd.Array
	// Units is "Hz" for firing rates, or "normalized (not Hz)" for the
	// preprocessed Churchland et al. data.
	Units string
	// Label says what the data are, for plot titles and reports.
	Label string
	// Source is the file read.
	Source string
	// Synthetic tells whether the file is the synthetic stand-in.
	Synthetic bool
	// Real tells whether the data are recorded (the tutorial's file or the
	// Churchland et al. file), i.e. neither synthetic nor unknown.
	Real bool
	// Resampled lists the neurons (0-based) whose own time grid differed
	// from neuron 0's and were linearly interpolated onto it.
	Resampled []int
}

// NumConditions, NumTimes and NumNeurons are the PSTH's dimensions.
func (m *M1) NumConditions() int { return m.PSTH.Shape[0] }
func (m *M1) NumTimes() int      { return m.PSTH.Shape[1] }
func (m *M1) NumNeurons() int    { return m.PSTH.Shape[2] }

// Condition returns the (time, neuron) PSTHs of condition c (a view).
func (m *M1) Condition(c int) (*nd.Array, error) {
	if c < 0 || c >= m.NumConditions() {
		return nil, fmt.Errorf("data: condition %d out of range: %s has conditions 0..%d", c, m.Label, m.NumConditions()-1)
	}
	return m.PSTH.Index(c), nil
}

// LoadM1 reads neural PSTHs from either
//
//   - the tutorial's m1_reaching_data.mat (or its synthetic stand-in): a
//     struct array comboNjs of neurons read as the tutorial's plot_psth
//     does — for neuron n, times = comboNjs(n).interpTimes(1).times and
//     t0 = comboNjs(n).interpTimes(1).moveStarts, giving (times-t0)/1000
//     seconds relative to movement onset, and the PSTH of condition c is
//     comboNjs(n).cond(c).interpPSTH (Hz). Neurons whose relative time
//     grid differs from neuron 0's are interpolated onto it (Resampled);
//   - the Churchland et al. (2012) example file (dataTensor, t): see
//     LoadChurchland.
func LoadM1(path string) (*M1, error) {
	f, err := readMat(path)
	if err != nil {
		return nil, err
	}
	var m *M1
	switch {
	case has(f, "comboNjs"):
		m, err = m1FromComboNjs(f)
	case has(f, "dataTensor"):
		m, err = m1FromChurchland(f)
	default:
		names := make([]string, len(f.Vars))
		for i, v := range f.Vars {
			names[i] = v.Name
		}
		return nil, fmt.Errorf("data: %s holds neither comboNjs (the tutorial's m1_reaching_data.mat) nor dataTensor (Churchland et al. 2012); it has: %v", path, names)
	}
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", path, err)
	}
	m.Source = path
	return m, nil
}

// LoadChurchland reads the Churchland et al. (2012) jPCA example data
// (churchland2012_TME_exampleData.mat: dataTensor 61 times × 50 neurons ×
// 10 conditions, t in ms from -50 to 550). The values are preprocessed
// (normalized, roughly mean-centred), not Hz; the times are taken as
// relative to movement onset (the jPCA convention; the file does not say).
func LoadChurchland(path string) (*M1, error) {
	f, err := readMat(path)
	if err != nil {
		return nil, err
	}
	m, err := m1FromChurchland(f)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", path, err)
	}
	m.Source = path
	return m, nil
}

func readMat(path string) (*matfile.File, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("data: file %s does not exist (`nmatools data fetch` downloads the tutorial's files; `nmatools data synth --out DIR` writes the synthetic stand-ins)", path)
		}
		return nil, fmt.Errorf("data: %w", err)
	}
	f, err := matfile.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err) // matfile's error names the file
	}
	return f, nil
}

func has(f *matfile.File, name string) bool {
	_, err := f.Get(name)
	return err == nil
}

// vector returns a real numeric vector's values.
func vector(v matfile.Value, where string) ([]float64, error) {
	n, ok := v.(*matfile.Numeric)
	if !ok {
		return nil, fmt.Errorf("%s is a %s %s, want a numeric vector", where, matfile.DimsString(v.Size()), v.ClassName())
	}
	nonSingleton := 0
	for _, d := range n.Dims {
		if d != 1 {
			nonSingleton++
		}
	}
	if nonSingleton > 1 || n.IsComplex() {
		return nil, fmt.Errorf("%s is a %s %s, want a real vector", where, matfile.DimsString(n.Dims), n.ClassName())
	}
	return n.Real, nil
}

// subStruct returns field name of s's element elem as a struct with at
// least one element.
func subStruct(s *matfile.Struct, elem int, name, where string) (*matfile.Struct, error) {
	v, err := s.Field(elem, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	ss, ok := v.(*matfile.Struct)
	if !ok {
		return nil, fmt.Errorf("%s.%s is a %s %s, want a struct", where, name, matfile.DimsString(v.Size()), v.ClassName())
	}
	if ss.Len() == 0 {
		return nil, fmt.Errorf("%s.%s is an empty struct array", where, name)
	}
	return ss, nil
}

func m1FromComboNjs(f *matfile.File) (*M1, error) {
	v, _ := f.Get("comboNjs")
	s, ok := v.(*matfile.Struct)
	if !ok {
		return nil, fmt.Errorf("comboNjs is a %s %s, want a 1xN struct array of neurons", matfile.DimsString(v.Size()), v.ClassName())
	}
	nNeu := s.Len()
	if nNeu == 0 {
		return nil, fmt.Errorf("comboNjs is an empty struct array: no neurons")
	}
	if nonSingleton(s.Dims) > 1 {
		return nil, fmt.Errorf("comboNjs is a %s struct array, want a 1xN vector of neurons", matfile.DimsString(s.Dims))
	}
	var ref []float64 // neuron 0's relative times (s)
	var psth *nd.Array
	var resampled []int
	nCond := 0
	for n := 0; n < nNeu; n++ {
		where := fmt.Sprintf("comboNjs(%d)", n+1)
		it, err := subStruct(s, n, "interpTimes", where)
		if err != nil {
			return nil, err
		}
		tv, err := it.Field(0, "times")
		if err != nil {
			return nil, fmt.Errorf("%s.interpTimes(1): %w", where, err)
		}
		times, err := vector(tv, where+".interpTimes(1).times")
		if err != nil {
			return nil, err
		}
		mv, err := it.Field(0, "moveStarts")
		if err != nil {
			return nil, fmt.Errorf("%s.interpTimes(1): %w", where, err)
		}
		ms, err := vector(mv, where+".interpTimes(1).moveStarts")
		if err != nil {
			return nil, err
		}
		if len(ms) != 1 {
			return nil, fmt.Errorf("%s.interpTimes(1).moveStarts has %d values, want one (the movement onset, ms)", where, len(ms))
		}
		if len(times) < 2 {
			return nil, fmt.Errorf("%s.interpTimes(1).times has %d values, want at least 2", where, len(times))
		}
		rel := make([]float64, len(times))
		for i, t := range times {
			rel[i] = (t - ms[0]) / 1000
		}
		if !sort.Float64sAreSorted(rel) {
			return nil, fmt.Errorf("%s.interpTimes(1).times is not increasing", where)
		}
		cs, err := subStruct(s, n, "cond", where)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			ref, nCond = rel, cs.Len()
			psth = nd.New(nCond, len(ref), nNeu)
		} else if cs.Len() != nCond {
			return nil, fmt.Errorf("%s.cond has %d conditions, but comboNjs(1).cond has %d", where, cs.Len(), nCond)
		}
		same := sameGrid(rel, ref)
		if !same {
			resampled = append(resampled, n)
		}
		for c := 0; c < nCond; c++ {
			pv, err := cs.Field(c, "interpPSTH")
			if err != nil {
				return nil, fmt.Errorf("%s.cond(%d): %w", where, c+1, err)
			}
			y, err := vector(pv, fmt.Sprintf("%s.cond(%d).interpPSTH", where, c+1))
			if err != nil {
				return nil, err
			}
			if len(y) != len(rel) {
				return nil, fmt.Errorf("%s.cond(%d).interpPSTH has %d samples but interpTimes(1).times has %d", where, c+1, len(y), len(rel))
			}
			for k, t := range ref {
				val := 0.0
				if same {
					val = y[k]
				} else {
					val = interp(rel, y, t)
				}
				psth.Set(float32(val), c, k, n)
			}
		}
	}
	m := &M1{Times: ref, PSTH: psth, Units: "Hz", Resampled: resampled}
	if has(f, SyntheticNoteVar) {
		m.Synthetic = true
		m.Label = "synthetic M1 PSTHs (stand-in for Sussillo et al. 2015)"
	} else {
		m.Real = true
		m.Label = "M1 PSTHs (Sussillo et al. 2015, the tutorial's data)"
	}
	return m, nil
}

func nonSingleton(dims []int) int {
	k := 0
	for _, d := range dims {
		if d != 1 {
			k++
		}
	}
	return k
}

func sameGrid(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-9 {
			return false
		}
	}
	return true
}

// interp linearly interpolates y(x) at t, holding the end values outside x.
func interp(x, y []float64, t float64) float64 {
	if t <= x[0] {
		return y[0]
	}
	if t >= x[len(x)-1] {
		return y[len(y)-1]
	}
	i := sort.SearchFloat64s(x, t) // x[i-1] < t <= x[i]
	x0, x1 := x[i-1], x[i]
	if x1 == x0 {
		return y[i]
	}
	w := (t - x0) / (x1 - x0)
	return y[i-1]*(1-w) + y[i]*w
}

func m1FromChurchland(f *matfile.File) (*M1, error) {
	v, err := f.Get("dataTensor")
	if err != nil {
		return nil, fmt.Errorf("%w; this is not the Churchland et al. example file", err)
	}
	d, ok := v.(*matfile.Numeric)
	if !ok || d.IsComplex() || len(d.Dims) != 3 {
		return nil, fmt.Errorf("dataTensor is a %s %s, want a real times × neurons × conditions array", matfile.DimsString(v.Size()), v.ClassName())
	}
	tv, err := f.Get("t")
	if err != nil {
		return nil, fmt.Errorf("%w; the file needs the time vector t (ms)", err)
	}
	t, err := vector(tv, "t")
	if err != nil {
		return nil, err
	}
	nT, nN, nC := d.Dims[0], d.Dims[1], d.Dims[2]
	if len(t) != nT {
		return nil, fmt.Errorf("t has %d times but dataTensor is %s (times × neurons × conditions)", len(t), matfile.DimsString(d.Dims))
	}
	psth := nd.New(nC, nT, nN)
	for c := 0; c < nC; c++ {
		for k := 0; k < nT; k++ {
			for n := 0; n < nN; n++ {
				psth.Set(float32(d.At(k, n, c)), c, k, n)
			}
		}
	}
	times := make([]float64, nT)
	for k := range t {
		times[k] = t[k] / 1000
	}
	return &M1{
		Times: times, PSTH: psth, Units: "normalized (not Hz)", Real: true,
		Synthetic: has(f, SyntheticNoteVar),
		Label:     "real: Churchland et al. 2012 jPCA example data (preprocessed, normalized units)",
	}, nil
}
