package tutorial

import (
	"path/filepath"

	"github.com/neuromatch/nmatools/nmatools/model"
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

// Note is the plot option that says what data a figure is drawn from: "(synthetic
// data)" for the synthetic stand-in or what was trained on it, "(real data)" for
// recordings marked real (data.M1.Real, e.g. the Churchland et al. 2012 PSTHs); no
// option (nil) for the course's dataset. x is the dataset (Data), a set of PSTHs (M1,
// RealM1) or an Activity. Every figure and table label of the notebook says it this
// way (Activity.Label too).
func Note[T *Dataset | *M1Data | *Activity](x T) plot.Option { return plot.DataNote(origin(x)) }

// labelled is name with its origin in parentheses, e.g. "M1 PSTHs (synthetic)", for
// tables (Activity.Label).
func labelled[T *Dataset | *M1Data | *Activity](name string, x T) string {
	if o := origin(x); o != "" {
		return name + " (" + o + ")"
	}
	return name
}

// origin is the word that labels what x holds: "synthetic", "real", or "" (the course's
// data, or nil).
func origin[T *Dataset | *M1Data | *Activity](x T) string {
	var synthetic, real bool
	switch v := any(x).(type) {
	case *Dataset:
		synthetic = v != nil && v.Synthetic
	case *M1Data:
		synthetic, real = v != nil && v.Synthetic, v != nil && v.Real
	case *Activity:
		synthetic, real = v != nil && v.Synthetic, v != nil && v.Real
	}
	switch {
	case synthetic:
		return "synthetic"
	case real:
		return "real"
	}
	return ""
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

// Load returns the network kept at path, with the library's step: a checkpoint
// directory (nmatools train), a weights .npz (nmatools convert) or a PyTorch .pth
// state_dict (model.Load). It is for notebook authors who bring their own networks;
// the tutorial's cells use Pretrained, Trained and Network.
func Load(path string) *Net {
	p, err := model.Load(path)
	Check(err)
	n := ReferenceRNN(p)
	n.From = path
	return n
}
