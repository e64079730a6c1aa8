package sweep

import (
	"fmt"
	"runtime"

	"github.com/gomlx/compute"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

// engine runs batches of networks through model.Runner.RunNetworks (the model package's
// one Euler step and time loop, compiled once per shape).
type engine struct {
	r *model.Runner
}

func newEngine(b compute.Backend, p *model.Params) (*engine, error) {
	if b == nil {
		return nil, fmt.Errorf("sweep: nil backend (use backend.Get())")
	}
	if err := p.Check(); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	return &engine{r: model.NewRunner(b, p)}, nil
}

// run evaluates the network(s) on u and returns the outputs (K,n,T,O).
func (e *engine) run(w *model.Networks, u *nd.Array) (*nd.Array, error) {
	out, err := e.r.RunNetworks(w, u)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	return out, nil
}

func (e *engine) close() {
	e.r.Close()
	runtime.GC()
}

// targetOf returns the weight of w that t perturbs.
func targetOf(w *model.Networks, t Target) **nd.Array {
	switch t {
	case Input:
		return &w.B
	case Readout:
		return &w.W
	}
	return &w.J
}
