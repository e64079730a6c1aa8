package train_test

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/neuromatch/nmatools/nmatools/backend"
	"github.com/neuromatch/nmatools/nmatools/data"
	"github.com/neuromatch/nmatools/nmatools/train"
)

// Example trains a small version of the unregularized recipe (16 hidden units
// instead of 150) for 3 epochs on the synthetic dataset, on the pure-Go backend.
func Example() {
	b, err := backend.New("go")
	if err != nil {
		fmt.Println(err)
		return
	}
	conds, _, err := data.EnsureSynthetic(filepath.Join(data.DefaultDir(), "synthetic"))
	if err != nil {
		fmt.Println(err)
		return
	}
	ds, err := data.PrepareDataset(conds)
	if err != nil {
		fmt.Println(err)
		return
	}
	r := train.UnregularizedRecipe()
	r.Model.HiddenSize = 16
	res, err := train.Train(context.Background(), b, r, ds, train.Options{Epochs: 3, Seed: train.DefaultSeed})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d training and %d validation sequences\n", res.TrainSequences, res.ValSequences)
	for e := range res.Epochs {
		fmt.Printf("epoch %d: train loss %.3f, validation MSE %.3f\n", e+1, res.TrainLoss[e], res.ValLoss[e])
	}
	fmt.Println("stopped:", res.Stopped)
	// Output:
	// 20 training and 7 validation sequences
	// epoch 1: train loss 0.054, validation MSE 0.041
	// epoch 2: train loss 0.041, validation MSE 0.034
	// epoch 3: train loss 0.034, validation MSE 0.028
	// stopped: epoch limit
}
