// Package model is the tutorial's continuous-time RNN (Sussillo et al. 2015) on GoMLX.
//
// The hidden state x (pre-nonlinearity) follows the Euler step
//
//	x ← x + (1/τ)(−x + J·r(x) + B·u + bx),   r(x) = tanh(x) for x > 0, else 0,
//
// and the output is z = W·r(x_new) + c: the tutorial's UnregularizedRNN and RegularizedRNN
// (same dynamics; the regularized one also returns Σr² per step, for the firing-rate
// penalty). τ/Δt = 5. The nonlinearity is the code's rectified tanh, not the markdown's |tanh|.
//
// Host side: Config (UnregularizedConfig, RegularizedConfig), Params (nd arrays shaped like
// the PyTorch state_dict), NewParams (the tutorial's initialization), InitHidden, LoadPth /
// ReadStateDict (PyTorch .pth, storages on cpu or cuda:0), Save / Load / LoadAs (GoMLX
// checkpoint directories with model.json; Load also takes a .pth), PthToCheckpoint, and
// Runner: Step is Exercise 2.1's forward, Trajectory is Exercise 2.2's generate_trajectory;
// each is compiled once per input shape and reused.
//
// Files from elsewhere are untrusted: the .pth reader scans the pickle's opcodes and checks
// every declared length, storage size and tensor view against the bytes present and the
// caps (MaxPthPickleBytes, MaxPthTensorElems) before allocating, and keeps only the five
// tensors it needs (the other entries, of any type, are listed once on Notes);
// ValidateCheckpointDir checks a GoMLX checkpoint against model.json before GoMLX loads it
// (LoadStore). Weights holding NaN or ±Inf are refused.
//
// Graph side, for training: Weights, StepGraph, Unroll, and NewStore / ParamsFromStore /
// WeightsFromScope for a GoMLX model.Store holding /ctrnn/{J,B,bx,W,c}.
//
// Unroll unrolls the T steps (GoMLX has no While with gradients) and defines its own
// backward pass through graph.IdentityWithCustomGradient: backpropagation through time
// written out, with the gradients of J, B and bx each one matmul over all steps. On the
// pure-Go backend this made a batch-20, T-250 training step about 10× faster than GoMLX's
// generic autodiff of the same loop (which pads every per-step slice of the hoisted input
// drive to full size and sums 250 of them). Gradients are tested against finite differences
// (float64) and against GoMLX's autodiff.
//
// On XLA (a backend with While and dynamic slices) the recurrence is a While loop instead:
// Runner.Trajectory uses UnrollWhile, and Unroll runs both its forward and its hand-written
// backward as While loops, so XLA compiles a training step in about a second (the unrolled
// graph did not finish compiling in 9.5 minutes). The pure-Go backend, which lacks
// DynamicSlice, runs the unrolled graph.
package model
