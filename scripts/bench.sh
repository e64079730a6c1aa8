#!/usr/bin/env bash
# bench.sh (`make bench`): nmatools against the PyTorch reference, side by side, in one run.
#
#   1. `nmatools bench --json` on the pure-Go backend, and on XLA CPU when build/pjrt holds
#      the plugin (`make xla`), against bench/torch_bench.py (PyTorch, 1 thread): one training
#      step of the regularized recipe and one trajectory at batch 20 and at batch 1.
#   2. The two robustness sweeps of Section 4 on checkpoints/regularized (30 repetitions, the
#      split it was trained on), whole command wall time, against the tutorial's PyTorch loops
#      (bench/torch_sweep.py, 1 thread). The whole time is split into start-up + compile (the
#      wall time of the same command with one repetition at one level: process start, backend
#      and data loading, graph building and compilation, and a negligible run) and the run
#      (the rest).
#
# ROUNDS rounds (default 3) run one after another, each timing PyTorch and then nmatools,
# so that both sides of a ratio see the same state of the machine (PyTorch's own times
# moved 1.5-2x between runs on an idle machine here). The table gives the median time of
# each cell and the median of the per-round ratios, with their range; the goals are read
# from the median ratios.
#
# It prints the machine (CPU, cores, SIMD level from /proc/cpuinfo, load average at the start:
# only ratios measured in one run on an idle machine compare) and whether the goals hold.
# On XLA CPU the sweeps are timed with the compilation cache of `make xla` (a bench-only cache
# directory, filled before the first round) and without it (every process compiles: a first run).
#
# Needs Debian's python3-torch (apt-get install python3-torch). Prints a Markdown table; the
# raw JSON lines go to build/bench/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export GOEXPERIMENT=simd GOMLX_NO_AUTO_INSTALL=1
export GOTOOLCHAIN="${GOTOOLCHAIN:-$(sed -n 's/^toolchain //p' go.mod)}"
PY=/usr/bin/python3
PLUGIN="${PJRT_CPU_PLUGIN:-$ROOT/build/pjrt/pjrt_c_api_cpu_plugin.so}"   # make xla puts it there
OUT="$ROOT/build/bench"
ROUNDS="${ROUNDS:-3}"
LOAD_AVG="$(cut -d' ' -f1-3 /proc/loadavg)"
case "$ROUNDS" in ''|*[!0-9]*|0) echo "bench: ROUNDS must be a positive number, got '$ROUNDS'" >&2; exit 2 ;; esac
rm -rf "$OUT"
mkdir -p "$OUT" bin
"$PY" -c 'import torch' 2>/dev/null || { echo "bench: PyTorch is missing: apt-get install -y python3-torch" >&2; exit 1; }
go build -o bin/nmatools ./nmatools/cmd/nmatools

backends=(go)
[ -f "$PLUGIN" ] && backends+=("xla:$PLUGIN")

# Sweeps: the same weights and data for both sides.
bin/nmatools prepare --out "$OUT/data.npz" >/dev/null
bin/nmatools convert checkpoints/regularized --out "$OUT/weights.npz" >/dev/null

# The compilation cache the warm XLA runs use, filled here (untimed) with the executables of
# both sweeps and of their start-up runs.
for b in "${backends[@]}"; do
  [[ "$b" == xla:* ]] || continue
  for kind in inputs weights; do
    for extra in "" "--repeats 1 --levels 0.1"; do
      # shellcheck disable=SC2086
      NMATOOLS_XLA_CACHE="$OUT/xla-cache" GOMLX_BACKEND="$b" bin/nmatools sweep "$kind" --checkpoint "$OUT/weights.npz" \
        --split-seed 2024 --json --quiet $extra > /dev/null
    done
  done
done

for r in $(seq 1 "$ROUNDS"); do
  echo "bench: round $r of $ROUNDS: PyTorch (1 thread)" >&2
  "$PY" bench/torch_bench.py > "$OUT/torch-$r.json"
  for b in "${backends[@]}"; do
    echo "bench: round $r: nmatools bench on $b" >&2
    GOMLX_BACKEND="$b" bin/nmatools bench --json > "$OUT/go-${b%%:*}-$r.json"
  done
  echo "bench: round $r: PyTorch sweeps (the tutorial's loops)" >&2
  "$PY" bench/torch_sweep.py --weights "$OUT/weights.npz" --data "$OUT/data.npz" --kind both --split-seed 2024 > "$OUT/torch-sweep-$r.json"
  for b in "${backends[@]}"; do
    # On XLA the sweeps run twice: as they run on a machine that ran them before (the
    # compilation cache of `make xla` holds their executables) and as a first run
    # (NMATOOLS_XLA_CACHE=off: every process compiles).
    variants=(warm)
    [[ "$b" == xla:* ]] && variants+=(cold)
    for v in "${variants[@]}"; do
      cache="$OUT/xla-cache"
      [[ "$v" == cold ]] && cache=off
      tag="${b%%:*}"
      [[ "$v" == cold ]] && tag="$tag-cold"
      for kind in inputs weights; do
        echo "bench: round $r: nmatools sweep $kind on $b ($v)" >&2
        sweep=(bin/nmatools sweep "$kind" --checkpoint "$OUT/weights.npz" --split-seed 2024 --json --quiet)
        t0=$EPOCHREALTIME
        NMATOOLS_XLA_CACHE="$cache" GOMLX_BACKEND="$b" "${sweep[@]}" > "$OUT/go-sweep-$kind-$tag-$r.json"
        t1=$EPOCHREALTIME
        NMATOOLS_XLA_CACHE="$cache" GOMLX_BACKEND="$b" "${sweep[@]}" --repeats 1 --levels 0.1 > /dev/null   # start-up + compile
        t2=$EPOCHREALTIME
        echo "{\"start\": $t0, \"end\": $t1, \"startup\": $(awk "BEGIN { print $t2 - $t1 }")}" > "$OUT/go-sweep-$kind-$tag-$r.time.json"
      done
    done
  done
