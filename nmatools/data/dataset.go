package data

import (
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/neuromatch/nmatools/nmatools/matfile"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

// The shape of the tutorial's condsForSim data.
const (
	NumConditions = 27  // reach conditions (rows of condsForSim)
	NumDelays     = 8   // delay durations (columns of condsForSim)
	FixedDelay    = 3   // the delay index the tutorial trains on
	RowStart      = 46  // first time row kept (Python slice 46:296)
	RowEnd        = 296 // one past the last row kept
	NumSteps      = RowEnd - RowStart
	// Muscle columns kept (0-based), as muscle[:, [3, 4]].
	MuscleA, MuscleB = 3, 4
	// SyntheticNoteVar is the variable that marks a file written by
	// Synthesize; PrepareDataset and LoadM1 ignore its value and set
	// Synthetic when it is present.
	SyntheticNoteVar = "synthetic_note"
)

// Dataset is the tutorial's prepared data: normalised inputs (the plan and
// the go envelope) and the raw EMG targets of two muscles.
type Dataset struct {
	// Inputs (27,250,16) and Outputs (27,250,2) are the fixed-delay
	// (FixedDelay) sequences the tutorial trains on.
	Inputs, Outputs *nd.Array
	// InputsWithDelay (27,8,250,16) and OutputsWithDelay (27,8,250,2)
	// hold every delay.
	InputsWithDelay, OutputsWithDelay *nd.Array
	// Times are the 250 sample times in seconds (timesREmove/1000 of
	// element (0,0)).
	Times []float64
	// Source is the file the data came from.
	Source string
	// Synthetic tells whether Source is the synthetic stand-in written by
	// Synthesize (it holds the variable synthetic_note).
	Synthetic bool
}

// PrepareDataset reads a condsForSimJ2moMuscles.mat file and prepares it
// exactly as the tutorial's prepare_dataset:
//
//   - condsForSim must be a 27×8 struct array with fields plan (T×15),
//     goEnvelope (T×1), muscle (T×≥5) and timesREmove (T×1, ms), T ≥ 296;
//   - rows 46..295 (Python's 46:296) of each element are kept, and muscle
//     columns 3 and 4 (0-based);
//   - values are converted to float32, then the plan tensor (27,8,250,15) is
//     min-max scaled and z-scored over the whole tensor (unbiased std, as
//     torch.std), concatenated with the go envelope on the feature axis, and
//     the result min-max scaled and z-scored again over the whole tensor;
//   - Times are element (0,0)'s timesREmove rows 46..295 divided by 1000;
//   - the fixed-delay arrays are delay index 3.
//
// The EMG targets are not normalised (as in the tutorial).
func PrepareDataset(path string) (*Dataset, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("data: dataset file %s does not exist (run `nmatools data fetch` for the tutorial's file, or `nmatools data synth --out DIR` for the synthetic stand-in)", path)
		}
		return nil, fmt.Errorf("data: dataset file: %w", err)
	}
	f, err := matfile.ReadFileWithOptions(path, &matfile.ReadOptions{MaxVariableBytes: MaxDatasetVariableBytes})
	if errors.Is(err, matfile.ErrTooLarge) {
		return nil, fmt.Errorf("data: %w; the tutorial's condsForSim takes a few MB, a dataset over %d MiB is not its layout",
			err, MaxDatasetVariableBytes>>20)
	}
	if err != nil {
		return nil, fmt.Errorf("data: %w", err) // matfile's error names the file
	}
	ds, err := prepare(f)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", path, err)
	}
	ds.Source = path
	return ds, nil
}

// MaxDatasetVariableBytes caps the decompressed size of condsForSim (and of
// any variable) when PrepareDataset reads a file: 64 MiB, five times the
// tutorial's, so that a crafted file cannot make it allocate gigabytes.
const MaxDatasetVariableBytes = 64 << 20

// field fetches a numeric field of struct element (i,j) and checks it is a
// real 2-D matrix with at least minRows rows and minCols columns.
func numericField(s *matfile.Struct, i, j int, name string, minRows, minCols int) (*matfile.Numeric, error) {
	where := fmt.Sprintf("condsForSim(%d,%d).%s", i+1, j+1, name) // MATLAB's 1-based notation
	elem, err := s.Elem(i, j)
	if err != nil {
		return nil, fmt.Errorf("condsForSim(%d,%d): %w", i+1, j+1, err)
	}
	v, ok := elem[name]
	if !ok {
		return nil, fmt.Errorf("%s: condsForSim has no field %q (it has: %v); this is not the tutorial's condsForSimJ2moMuscles.mat layout", where, name, s.Fields)
	}
	n, ok := v.(*matfile.Numeric)
	if !ok {
		return nil, fmt.Errorf("%s is a %s %s, want a numeric matrix", where, matfile.DimsString(v.Size()), v.ClassName())
	}
	if n.IsComplex() {
		return nil, fmt.Errorf("%s is complex, want real numbers", where)
	}
	if len(n.Dims) != 2 {
		return nil, fmt.Errorf("%s is %s, want a 2-D matrix (time × channels)", where, matfile.DimsString(n.Dims))
	}
	if n.Dims[0] < minRows {
		return nil, fmt.Errorf("%s has %d rows (time steps), need at least %d: the tutorial keeps rows %d..%d (Python slice %d:%d)", where, n.Dims[0], minRows, RowStart, RowEnd-1, RowStart, RowEnd)
	}
	if n.Dims[1] < minCols {
		return nil, fmt.Errorf("%s has %d columns, need at least %d%s", where, n.Dims[1], minCols, colsHint(name))
	}
	return n, nil
}

