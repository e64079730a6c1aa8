// Package sweep is Section 4 of the tutorial, "Robustness to change in RNNs
// and the brain": perturb a trained CTRNN's inputs or recurrent weights and
// measure the error in percent of a null model's.
//
// The tutorial's functions, one for one:
//
//	perturb_inputs                     PerturbInputs
//	compute_loss                       ComputeLoss (or model.Runner.Loss, compiled once)
//	test_perturbed_inputs              InputSweep
//	calculate_mean_absolute_strength   MeanAbsoluteStrength
//	perturb_recurrent_weights          PerturbRecurrentWeights (PerturbRecurrentWeightsRand)
//	test_perturbed_structure           WeightSweep
//	max_error                          MaxError
//
// Definitions, as in the tutorial's code:
//
//   - Input noise: ξ ~ U[0,1) of shape (batch, 1, features), one draw per
//     sequence held over time, times the strength, times the L2 norm of
//     each step's input over features; the perturbed input is u + noise.
//   - Error of a batch: compute_loss, the mean over time of the per-step MSE
//     (equal to the MSE over the batch), ÷ max_error × 100. max_error is
//     the MSE of the null model that outputs each muscle's mean over
//     conditions and time; the tutorial computes it on all 27 conditions
//     (pass it with WithMaxError), while it perturbs the 20 training ones.
//   - Weights (Exercise 4.1): J + N(0,1)·mean|J|·percentage; the error is the
//     MSE over the whole output; the model's J is never changed.
//   - 30 repetitions per level; mean and standard deviation with numpy's
//     np.std (ddof=0). Levels: InputStrengths and WeightPercentages.
//
// InputSweep and WeightSweep are vectorized: every repetition of every
// level runs in one compiled graph (split into equal chunks to bound
// memory, WithMaxSequences, run up to GOMAXPROCS at a time on their own
// goroutines: the pure-Go backend runs a step's elementwise work on one core);
// for weights, the perturbed matrices form a batch (K,N,N) multiplied with a
// batched matmul. The networks run through
// model.Runner.RunNetworks: the model package's one Euler step and time loop
// (unrolled on the pure-Go backend, a While loop on XLA; see
// model.UsesWhileLoop, NMATOOLS_LOOP=while|unroll overrides it). Noise is drawn on the host
// from math/rand/v2's PCG seeded with the seed argument, so a seed gives
// the same perturbations on every backend and chunking. The per-call
// helpers draw from the same streams: the tests check that the tutorial's
// loops written with them give InputSweep's and WeightSweep's numbers.
//
// Beyond the tutorial, off by default: WithGaussianNoise (zero-mean input
// noise) and WithTarget(Input) or WithTarget(Readout) (perturb B or W).
//
// Progress is reported through a callback, WithProgress(fn(done, total)):
// ProgressTo(w, label) writes one updating line to any io.Writer.
package sweep
