package sweep

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/gomlx/compute"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

// engine runs batches of networks through model.Runner.RunNetworks (the model package's
// one Euler step and time loop, compiled once per shape).
type engine struct {
	r *model.Runner
}

// runnerKey identifies the shared Runner of a backend and network configuration.
type runnerKey struct {
	b   compute.Backend
	cfg model.Config
}

// runners holds one model.Runner per backend and configuration for the life of the
// process. RunNetworks takes the networks' weights as inputs, so the executables a sweep
// compiles (once per shape; about 0.25 s on XLA CPU) serve every later sweep with the same
// shapes: the notebook's sliders, the next level or network, the comparison model.
var runners sync.Map // runnerKey → *model.Runner

func newEngine(b compute.Backend, p *model.Params) (*engine, error) {
	if b == nil {
		return nil, fmt.Errorf("sweep: nil backend (use backend.Get())")
	}
	if err := p.Check(); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	key := runnerKey{b, p.Config}
	if r, ok := runners.Load(key); ok {
		return &engine{r: r.(*model.Runner)}, nil
	}
	r := model.NewRunner(b, p)
	if prev, loaded := runners.LoadOrStore(key, r); loaded { // another sweep got there first
		r.Close()
		r = prev.(*model.Runner)
	}
	return &engine{r: r}, nil
}

// run evaluates the network(s) on u and returns the outputs (K,n,T,O).
func (e *engine) run(w *model.Networks, u *nd.Array) (*nd.Array, error) {
	out, err := e.r.RunNetworks(w, u)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	return out, nil
}

// close releases the sweep's large host arrays (the Runner and its executables stay).
func (e *engine) close() { runtime.GC() }

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
