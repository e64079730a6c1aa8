package sweep

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/gomlx/compute"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

// The tutorial's perturbation levels and repetitions.
var (
	// InputStrengths are Section 4's perturbation_strengths for the inputs.
	InputStrengths = []float64{0.0125, 0.025, 0.05, 0.1, 0.2}
	// WeightPercentages are Exercise 4.1's perturbation percentages for J.
	WeightPercentages = []float64{0.01, 0.1, 0.2, 0.4, 0.8}
)

// The PCG streams the sweeps draw from (the second word of rand.NewPCG(seed, stream)):
// InputSweep's noise and batch shuffles, WeightSweep's noise and batch shuffles.
const (
	inputNoiseStream uint64 = iota + 1
	inputShuffleStream
	weightNoiseStream
	weightShuffleStream
)

const (
	// Repeats is the tutorial's number of repetitions per level (30).
	Repeats = 30
	// BatchSize is the tutorial's DataLoader batch size (20: the 20 training
	// conditions form one batch).
	BatchSize = 20
	// DefaultMaxSequences bounds the sequences run in one compiled call.
	DefaultMaxSequences = 1024
)

// Target names the weight matrix WeightSweep perturbs.
type Target int

const (
	// Recurrent perturbs J (the tutorial's Exercise 4.1).
	Recurrent Target = iota
	// Input perturbs B, the input weights (an extension).
	Input
	// Readout perturbs W, the readout weights (an extension).
	Readout
)

func (t Target) String() string {
	switch t {
	case Recurrent:
		return "J"
	case Input:
		return "B"
	case Readout:
		return "W"
	}
	return fmt.Sprintf("Target(%d)", int(t))
}

// Option configures a sweep.
type Option func(*options)

type options struct {
	maxError  float64
	batchSize int
	gaussian  bool
	target    Target
	maxSeqs   int
	progress  func(done, total int)
}

func collect(opts []Option) options {
	o := options{batchSize: BatchSize, maxSeqs: DefaultMaxSequences}
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	return o
}

// WithMaxError sets the normaliser (the tutorial's max_error, computed with
// MaxError on all 27 conditions' outputs). Without it, MaxError(targets) is
// used.
func WithMaxError(v float64) Option { return func(o *options) { o.maxError = v } }

// WithBatchSize sets the DataLoader batch size whose batches the errors are
// taken over (default 20; ≤ 0: one batch). It matters only when there are
// more sequences than that; batches are then drawn by a seeded shuffle, as
// shuffle=True does.
func WithBatchSize(n int) Option { return func(o *options) { o.batchSize = n } }

// WithGaussianNoise replaces the tutorial's U[0,1) input noise by zero-mean
// N(0,1) noise, scaled the same way (an extension, off by default).
func WithGaussianNoise() Option { return func(o *options) { o.gaussian = true } }

// WithTarget chooses the matrix WeightSweep perturbs: Recurrent (J, the
// default and the tutorial's), Input (B) or Readout (W).
func WithTarget(t Target) Option { return func(o *options) { o.target = t } }

// WithMaxSequences bounds the sequences evaluated in one compiled call
// (memory ≈ 0.15 MB per sequence for the tutorial's sizes; default 1024).
// Up to GOMAXPROCS calls run at once (smaller ones when that evens them out).
func WithMaxSequences(n int) Option { return func(o *options) { o.maxSeqs = n } }

// WithProgress reports progress: fn(done, total) after each compiled call,
// counted in networks×repetitions.
func WithProgress(fn func(done, total int)) Option { return func(o *options) { o.progress = fn } }

// ProgressTo returns a progress function printing one updating line to w
// (e.g. os.Stderr; GoNB shows a cell's stderr too), prefixed by label.
func ProgressTo(w io.Writer, label string) func(done, total int) {
	start := time.Now()
	return func(done, total int) {
		fmt.Fprintf(w, "\r%s: %d/%d (%.1fs)", label, done, total, time.Since(start).Seconds())
		if done >= total {
			fmt.Fprintln(w)
		}
	}
}

