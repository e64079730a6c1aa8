// Package nmatools is the Go rebuild of the Neuromatch NeuroAI tutorial
// "W1D1 Tutorial 2: Generalization in Neuroscience": a continuous-time RNN
// (Sussillo et al. 2015) is trained to turn reach-condition inputs into monkey
// EMG, with and without regularization, and then perturbed.
//
// The work is split in sub-packages, each usable from a GoNB notebook cell:
//
//   - nd: the small host-side n-dimensional float32 array every package passes around.
//   - notice: where the library's one-line notices go (stderr unless a program says otherwise).
//   - matfile: a reader and writer for MATLAB Level 5 MAT-files.
//   - npy: a reader and writer for NumPy .npy and .npz files.
//   - data: prepare_dataset, the train/validation split, the M1 PSTHs, verified
//     downloads and the synthetic stand-in dataset.
//   - backend: picks the GoMLX backend (GOMLX_BACKEND, else XLA CPU when a PJRT
//     plugin is installed, else the pure-Go backend).
//   - model: the CTRNN (step, trajectories; checkpoints: GoMLX directories, weights
//     .npz, PyTorch .pth).
//   - train: the tutorial's two training recipes and the benchmark.
//   - sweep: the input- and weight-perturbation robustness sweeps.
//   - plot: the tutorial's figures, drawn with gonum/plot.
//   - tutorial: what the notebook's cells call (the data, the pretrained
//     networks, a student's step function turned into a network, figures shown
//     in GoNB, the cached sweeps), named after the tutorial's objects.
//   - compare: model–brain comparison (CCA of Sussillo et al. 2015, jPCA of
//     Churchland et al. 2012), in float64.
//
// The command nmatools (nmatools/cmd/nmatools) exposes the same functions.
package nmatools
