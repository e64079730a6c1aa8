package tutorial

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strings"

	"github.com/neuromatch/nmatools/nmatools/nd"
)

// MaxError is the error of the tutorial's null model, which always outputs
// each muscle's mean: ((outputs - outputs.mean(axis=[0,1]))**2).mean() over
// targets (conditions, time, outputs).
func MaxError(targets *nd.Array) float64 {
	e, err := maxError(targets)
	Check(err)
	return e
}

// InputSweep is test_perturbed_inputs, vectorized (sweep.InputSweep): for each
// strength, repeats perturbations of inputs (one batch), each scored by the
// MSE in percent of maxError; it returns the mean and standard deviation per
// strength. The noise comes from Seed, so a cell and the check of the
// notebook's own loop see the same perturbations. Results are kept in the
// notebook's cache (build/cache/sweeps): a rerun of the cell does not
// recompute them.
func InputSweep(net *Net, inputs, targets *nd.Array, strengths []float64, repeats int, maxError float64) []nd.MeanStd {
	return cachedSweep(kindInputs, net, inputs, targets, strengths, repeats, maxError)
}

// WeightSweep is test_perturbed_structure, vectorized (sweep.WeightSweep):
// for each percentage, repeats perturbations of J by Gaussian noise of
// standard deviation mean|J| × percentage, scored as InputSweep's. Cached too.
func WeightSweep(net *Net, inputs, targets *nd.Array, percentages []float64, repeats int, maxError float64) []nd.MeanStd {
	return cachedSweep(kindWeights, net, inputs, targets, percentages, repeats, maxError)
}

func cachedSweep(kind string, net *Net, inputs, targets *nd.Array, levels []float64, repeats int, maxErr float64) []nd.MeanStd {
	p := net.Params
	key := fmt.Sprintf("%s-%s-r%d-s%d", kind, fingerprint(append([]*nd.Array{p.J, p.B, p.Bx, p.W, p.C, inputs, targets}, floats(levels, maxErr, p.Config.TauOverDt))...), repeats, Seed)
	return cached(key, func() []nd.MeanStd {
		b, err := getBackend()
		Check(err)
		res, err := runSweep(kind, b, p, inputs, targets, levels, repeats, Seed, maxErr)
		Check(err)
		return res
	})
}

// floats packs float64s into an array for fingerprint (their exact bits).
func floats(xs ...any) *nd.Array {
	var bits []float32
	add := func(v float64) {
		u := math.Float64bits(v)
		bits = append(bits, math.Float32frombits(uint32(u)), math.Float32frombits(uint32(u>>32)))
	}
	for _, x := range xs {
		switch v := x.(type) {
		case float64:
			add(v)
		case []float64:
			for _, f := range v {
				add(f)
			}
		}
	}
	return &nd.Array{Shape: []int{len(bits)}, Data: bits}
}

// fingerprint is a short hash of the shapes and values of arrays, for cache keys.
func fingerprint(arrays ...*nd.Array) string {
	h := sha256.New()
	for _, a := range arrays {
		if a == nil {
			_ = binary.Write(h, binary.LittleEndian, int64(-1))
			continue
		}
		_ = binary.Write(h, binary.LittleEndian, int64(len(a.Shape)))
		for _, d := range a.Shape {
			_ = binary.Write(h, binary.LittleEndian, int64(d))
		}
		_ = binary.Write(h, binary.LittleEndian, a.Data)
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// cached returns run's result from the notebook's result cache (build/cache/sweeps, one
// JSON file per key) when a result under key is there, else runs it and stores the
// result. Each cell is a new program, so without it every redraw of a figure would
// recompute its sweep. A missing, corrupt or half-written file is recomputed, never an
// error. `make tutorial` empties the cache before it runs the notebooks.
func cached[T any](key string, run func() T) T {
	c := diskCache{sweepCacheDir()}
	var v T
	if c.load(key, &v) {
		return v
	}
	v = run()
	c.store(key, v)
	return v
}

// PrintResults prints the mean errors of both networks per level, as the
// tutorial's plot_perturbation_results does before it draws them.
func PrintResults(regularized, unregularized []nd.MeanStd) {
	for _, r := range []struct {
		name string
		v    []nd.MeanStd
	}{{"regularized", regularized}, {"unregularized", unregularized}} {
		means := make([]string, len(r.v))
		for i, m := range r.v {
			means[i] = fmt.Sprintf("%.2f", m.Mean)
		}
		fmt.Fprintf(noticeOut, "mean_errors_%s (%%): %s\n", r.name, strings.Join(means, ", "))
	}
}