func colsHint(field string) string {
	if field == "muscle" {
		return fmt.Sprintf(" (the tutorial keeps muscle columns %d and %d, 0-based)", MuscleA, MuscleB)
	}
	return ""
}

func prepare(f *matfile.File) (*Dataset, error) {
	v, err := f.Get("condsForSim")
	if err != nil {
		return nil, fmt.Errorf("%w; this is not the tutorial's condsForSimJ2moMuscles.mat", err)
	}
	s, ok := v.(*matfile.Struct)
	if !ok {
		return nil, fmt.Errorf("condsForSim is a %s %s, want a %dx%d struct array", matfile.DimsString(v.Size()), v.ClassName(), NumConditions, NumDelays)
	}
	if len(s.Dims) != 2 || s.Dims[0] != NumConditions || s.Dims[1] != NumDelays {
		return nil, fmt.Errorf("condsForSim is a %s struct array, want %dx%d (reach conditions × delays)", matfile.DimsString(s.Dims), NumConditions, NumDelays)
	}

	// Feature counts come from element (0,0); every element must agree (as
	// numpy's np.array of the per-delay slices requires).
	plan0, err := numericField(s, 0, 0, "plan", RowEnd, 1)
	if err != nil {
		return nil, err
	}
	go0, err := numericField(s, 0, 0, "goEnvelope", RowEnd, 1)
	if err != nil {
		return nil, err
	}
	nPlan, nGo := plan0.Dims[1], go0.Dims[1]
	const nOut = 2

	// Check every element before allocating anything: the arrays below are
	// sized by element (1,1)'s columns, which a crafted file could make huge
	// while the other elements are small or broken.
	type elem struct{ p, g, m *matfile.Numeric }
	elems := make([]elem, 0, NumConditions*NumDelays)
	for i := 0; i < NumConditions; i++ {
		for j := 0; j < NumDelays; j++ {
			p, err := numericField(s, i, j, "plan", RowEnd, nPlan)
			if err != nil {
				return nil, err
			}
			g, err := numericField(s, i, j, "goEnvelope", RowEnd, nGo)
			if err != nil {
				return nil, err
			}
			m, err := numericField(s, i, j, "muscle", RowEnd, MuscleB+1)
			if err != nil {
				return nil, err
			}
			if p.Dims[1] != nPlan || g.Dims[1] != nGo {
				return nil, fmt.Errorf("condsForSim(%d,%d): plan is %s and goEnvelope %s, but element (1,1) has %d and %d columns: all elements must agree", i+1, j+1, matfile.DimsString(p.Dims), matfile.DimsString(g.Dims), nPlan, nGo)
			}
			for _, f := range []struct {
				name string
				n    *matfile.Numeric
				cols []int
			}{{"plan", p, nil}, {"goEnvelope", g, nil}, {"muscle", m, []int{MuscleA, MuscleB}}} {
				if err := finiteRows(f.n, f.cols, fmt.Sprintf("condsForSim(%d,%d).%s", i+1, j+1, f.name)); err != nil {
					return nil, err
				}
			}
			elems = append(elems, elem{p, g, m})
		}
	}

	T := NumSteps
	plan := nd.New(NumConditions, NumDelays, T, nPlan)
	goEnv := nd.New(NumConditions, NumDelays, T, nGo)
	outW := nd.New(NumConditions, NumDelays, T, nOut)
	for i := 0; i < NumConditions; i++ {
		for j := 0; j < NumDelays; j++ {
			e := elems[i*NumDelays+j]
			for t := 0; t < T; t++ {
				r, row := RowStart+t, (i*NumDelays+j)*T+t // row: the flat index of [i, j, t, :] / its length
				for k := 0; k < nPlan; k++ {
					plan.Data[row*nPlan+k] = float32(e.p.At2(r, k))
				}
				for k := 0; k < nGo; k++ {
					goEnv.Data[row*nGo+k] = float32(e.g.At2(r, k))
				}
				outW.Data[row*nOut] = float32(e.m.At2(r, MuscleA))
				outW.Data[row*nOut+1] = float32(e.m.At2(r, MuscleB))
			}
		}
	}

	tv, err := numericField(s, 0, 0, "timesREmove", 1, 1)
	if err != nil {
		return nil, err
	}
	if tv.Len() < RowEnd || (tv.Dims[0] != 1 && tv.Dims[1] != 1) {
		return nil, fmt.Errorf("condsForSim(1,1).timesREmove is %s, want a vector of at least %d times in ms", matfile.DimsString(tv.Dims), RowEnd)
	}
	times := make([]float64, T)
	for t := range times {
		times[t] = tv.Real[RowStart+t] / 1000.0
	}

	if err := normalizeAndStandardize(plan); err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	inW := concatLast(plan, goEnv)
	if err := normalizeAndStandardize(inW); err != nil {
		return nil, fmt.Errorf("plan+goEnvelope: %w", err)
	}

	ds := &Dataset{
		Inputs:           takeDelay(inW, FixedDelay),
		Outputs:          takeDelay(outW, FixedDelay),
		InputsWithDelay:  inW,
		OutputsWithDelay: outW,
		Times:            times,
	}
	if _, err := f.Get(SyntheticNoteVar); err == nil {
		ds.Synthetic = true
	}
	return ds, nil
}

