package model

import (
	"fmt"

	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/npy"
)

// The arrays of a weights .npz (SaveNpz, loadNpz): the parameters in the order of
// Config.params, and the time constant when it is not the tutorial's.
var npzNames = []string{"J", "B", "bx", "W", "c"}

const npzTauName = "tau_over_dt"

// SaveNpz writes p's weights as a NumPy .npz with the arrays J, B, bx, W and c
// (float32; W and c are output_linear's weight and bias), atomically; a time constant
// other than the tutorial's τ/Δt = 5 is added as tau_over_dt. Load reads it back, and
// bench/torch_sweep.py --weights reads it in Python.
func (p *Params) SaveNpz(path string) error {
	if err := p.Check(); err != nil {
		return err
	}
	arrays := map[string]*nd.Array{}
	for i, a := range p.arrays() {
		arrays[npzNames[i]] = a
	}
	if p.Config.TauOverDt != 5 {
		arrays[npzTauName] = &nd.Array{Shape: []int{1}, Data: []float32{float32(p.Config.TauOverDt)}}
	}
	return npy.WriteNpz(path, arrays, nil)
}

// loadNpz reads a weights .npz (SaveNpz). The sizes come from the arrays, τ/Δt from
// tau_over_dt (else 5), and the other constants from the file name, as for a .pth
// (configForFile). Other arrays in the file are ignored: they are not decoded.
func loadNpz(path string) (*Params, error) {
	m, err := npy.ReadNpzArrays(path, append(npzNames[:len(npzNames):len(npzNames)], npzTauName)...)
	if err != nil {
		return nil, err
	}
	var ws [5]*nd.Array
	for i, name := range npzNames {
		if ws[i] = m[name]; ws[i] == nil {
			return nil, fmt.Errorf("%s has no array %q: a weights .npz holds J, B, bx, W, c (nmatools convert MODEL --out W.npz writes one)", path, name)
		}
	}
	J, B, W := ws[0], ws[1], ws[3]
	if J.Rank() != 2 || B.Rank() != 2 || W.Rank() != 2 {
		return nil, fmt.Errorf("%s: J, B, W must be matrices, got %v, %v, %v", path, J.Shape, B.Shape, W.Shape)
	}
	cfg := configForFile(path)
	cfg.InputSize, cfg.HiddenSize, cfg.OutputSize = B.Shape[1], J.Shape[0], W.Shape[0]
	if a, ok := m[npzTauName]; ok {
		if a.Len() != 1 {
			return nil, fmt.Errorf("%s: %s must be one number, got shape %v", path, npzTauName, a.Shape)
		}
		cfg.TauOverDt = float64(a.Data[0])
	}
	p := &Params{Config: cfg, J: ws[0], B: ws[1], Bx: ws[2], W: ws[3], C: ws[4]}
	if err := p.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}
