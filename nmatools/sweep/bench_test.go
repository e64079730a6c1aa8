package sweep

import (
	"math/rand/v2"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/model"
)

// Benchmarks of one compiled call at the tutorial's sizes (N 150, T 250,
// 16 inputs, 2 outputs). Run by hand:
//
//	go test -run XXX -bench . -benchtime 3x ./nmatools/sweep/
func benchEngine(b *testing.B, seqs int, batchedJ int) {
	be := testBackend(b)
	p := model.NewParams(model.RegularizedConfig(), 1)
	rng := rand.New(rand.NewPCG(1, 1))
	w := model.NetworksOf(p)
	var u = randArray(rng, seqs, 250, 16)
	if batchedJ > 0 {
		u = randArray(rng, seqs/batchedJ, 250, 16)
		J := randArray(rng, batchedJ, 150, 150)
		w.J = J
	}
	e, err := newEngine(be, p)
	if err != nil {
		b.Fatal(err)
	}
	defer e.close()
	if _, err := e.run(w, u); err != nil { // compile
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.run(w, u); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInputs1000(b *testing.B)   { benchEngine(b, 1000, 0) }
func BenchmarkWeights50x20(b *testing.B) { benchEngine(b, 1000, 50) }
func BenchmarkModelRunner1000(b *testing.B) {
	be := testBackend(b)
	p := model.NewParams(model.RegularizedConfig(), 1)
	rng := rand.New(rand.NewPCG(1, 1))
	u := randArray(rng, 1000, 250, 16)
	r := model.NewRunner(be, p)
	defer r.Close()
	r.Trajectory(u)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.Trajectory(u)
	}
}
