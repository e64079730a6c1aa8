// Package tutorial is the notebook-facing surface of nmatools: what the cells of
// notebooks/W1D1_Tutorial2.ipynb call, named after the tutorial's own objects so
// that a cell reads like its Python counterpart.
//
//	ds := tutorial.Data()                                  // prepare_dataset (synthetic stand-in, labelled, without the course's files)
//	net := tutorial.Pretrained("regularized")              // the course's .pth when cached, else the shipped checkpoint
//	out, hidden := net.Trajectory(ds.Inputs.Index(0).Unsqueeze(0))
//	tutorial.Show(plot.MusclesOverTime(ds.Times, out.Index(0), "Generated", tutorial.Note(ds)))
//
// A student's network is their own step function (the tutorial's forward),
// written with GoMLX graph operations on a *Module (the tutorial's self) and
// turned into a callable network by NewRNN; Net.Step then runs it one time step
// at a time, as the tutorial's loops do. ReferenceRNN is the same network with
// the library's step, for checks; Pretrained networks use it.
//
// Errors. Functions of this package do not return errors: in a notebook
// (gonbui.IsNotebook) a failure prints one line "error: …" and ends the cell
// program (os.Exit(1)); elsewhere (tests, commands) it panics with the error.
// The library packages it wraps (data, model, sweep, plot, nd) return errors as usual.
//
// Display. Show and Display put figures into the cell's output as SVG
// (image/svg+xml); Show also calls gonbui.Sync, so a cell needs no Sync of its
// own. Messages about where data and networks come from are printed once per
// notebook kernel (in a notebook only), not in every cell.
//
// The sweeps (InputSweep, WeightSweep) are the fast vectorized ones of package
// sweep, with the tutorial's seed, cached between cells (Cached: one JSON file per result
// under build/cache/sweeps, written atomically; the explorer keeps its settings the same
// way under build/cache/explore).
//
// adapter.go holds the calls behind the tutorial's classes and sweeps (packages model,
// sweep, data, backend); the explorer (explore.go), training (train.go, progress.go),
// the model–brain comparison (compare.go) and the exercises' checks (check.go) call
// model, sweep, train, data and compare themselves. No other package imports this one.
//
// Exercises. The checks of the coding exercises (CheckStep, CheckTrajectory,
// CheckWeightSweep) run a student's function on the library's network and say what is
// off in the exercise's terms; WarnIfDifferent warns in the cells that draw with it.
// Exercises, Compiled and NotCompiled let them tell an exercise cell that did not
// compile from an older version of it, which GoNB keeps (check.go explains how).
package tutorial
