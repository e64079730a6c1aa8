package train

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	mlmodel "github.com/gomlx/gomlx/ml/model"

	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

// stepper runs the training steps of one run. A step is one graph (forward, loss,
// gradients, clipping, Adam: newStepExec) where the backend spreads a call over the cores
// (XLA). On the pure-Go backend, which runs one call's operations on one core, a batch
// that model.RowParts splits is run as its parts' gradients, computed at once by
// concurrent calls, then one small graph that adds them and the weight penalty's, clips
// and applies Adam. Both give the same loss, gradients and update up to float32 rounding
// (the sums are taken in another order).
type stepper struct {
	backend compute.Backend
	store   *mlmodel.Store
	recipe  Recipe
	fused   *mlmodel.Exec                         // the one-graph step
	part    *graph.Exec                           // one part's gradient, the weights as inputs
	update  *mlmodel.Exec                         // sums the parts, clips, applies Adam
	parts   func(b compute.Backend, rows int) int // model.RowParts (tests force a split)
}

func newStepper(b compute.Backend, store *mlmodel.Store, r Recipe) (*stepper, error) {
	fused, err := newStepExec(b, store, r)
	if err != nil {
		return nil, err
	}
	return &stepper{backend: b, store: store, recipe: r, fused: fused, parts: model.RowParts}, nil
}

// Finalize releases the compiled graphs.
func (s *stepper) Finalize() {
	s.fused.Finalize()
	if s.part != nil {
		s.part.Finalize()
	}
	if s.update != nil {
		s.update.Finalize()
	}
}

// Step runs one training step on inputs (B,T,in) and targets (B,T,out) and returns the
// loss, the MSE and the gradients' global norm before clipping, all computed before the
// update.
func (s *stepper) Step(inputs, targets *nd.Array) (loss, mse, norm float64, err error) {
	var outs []*tensors.Tensor
	if parts := s.parts(s.backend, inputs.Shape[0]); parts > 1 && inputs.Shape[0]%parts == 0 {
		outs, err = s.splitStep(inputs, targets, parts)
	} else {
		outs, err = s.fused.Exec(nd.ToTensor(inputs), nd.ToTensor(targets))
	}
	if err != nil {
		return 0, 0, 0, err
	}
	defer finalize(outs)
	return scalar(outs[outLoss]), scalar(outs[outMSE]), scalar(outs[outGradNorm]), nil
}

// splitStep is Step for a batch split into parts (equal: no padded rows, which would add
// to the gradients): the parts' gradients at once, then the update graph.
func (s *stepper) splitStep(inputs, targets *nd.Array, parts int) ([]*tensors.Tensor, error) {
	if err := s.buildSplit(); err != nil {
		return nil, err
	}
	ts, err := model.StoreTensors(s.store)
	if err == nil {
		err = model.OnDevice(s.backend, ts...) // the parts share them
	}
	if err != nil {
		return nil, err
	}
	invN := float32(1 / float64(targets.Len()))
	results := make([][]*tensors.Tensor, parts)
	defer func() {
		for _, r := range results {
			finalize(r)
		}
	}()
	if err := model.RunParts(inputs.Shape[0], parts, func(p int, rows []int) (err error) {
		args := make([]any, 0, len(ts)+3)
		for _, t := range ts {
			args = append(args, t)
		}
		results[p], err = s.part.Exec(append(args, nd.ToTensor(inputs.Take(rows)), nd.ToTensor(targets.Take(rows)), invN)...)
		return err
	}); err != nil {
		return nil, err
	}
	var args []any
	for _, r := range results {
		for _, t := range r {
			args = append(args, t)
		}
	}
	return s.update.Exec(args...)
}

// Outputs of a part's graph: its data loss, its MSE share, then the gradients of its
// data loss with respect to J, B, bx, W, c (paramNames' order).
const (
	partLoss = iota
	partMSE
	partGrads
)

// buildSplit prepares the two graphs of a split step (once).
func (s *stepper) buildSplit() error {
	if s.part != nil {
		return nil
	}
	r := s.recipe
	part, err := graph.NewExec(s.backend, func(in []*graph.Node) []*graph.Node {
		w := model.Weights{J: in[0], B: in[1], Bx: in[2], W: in[3], C: in[4]}
		u, tgt, invN := in[5], in[6], in[7]
		mse, r2 := dataTerms(r, w, u, tgt, 1)
		mse = graph.Mul(mse, invN) // this part's share of the batch's mean
		loss := dataLoss(r, mse, r2, u.Shape().Dimensions[1])
		return append([]*graph.Node{loss, mse}, graph.Gradient(loss, in[:5]...)...)
	})
	if err != nil {
		return err
	}
	opt, err := newAdam(r.LearningRate)
	if err != nil {
		part.Finalize()
		return err
	}
	update, err := mlmodel.NewExec(s.backend, s.store, func(scope *mlmodel.Scope, in []*graph.Node) []*graph.Node {
		w := weightsOf(scope, in[0].Graph())
		per := partGrads + len(paramNames)
		loss, mse := in[partLoss], in[partMSE]
		sums := in[partGrads:per]
		for p := per; p < len(in); p += per {
			loss, mse = graph.Add(loss, in[p+partLoss]), graph.Add(mse, in[p+partMSE])
			next := make([]*graph.Node, len(sums))
			for k := range sums {
				next[k] = graph.Add(sums[k], in[p+partGrads+k])
			}
			sums = next
		}
		// The gradient of Σ⟨G, w⟩ (G gradient-stopped) is G: GoMLX returns the parts'
		// gradients plus the weight penalty's, in the order of the store's variables.
		w5 := []*graph.Node{w.J, w.B, w.Bx, w.W, w.C}
		l2 := weightL2(r, w)
		proxy := weightTerm(r, l2)
		for k, g := range sums {
			proxy = graph.Add(proxy, graph.ReduceAllSum(graph.Mul(graph.StopGradient(g), w5[k])))
		}
		grads := scope.BuildTrainableVariablesGradientsGraph(proxy)
		grads, norm := clipGlobalNorm(grads, r.ClipNorm)
		opt.UpdateGraphWithGradients(scope, grads, loss.DType())
		return []*graph.Node{graph.Add(loss, weightTerm(r, l2)), mse, norm}
	})
	if err != nil {
		part.Finalize()
		return err
	}
	s.part, s.update = part, update.WithName("nmatools/train.update")
	return nil
}
