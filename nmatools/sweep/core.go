package sweep

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"github.com/neuromatch/nmatools/nmatools/nd"
)

// Stat is the result at one perturbation level: the mean and standard
// deviation (numpy's np.std, ddof=0) of the error in percent of MaxError.
type Stat struct {
	Level, Mean, Std float64
}

// meanStd is np.mean and np.std (ddof=0): nd.MeanStdOf as two numbers.
func meanStd(xs []float64) (m, s float64) {
	r := nd.MeanStdOf(xs)
	return r.Mean, r.Std
}

// MaxError is the tutorial's null-model error: the mean squared difference
// between the targets (conditions, time, outputs) and their mean over
// conditions and time, per output:
//
//	max_error = ((outputs - outputs.mean(axis=[0, 1], keepdims=True)) ** 2).mean()
//
// The tutorial computes it on all 27 conditions (data.Dataset.Outputs), not
// on the 20 it perturbs. It returns an error for a target array that is not
// 3-D or is empty.
func MaxError(targets *nd.Array) (float64, error) {
	if targets == nil || len(targets.Shape) != 3 || targets.Len() == 0 {
		var sh []int
		if targets != nil {
			sh = targets.Shape
		}
		return 0, fmt.Errorf("sweep: MaxError wants targets of shape (conditions, time, outputs), got %v", sh)
	}
	o := targets.Shape[2]
	mean := make([]float64, o)
	for i, v := range targets.Data {
		mean[i%o] += float64(v)
	}
	cnt := float64(targets.Len() / o)
	for k := range mean {
		mean[k] /= cnt
	}
	var s float64
	for i, v := range targets.Data {
		d := float64(v) - mean[i%o]
		s += d * d
	}
	return s / float64(targets.Len()), nil
}

// inputNorms is torch.norm(inputs, p=2, dim=-1): (n,T) L2 norms over features.
func inputNorms(u *nd.Array) []float32 {
	f := u.Shape[len(u.Shape)-1]
	rows := u.Len() / f
	out := make([]float32, rows)
	for r := 0; r < rows; r++ {
		var s float64
		for _, v := range u.Data[r*f : (r+1)*f] {
			s += float64(v) * float64(v)
		}
		out[r] = float32(math.Sqrt(s))
	}
	return out
}

// drawNoise fills xi (n·F values, one F-vector per sequence) from rng:
// U[0,1) as torch.rand does (the tutorial), or N(0,1) when gaussian.
func drawNoise(rng *rand.Rand, xi []float32, gaussian bool) {
	for i := range xi {
		if gaussian {
			xi[i] = float32(rng.NormFloat64())
		} else {
			xi[i] = rng.Float32()
		}
	}
}

// perturbInto writes u + ξ·strength·‖u_t‖ into dst (n,T,F): one noise vector
// per sequence held over time, scaled at each step by that step's input norm;
// float32 arithmetic in the tutorial's order ((ξ·s)·‖u‖, then added).
func perturbInto(dst []float32, u *nd.Array, norms []float32, xi []float32, strength float64) {
	n, T, F := u.Shape[0], u.Shape[1], u.Shape[2]
	s := float32(strength)
	for i := 0; i < n; i++ {
		for t := 0; t < T; t++ {
			row := (i*T + t) * F
			nt := norms[i*T+t]
			for f := 0; f < F; f++ {
				dst[row+f] = u.Data[row+f] + (xi[i*F+f]*s)*nt
			}
		}
	}
}

// seqMSE returns the per-sequence mean squared error of outputs (n,T,O)
// (given as a flat slice) against targets (n,T,O).
func seqMSE(out []float32, targets *nd.Array) []float64 {
	n := targets.Shape[0]
	per := targets.Len() / n
	res := make([]float64, n)
	for i := 0; i < n; i++ {
		var s float64
		for j := i * per; j < (i+1)*per; j++ {
			d := float64(out[j]) - float64(targets.Data[j])
			s += d * d
		}
		res[i] = s / float64(per)
	}
	return res
}

