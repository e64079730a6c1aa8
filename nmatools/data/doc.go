// Package data reads, prepares and (when the real files cannot be had)
// synthesizes the data of the Neuromatch NeuroAI tutorial W1D1
// "Generalization in neuroscience" (Sussillo et al. 2015's motor-cortex
// RNN task).
//
// # The tutorial's files
//
// TutorialFiles lists the four files the tutorial downloads from OSF, with
// their MD5 sums: the two trained models (.pth), condsForSimJ2moMuscles.mat
// (network inputs and EMG targets) and m1_reaching_data.mat (M1 PSTHs).
// Fetch downloads one into a directory the way the tutorial's
// retrieve_file does, but safely: into a temporary file, MD5-checked, then
// renamed, so a bad download never replaces a good file, and a cached file
// with the right MD5 is not downloaded again. Ensure finds the data files in
// the cache (DefaultDir: $NMATOOLS_DATA, else <repo>/data/cache, else
// ~/.cache/nmatools) and otherwise generates the synthetic stand-ins once;
// it downloads only when NMATOOLS_DOWNLOAD=1 (tests never touch the
// network). RealFiles lists two small open recordings (Churchland et al.
// 2012 jPCA example data; Hatsopoulos lab centre-out EMG), found in
// $NMATOOLS_SHARED_DATA or ../shared/data/real when present.
//
// # Preparation
//
// PrepareDataset is the tutorial's prepare_dataset: 27 conditions × 8
// delays, time rows 46..295, muscle columns 3 and 4, the plan min-max
// scaled and z-scored over the whole tensor, concatenated with the go
// envelope and scaled and z-scored again, in float32 like torch (measured
// against the tutorial's own Python on the shipped synthetic file: max
// |Go − PyTorch| = 4.8e-7). TrainValSplit is the tutorial's 20/7
// train_val_split made deterministic: for a seed it returns exactly what
// torch.manual_seed(seed); random_split(range(27), [20, 7]) gives.
// LoadM1 reads the PSTHs the way the tutorial's plot_psth does (times
// relative to movement onset, in seconds); LoadChurchland reads the real
// Churchland et al. file (normalized units, not Hz); LoadEMG reads the real
// Hatsopoulos lab EMG (float64; its sample period is not stated, 1 ms is
// assumed: EMGSamplePeriod) and EMG.Binned averages it into bins.
//
// # The synthetic stand-in (Synthesize)
//
// Everything synthetic says so: Dataset.Synthetic and M1.Synthetic are
// set from the variable synthetic_note that Synthesize writes in both
// files, and the MAT header names the seed. The files are a deterministic
// function of the seed (the repository ships seed 2024 under
// data/synthetic).
//
// Generative model. Time runs in 10 ms rows (296 per trial); t = 0 is the
// go cue of delay index 3, so rows 46..295 span −1.8 s .. +0.69 s. For each
// of the 27 reach conditions c (angle θ_c = 2πc/27) a 6-d preparatory
// state z_c is a smooth function of θ_c (cos/sin of θ, 2θ, 3θ) plus a small
// random part. The target appears at −1.0 s; the go cue follows after one
// of 8 delays (700..1400 ms, so the go cue is later for longer delays) and
// movement starts 150 ms after the go cue.
//
//   - plan (T×15): P z_c + noise, a fixed random 15-d code of the
//     preparatory state, held from target onset to the go cue, 0 otherwise.
//   - goEnvelope (T×1): a Gaussian bump (s.d. 40 ms, height 1) at the go
//     cue.
//   - latent dynamics x(t) ∈ R⁶ (jPCA-like): 0 before the target; during
//     preparation x rises towards z_c (τ = 150 ms); from movement onset it
//     follows dx/dt = A x, three rotation planes at 1.0, 1.6 and 2.3 Hz
//     decaying at 3/s, started from the preparatory state.
//   - a condition-invariant movement signal g(t): 0 until 50 ms after the
//     go cue, then a smooth bump peaking at 1 another 200 ms later.
//   - muscle (T×7): EMG_m = gain_m · g(t) · softrelu(w_m·x(t) + b_m), a
//     smooth rectified linear readout of the latent state; muscles 3 and 4
//     (the tutorial's two) read different rotation phases, so their bursts
//     after the go cue differ by condition. Gains put each muscle's peak
//     at 0.8 (muscles 3, 4) or 0.5..1 (others): the tutorial does not
//     normalise its targets, so they stay in the range of normalised EMG.
//   - M1 (m1_reaching_data.mat): 40 neurons, rate_n = softrelu(base_n +
//     gain_n·(w_n·x(t) + ci_n·g(t))) Hz at the fixed delay, stored like the
//     tutorial's file: comboNjs(n).interpTimes.times / .moveStarts (ms, on
//     a per-neuron trial clock) and comboNjs(n).cond(c).interpPSTH. The
//     "brain" and the muscles are readouts of the same latent dynamics.
//
// Values are rounded to multiples of 2⁻¹⁶ (EMG, plan) and 2⁻⁸ Hz (rates)
// so the files compress well (about 0.46 MB and 0.36 MB).
package data
