package model

import (
	"fmt"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	gmodel "github.com/gomlx/gomlx/ml/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

func shapesMake(like *graph.Node, dims ...int) shapes.Shape {
	return shapes.Make(like.DType(), dims...)
}

// NewStore creates a GoMLX model.Store holding p's weights as the trainable variables
// /ctrnn/J, /ctrnn/B, /ctrnn/bx, /ctrnn/W and /ctrnn/c (float32).
func NewStore(p *Params) (*gmodel.Store, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	s := gmodel.NewStore()
	sc := s.Scope("/" + Scope)
	for _, v := range []struct {
		name string
		a    *nd.Array
	}{{VarJ, p.J}, {VarB, p.B}, {VarBx, p.Bx}, {VarW, p.W}, {VarC, p.C}} {
		if _, err := sc.CreateVariable(v.name, nd.ToTensor(v.a)); err != nil {
			return nil, fmt.Errorf("model.NewStore: %w", err)
		}
	}
	return s, nil
}

// StoreTensors returns the values of the variables /ctrnn/J, B, bx, W, c of s (in that
// order; the store's own tensors, not copies), e.g. to pass the current weights to a
// graph that takes them as inputs.
func StoreTensors(s *gmodel.Store) ([]*tensors.Tensor, error) {
	if s == nil {
		return nil, fmt.Errorf("model: nil store")
	}
	names := []string{VarJ, VarB, VarBx, VarW, VarC}
	ts := make([]*tensors.Tensor, len(names))
	for i, name := range names {
		path := gmodel.JoinPath("/"+Scope, name)
		variable := s.GetVariable(path)
		if variable == nil {
			return nil, fmt.Errorf("model: variable %s is missing from the store", path)
		}
		t, err := variable.Value()
		if err != nil {
			return nil, fmt.Errorf("model: variable %s: %w", path, err)
		}
		if t.DType() != dtypeF32 {
			return nil, fmt.Errorf("model: variable %s is %s, want float32", path, t.DType())
		}
		ts[i] = t
	}
	return ts, nil
}

// ParamsFromStore copies the variables under /ctrnn back to host Params, checking their
// shapes against cfg.
func ParamsFromStore(s *gmodel.Store, cfg Config) (*Params, error) {
	ts, err := StoreTensors(s)
	if err != nil {
		return nil, fmt.Errorf("model.ParamsFromStore: %w", err)
	}
	p := &Params{Config: cfg}
	for i, dst := range []**nd.Array{&p.J, &p.B, &p.Bx, &p.W, &p.C} {
		if *dst, err = nd.FromTensor(ts[i]); err != nil {
			return nil, fmt.Errorf("model.ParamsFromStore: %w", err)
		}
	}
	if err := p.Check(); err != nil {
		return nil, err
	}
	return p, nil
}
