package sweep

import (
	"fmt"
	"math/rand/v2"

	"github.com/gomlx/compute"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
)

// The per-call helpers below are the tutorial's functions one for one, for
// notebooks that follow its loops; InputSweep and WeightSweep do the same
// work vectorized.

// PerturbInputsSeed is PerturbInputs with noise from a PCG generator seeded
// by seed: the perturbed inputs InputSweep(…, []float64{strength}, repeats,
// seed) scores first (its first repetition), so one of the sweep's draws can
// be looked at (e.g. run through model.Runner.Trajectory). inputs is not
// changed.
func PerturbInputsSeed(inputs *nd.Array, strength float64, seed int64) (*nd.Array, error) {
	return PerturbInputs(inputs, strength, rand.New(rand.NewPCG(uint64(seed), inputNoiseStream)))
}

// PerturbInputs is perturb_inputs: inputs (B,T,F) + ξ·strength·‖u_t‖ with
// one ξ ~ U[0,1)^F per sequence (drawn from rng in sequence order), held over
// time and scaled by each step's L2 input norm. inputs is not changed.
func PerturbInputs(inputs *nd.Array, strength float64, rng *rand.Rand) (*nd.Array, error) {
	if inputs == nil || len(inputs.Shape) != 3 {
		return nil, fmt.Errorf("sweep: PerturbInputs wants inputs of shape (batch, time, features), got %v", shapeOf(inputs))
	}
	if rng == nil {
		return nil, fmt.Errorf("sweep: PerturbInputs needs a random generator, e.g. rand.New(rand.NewPCG(seed, 1))")
	}
	n, F := inputs.Shape[0], inputs.Shape[2]
	xi := make([]float32, n*F)
	drawNoise(rng, xi, false)
	out := nd.New(inputs.Shape...)
	perturbInto(out.Data, inputs, inputNorms(inputs), xi, strength)
	return out, nil
}

func shapeOf(a *nd.Array) []int {
	if a == nil {
		return nil
	}
	return a.Shape
}

// ComputeLoss is compute_loss with nn.MSELoss: the model runs over all time
// steps of inputs (B,T,F) from the zero state, and the loss is the mean over
// time of the per-step MSE against targets (B,T,O). Each call compiles a
// graph (cached per shape only within the call): for loops prefer a
// model.Runner (Runner.Loss), compiled once.
func ComputeLoss(b compute.Backend, p *model.Params, inputs, targets *nd.Array) (float64, error) {
	if b == nil {
		return 0, fmt.Errorf("sweep: nil backend (use backend.Get())")
	}
	if err := p.Check(); err != nil {
		return 0, fmt.Errorf("sweep: %w", err)
	}
	r := model.NewRunner(b, p)
	defer r.Close()
	return r.Loss(inputs, targets)
}

// MeanAbsoluteStrength is calculate_mean_absolute_strength: mean |J|.
func MeanAbsoluteStrength(p *model.Params) float64 { return meanAbs(p.J) }

// PerturbRecurrentWeights is perturb_recurrent_weights: a copy of p whose
// J is J + N(0,1)·meanStrength·percentage, with noise from a PCG generator
// seeded by seed. p is not changed. With meanStrength MeanAbsoluteStrength(p)
// it is the network WeightSweep(…, []float64{percentage}, repeats, seed)
// scores first (its first repetition).
func PerturbRecurrentWeights(p *model.Params, meanStrength, percentage float64, seed int64) *model.Params {
	return PerturbRecurrentWeightsRand(p, meanStrength, percentage, rand.New(rand.NewPCG(uint64(seed), weightNoiseStream)))
}

// PerturbRecurrentWeightsRand is PerturbRecurrentWeights drawing from rng,
// for loops that perturb many times from one stream (as WeightSweep does:
// seeding it with rand.NewPCG(seed, 3) gives WeightSweep's matrices, in
// order).
func PerturbRecurrentWeightsRand(p *model.Params, meanStrength, percentage float64, rng *rand.Rand) *model.Params {
	q := p.Clone()
	perturbMatrixInto(q.J.Data, p.J, meanStrength*percentage, rng)
	return q
}
