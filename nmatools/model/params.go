package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/neuromatch/nmatools/nmatools/nd"
)

// Config holds the CTRNN's sizes and constants (the tutorial's constructor arguments).
type Config struct {
	InputSize, HiddenSize, OutputSize int
	// G scales the recurrent weights J ~ N(0,1)·G/√N; H scales the input weights B ~ N(0,1)·H/√in.
	G, H float64
	// TauOverDt is τ/Δt of the Euler step (5 in the tutorial: τ = 50 ms, Δt = 10 ms).
	TauOverDt float64
	// Regularized marks the RegularizedRNN (its training adds the weight and rate penalties;
	// the dynamics are the same).
	Regularized bool
}

// UnregularizedConfig is the tutorial's UnregularizedRNN: 16 inputs, 150 hidden, 2 outputs, g = 4, h = 1, τ/Δt = 5.
func UnregularizedConfig() Config {
	return Config{InputSize: 16, HiddenSize: 150, OutputSize: 2, G: 4, H: 1, TauOverDt: 5}
}

// RegularizedConfig is the tutorial's RegularizedRNN: 16 inputs, 150 hidden, 2 outputs, g = 1.5, h = 1, τ/Δt = 5.
func RegularizedConfig() Config {
	return Config{InputSize: 16, HiddenSize: 150, OutputSize: 2, G: 1.5, H: 1, TauOverDt: 5, Regularized: true}
}

// Validate says what is wrong with a configuration, or returns nil.
func (c Config) Validate() error {
	switch {
	case c.InputSize <= 0 || c.HiddenSize <= 0 || c.OutputSize <= 0:
		return fmt.Errorf("model config: sizes must be positive, got input %d, hidden %d, output %d",
			c.InputSize, c.HiddenSize, c.OutputSize)
	case !(c.TauOverDt >= 1) || math.IsInf(c.TauOverDt, 0):
		return fmt.Errorf("model config: TauOverDt must be a finite number ≥ 1 (the tutorial uses 5), got %v", c.TauOverDt)
	}
	return nil
}

// Params are the network's weights, host-side, float32, shapes as in the PyTorch state_dict:
// J (N,N), B (N,in), Bx (N), W (out,N) = output_linear.weight, C (out) = output_linear.bias.
type Params struct {
	Config         Config
	J, B, Bx, W, C *nd.Array
}

// NewParams draws the tutorial's initialization with a seeded generator (PCG): J ~ N(0,1)·g/√N,
// B ~ N(0,1)·h/√in, bx = 0, and the readout as torch.nn.Linear's default, W and c ~ U(−1/√N, 1/√N).
// The numbers differ from PyTorch's generator; the distributions are the same.
// It panics on an invalid Config (see Config.Validate).
func NewParams(cfg Config, seed int64) *Params {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6e6d6174))
	n, in, out := cfg.HiddenSize, cfg.InputSize, cfg.OutputSize
	p := &Params{Config: cfg, J: nd.New(n, n), B: nd.New(n, in), Bx: nd.New(n), W: nd.New(out, n), C: nd.New(out)}
	sj := cfg.G / math.Sqrt(float64(n))
	for i := range p.J.Data {
		p.J.Data[i] = float32(rng.NormFloat64() * sj)
	}
	sb := cfg.H / math.Sqrt(float64(in))
	for i := range p.B.Data {
		p.B.Data[i] = float32(rng.NormFloat64() * sb)
	}
	bound := 1 / math.Sqrt(float64(n))
	for i := range p.W.Data {
		p.W.Data[i] = float32((2*rng.Float64() - 1) * bound)
	}
	for i := range p.C.Data {
		p.C.Data[i] = float32((2*rng.Float64() - 1) * bound)
	}
	return p
}

// Clone returns a deep copy.
func (p *Params) Clone() *Params {
	return &Params{Config: p.Config, J: p.J.Clone(), B: p.B.Clone(), Bx: p.Bx.Clone(), W: p.W.Clone(), C: p.C.Clone()}
}