// batchLosses groups per-sequence MSEs into the batches of a shuffled
// DataLoader(batch_size=bs, shuffle=True) and returns each batch's MSE (the
// mean over its sequences: all have the same length). With n ≤ bs there is
// one batch and rng is not used.
func batchLosses(mse []float64, bs int, rng *rand.Rand) []float64 {
	n := len(mse)
	if bs <= 0 || n <= bs {
		m, _ := meanStd(mse)
		return []float64{m}
	}
	perm := rng.Perm(n)
	var out []float64
	for lo := 0; lo < n; lo += bs {
		hi := min(lo+bs, n)
		var s float64
		for _, i := range perm[lo:hi] {
			s += mse[i]
		}
		out = append(out, s/float64(hi-lo))
	}
	return out
}

func checkLevels(levels []float64, repeats int, maxErr float64) error {
	if len(levels) == 0 {
		return fmt.Errorf("sweep: no perturbation levels given")
	}
	for _, l := range levels {
		if math.IsNaN(l) || math.IsInf(l, 0) || l < 0 {
			return fmt.Errorf("sweep: perturbation level %v must be finite and ≥ 0", l)
		}
	}
	if repeats < 1 {
		return fmt.Errorf("sweep: repeats must be ≥ 1, got %d", repeats)
	}
	if !(maxErr > 0) || math.IsInf(maxErr, 0) {
		return fmt.Errorf("sweep: max_error must be a positive number, got %v (constant targets?)", maxErr)
	}
	return nil
}

// chunking splits total blocks into equal chunks of at most maxBlocks: it returns the
// number of chunks and the (common) chunk size; the last chunk is padded, so one compiled
// graph serves all. When each chunk would still hold at least minBlocks blocks, the number
// of chunks is rounded up to a multiple of workers, so that chunks run in parallel finish
// together (smaller chunks are not worth a thread, and keep the chunking of small sweeps).
func chunking(total, maxBlocks, minBlocks, workers int) (chunks, size int) {
	maxBlocks = max(1, maxBlocks)
	chunks = (total + maxBlocks - 1) / maxBlocks
	if workers > 1 {
		if c := (chunks + workers - 1) / workers * workers; total >= c*max(1, minBlocks) {
			chunks = c
		}
	}
	size = (total + chunks - 1) / chunks
	return (total + size - 1) / size, size
}

// parallelMinSeqs is the fewest sequences a chunk run in parallel with others holds.
const parallelMinSeqs = 256

// workers is the number of chunks a sweep runs at once: one per CPU the Go runtime uses.
// (The pure-Go backend runs a step's elementwise work on one core, so two chunks in
// parallel use two cores; each call also runs sequentially then, which keeps the backend's
// worker pool clear of the nested matmul fan-outs that can deadlock it.)
func workers() int { return runtime.GOMAXPROCS(0) }

// runChunks runs chunks 0..chunks-1, up to workers at a time: prep(c) is called on the
// calling goroutine in chunk order (it may draw random numbers) and returns the compiled
// call, which runs on its own goroutine; consume(c, out) is called in chunk order on the
// calling goroutine. The results are those of running the chunks one after another.
func runChunks(chunks, workers int, prep func(c int) func() (*nd.Array, error), consume func(c int, out *nd.Array)) error {
	type result struct {
		out *nd.Array
		err error
	}
	results := make([]chan result, chunks)
	workers = max(1, workers)
	next, launched := 0, 0
	var firstErr error
	wait := func() { // collect the oldest running chunk
		r := <-results[next]
		if r.err != nil && firstErr == nil {
			firstErr = r.err
		}
		if firstErr == nil {
			consume(next, r.out)
		}
		next++
	}
	for c := 0; c < chunks && firstErr == nil; c++ {
		for c-next >= workers {
			wait()
		}
		if firstErr != nil {
			break
		}
		call := prep(c)
		results[c] = make(chan result, 1)
		go func() {
			out, err := call()
			results[c] <- result{out, err}
		}()
		launched = c + 1
	}
	for next < launched { // also drains the running chunks after an error
		wait()
	}
	return firstErr
}
