// Package model is the tutorial's continuous-time RNN (Sussillo et al. 2015) on GoMLX.
//
// The hidden state x (pre-nonlinearity) follows the Euler step
//
//	x ← x + (1/τ)(−x + J·r(x) + B·u + bx),   r(x) = tanh(x) for x > 0, else 0,
//
// and the output is z = W·r(x) + c (the tutorial's UnregularizedRNN and RegularizedRNN; the
// regularized one also returns Σr² per step for the firing-rate penalty). τ/Δt = 5.
//
// Host side: Config, Params (nd arrays shaped like the PyTorch state_dict), NewParams (the
// tutorial's initialization), LoadPth (a PyTorch .pth state_dict), Save/Load (GoMLX
// checkpoints with model.json) and Runner (Step = Exercise 2.1, Trajectory =
// generate_trajectory, compiled once per input shape).
//
// Graph side, for training: Weights, StepGraph and Unroll (T steps unrolled, gradient-checked
// against finite differences), NewStore/ParamsFromStore/WeightsFromScope for a GoMLX
// model.Store with the variables /ctrnn/{J,B,bx,W,c}.
package model
