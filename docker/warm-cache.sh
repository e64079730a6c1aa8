#!/usr/bin/env bash
# warm-cache.sh (image build): runs the instructor notebook up to its first figure through GoNB
# (docker/first-figure.py), so the Go build cache ($GOCACHE, /opt/go/cache in the image) holds
# nmatools, GoMLX, gonum/plot and GoNB's packages compiled exactly as a student's cells compile
# them; then removes what the run left besides that cache (the notebook's caches under build/
# and GoNB's temporary directories).
set -euo pipefail
ROOT="${NMATOOLS_ROOT:-/opt/nmatools}"
cd "$ROOT"
# shellcheck source=../scripts/jupyter-env.sh
source "$ROOT/scripts/jupyter-env.sh"
jupyter_ready
tmp="$(mktemp -d)"
cp notebooks/W1D1_Tutorial2.ipynb "$tmp/"
t0=$(date +%s)
# The kernel's own log (GoNB's, on stderr) goes to a file, shown when the run fails.
NMATOOLS_HEADLESS=1 "$JPY" docker/first-figure.py "$tmp/W1D1_Tutorial2.ipynb" 2>"$tmp/kernel.log" ||
  { tail -40 "$tmp/kernel.log" >&2; echo "warm-cache: the notebook did not reach its first figure (log above)" >&2; exit 1; }
echo "warm-cache: the first figure after $(( $(date +%s) - t0 )) s; Go build cache $(du -sh "$(go env GOCACHE)" | cut -f1)"
rm -rf "$tmp" build/cache /tmp/gonb_* "$HOME/.cache"
