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
// checkpoint directories with model.json; Load also takes a .pth or a weights .npz, which
// SaveNpz writes), PthToCheckpoint, Config.CheckData (the one check of inputs and targets
// against a network), Rate (the nonlinearity on host values), and
// Runner: Step is Exercise 2.1's forward, Trajectory is Exercise 2.2's generate_trajectory;
// each is compiled once per input shape and reused.
//
// Files from elsewhere are untrusted: the .pth reader scans the pickle's opcodes and checks
// every declared length, storage size and tensor view against the bytes present and the
// caps (MaxPthPickleBytes, MaxPthTensorElems) before allocating, and keeps only the five
// tensors it needs (the other entries, of any type, are listed once as a notice, package notice);
// ValidateCheckpointDir checks a GoMLX checkpoint against model.json before GoMLX loads it
// (LoadStore). Weights holding NaN or ±Inf are refused.
//
// Runner also runs many networks at once (RunNetworks over Networks whose J, B or W carry
// a leading network axis: the sweeps' batches), and Outputs / Loss are compute_loss.
//
// Graph side: Weights, StepGraph, Unroll (training), NetworksGraph (the sweeps), and
// NewStore / ParamsFromStore / WeightsFromScope for a GoMLX model.Store holding
// /ctrnn/{J,B,bx,W,c}.
//
// One definition of the network: every graph of the module (Runner.Step, Trajectory,
// RunNetworks, training's Unroll, the sweeps) uses the same Euler step, which also takes a
// leading network axis (J (N,N) or (K,N,N)), and the same time loop: unrolled on the
// pure-Go backend, a While loop where UsesWhileLoop says the backend has one (XLA, which
// compiles a While graph quickly and an unrolled training step very slowly). One rule pads
// the hidden size to a multiple of 16 where the pure-Go backend's kernels run faster for it.
//
// Unroll defines its own backward pass through graph.IdentityWithCustomGradient (GoMLX
// cannot differentiate a While, and its autodiff of the unrolled loop pads every per-step
// slice of the hoisted input drive to full size and sums 250 of them): backpropagation
// through time, itself a reverse loop of the same form, with the gradients of J, B and bx
// each one matmul over all steps; BenchmarkTrainStep and BenchmarkTrainStepAutodiff compare
// it with GoMLX's autodiff of the same unrolled loop (docs/benchmarks.md has the numbers).
// Gradients are tested against finite differences (float64) and against GoMLX's autodiff.
package model