// param is one parameter of the network for a Config: its variable under Scope in a
// checkpoint, its name for people, its shape, and whether Networks may give it a leading
// network axis.
type param struct {
	Var, Name  string
	Shape      []int
	PerNetwork bool
}

// params lists the network's parameters for c in the .pth order (J, B, bx, W, c), the
// order of Params.arrays. Every check of parameter shapes (Params.Check, checkpoint
// directories, Networks) reads them here.
func (c Config) params() []param {
	n, in, out := c.HiddenSize, c.InputSize, c.OutputSize
	return []param{
		{VarJ, "J", []int{n, n}, true},
		{VarB, "B", []int{n, in}, true},
		{VarBx, "bx", []int{n}, false},
		{VarW, "W (output_linear.weight)", []int{out, n}, true},
		{VarC, "c (output_linear.bias)", []int{out}, false},
	}
}

// arrays are p's weights in the order of Config.params.
func (p *Params) arrays() []*nd.Array { return []*nd.Array{p.J, p.B, p.Bx, p.W, p.C} }

// Check verifies that every array is present and has the shape Config asks for.
func (p *Params) Check() error {
	if p == nil {
		return fmt.Errorf("model: nil Params")
	}
	if err := p.Config.Validate(); err != nil {
		return err
	}
	c := p.Config
	for i, w := range c.params() {
		a := p.arrays()[i]
		if a == nil {
			return fmt.Errorf("model: parameter %s is missing", w.Name)
		}
		if !slices.Equal(a.Shape, w.Shape) || len(a.Data) != nd.Size(w.Shape...) {
			return fmt.Errorf("model: parameter %s has shape %v, want %v for input %d, hidden %d, output %d",
				w.Name, a.Shape, w.Shape, c.InputSize, c.HiddenSize, c.OutputSize)
		}
	}
	return nil
}

// CheckData says what is wrong with inputs (conditions, time, InputSize) and targets
// (conditions, time, OutputSize) for a network of configuration c, or returns nil: both
// present, 3-D, non-empty, holding as many values as their shapes say, and of the same
// conditions and time steps. It is the one check of inputs and targets; the sweeps, the
// Runner's Loss and the notebook's explorer call it.
func (c Config) CheckData(inputs, targets *nd.Array) error {
	if inputs == nil || targets == nil {
		return fmt.Errorf("inputs and targets are required")
	}
	if len(inputs.Shape) != 3 || len(targets.Shape) != 3 {
		return fmt.Errorf("inputs must be (conditions, time, features) and targets (conditions, time, outputs); got %v and %v", inputs.Shape, targets.Shape)
	}
	if inputs.Shape[0] != targets.Shape[0] || inputs.Shape[1] != targets.Shape[1] {
		return fmt.Errorf("inputs %v and targets %v disagree on conditions or time steps", inputs.Shape, targets.Shape)
	}
	if inputs.Shape[0] == 0 || inputs.Shape[1] == 0 {
		return fmt.Errorf("empty inputs %v", inputs.Shape)
	}
	if inputs.Shape[2] != c.InputSize {
		return fmt.Errorf("inputs have %d features, the model takes %d", inputs.Shape[2], c.InputSize)
	}
	if targets.Shape[2] != c.OutputSize {
		return fmt.Errorf("targets have %d outputs, the model produces %d", targets.Shape[2], c.OutputSize)
	}
	for _, a := range []*nd.Array{inputs, targets} {
		if len(a.Data) != nd.Size(a.Shape...) {
			return fmt.Errorf("an array of shape %v holds %d values", a.Shape, len(a.Data))
		}
	}
	return nil
}

// InitHidden is the tutorial's init_hidden: zeros of shape (batch, n).
func InitHidden(batch, n int) *nd.Array { return nd.New(batch, n) }
