package nd

// MeanStd is a mean and a standard deviation, e.g. one level of a perturbation sweep (the
// error in percent of max_error) and one bar of plot.PerturbationResults.
type MeanStd struct{ Mean, Std float64 }
