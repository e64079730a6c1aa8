// Package study runs the regularization × seed study of the tutorial's
// closing question ("which network looks more like the brain?"): a grid of
// regularized networks, one per rate penalty, weight penalty and seed, each
// trained and then measured for robustness and brain-likeness, on one
// machine or spread over the machines of a Slurm cluster or a Kubernetes
// cluster. The command is `nmatools study run|table|plot`.
//
// # The grid and its cells
//
// A grid (G.json, ReadGrid) is {"rate_penalty": [...], "weight_penalty":
// [...], "seeds": [...], "epochs": E}. Each combination is a cell
// (Grid.Cells lists them in a fixed order: rate penalties as given, then
// weight penalties, then seeds). A cell trains train.RegularizedRecipe with
// its RatePenalty β and WeightPenalty α, seed (initial weights, the 20/7
// split, the shuffling) and an epoch limit of E; the recipe's stopping rule
// stays, so a cell whose loss (penalties included) falls below 0.0005 stops
// early (the table's text and each cell's file say after how many epochs).
// Then it measures, on the backend it trained on:
//
//   - val_mse: the MSE over the 7 held-out conditions at all 8 delays
//     (train.Result.Final.ValMSE);
//   - input_error and weight_error: Section 4's errors in percent of
//     max_error, on the cell's 20 training conditions at the fixed delay,
//     mean over 30 perturbations, at input strength InputStrength (0.1) and
//     at WeightPercentage (0.4) of mean |J| (sweep.InputSweep and
//     WeightSweep, seed PerturbSeed);
//   - cca_mean: the mean of the top 10 canonical correlations between the
//     network's firing rates (all 27 conditions at the fixed delay, Rates)
//     and the M1 PSTHs, over the movement epoch (compare.MovementWindow:
//     −50 ms to +550 ms around movement onset, the time steps paired with
//     the PSTHs' samples as in the tutorial);
//   - jpca_r2_skew: jPCA's skew-symmetric R² of the rates over the movement
//     epoch (6 PCs, dt 10 ms);
//   - tangling_q90: the 90th percentile of the rates' tangling over the
//     movement epoch (compare.Tangling, 8 PCs, dt 10 ms).
//
// A measure that cannot be taken (e.g. rates so silent that CCA's top 10
// components are not defined: CCA, jPCA and tangling depend on the rates)
// is null in the table, with the reason in Row.Failed; a training run that
// diverges is recorded the same way. An error of the backend (in training,
// the perturbation sweeps or the rates) stops the run instead, with nothing
// written for that cell: a rerun redoes it, so the table is the one a clean
// run makes.
//
// # Files
//
// A study directory holds cells/<Cell.Name>.json, one per finished cell
// (Result: the row, the epochs trained, backend, data, settings, cost in
// seconds), each written atomically (a temporary file renamed into place,
// internal/atomicfile); and shards/<I>-of-<N>.json, one manifest per shard
// that ran (the grid, the shard, backend, data, settings, host, start and
// end). A rerun skips the cells whose file is a finished result of the same
// grid, data and settings, and redoes the others; it removes the temporary
// files of interrupted writes once they are 10 minutes old. Run refuses a
// directory whose manifests are of another grid, other data or other
// settings (MismatchError: delete the directory or choose another --out),
// and one where a run in another number of shards is unfinished; it checks
// again after writing its own manifest, for shards that start together.
// ReadTable reads the rows in the grid's order; it refuses cells or
// manifests of different data or settings (naming the cells), so a table
// never mixes data, and names the unfinished cells (MissingError: run
// `nmatools study run` again with the same grid, directory and shards).
// Training and measuring are deterministic on one backend, so the table
// is the same however the grid was run.
//
// # Shards
//
// Shard I of N runs the cells at positions i with i mod N = I (dealt
// round-robin in the grid's order). The shard comes from --shard I/N, else
// from a Slurm job array (I = SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN,
// N = SLURM_ARRAY_TASK_COUNT; the array must be contiguous), else from a
// Kubernetes Indexed Job (I = JOB_COMPLETION_INDEX, N = NMATOOLS_SHARDS),
// else all cells run in one process (ShardFromEnv). Shards share only the
// output directory, which may be on NFS: nothing is locked, every file has
// one writer (a cell belongs to one shard; a manifest to one shard), and
// files appear by rename. docs/study has a Slurm array script and a
// Kubernetes Indexed Job manifest.
package study