func prepare(b compute.Backend, p *model.Params, inputs, targets *nd.Array, levels []float64, repeats int, o *options) (*model.Networks, *engine, error) {
	if b == nil {
		return nil, nil, fmt.Errorf("sweep: nil backend (use backend.Get())")
	}
	if err := p.Check(); err != nil {
		return nil, nil, fmt.Errorf("sweep: %w", err)
	}
	if err := p.Config.CheckData(inputs, targets); err != nil {
		return nil, nil, fmt.Errorf("sweep: %w", err)
	}
	var err error
	if o.maxError == 0 {
		if o.maxError, err = MaxError(targets); err != nil {
			return nil, nil, err
		}
	}
	if err := checkLevels(levels, repeats, o.maxError); err != nil {
		return nil, nil, err
	}
	if o.target < Recurrent || o.target > Readout {
		return nil, nil, fmt.Errorf("sweep: unknown perturbation target %v", o.target)
	}
	e, err := newEngine(b, p)
	if err != nil {
		return nil, nil, err
	}
	return model.NetworksOf(p), e, nil
}

// InputSweep is the tutorial's test_perturbed_inputs, vectorized: for each
// strength, repeats times, every sequence of inputs (conditions, time, F)
// gets its own noise ξ ~ U[0,1)^F held over time and scaled at each step by
// strength × the L2 norm of that step's input (perturb_inputs); the error of
// a batch is compute_loss (the mean over time of the per-step MSE) ÷
// max_error × 100; each level reports the mean and np.std of the errors of
// all batches and repetitions. All repetitions and levels run in as few
// compiled calls as memory allows (WithMaxSequences). The noise comes from a
// PCG generator seeded by seed: the same seed gives the same numbers on any
// backend and chunking.
func InputSweep(b compute.Backend, p *model.Params, inputs, targets *nd.Array, strengths []float64, repeats int, seed int64, opts ...Option) ([]Stat, error) {
	o := collect(opts)
	w, e, err := prepare(b, p, inputs, targets, strengths, repeats, &o)
	if err != nil {
		return nil, err
	}
	defer e.close()
	return inputSweep(e, w, inputs, targets, strengths, repeats, uint64(seed), o)
}

func inputSweep(e *engine, w *model.Networks, inputs, targets *nd.Array, strengths []float64, repeats int, seed uint64, o options) ([]Stat, error) {
	n, T, F := inputs.Shape[0], inputs.Shape[1], inputs.Shape[2]
	total := len(strengths) * repeats
	noiseRng := rand.New(rand.NewPCG(seed, inputNoiseStream))
	shuffleRng := rand.New(rand.NewPCG(seed, inputShuffleStream))
	xi := make([]float32, total*n*F)
	for blk := 0; blk < total; blk++ {
		drawNoise(noiseRng, xi[blk*n*F:(blk+1)*n*F], o.gaussian)
	}
	norms := inputNorms(inputs)
	chunks, size := chunking(total, o.maxSeqs/n, (parallelMinSeqs+n-1)/n, workers())
	per := n * T * F
	errs := make([][]float64, len(strengths))
	prep := func(c int) func() (*nd.Array, error) {
		u := nd.New(size, n, T, F)
		for j := 0; j < size; j++ {
			blk := min(c*size+j, total-1) // the last chunk is padded with copies
			perturbInto(u.Data[j*per:(j+1)*per], inputs, norms, xi[blk*n*F:(blk+1)*n*F], strengths[blk/repeats])
		}
		return func() (*nd.Array, error) { return e.run(w, u) }
	}
	consume := func(c int, out *nd.Array) {
		op := out.Len() / size
		for j := 0; j < size && c*size+j < total; j++ {
			blk := c*size + j
			for _, l := range batchLosses(seqMSE(out.Data[j*op:(j+1)*op], targets), o.batchSize, shuffleRng) {
				errs[blk/repeats] = append(errs[blk/repeats], l/o.maxError*100)
			}
		}
		if o.progress != nil {
			o.progress(min((c+1)*size, total), total)
		}
	}
	if err := runChunks(chunks, workers(), prep, consume); err != nil {
		return nil, err
	}
	stats := make([]Stat, len(strengths))
	for i, s := range strengths {
		m, sd := meanStd(errs[i])
		stats[i] = Stat{Level: s, Mean: m, Std: sd}
	}
	return stats, nil
}

