package nd

// MeanStd is a mean and a standard deviation, e.g. one bar of a perturbation
// plot: the mean error over repetitions and its spread.
type MeanStd struct{ Mean, Std float64 }
