package train

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	mlmodel "github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/neuromatch/nmatools/nmatools/model"
)

// gradientUpdater is the part of GoMLX's optimizers (Adam, SGD) that applies
// already computed gradients; optimizer.Interface only offers UpdateGraph, which
// computes the gradients itself and leaves no room for global-norm clipping.
type gradientUpdater interface {
	UpdateGraphWithGradients(scope *mlmodel.Scope, grads []*Node, lossDType dtypes.DType)
}

// newAdam returns GoMLX's Adam configured as PyTorch's torch.optim.Adam
// defaults (betas 0.9/0.999, eps 1e-8; GoMLX's default eps is 1e-7).
func newAdam(lr float64) (gradientUpdater, error) {
	opt := optimizer.Adam().LearningRate(lr).Betas(0.9, 0.999).Epsilon(1e-8).Done()
	u, ok := opt.(gradientUpdater)
	if !ok {
		return nil, fmt.Errorf("train: GoMLX's Adam (%T) no longer has UpdateGraphWithGradients; "+
			"global-norm clipping needs it", opt)
	}
	return u, nil
}

// lossTerms builds the forward pass on a batch and returns the recipe's loss
// and its parts: mse (mean over batch, steps and outputs), l2 = Σp² over the
// penalized parameters, and r2 = Σr² over the batch, steps and hidden units.
func lossTerms(r Recipe, w model.Weights, inputs, targets *Node) (loss, mse, l2, r2 *Node) {
	mse, r2 = dataTerms(r, w, inputs, targets, 1/float64(targets.Shape().Size()))
	l2 = weightL2(r, w)
	return Add(dataLoss(r, mse, r2, inputs.Shape().Dimensions[1]), weightTerm(r, l2)), mse, l2, r2
}

// dataTerms runs the network on a batch (from x = 0) and returns mse = Σ(output−target)²·invN
// (the mean squared error when invN is 1 over the number of target values; a split batch's
// part passes 1 over the whole batch's) and r2 = Σr² over the batch, steps and hidden units.
func dataTerms(r Recipe, w model.Weights, inputs, targets *Node, invN float64) (mse, r2 *Node) {
	g := inputs.Graph()
	x0 := Zeros(g, shapes.Make(inputs.DType(), inputs.Shape().Dimensions[0], r.Model.HiddenSize))
	outputs, _, rates := model.Unroll(w, r.Model, inputs, x0)
	return MulScalar(ReduceAllSum(Square(Sub(outputs, targets))), invN), ReduceAllSum(Square(rates))
}

// dataLoss is the part of the recipe's loss that depends on the data: mse plus the rate
// penalty RatePenalty·r2/(steps·N·RateDivisor). Over the parts of a split batch it sums to
// the whole batch's.
func dataLoss(r Recipe, mse, r2 *Node, steps int) *Node {
	if r.RatePenalty <= 0 {
		return mse
	}
	return Add(mse, MulScalar(r2, r.RatePenalty/(float64(steps)*float64(r.Model.HiddenSize)*r.RateDivisor)))
}

// weightL2 is Σp² over the penalized parameters.
func weightL2(r Recipe, w model.Weights) *Node {
	l2 := ScalarZero(w.J.Graph(), w.J.DType())
	for _, p := range penalized(r, w) {
		l2 = Add(l2, ReduceAllSum(Square(p)))
	}
	return l2
}

// weightTerm is the weight penalty's share of the loss, WeightPenalty·l2 (0 when off).
func weightTerm(r Recipe, l2 *Node) *Node {
	if r.WeightPenalty <= 0 {
		return ScalarZero(l2.Graph(), l2.DType())
	}
	return MulScalar(l2, r.WeightPenalty)
}

// penalized returns the weight nodes named in r.PenalizedParams (all if nil).
func penalized(r Recipe, w model.Weights) []*Node {
	byName := map[string]*Node{"J": w.J, "B": w.B, "bx": w.Bx, "W": w.W, "c": w.C}
	names := r.PenalizedParams
	if names == nil {
		names = paramNames
	}
	nodes := make([]*Node, 0, len(names))
	for _, n := range names {
		nodes = append(nodes, byName[n])
	}
	return nodes
}

// clipGlobalNorm rescales grads so their joint L2 norm is at most maxNorm, as
// torch.nn.utils.clip_grad_norm_: coef = min(1, maxNorm/(norm+1e-6)).
// It returns the clipped gradients and the norm before clipping.
func clipGlobalNorm(grads []*Node, maxNorm float64) ([]*Node, *Node) {
	g := grads[0].Graph()
	sum := ScalarZero(g, grads[0].DType())
	for _, gr := range grads {
		sum = Add(sum, ReduceAllSum(Square(gr)))
	}
	norm := Sqrt(sum)
	if maxNorm <= 0 {
		return grads, norm
	}
	coef := MinScalar(Div(Scalar(g, norm.DType(), maxNorm), AddScalar(norm, 1e-6)), 1.0)
	clipped := make([]*Node, len(grads))
	for i, gr := range grads {
		clipped[i] = Mul(gr, coef)
	}
	return clipped, norm
}

// stepOutputs are the scalars a training step returns, in this order.
const (
	outLoss = iota
	outMSE
	outGradNorm
	numStepOutputs
)

// newStepExec compiles (lazily, per batch shape) one training step: forward via
// model.Unroll, loss, gradients, global-norm clipping and Adam, all in one graph.
// It returns [loss, mse, gradNorm] for the batch, computed before the update.
func newStepExec(b compute.Backend, store *mlmodel.Store, r Recipe) (*mlmodel.Exec, error) {
	opt, err := newAdam(r.LearningRate)
	if err != nil {
		return nil, err
	}
	fn := func(scope *mlmodel.Scope, in []*Node) []*Node {
		w := weightsOf(scope, in[0].Graph())
		loss, mse, _, _ := lossTerms(r, w, in[0], in[1])
		grads := scope.BuildTrainableVariablesGradientsGraph(loss)
		grads, norm := clipGlobalNorm(grads, r.ClipNorm)
		opt.UpdateGraphWithGradients(scope, grads, loss.DType())
		return []*Node{loss, mse, norm}
	}
	e, err := mlmodel.NewExec(b, store, fn)
	if err != nil {
		return nil, err
	}
	return e.WithName("nmatools/train.step"), nil
}

// evalOutputs are the scalars an evaluation returns, in this order.
const (
	evalSSE = iota // Σ(output-target)²
	evalL2         // Σp² over the penalized parameters
	evalR2         // Σr²
	numEvalOutputs
)

// newEvalExec compiles a forward pass without gradients that returns
// [Σ(output-target)², Σp², Σr²] for a batch.
func newEvalExec(b compute.Backend, store *mlmodel.Store, r Recipe) (*mlmodel.Exec, error) {
	fn := func(scope *mlmodel.Scope, in []*Node) []*Node {
		w := weightsOf(scope, in[0].Graph())
		_, mse, l2, r2 := lossTerms(r, w, in[0], in[1])
		n := in[1].Shape().Size()
		return []*Node{MulScalar(mse, float64(n)), l2, r2}
	}
	e, err := mlmodel.NewExec(b, store, fn)
	if err != nil {
		return nil, err
	}
	return e.WithName("nmatools/train.eval"), nil
}

// weightsOf returns the network's weight nodes in graph g (the one place that
// depends on how package model exposes them).
func weightsOf(scope *mlmodel.Scope, g *Graph) model.Weights {
	return model.WeightsFromScope(scope, g)
}
