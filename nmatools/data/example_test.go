package data_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/neuromatch/nmatools/nmatools/data"
)

// The repository ships the synthetic dataset (seed 2024) in data/synthetic.
var shipped = filepath.Join("..", "..", "data", "synthetic")

func ExamplePrepareDataset() {
	ds, err := data.PrepareDataset(filepath.Join(shipped, data.CondsFile))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("inputs", ds.Inputs.Shape, "outputs", ds.Outputs.Shape)
	fmt.Println("with delays", ds.InputsWithDelay.Shape, ds.OutputsWithDelay.Shape)
	fmt.Printf("times %.2f .. %.2f s, synthetic: %v\n", ds.Times[0], ds.Times[len(ds.Times)-1], ds.Synthetic)
	// Output:
	// inputs [27 250 16] outputs [27 250 2]
	// with delays [27 8 250 16] [27 8 250 2]
	// times -1.80 .. 0.69 s, synthetic: true
}

func ExampleTrainValSplit() {
	// The same split as torch.manual_seed(0); random_split(range(27), [20, 7]).
	train, val := data.TrainValSplit(0)
	fmt.Println(len(train), val)
	// Output:
	// 20 [1 5 6 7 11 14 22]
}

func ExampleDataset_WithDelaySubset() {
	ds, err := data.PrepareDataset(filepath.Join(shipped, data.CondsFile))
	if err != nil {
		fmt.Println(err)
		return
	}
	train, val := data.TrainValSplit(2024)
	in, out, _ := ds.WithDelaySubset(train) // all 8 delays of the 20 training conditions
	vin, _, _ := ds.WithDelaySubset(val)
	fmt.Println(in.Shape, out.Shape, vin.Shape)
	// Output:
	// [160 250 16] [160 250 2] [56 250 16]
}

func ExampleLoadM1() {
	m, err := data.LoadM1(filepath.Join(shipped, data.M1File))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d conditions × %d times × %d neurons, %s, %.2f .. %.2f s from movement onset\n",
		m.NumConditions(), m.NumTimes(), m.NumNeurons(), m.Units, m.Times[0], m.Times[m.NumTimes()-1])
	fmt.Println(m.Label)
	// Output:
	// 27 conditions × 250 times × 40 neurons, Hz, -1.95 .. 0.54 s from movement onset
	// synthetic M1 PSTHs (stand-in for Sussillo et al. 2015)
}

func ExampleSynthesize() {
	dir, _ := os.MkdirTemp("", "synth")
	defer os.RemoveAll(dir)
	if err := data.Synthesize(dir, 1); err != nil {
		fmt.Println(err)
		return
	}
	ds, _ := data.PrepareDataset(filepath.Join(dir, data.CondsFile))
	lo, hi := ds.Outputs.MinMax()
	fmt.Printf("synthetic %v, EMG in [%.1f, %.1f]\n", ds.Synthetic, lo, hi)
	// Output:
	// synthetic true, EMG in [0.0, 0.8]
}