// WeightSweep is the tutorial's test_perturbed_structure (Exercise 4.1),
// vectorized: for each percentage, repeats times, J is replaced by
// J + N(0,1)·mean|J|·percentage (perturb_recurrent_weights), the unperturbed
// inputs are run, and the error is the MSE over the whole output (the mean
// over batches); each level reports 100·mean/max_error and
// 100·np.std/max_error over the repetitions. The perturbed matrices form
// one batch (K,N,N) evaluated with a batched matmul; the model's own J is
// never changed. WithTarget(Input) or WithTarget(Readout) perturbs B or W
// instead (by mean|B| or mean|W|).
func WeightSweep(b compute.Backend, p *model.Params, inputs, targets *nd.Array, percentages []float64, repeats int, seed int64, opts ...Option) ([]Stat, error) {
	o := collect(opts)
	w, e, err := prepare(b, p, inputs, targets, percentages, repeats, &o)
	if err != nil {
		return nil, err
	}
	defer e.close()
	return weightSweep(e, w, inputs, targets, percentages, repeats, uint64(seed), o)
}

func meanAbs(a *nd.Array) float64 {
	var s float64
	for _, v := range a.Data {
		s += math.Abs(float64(v))
	}
	return s / float64(a.Len())
}

// perturbMatrixInto writes m + ξ·float32(mean·pct), ξ ~ N(0,1), into dst.
func perturbMatrixInto(dst []float32, m *nd.Array, scale float64, rng *rand.Rand) {
	s := float32(scale)
	for i, v := range m.Data {
		dst[i] = v + float32(rng.NormFloat64())*s
	}
}

func weightSweep(e *engine, w *model.Networks, inputs, targets *nd.Array, pcts []float64, repeats int, seed uint64, o options) ([]Stat, error) {
	n := inputs.Shape[0]
	total := len(pcts) * repeats
	noiseRng := rand.New(rand.NewPCG(seed, weightNoiseStream))
	shuffleRng := rand.New(rand.NewPCG(seed, weightShuffleStream))
	orig := *targetOf(w, o.target)
	mean := meanAbs(orig)
	chunks, size := chunking(total, o.maxSeqs/n, (parallelMinSeqs+n-1)/n, workers())
	per := orig.Len()
	errs := make([][]float64, len(pcts))
	prep := func(c int) func() (*nd.Array, error) {
		batched := nd.New(append([]int{size}, orig.Shape...)...)
		for j := 0; j < size; j++ {
			blk := c*size + j
			dst := batched.Data[j*per : (j+1)*per]
			if blk >= total {
				copy(dst, orig.Data) // padding
				continue
			}
			perturbMatrixInto(dst, orig, mean*pcts[blk/repeats], noiseRng)
		}
		wk := *w
		*targetOf(&wk, o.target) = batched
		return func() (*nd.Array, error) { return e.run(&wk, inputs) }
	}
	consume := func(c int, out *nd.Array) {
		op := out.Len() / size
		for j := 0; j < size && c*size+j < total; j++ {
			blk := c*size + j
			m, _ := meanStd(batchLosses(seqMSE(out.Data[j*op:(j+1)*op], targets), o.batchSize, shuffleRng))
			errs[blk/repeats] = append(errs[blk/repeats], m)
		}
		if o.progress != nil {
			o.progress(min((c+1)*size, total), total)
		}
	}
	if err := runChunks(chunks, workers(), prep, consume); err != nil {
		return nil, err
	}
	stats := make([]Stat, len(pcts))
	for i, pc := range pcts {
		m, sd := meanStd(errs[i])
		stats[i] = Stat{Level: pc, Mean: 100 * m / o.maxError, Std: 100 * sd / o.maxError}
	}
	return stats, nil
}

// MeanStds converts sweep results for plot.PerturbationResults.
func MeanStds(stats []Stat) []nd.MeanStd {
	out := make([]nd.MeanStd, len(stats))
	for i, s := range stats {
		out[i] = nd.MeanStd{Mean: s.Mean, Std: s.Std}
	}
	return out
}

// Levels returns the levels of stats.
func Levels(stats []Stat) []float64 {
	out := make([]float64, len(stats))
	for i, s := range stats {
		out[i] = s.Level
	}
	return out
}
