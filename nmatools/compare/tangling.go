package compare

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/neuromatch/nmatools/nmatools/nd"
)

// Defaults of Tangling (Russo et al. 2018 keep 8 principal components; ε is
// 0.1 times the mean squared norm of the states).
const (
	DefaultTanglingPCs    = 8
	TanglingEpsilonFactor = 0.1
)

// MaxTanglingStates bounds the states C·(T−1) Tangling compares: it compares
// every pair, so 200,000 states are 2·10^10 pairs (minutes on a laptop's
// cores); the tutorial's data have under 10,000.
const MaxTanglingStates = 200_000

// TanglingOptions configure Tangling; the zero value means the defaults.
type TanglingOptions struct {
	// PCs is the number of principal components K (≥ 1, at most the
	// number of units); 0 means DefaultTanglingPCs.
	PCs int
	// Dt is the time step in seconds; 0 means DefaultDt.
	Dt float64
	// SoftNorm divides each unit by its range (max − min over all
	// conditions and times) plus SoftNormConst before the PCA, as for
	// JPCA. Off by default.
	SoftNorm bool
	// SoftNormConst is the constant added to each range; 0 means
	// DefaultSoftNormConst. Used only with SoftNorm.
	SoftNormConst float64
}

// TanglingResult is what Tangling finds.
type TanglingResult struct {
	// Q holds Q[c,t] for the conditions c and the steps t = 0..T−2,
	// condition-major: Q[c·Steps + t].
	Q []float64
	// Conditions and Steps (T − 1) are Q's dimensions.
	Conditions, Steps int
	// Q90 is the 90th percentile of Q (NumPy's default linear
	// interpolation).
	Q90 float64
	// Epsilon is ε = TanglingEpsilonFactor × the mean of |x[c,t]|² over the
	// states.
	Epsilon float64
	// PCs is K; VarianceExplained the fraction of the centred data's
	// variance its K principal components capture.
	PCs               int
	VarianceExplained float64
}

// At returns Q[c,t].
func (r *TanglingResult) At(c, t int) float64 { return r.Q[c*r.Steps+t] }

// Tangling measures how tangled the trajectories of x (conditions, time,
// units) are (Russo et al. 2018): see the package documentation for the
// exact definition. Its cost grows with the square of the number of states
// C·(T−1); the pairs are compared in blocks on all CPUs. More than
// MaxTanglingStates states are refused before anything is allocated.
func Tangling(x *Data, opt TanglingOptions) (*TanglingResult, error) {
	if err := x.check("X"); err != nil {
		return nil, err
	}
	k := opt.PCs
	if k == 0 {
		k = DefaultTanglingPCs
	}
	dt, c, err := timeAndNorm(opt.Dt, opt.SoftNormConst, opt.SoftNorm)
	if err != nil {
		return nil, err
	}
	if x.Times < 2 {
		return nil, fmt.Errorf("compare: tangling needs at least 2 time points (a derivative), X has %d", x.Times)
	}
	nC, nT, nU := x.Conditions, x.Times, x.Units
	if n := nC * (nT - 1); n > MaxTanglingStates {
		return nil, fmt.Errorf("compare: tangling of %d conditions × %d time steps is %d states, more than %d (MaxTanglingStates): "+
			"it compares every pair of states; bin the data in time (e.g. 10 ms bins) or take fewer conditions", nC, nT-1, n, MaxTanglingStates)
	}
	rows := nC * nT
	if err := checkK(k, rows, nU, "X"); err != nil {
		return nil, err
	}
	v := x.Values
	if opt.SoftNorm {
		v = softNormalized(v, nU, c)
	}
	xc := centred(rows, nU, v)
	p, err := topPCs(xc, k, "X")
	if err != nil {
		return nil, err
	}
	steps := nT - 1
	n := nC * steps
	// Each state's row: x (K values), then d (K values).
	st := make([]float64, n*2*k)
	norm2 := 0.0
	for ci := 0; ci < nC; ci++ {
		for t := 0; t < steps; t++ {
			row := st[(ci*steps+t)*2*k:][:2*k]
			for j := 0; j < k; j++ {
				a, b := p.At(ci*nT+t, j), p.At(ci*nT+t+1, j)
				row[j], row[k+j] = a, (b-a)/dt
				norm2 += a * a
			}
		}
	}
	eps := TanglingEpsilonFactor * norm2 / float64(n)
	if !(eps > 0) {
		return nil, fmt.Errorf("compare: the projected states are all zero: tangling is not defined")
	}
	q := maxRatios(st, n, k, eps)
	return &TanglingResult{Q: q, Conditions: nC, Steps: steps, Q90: nd.Percentile(q, 90), Epsilon: eps,
		PCs: k, VarianceExplained: sq(p) / sq(xc)}, nil
}

