package data

import (
	"testing"
)

func TestSynthesizeQuick(t *testing.T) {
	dir := t.TempDir()
	if err := Synthesize(dir, DefaultSeed); err != nil {
		t.Fatal(err)
	}
	ds, err := PrepareDataset(dir + "/" + CondsFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(ds.Inputs.Shape, ds.Outputs.Shape, ds.Times[0], ds.Times[249], ds.Synthetic)
}
