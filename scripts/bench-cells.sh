#!/usr/bin/env bash
# bench-cells.sh (`make bench-cells`): the instructor notebook's cells on XLA CPU, timed as a
# student runs them, without and with the XLA compilation cache.
#
# GoNB runs every cell as a new process, so without the cache each cell that runs a graph
# compiles it again. The notebook is executed (nbconvert + the GoNB kernel, as make tutorial
# does) three times, each with the notebook's own result caches (build/cache/sweeps, explore)
# emptied so that every cell computes:
#   1. untimed, to build the cells' Go programs once (the Go build cache) and fill a fresh
#      compilation cache;
#   2. NMATOOLS_XLA_CACHE=off: every cell compiles its graphs (the notebook before the cache);
#   3. with the cache of run 1: every cell loads its executables.
# Each cell is timed from the client's side (nbclient's hooks, from sending the cell to its
# reply). It prints the cells whose time changed by more than 0.1 s, and the totals. Needs make
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
run prime "$OUT/xla-cache"
run nocache off
run cached "$OUT/xla-cache"
"$JPY" - "$OUT/nocache.times.json" "$OUT/cached.times.json" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PYEOF'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
print(f"Instructor notebook on XLA CPU, {len(a)} code cells; load average at the end: {sys.argv[3]}.")
print()
print("| cell | first line | no cache, s | with cache, s |")
print("|---|---|---|---|")
for (i, src, x), (_, _, y) in zip(a, b):
    if abs(x - y) > 0.1:
        print(f"| {i} | `{src}` | {x:.2f} | {y:.2f} |")
print(f"| all | | {sum(x for _, _, x in a):.1f} | {sum(y for _, _, y in b):.1f} |")
PYEOF