// timeAndNorm applies the defaults of a time step dt and a
// soft-normalization constant c (0: DefaultDt, DefaultSoftNormConst) and
// checks them (c only when soft-normalizing).
func timeAndNorm(dt, c float64, soft bool) (float64, float64, error) {
	if dt == 0 {
		dt = DefaultDt
	}
	if c == 0 {
		c = DefaultSoftNormConst
	}
	switch {
	case !(dt > 0) || !isFinite(dt):
		return 0, 0, fmt.Errorf("compare: time step %v s: want a positive number of seconds", dt)
	case soft && (!(c > 0) || !isFinite(c)):
		return 0, 0, fmt.Errorf("compare: soft-normalization constant %v: want a positive number", c)
	}
	return dt, c, nil
}

// softNormalized returns a copy of v (rows of nU units) with each unit
// divided by its range plus c.
func softNormalized(v []float64, nU int, c float64) []float64 {
	v = append([]float64(nil), v...)
	for u := 0; u < nU; u++ {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := u; i < len(v); i += nU {
			lo, hi = min(lo, v[i]), max(hi, v[i])
		}
		s := hi - lo + c
		for i := u; i < len(v); i += nU {
			v[i] /= s
		}
	}
	return v
}

// tanglingBlock is the number of states per block of pairs.
const tanglingBlock = 128

// maxRatios returns, for each of the n states (rows of st: K state values,
// then K derivative values), the largest |Δd|²/(|Δx|²+eps) over all states.
// The ratio is symmetric (and bitwise so: (a−b)² = (b−a)²), so each pair of
// blocks (i ≤ j) is computed once, by one of GOMAXPROCS workers with its own
// maxima; the maxima are merged at the end.
func maxRatios(st []float64, n, k int, eps float64) []float64 {
	nb := (n + tanglingBlock - 1) / tanglingBlock
	type pair struct{ i, j int }
	pairs := make(chan pair, 64)
	go func() {
		for i := 0; i < nb; i++ {
			for j := i; j < nb; j++ {
				pairs <- pair{i, j}
			}
		}
		close(pairs)
	}()
	workers := max(1, min(runtime.GOMAXPROCS(0), nb*(nb+1)/2))
	parts := make([][]float64, workers)
	var wg sync.WaitGroup
	for w := range parts {
		q := make([]float64, n)
		parts[w] = q
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range pairs {
				blockPair(st, q, p.i*tanglingBlock, min(n, (p.i+1)*tanglingBlock),
					p.j*tanglingBlock, min(n, (p.j+1)*tanglingBlock), k, eps)
			}
		}()
	}
	wg.Wait()
	q := parts[0]
	for _, o := range parts[1:] {
		for i, v := range o {
			q[i] = max(q[i], v)
		}
	}
	return q
}

// blockPair updates q with the ratios of states [i0, i1) against [j0, j1)
// (j0 ≥ i0; on the diagonal block only the pairs a < b).
func blockPair(st, q []float64, i0, i1, j0, j1, k int, eps float64) {
	if k == 8 {
		blockPair8(st, q, i0, i1, j0, j1, eps)
		return
	}
	w := 2 * k
	for a := i0; a < i1; a++ {
		ra := st[a*w : a*w+w]
		xa, da := ra[:k], ra[k:w]
		qa := q[a]
		b0 := j0
		if j0 == i0 {
			b0 = a + 1
		}
		for b := b0; b < j1; b++ {
			rb := st[b*w : b*w+w]
			xb, db := rb[:k], rb[k:w]
			var sx, sd float64
			for m := range xa {
				ex := xa[m] - xb[m]
				ed := da[m] - db[m]
				sx += ex * ex
				sd += ed * ed
			}
			r := sd / (sx + eps)
			if r > qa {
				qa = r
			}
			if r > q[b] {
				q[b] = r
			}
		}
		q[a] = qa
	}
}

// blockPair8 is blockPair for K = 8 (the default), unrolled.
func blockPair8(st, q []float64, i0, i1, j0, j1 int, eps float64) {
	for a := i0; a < i1; a++ {
		ra := (*[16]float64)(st[a*16 : a*16+16])
		qa := q[a]
		b0 := j0
		if j0 == i0 {
			b0 = a + 1
		}
		for b := b0; b < j1; b++ {
			rb := (*[16]float64)(st[b*16 : b*16+16])
			x0, x1, x2, x3 := ra[0]-rb[0], ra[1]-rb[1], ra[2]-rb[2], ra[3]-rb[3]
			x4, x5, x6, x7 := ra[4]-rb[4], ra[5]-rb[5], ra[6]-rb[6], ra[7]-rb[7]
			d0, d1, d2, d3 := ra[8]-rb[8], ra[9]-rb[9], ra[10]-rb[10], ra[11]-rb[11]
			d4, d5, d6, d7 := ra[12]-rb[12], ra[13]-rb[13], ra[14]-rb[14], ra[15]-rb[15]
			sx := x0*x0 + x1*x1 + x2*x2 + x3*x3 + x4*x4 + x5*x5 + x6*x6 + x7*x7
			sd := d0*d0 + d1*d1 + d2*d2 + d3*d3 + d4*d4 + d5*d5 + d6*d6 + d7*d7
			r := sd / (sx + eps)
			if r > qa {
				qa = r
			}
			if r > q[b] {
				q[b] = r
			}
		}
		q[a] = qa
	}
}
