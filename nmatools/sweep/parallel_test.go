package sweep

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/neuromatch/nmatools/nmatools/nd"
)

// runChunks prepares and consumes in chunk order whatever order the calls finish in, keeps
// at most `workers` calls running, and stops at (and reports) the first error after the
// running calls have finished.
func TestRunChunksOrder(t *testing.T) {
	for _, workers := range []int{1, 2, 3} {
		var prepped, consumed []int
		running, most := 0, 0
		err := runChunks(7, workers, func(c int) func() (*nd.Array, error) {
			prepped = append(prepped, c)
			running++
			most = max(most, running)
			return func() (*nd.Array, error) {
				time.Sleep(time.Duration((7-c)%3) * time.Millisecond) // later chunks may finish first
				return &nd.Array{Shape: []int{1}, Data: []float32{float32(c)}}, nil
			}
		}, func(c int, out *nd.Array) {
			running--
			if int(out.Data[0]) != c {
				t.Errorf("workers %d: chunk %d consumed the result of chunk %v", workers, c, out.Data[0])
			}
			consumed = append(consumed, c)
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 7 {
			if prepped[i] != i || consumed[i] != i {
				t.Fatalf("workers %d: prepared %v, consumed %v; want chunk order", workers, prepped, consumed)
			}
		}
		if most > workers {
			t.Errorf("workers %d: %d calls prepared ahead of consumption", workers, most)
		}
	}
	boom := errors.New("boom")
	var finished atomic.Int32
	var consumed []int
	err := runChunks(6, 2, func(c int) func() (*nd.Array, error) {
		return func() (*nd.Array, error) {
			finished.Add(1) // runChunks waits for every started call before returning
			if c == 2 {
				return nil, boom
			}
			return &nd.Array{Shape: []int{1}, Data: []float32{0}}, nil
		}
	}, func(c int, _ *nd.Array) { consumed = append(consumed, c) })
	if !errors.Is(err, boom) || len(consumed) != 2 {
		t.Errorf("error %v, consumed %v; want boom after chunks 0 and 1", err, consumed)
	}
	if finished.Load() > 4 {
		t.Errorf("%d calls started after the error", finished.Load())
	}
}

func TestChunking(t *testing.T) {
	for _, c := range []struct{ total, maxB, minB, workers, chunks, size int }{
		{150, 51, 13, 2, 4, 38}, // the tutorial's sweep, 2 CPUs: 4 chunks of 38 blocks
		{150, 51, 13, 1, 3, 50}, // one CPU: as few chunks as memory allows
		{16, 100, 13, 2, 1, 16}, // too small to split
		{30, 100, 13, 2, 2, 15}, // split
		{5, 2, 1, 4, 4, 2},      // rounded up to 4, then 3 chunks cover it
		{10, 0, 1, 1, 10, 1},    // maxBlocks < 1
	} {
		chunks, size := chunking(c.total, c.maxB, c.minB, c.workers)
		if chunks*size < c.total || (chunks-1)*size >= c.total {
			t.Errorf("%+v: %d chunks of %d do not cover the blocks tightly", c, chunks, size)
		}
		if chunks != c.chunks && !(c.total == 5 && chunks == 3) || size != c.size {
			t.Errorf("%+v: got %d chunks of %d", c, chunks, size)
		}
	}
}

// A sweep large enough to run chunks in parallel gives the numbers of the same sweep run
// on one thread (up to the float32 rounding of the matmul kernels' row tiling, which
// differs between chunk sizes), and it does not hang the backend.
func TestSweepsInParallel(t *testing.T) {
	b := testBackend(t)
	rng := rand.New(rand.NewPCG(3, 3))
	p := smallParams(5)
	n, T := 64, 20
	u := randArray(rng, n, T, 4)
	y := randArray(rng, n, T, 2)
	levels := []float64{0.05, 0.2}
	run := func() (in, wt []Stat) {
		var err error
		if in, err = InputSweep(b, p, u, y, levels, 8, 7, WithMaxSequences(512)); err != nil {
			t.Fatal(err)
		}
		if wt, err = WeightSweep(b, p, u, y, levels, 8, 7, WithMaxSequences(512)); err != nil {
			t.Fatal(err)
		}
		return in, wt
	}
	if c, _ := chunking(16, 512/n, (parallelMinSeqs+n-1)/n, 2); c < 2 {
		t.Fatalf("the test's sweep would not run in parallel (%d chunk)", c)
	}
	prev := runtime.GOMAXPROCS(2)
	in2, wt2 := run()
	runtime.GOMAXPROCS(1)
	in1, wt1 := run()
	runtime.GOMAXPROCS(prev)
	for i := range levels {
		for _, pair := range [][2]Stat{{in1[i], in2[i]}, {wt1[i], wt2[i]}} {
			a, z := pair[0], pair[1]
			if math.Abs(a.Mean-z.Mean) > 1e-5*a.Mean || math.Abs(a.Std-z.Std) > 1e-4*a.Std+1e-9 {
				t.Errorf("level %v: one thread %+v, parallel chunks %+v", levels[i], a, z)
			}
		}
	}
}
