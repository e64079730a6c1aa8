package main

import (
	"github.com/neuromatch/nmatools/nmatools/model"
)

// loadModelCheckpoint reads a checkpoint other than .npz: a GoMLX checkpoint
// directory or a PyTorch .pth state_dict (model.Load).
func loadModelCheckpoint(path string) (*model.Params, error) {
	return model.Load(path)
}
