#!/usr/bin/env bash
# bench-cells.sh (`make bench-cells`): the instructor notebook's cells on XLA CPU, timed as a
# student runs them, without and with the XLA compilation cache.
#
# GoNB runs every cell as a new process, so without the cache each cell that runs a graph
# compiles it again. The notebook is executed (nbconvert + the GoNB kernel, as make tutorial
# does) several times, each with the notebook's own result caches (build/cache/sweeps, explore)
# emptied so that every cell computes:
#   1. untimed, to build the cells' Go programs once (the Go build cache) and fill a fresh
#      compilation cache;
#   2. NMATOOLS_XLA_CACHE=off: every cell compiles its graphs (the notebook before the cache);
#   3. with the cache of run 1: every cell loads its executables;
# 2 and 3 alternate ROUNDS times (default 2), each going first in every other round. Each cell is timed from the client's side
# (nbclient's hooks, from sending the cell to its reply). It prints the median times of the
# cells that the cache made faster by more than 0.15 s, and of the whole notebook. Needs make
# setup and make xla (the plugin with the cache in front).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=jupyter-env.sh
source "$ROOT/scripts/jupyter-env.sh"
export NMATOOLS_HEADLESS=1
jupyter_ready
PLUGIN="$ROOT/build/pjrt/pjrt_c_api_cpu_plugin.so"
[ -f "$PLUGIN" ] && [ -f "$ROOT/build/pjrt/real/pjrt_c_api_cpu_plugin.so" ] ||
  { echo "bench-cells: needs the XLA plugin with its compilation cache: run make xla" >&2; exit 1; }
export GOMLX_BACKEND="xla:$PLUGIN"
OUT="$ROOT/build/bench-cells"
NB="${1:-notebooks/W1D1_Tutorial2.ipynb}"
rm -rf "$OUT"
mkdir -p "$OUT"
run() { # run NAME CACHE: executes the notebook into $OUT/NAME.ipynb, cell times in $OUT/NAME.times.json
  rm -rf "$ROOT/build/cache/sweeps" "$ROOT/build/cache/explore"
  echo "bench-cells: run $1 (NMATOOLS_XLA_CACHE=$2)" >&2
  NMATOOLS_XLA_CACHE="$2" "$JPY" - "$NB" "$OUT/$1" <<'PYEOF' >"$OUT/$1.log" 2>&1
import json, sys, time, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
start, times = {}, []
def on_execute(cell, cell_index, **_):
    start[cell_index] = time.perf_counter()
def on_executed(cell, cell_index, **_):
    first = cell.source.strip().splitlines()[0][:70] if cell.source.strip() else ""
    times.append((cell_index, first, time.perf_counter() - start[cell_index]))
client = NotebookClient(nb, kernel_name="gonb", timeout=900, allow_errors=True,
                        on_cell_execute=on_execute, on_cell_executed=on_executed)
client.execute()
nbformat.write(nb, sys.argv[2] + ".ipynb")
json.dump(times, open(sys.argv[2] + ".times.json", "w"))
PYEOF
}
ROUNDS="${ROUNDS:-2}"
run prime "$OUT/xla-cache"
for r in $(seq 1 "$ROUNDS"); do
  # Alternate which goes first: a run after another runs its cells a little faster.
  if (( r % 2 )); then
    run "nocache-$r" off
    run "cached-$r" "$OUT/xla-cache"
  else
    run "cached-$r" "$OUT/xla-cache"
    run "nocache-$r" off
  fi
done
"$JPY" - "$OUT" "$ROUNDS" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PYEOF'
import json, os, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
load = lambda n: json.load(open(os.path.join(out, n)))
a = [load(f"nocache-{r}.times.json") for r in range(1, rounds + 1)]
b = [load(f"cached-{r}.times.json") for r in range(1, rounds + 1)]
med = statistics.median
print(f"Instructor notebook on XLA CPU, {len(a[0])} code cells, {rounds} round(s) of each, alternating which goes first; medians; "
      f"load average at the end: {sys.argv[3]}.")
print()
print("| cell | first line | no cache, s | with cache, s |")
print("|---|---|---|---|")
for k, (i, src, _) in enumerate(a[0]):
    x, y = med(r[k][2] for r in a), med(r[k][2] for r in b)
    if x - y > 0.15:
        print(f"| {i} | `{src}` | {x:.2f} | {y:.2f} |")
tot = lambda runs: med(sum(t for _, _, t in r) for r in runs)
print(f"| all {len(a[0])} cells | | {tot(a):.1f} | {tot(b):.1f} |")
PYEOF