// NormalizeAndStandardize is the tutorial's normalize_and_standardize, in
// place: min-max scaling to [0,1] over the whole array, then subtracting the
// mean and dividing by the unbiased standard deviation (torch.std), all in
// float32 as torch does (the statistics are accumulated in float64 and
// rounded to float32). It fails on a constant or non-finite array.
func NormalizeAndStandardize(a *nd.Array) error { return normalizeAndStandardize(a) }

func normalizeAndStandardize(a *nd.Array) error {
	if len(a.Data) < 2 {
		return fmt.Errorf("cannot standardize %d values", len(a.Data))
	}
	lo, hi := a.MinMax()
	if math.IsNaN(float64(lo)) || math.IsInf(float64(lo), 0) || math.IsInf(float64(hi), 0) || hasNaN(a.Data) {
		return fmt.Errorf("values are not all finite")
	}
	rng := hi - lo
	if rng == 0 {
		return fmt.Errorf("all values equal %g: min-max scaling would divide by zero", lo)
	}
	for i, v := range a.Data {
		a.Data[i] = (v - lo) / rng
	}
	// torch: mean() and std() of a float32 tensor, returned as float32.
	var sum float64
	for _, v := range a.Data {
		sum += float64(v)
	}
	mean64 := sum / float64(len(a.Data))
	var ss float64
	for _, v := range a.Data {
		d := float64(v) - mean64
		ss += d * d
	}
	mean := float32(mean64)
	std := float32(math.Sqrt(ss / float64(len(a.Data)-1)))
	for i, v := range a.Data {
		a.Data[i] = (v - mean) / std
	}
	return nil
}

// finiteRows checks that rows RowStart..RowEnd-1 of n (only columns cols, or
// all when nil) hold finite numbers that stay finite as float32, naming the
// first bad one in MATLAB's 1-based notation.
func finiteRows(n *matfile.Numeric, cols []int, where string) error {
	check := func(r, k int) error {
		v := n.At2(r, k)
		if f := float64(float32(v)); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%s(%d,%d) is %v: non-finite values (NaN, ±Inf, or beyond float32's range) cannot be used; fix the data file",
				where, r+1, k+1, v)
		}
		return nil
	}
	for r := RowStart; r < RowEnd; r++ {
		if cols != nil {
			for _, k := range cols {
				if err := check(r, k); err != nil {
					return err
				}
			}
			continue
		}
		for k := 0; k < n.Dims[1]; k++ {
			if err := check(r, k); err != nil {
				return err
			}
		}
	}
	return nil
}

func hasNaN(x []float32) bool {
	for _, v := range x {
		if v != v {
			return true
		}
	}
	return false
}

// concatLast concatenates two arrays of equal leading shape on the last axis.
func concatLast(a, b *nd.Array) *nd.Array {
	r := len(a.Shape)
	fa, fb := a.Shape[r-1], b.Shape[r-1]
	shape := append(append([]int(nil), a.Shape[:r-1]...), fa+fb)
	out := nd.New(shape...)
	rows := len(a.Data) / fa
	for i := 0; i < rows; i++ {
		o := out.Data[i*(fa+fb):]
		copy(o[:fa], a.Data[i*fa:(i+1)*fa])
		copy(o[fa:fa+fb], b.Data[i*fb:(i+1)*fb])
	}
	return out
}

// takeDelay returns a[:, j, ...] as a new array.
func takeDelay(a *nd.Array, j int) *nd.Array {
	shape := append([]int{a.Shape[0]}, a.Shape[2:]...)
	out := nd.New(shape...)
	inner := nd.Size(a.Shape[2:]...)
	for i := 0; i < a.Shape[0]; i++ {
		src := a.Data[(i*a.Shape[1]+j)*inner:]
		copy(out.Data[i*inner:(i+1)*inner], src[:inner])
	}
	return out
}
