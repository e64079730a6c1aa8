#!/bin/bash
# A regularization × seed study (`nmatools study run`) as a Slurm job array: one array task
# per shard, every task writing into one shared output directory.
#
#   sbatch docs/study/slurm-array.sh                     # 8 shards (the --array line below)
#   GRID=my-grid.json OUT=/scratch/$USER/study sbatch docs/study/slurm-array.sh
#
# nmatools takes its shard from Slurm: index = SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN,
# count = SLURM_ARRAY_TASK_COUNT; cell i of the grid runs in the shard i mod count. The array
# must be contiguous (no ":step"); "%4" after the range would only limit how many run at once.
#
# A task that fails or is killed leaves its finished cells; submit the same array again and
# every task skips its finished cells and redoes the rest. To rerun one task alone, give its
# shard explicitly (`nmatools study run ... --shard 3/8`): a one-task array (--array=3) would be
# a shard of one, i.e. the whole grid.
#
# When all tasks are done (e.g. a job submitted with --dependency=afterok:<array job id>):
#   nmatools study table "$OUT"             # exits 1, naming them, while cells are missing
#   nmatools study plot "$OUT" --out study.svg
#
#SBATCH --job-name=nmatools-study
#SBATCH --array=0-7
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=02:00:00
#SBATCH --output=nmatools-study-%A_%a.log
set -euo pipefail

# The nmatools checkout (built with `make build`; `make xla` for the XLA CPU backend).
NMATOOLS="${NMATOOLS:-$HOME/nmatools}"
GRID="${GRID:-$NMATOOLS/docs/study/grid.json}"
# On a file system every node sees (NFS is fine: nothing is locked, each file has one writer).
OUT="${OUT:-$HOME/nmatools-study}"

cd "$NMATOOLS"
export GOMLX_NO_AUTO_INSTALL=1
# --quiet: no progress bar in the log (each cell still gets a line on stderr).
srun bin/nmatools study run --grid "$GRID" --out "$OUT" --quiet
