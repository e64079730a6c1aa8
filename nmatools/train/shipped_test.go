package train

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/data"
	"github.com/neuromatch/nmatools/nmatools/model"
)

// TestShippedCheckpoints reloads each checkpoint in the repository's
// checkpoints/ directory and reproduces, on the pure-Go backend, the final
// losses its training.json records (also in checkpoints/README.md).
func TestShippedCheckpoints(t *testing.T) {
	b := testBackend(t)
	for _, name := range []string{"unregularized", "regularized"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("..", "..", "checkpoints", name)
			rec, err := ReadResult(dir)
			if err != nil {
				t.Fatal(err)
			}
			r, err := RecipeByName(name)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Recipe != name {
				t.Fatalf("%s/training.json is of recipe %q", dir, rec.Recipe)
			}
			if !rec.Data.Synthetic {
				t.Skipf("%s was trained on the real data (%s); this test regenerates only the synthetic data", dir, rec.Data.Source)
			}
			conds, _, err := data.EnsureSynthetic(filepath.Join(data.DefaultDir(), "synthetic"))
			if err != nil {
				t.Fatal(err)
			}
			ds, err := data.PrepareDataset(conds)
			if err != nil {
				t.Fatal(err)
			}
			id := dataID(ds)
			if math.Abs(id.InputsMean-rec.Data.InputsMean) > 1e-9 || math.Abs(id.OutputsMean-rec.Data.OutputsMean) > 1e-9 ||
				math.Abs(id.OutputsStd-rec.Data.OutputsStd) > 1e-9 {
				t.Fatalf("the synthetic dataset (%+v) is not the one %s was trained on (%+v): retrain the checkpoints",
					id, dir, rec.Data)
			}
			p, err := model.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if p.Config != r.Model {
				t.Fatalf("%s holds model %+v, recipe %q is %+v", dir, p.Config, name, r.Model)
			}
			ev, err := Evaluate(b, r, p, ds, rec.Seed)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: train loss %.6f (recorded %.6f), train MSE %.6f, validation MSE %.6f (recorded %.6f)",
				name, ev.TrainLoss, rec.Final.TrainLoss, ev.TrainMSE, ev.ValMSE, rec.Final.ValMSE)
			if d := math.Abs(ev.TrainLoss - rec.Final.TrainLoss); d > 1e-4 {
				t.Errorf("train loss %.6f, recorded %.6f (|Δ| %.2g > 1e-4)", ev.TrainLoss, rec.Final.TrainLoss, d)
			}
			if d := math.Abs(ev.ValMSE - rec.Final.ValMSE); d > 1e-4 {
				t.Errorf("validation MSE %.6f, recorded %.6f (|Δ| %.2g > 1e-4)", ev.ValMSE, rec.Final.ValMSE, d)
			}
			if n := len(rec.TrainLoss); n != rec.Epochs || len(rec.ValLoss) != n ||
				math.Abs(rec.ValLoss[n-1]-rec.Final.ValMSE) > 1e-6 {
				t.Errorf("training.json: %d epochs, %d/%d losses, last val %g vs final %g",
					rec.Epochs, len(rec.TrainLoss), len(rec.ValLoss), rec.ValLoss[n-1], rec.Final.ValMSE)
			}
		})
	}
}
