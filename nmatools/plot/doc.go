// Package plot draws the figures of the Neuromatch NeuroAI tutorial "W1D1
// Tutorial 2: Generalization in Neuroscience" with gonum.org/v1/plot: the same content, labels, titles, axes and figure sizes
// as its matplotlib helpers.
//
//	plot_inputs_over_time            InputsOverTime (with ExaggerateGoCue for the ×5 go cue)
//	plot_muscles_over_time           MusclesOverTime
//	plot_training_validation_losses  TrainingValidationLosses
//	plot_hidden_unit_activations     HiddenUnitActivations (rectified tanh applied)
//	plot_psth                        PSTH
//	plot_perturbation_results        PerturbationResults
//
// OutputsAgainstTarget (one condition's outputs of several networks against its
// target) is not one of the tutorial's; the interactive exploration draws one
// perturbed trajectory of each network with it.
//
// Each returns a *Figure: a *plot.Plot with its size and, where the tutorial
// puts the legend outside the axes, a side legend. Render it with SVG, PNG
// or PDF, write it atomically with Save (the format follows the extension),
// or show it in a GoNB notebook with package tutorial (tutorial.Show:
// SVG, then gonbui.Sync). Package plot itself does not depend on GoNB.
//
// Every function takes options: Note("(synthetic data)") appends a note to
// the title, so that figures drawn from the synthetic stand-in data say so;
// Size overrides the figure size.
//
// Differences from the matplotlib originals: no xkcd style; fonts are the
// Liberation fonts gonum/plot ships (deterministic output); the training-loss
// figure's x axis spans the epochs (the tutorial's xlim=(-1.8, .7) would hide
// them all).
//
// The golden-image tests compare PNG renders (4×3 in at 96 dpi) with
// testdata/*_golden.png; after an intended change regenerate them with
//
//	go test -run TestGolden ./nmatools/plot/ -regen
package plot
