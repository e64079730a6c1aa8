#!/usr/bin/env bash
# bench.sh (`make bench`): nmatools against the PyTorch reference, side by side, in one run.
#
#   1. `nmatools bench --json` on the pure-Go backend, and on XLA CPU when build/pjrt holds
#      the plugin (`make xla`), against bench/torch_bench.py (PyTorch, 1 thread): one training
#      step of the regularized recipe and one trajectory at batch 20 and at batch 1.
#   2. The two robustness sweeps of Section 4 on checkpoints/regularized (30 repetitions, the
#      split it was trained on), whole command wall time, against the tutorial's PyTorch loops
#      (bench/torch_sweep.py, 1 thread).
#
# Needs Debian's python3-torch (apt-get install python3-torch). Prints a Markdown table; the
# raw JSON lines go to build/bench/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export GOEXPERIMENT=simd GOMLX_NO_AUTO_INSTALL=1
PY=/usr/bin/python3
PLUGIN="${PJRT_CPU_PLUGIN:-$ROOT/build/pjrt/pjrt_c_api_cpu_plugin.so}"   # make xla puts it there
OUT="$ROOT/build/bench"
mkdir -p "$OUT" bin
"$PY" -c 'import torch' 2>/dev/null || { echo "bench: PyTorch is missing: apt-get install -y python3-torch" >&2; exit 1; }
go build -o bin/nmatools ./nmatools/cmd/nmatools

backends=(go)
[ -f "$PLUGIN" ] && backends+=("xla:$PLUGIN")

echo "bench: PyTorch (1 thread)" >&2
"$PY" bench/torch_bench.py > "$OUT/torch.json"
for b in "${backends[@]}"; do
  echo "bench: nmatools bench on $b" >&2
  GOMLX_BACKEND="$b" bin/nmatools bench --json > "$OUT/go-${b%%:*}.json"
done

# Sweeps: the same weights and data for both sides.
bin/nmatools prepare --out "$OUT/data.npz" >/dev/null
bin/nmatools convert checkpoints/regularized --out "$OUT/weights.npz" >/dev/null
echo "bench: PyTorch sweeps (the tutorial's loops)" >&2
"$PY" bench/torch_sweep.py --weights "$OUT/weights.npz" --data "$OUT/data.npz" --kind both --split-seed 2024 > "$OUT/torch-sweep.json"
for b in "${backends[@]}"; do
  for kind in inputs weights; do
    echo "bench: nmatools sweep $kind on $b" >&2
    t0=$EPOCHREALTIME
    GOMLX_BACKEND="$b" bin/nmatools sweep "$kind" --checkpoint "$OUT/weights.npz" --split-seed 2024 --json --quiet > "$OUT/go-sweep-$kind-${b%%:*}.json"
    t1=$EPOCHREALTIME
    echo "{\"start\": $t0, \"end\": $t1}" > "$OUT/go-sweep-$kind-${b%%:*}.time.json"
  done
done

"$PY" - "$OUT" "${backends[@]}" <<'PYEOF'
import json, os, sys
out, backends = sys.argv[1], [b.split(":")[0] for b in sys.argv[2:]]
load = lambda n: json.load(open(os.path.join(out, n)))
names = {"go": "pure Go", "xla": "XLA CPU"}
t = load("torch.json")
cpu = open('/proc/cpuinfo').read().split('model name')[1].split(':')[1].splitlines()[0].strip()
print(f"CPU: {cpu}, {os.cpu_count()} cores. Reference: {t['backend']}. nmatools: " +
      "; ".join(load(f"go-{b}.json")["backend"] for b in backends) + ".")
print()
print("| workload | PyTorch (ms) | " + " | ".join(f"{names[b]} (ms) | ratio" for b in backends) + " |")
print("|---|---|" + "---|---|" * len(backends))
for key, label in [("train_step_ms", "training step, batch 20 (regularized recipe)"),
                   ("forward_b20_ms", "trajectory, batch 20"), ("forward_b1_ms", "trajectory, batch 1")]:
    row = f"| {label} | {t[key]:.1f} |"
    for b in backends:
        g = load(f"go-{b}.json")[key]
        row += f" {g:.1f} | {g / t[key]:.2f}× |"
    print(row)
ts = load("torch-sweep.json")["seconds"]
for kind in ("inputs", "weights"):
    row = f"| sweep: {kind}, 30 repetitions × 5 levels (whole run, s) | {ts[kind]:.1f} s |"
    for b in backends:
        tt = load(f"go-sweep-{kind}-{b}.time.json")
        g = tt["end"] - tt["start"]
        row += f" {g:.1f} s | {g / ts[kind]:.2f}× |"
    print(row)
print()
print("ratio = nmatools time / PyTorch time (below 1 is faster).")
PYEOF
