package model

import (
	"fmt"

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

// ParamsFromStore copies the variables under /ctrnn back to host Params, checking their
// shapes against cfg.
func ParamsFromStore(s *gmodel.Store, cfg Config) (*Params, error) {
	if s == nil {
		return nil, fmt.Errorf("model.ParamsFromStore: nil store")
	}
	p := &Params{Config: cfg}
	for _, v := range []struct {
		name string
		dst  **nd.Array
	}{{VarJ, &p.J}, {VarB, &p.B}, {VarBx, &p.Bx}, {VarW, &p.W}, {VarC, &p.C}} {
		path := gmodel.JoinPath("/"+Scope, v.name)
		variable := s.GetVariable(path)
		if variable == nil {
			return nil, fmt.Errorf("model.ParamsFromStore: variable %s is missing", path)
		}
		t, err := variable.Value()
		if err != nil {
			return nil, fmt.Errorf("model.ParamsFromStore: variable %s: %w", path, err)
		}
		if t.DType() != dtypeF32 {
			return nil, fmt.Errorf("model.ParamsFromStore: variable %s is %s, want float32", path, t.DType())
		}
		a, err := nd.FromTensor(t)
		if err != nil {
			return nil, fmt.Errorf("model.ParamsFromStore: variable %s: %w", path, err)
		}
		*v.dst = a
	}
	if err := p.Check(); err != nil {
		return nil, err
	}
	return p, nil
}