done

"$PY" - "$OUT" "$ROUNDS" "$LOAD_AVG" "${backends[@]}" <<'PYEOF'
import json, os, statistics, sys
out, rounds, load_avg = sys.argv[1], int(sys.argv[2]), sys.argv[3]
backends = [b.split(":")[0] for b in sys.argv[4:]]
load = lambda n: json.load(open(os.path.join(out, n)))
names = {"go": "pure Go", "xla": "XLA CPU", "xla-cold": "XLA CPU, no compilation cache"}
R = range(1, rounds + 1)
med = statistics.median
info = open('/proc/cpuinfo').read()
cpu = info.split('model name')[1].split(':')[1].splitlines()[0].strip()
flags = set(info.split('\nflags')[1].split(':')[1].splitlines()[0].split())
simd = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "no AVX2"
mem = int(open('/proc/meminfo').read().split('MemTotal:')[1].split()[0]) / 2**20
print(f"Machine: {cpu}, {os.cpu_count()} cores, {simd}, {mem:.0f} GiB; load average at the start: {load_avg}; "
      f"{rounds} round(s), PyTorch then nmatools in each.")
print(f"Reference: {load('torch-1.json')['backend']}. nmatools: " + "; ".join(load(f"go-{b}-1.json")["backend"] for b in backends) + ".")
print()
cols = backends + (["xla-cold"] if "xla" in backends else [])
print("| workload | PyTorch | " + " | ".join(f"{names[b]} | ratio (range)" for b in cols) + " |")
print("|---|---|" + "---|---|" * len(cols))
span = lambda rs: f"{med(rs):.2f}× ({min(rs):.2f}–{max(rs):.2f})" if len(rs) > 1 else f"{rs[0]:.2f}×"
ratios = {}
for key, label in [("train_step_ms", "training step, batch 20 (regularized recipe), ms"),
                   ("forward_b20_ms", "trajectory, batch 20, ms"), ("forward_b1_ms", "trajectory, batch 1, ms")]:
    t = [load(f"torch-{r}.json")[key] for r in R]
    row = f"| {label} | {med(t):.1f} |"
    for b in backends:
        g = [load(f"go-{b}-{r}.json")[key] for r in R]
        rs = [gi / ti for gi, ti in zip(g, t)]
        ratios[key, b] = med(rs)
        row += f" {med(g):.1f} | {span(rs)} |"
    row += " — | — |" * (len(cols) - len(backends))
    print(row)
for kind in ("inputs", "weights"):
    t = [load(f"torch-sweep-{r}.json")["seconds"][kind] for r in R]
    row = f"| sweep {kind}, 30 repetitions × 5 levels, whole run (start-up + compile / run), s | {med(t):.2f} |"
    for b in cols:
        tt = [load(f"go-sweep-{kind}-{b}-{r}.time.json") for r in R]
        g = [x["end"] - x["start"] for x in tt]
        st = [x["startup"] for x in tt]
        rs = [gi / ti for gi, ti in zip(g, t)]
        ratios[kind, b] = med(rs)
        row += f" {med(g):.2f} ({med(st):.2f} / {med(g) - med(st):.2f}) | {span(rs)} |"
    print(row)
print()
print("Times are medians over the rounds; ratio = nmatools time / PyTorch time in the same round (below 1 is faster), "
      "median over the rounds (min–max); PyTorch's sweep time is its loops' wall time.")
goals = [("training step, pure Go", ("train_step_ms", "go"), 0.7), ("trajectory b20, pure Go", ("forward_b20_ms", "go"), 0.7),
         ("sweep inputs, pure Go", ("inputs", "go"), 0.2), ("sweep weights, pure Go", ("weights", "go"), 0.2),
         ("training step, XLA CPU", ("train_step_ms", "xla"), 0.25),
         ("sweep inputs, XLA CPU", ("inputs", "xla"), 0.1), ("sweep weights, XLA CPU", ("weights", "xla"), 0.1),
         ("sweep inputs, XLA CPU first run", ("inputs", "xla-cold"), 0.1),
         ("sweep weights, XLA CPU first run", ("weights", "xla-cold"), 0.1)]
print("Goals (median ratios): " + "; ".join(
    f"{name} ≤ {lim}×: " + (("holds" if ratios[k] <= lim else "misses") + f" ({ratios[k]:.2f}×)" if k in ratios else "not run")
    for name, k, lim in goals) + ".")
PYEOF
