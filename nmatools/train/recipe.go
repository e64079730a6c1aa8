package train

import (
	"fmt"
	"math"
	"slices"

	"github.com/neuromatch/nmatools/nmatools/model"
)

// DefaultSeed is the seed of the course's regularized training run; the
// shipped checkpoints of both models were trained with it.
const DefaultSeed = 2024

// Recipe is everything that defines a training run except the data and the
// seed: the network, the optimizer, the batches, the loss and the stopping rule.
type Recipe struct {
	Name  string       // "unregularized" or "regularized" for the built-in recipes
	Model model.Config // network configuration (sizes, g, h, tau/dt)

	LearningRate float64 // Adam's learning rate (betas 0.9/0.999, eps 1e-8 as PyTorch)
	BatchSize    int     // sequences per step; the last batch of an epoch may be smaller
	MaxEpochs    int     // epoch limit (Options.Epochs overrides it)
	TargetLoss   float64 // stop once an epoch's average training loss is below this (0: never)
	AllDelays    bool    // train on all delays of the training conditions (else the fixed delay)
	Shuffle      bool    // shuffle the training sequences every epoch

	// WeightPenalty is α in α·Σp², summed over the parameters named in
	// PenalizedParams ("J", "B", "bx", "W", "c"); nil means all five, as the
	// course's training code (compute_l2_regularization(model.parameters(), α)).
	// []string{"B", "W"} is the tutorial's R0.
	WeightPenalty   float64
	PenalizedParams []string

	// RatePenalty is β in β·Σr²/(T·N·RateDivisor): Σr² summed over the batch,
	// the time steps and the hidden units of the forward pass (the
	// RegularizedRNN's firing_rate.pow(2).sum() accumulated over the steps).
	// The course divides by 27 (the number of conditions); RateDivisor = the
	// batch size would make it the tutorial's R1 averaged over the batch.
	RatePenalty float64
	RateDivisor float64

	// ClipNorm, if > 0, rescales the gradients so that their global L2 norm is
	// at most ClipNorm (torch.nn.utils.clip_grad_norm_).
	ClipNorm float64
}

// UnregularizedRecipe is the course's unregularized run: g = 4, fixed delay,
// the 20 training conditions in one batch of 20, Adam lr 0.004, MSE loss, up to
// 500 epochs or until the epoch's training loss is below 0.0005.
func UnregularizedRecipe() Recipe {
	return Recipe{
		Name:         "unregularized",
		Model:        model.UnregularizedConfig(),
		LearningRate: 0.004,
		BatchSize:    20,
		MaxEpochs:    500,
		TargetLoss:   0.0005,
		Shuffle:      true,
	}
}

// RegularizedRecipe is the course's regularized run: g = 1.5, all 8 delays of
// the 20 training conditions (160 sequences) in shuffled batches of 20, Adam lr
// 0.004, loss = MSE + 1e-5·Σ(all parameters²) + 0.003·Σr²/(T·N·27), gradients
// clipped to global norm 1, up to 100 epochs or until the training loss is below
// 0.0005.
func RegularizedRecipe() Recipe {
	return Recipe{
		Name:          "regularized",
		Model:         model.RegularizedConfig(),
		LearningRate:  0.004,
		BatchSize:     20,
		MaxEpochs:     100,
		TargetLoss:    0.0005,
		AllDelays:     true,
		Shuffle:       true,
		WeightPenalty: 1e-5,
		RatePenalty:   0.003,
		RateDivisor:   27,
		ClipNorm:      1,
	}
}

// RecipeByName returns the built-in recipe "unregularized" or "regularized".
func RecipeByName(name string) (Recipe, error) {
	switch name {
	case "unregularized":
		return UnregularizedRecipe(), nil
	case "regularized":
		return RegularizedRecipe(), nil
	}
	return Recipe{}, fmt.Errorf("train: unknown recipe %q: use \"unregularized\" or \"regularized\"", name)
}

// paramNames are the names PenalizedParams accepts, in the .pth order.
var paramNames = []string{"J", "B", "bx", "W", "c"}

// Validate reports the first thing that makes r unusable, or nil.
func (r Recipe) Validate() error {
	if err := r.Model.Validate(); err != nil {
		return fmt.Errorf("train: recipe %q: %w", r.Name, err)
	}
	switch {
	case !(r.LearningRate > 0) || math.IsInf(r.LearningRate, 0):
		return fmt.Errorf("train: recipe %q: learning rate must be a positive number, got %g", r.Name, r.LearningRate)
	case r.BatchSize <= 0:
		return fmt.Errorf("train: recipe %q: batch size must be positive, got %d", r.Name, r.BatchSize)
	case r.MaxEpochs <= 0:
		return fmt.Errorf("train: recipe %q: the epoch limit must be positive, got %d", r.Name, r.MaxEpochs)
	case r.WeightPenalty < 0 || r.RatePenalty < 0 || r.ClipNorm < 0 || r.TargetLoss < 0:
		return fmt.Errorf("train: recipe %q: penalties, clip norm and target loss must not be negative", r.Name)
	case r.RatePenalty > 0 && !(r.RateDivisor > 0):
		return fmt.Errorf("train: recipe %q: a rate penalty needs a positive RateDivisor (the course uses 27), got %g",
			r.Name, r.RateDivisor)
	}
	for _, p := range r.PenalizedParams {
		if !slices.Contains(paramNames, p) {
			return fmt.Errorf("train: recipe %q: unknown parameter %q in PenalizedParams: use some of %v",
				r.Name, p, paramNames)
		}
	}
	return nil
}
