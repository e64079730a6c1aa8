package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute"

	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

// TestSplitStepMatchesOneGraph: a batch run as two concurrent parts plus the update graph
// (the pure-Go path) gives the one-graph step's loss, MSE, gradient norm and updated weights
// up to float32 rounding, for both recipes (the regularized one has both penalties and
// clipping) and one whose penalties dominate the loss (so that a lost term shows), over
// three steps, on the test backend (forced to split on XLA too). Adam's update of a weight
// whose gradient is near zero amplifies rounding, so the weights' changes are compared
// relative to the largest change.
func TestSplitStepMatchesOneGraph(t *testing.T) {
	b := testBackend(t)
	heavy := RegularizedRecipe()
	heavy.Name, heavy.WeightPenalty, heavy.RatePenalty = "heavy penalties", 0.05, 30
	for _, r := range []Recipe{UnregularizedRecipe(), RegularizedRecipe(), heavy} {
		p := model.NewParams(r.Model, 3)
		run := func(parts int) (out [][3]float64, final *model.Params) {
			store, err := model.NewStore(p.Clone())
			if err != nil {
				t.Fatal(err)
			}
			s, err := newStepper(b, store, r)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Finalize()
			s.parts = func(compute.Backend, int) int { return parts }
			inner := rand.New(rand.NewPCG(11, 2))
			for range 3 {
				u := nd.New(8, 40, r.Model.InputSize)
				y := nd.New(8, 40, r.Model.OutputSize)
				for i := range u.Data {
					u.Data[i] = float32(inner.NormFloat64())
				}
				for i := range y.Data {
					y.Data[i] = float32(0.1 * inner.NormFloat64())
				}
				loss, mse, norm, err := s.Step(u, y)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, [3]float64{loss, mse, norm})
			}
			final, err = model.ParamsFromStore(store, r.Model)
			if err != nil {
				t.Fatal(err)
			}
			return out, final
		}
		one, pOne := run(1)
		split, pSplit := run(2)
		for i := range one {
			for k, name := range []string{"loss", "MSE", "gradient norm"} {
				if d := math.Abs(one[i][k] - split[i][k]); d > 1e-5*math.Abs(one[i][k]) {
					t.Errorf("%s step %d: %s %v in one graph, %v split", r.Name, i+1, name, one[i][k], split[i][k])
				}
			}
		}
		for k, pair := range [][3]*nd.Array{{p.J, pOne.J, pSplit.J}, {p.B, pOne.B, pSplit.B}, {p.Bx, pOne.Bx, pSplit.Bx},
			{p.W, pOne.W, pSplit.W}, {p.C, pOne.C, pSplit.C}} {
			var maxStep, maxDiff float64
			for i, v0 := range pair[0].Data {
				maxStep = max(maxStep, math.Abs(float64(pair[1].Data[i]-v0)))
				maxDiff = max(maxDiff, math.Abs(float64(pair[1].Data[i]-pair[2].Data[i])))
			}
			t.Logf("%s: %s changed by up to %.3g, one graph vs split differ by up to %.3g", r.Name, paramNames[k], maxStep, maxDiff)
			if maxDiff > 1e-3*maxStep {
				t.Errorf("%s: weight %s differs by %.3g after 3 steps, more than 1e-3 of its largest change %.3g", r.Name, paramNames[k], maxDiff, maxStep)
			}
		}
		// The steps moved the weights (a split that skipped the update would pass the above only if both did nothing).
		if d, _ := nd.MaxAbsDiff(p.J, pSplit.J); d == 0 {
			t.Errorf("%s: J did not change in 3 split steps", r.Name)
		}
	}
}
