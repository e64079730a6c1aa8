package tutorial

import (
	"path/filepath"

	"github.com/gomlx/compute"

	"github.com/neuromatch/nmatools/nmatools/plot"
)

// Seed is the seed of every random choice in the tutorial's notebooks (the
// train/validation split, weight initialisation, the perturbations).
const Seed = 2024

// Data is prepare_dataset on the tutorial's conditions file when it is in the
// data cache with the tutorial's MD5, else on the synthetic stand-in (generated
// once). The first call in a notebook says which.
func Data() *Dataset {
	ds, err := loadDataset()
	Check(err)
	if ds.Synthetic {
		showOnce("data: the course's files are not in the cache: using the SYNTHETIC stand-in " + filepath.Base(ds.Source) + " (figures drawn from it say so)")
	} else {
		showOnce("data: the course's " + filepath.Base(ds.Source))
	}
	return ds
}

// DataFiles lists the tutorial's data files and whether the cache holds each
// with the tutorial's MD5, one per line.
func DataFiles() string { return dataFiles() }

// Note is the plot option that marks a figure drawn from ds as synthetic
// ("(synthetic data)"), or no option when ds is the course's data.
func Note(ds *Dataset) plot.Option {
	if ds != nil && ds.Synthetic {
		return plot.Note("(synthetic data)")
	}
	return nil
}

// TrainValSplit is the tutorial's random 20/7 split of the 27 conditions,
// seeded with Seed.
func TrainValSplit() (trainIdx, valIdx []int) { return trainValSplit(Seed) }

// Device describes the GoMLX backend the notebook uses and how to get the
// others (the tutorial's set_device).
func Device() string { return backendReport() }

// M1 returns the tutorial's M1 recordings (trial-averaged PSTHs), or their
// synthetic stand-in (M1.Synthetic) without the course's file.
func M1() *M1Data {
	m, err := loadM1()
	Check(err)
	return m
}

// Churchland returns the real Churchland et al. (2012) PSTHs
// (churchland2012_TME_exampleData.mat) when the file is at hand; ok is false
// otherwise (`bin/nmatools data fetch` gets it).
func Churchland() (m *M1Data, ok bool) {
	m, ok, err := loadChurchland()
	Check(err)
	return m, ok
}

// Pretrained returns a pretrained network, "unregularized" or "regularized",
// with the library's step: the course's <name>_model_final.pth when it is in
// the data cache with the tutorial's MD5, else the checkpoint shipped in
// checkpoints/<name> (trained with nmatools train and the tutorial's recipe on
// the synthetic data). The first call for each name in a notebook says which.
func Pretrained(name string) *Net {
	p, from, err := loadPretrained(name)
	Check(err)
	showOnce(name + " model: " + from)
	n := ReferenceRNN(p)
	n.From = from
	return n
}

// Backend is the GoMLX backend the notebook uses (see Device), for cells that
// call the library packages directly.
func Backend() compute.Backend {
	b, err := getBackend()
	Check(err)
	return b
}
