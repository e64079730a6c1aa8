// Package tutorial is what the cells of the notebook W1D1_Tutorial2 call besides the
// library packages they import themselves (nd, plot, model, compare): the data, the
// networks, the sweeps, the figures in a GoNB cell, named after the tutorial's own
// objects so that a cell reads like its Python counterpart.
//
//	ds := tutorial.Data()                                  // prepare_dataset (synthetic stand-in, labelled, without the course's files)
//	net := tutorial.Pretrained("regularized")              // the course's .pth when cached, else the shipped checkpoint
//	out, hidden := net.Trajectory(ds.Inputs.Index(0).Unsqueeze(0))
//	tutorial.Show(plot.MusclesOverTime(ds.Times, out.Index(0), "Generated", tutorial.Note(ds)))
//
// What it holds, by section of the notebook:
//
//   - Data and networks: Data, DataFiles, TrainValSplit, Device, M1 and RealM1 (the
//     PSTHs), Pretrained, Network, and Note, the one label ("(synthetic data)",
//     "(real data)") of every figure drawn from data that are not the course's.
//   - The student's network: a step function (the tutorial's forward), written with
//     GoMLX graph operations on a *Module (the tutorial's self), becomes a *Net with
//     NewRNN or NewRegularizedRNN; Net.Step runs it one time step at a time, as the
//     tutorial's loops do, and Net.Trajectory runs whole sequences. ReferenceRNN is
//     the same network with the library's step, for checks; Pretrained networks use it.
//   - Training in the notebook: TrainNetwork (with a live progress bar and losses
//     figure; FullRecipe as its epochs trains the full recipe).
//   - The model–brain comparison: Activity (NetworkActivity, PSTHActivity, EMGActivity,
//     RealEMG), CCA, JPCA, Tangling, MovementWindow, PlaneTrajectories, the tables
//     (FormatJPCATable, FormatTanglingTable), Mean; the regularization × seed study
//     (RunStudy, ShippedStudy, ShowStudy).
//   - Section 4: MaxError, InputSweep and WeightSweep (package sweep's vectorized
//     sweeps with the tutorial's seed, kept in a cache under build/cache/sweeps between
//     cells: each cell is a new program), PrintResults, and ExplorePerturbations, the
//     interactive cell's sliders (explore.go computes and caches a slider position,
//     explore_gonb.go shows the sliders and listens to them).
//
// Load, beyond the tutorial, reads a network from any checkpoint file (a checkpoint
// directory, a weights .npz or a .pth) for notebooks that bring their own.
//
// Errors. Functions of this package do not return errors: in a notebook
// (gonbui.IsNotebook) a failure prints one line "error: …" and ends the cell
// program (os.Exit(1)); elsewhere (tests, commands) it panics with the error. Check
// and Fail do the same for the errors of the library packages a cell calls directly;
// Todo marks a blank of a student exercise. The library packages return errors as usual.
//
// Display. Show puts a figure into the cell's output as an SVG image (image/svg+xml)
// and calls gonbui.Sync, so a cell needs no Sync of its own. Messages about where data
// and networks come from are printed once per notebook kernel (in a notebook only), not
// in every cell; the library's own notices (package notice) are switched off when this
// package is imported, since it says the same once.
//
// Exercises. The checks of the coding exercises (CheckStep, CheckTrajectory,
// CheckWeightSweep) run a student's function on the library's network and say what is
// off in the exercise's terms; WarnIfDifferent warns in the cells that draw with it.
// Exercises, Compiled and NotCompiled let them tell an exercise cell that did not
// compile from an older version of it, which GoNB keeps (check.go explains how).
//
// The package calls model, sweep, train, data, backend, compare, study and plot; no
// other package imports it.
package tutorial
