#!/usr/bin/env bash
# stress.sh (`make stress`): runs the code paths that use both cores at once many times, to
# catch a hang (a process that stops making progress at 0 % CPU).
#
# Each round runs, one after another, each under a watchdog:
#   - `nmatools bench --json` (a split training step, split trajectories);
#   - `nmatools sweep inputs` and `sweep weights` (chunks run concurrently);
#   - the test binaries of the concurrent training step and sweeps
#     (TestSplitStepMatchesOneGraph, TestTrajectoryPartsMatchOneCall, TestSweepsInParallel,
#     TestRunChunksOrder, TestLargeBatchDoesNotHang).
# A run that outlives STRESS_TIMEOUT seconds (default 120: a hundred times a normal run) gets
# SIGQUIT, which makes a Go program print every goroutine's stack and exit (GOTRACEBACK=all);
# its output is kept as build/stress/hang-<round>-<name>.log and the script fails at the end.
#
#   STRESS_RUNS     rounds (default 200)
#   STRESS_BACKEND  GOMLX_BACKEND for all runs (default: go, the pure-Go backend)
#   STRESS_TIMEOUT  seconds before a run counts as hung (default 120)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export GOEXPERIMENT=simd GOMLX_NO_AUTO_INSTALL=1 GOTRACEBACK=all
export GOTOOLCHAIN="${GOTOOLCHAIN:-$(sed -n 's/^toolchain //p' go.mod)}"
RUNS="${STRESS_RUNS:-200}"
TIMEOUT="${STRESS_TIMEOUT:-120}"
export GOMLX_BACKEND="${STRESS_BACKEND:-go}"
OUT="$ROOT/build/stress"
case "$RUNS$TIMEOUT" in *[!0-9]*) echo "stress: STRESS_RUNS and STRESS_TIMEOUT must be whole numbers" >&2; exit 2 ;; esac
rm -rf "$OUT"
mkdir -p "$OUT" bin
go build -o bin/nmatools ./nmatools/cmd/nmatools
go test -c -o "$OUT/train.test" ./nmatools/train/
go test -c -o "$OUT/sweep.test" ./nmatools/sweep/
go test -c -o "$OUT/model.test" ./nmatools/model/
bin/nmatools convert checkpoints/regularized --out "$OUT/weights.npz" >/dev/null

hangs=0 runs=0 failures=0
# watch NAME CMD...: runs CMD with the watchdog; a hang is kept, a failure counted.
watch() {
  local name="$1" log="$OUT/run.log" rc=0
  shift
  runs=$((runs + 1))
  timeout --signal=QUIT --kill-after=20 "$TIMEOUT" "$@" >"$log" 2>&1 || rc=$?
  if [[ $rc -eq 124 || $rc -eq 137 ]] || grep -q "^SIGQUIT: quit" "$log"; then
    hangs=$((hangs + 1))
    cp "$log" "$OUT/hang-$round-$name.log"
    echo "stress: round $round: $name did not finish in ${TIMEOUT}s; goroutines: $OUT/hang-$round-$name.log" >&2
  elif [[ $rc -ne 0 ]]; then
    failures=$((failures + 1))
    cp "$log" "$OUT/fail-$round-$name.log"
    echo "stress: round $round: $name failed (exit $rc): $OUT/fail-$round-$name.log" >&2
  fi
}

start=$SECONDS
for round in $(seq 1 "$RUNS"); do
  watch bench bin/nmatools bench --json --repeats 2
  watch sweep-inputs bin/nmatools sweep inputs --checkpoint "$OUT/weights.npz" --split-seed 2024 --repeats 10 --json --quiet
  watch sweep-weights bin/nmatools sweep weights --checkpoint "$OUT/weights.npz" --split-seed 2024 --repeats 10 --json --quiet
  watch train-split "$OUT/train.test" -test.run '^TestSplitStepMatchesOneGraph$' -test.count 1
  watch model-parts "$OUT/model.test" -test.run '^TestTrajectoryPartsMatchOneCall$' -test.count 1
  watch sweep-parallel "$OUT/sweep.test" -test.run '^(TestSweepsInParallel|TestRunChunksOrder|TestLargeBatchDoesNotHang)$' -test.count 1
  if (( round % 10 == 0 )); then
    echo "stress: $round/$RUNS rounds, $runs runs, $hangs hung, $failures failed ($((SECONDS - start)) s)" >&2
  fi
done
echo "stress: $RUNS rounds on GOMLX_BACKEND=$GOMLX_BACKEND: $runs runs in $((SECONDS - start)) s, $hangs hung, $failures failed."
[[ $hangs -eq 0 && $failures -eq 0 ]]
