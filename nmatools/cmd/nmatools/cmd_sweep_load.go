package main

import (
	"fmt"

	"github.com/neuromatch/nmatools/nmatools/model"
)

// loadModelCheckpoint reads a checkpoint other than .npz.
func loadModelCheckpoint(path string) (*model.Params, error) {
	return nil, fmt.Errorf("%s: only .npz weight files (J, B, bx, W, c) can be read by this build; .pth and GoMLX checkpoints need model.Load", path)
}
