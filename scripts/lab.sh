#!/usr/bin/env bash
# lab.sh (make lab): Jupyter Notebook with the GoNB kernel on the tutorial notebooks.
# Open the URL it prints (with its token). PORT (default 8888) and IP (default 127.0.0.1)
# may be set; in a container use IP=0.0.0.0 and publish the port.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export NMATOOLS_ROOT="$ROOT" GOEXPERIMENT=simd GOMLX_NO_AUTO_INSTALL=1
export PATH="$ROOT/bin:$PATH"
[ -x "$ROOT/bin/gonb" ] || { echo "lab: bin/gonb missing: run make setup" >&2; exit 1; }
echo "lab: notebooks in $ROOT/notebooks (instructor) and $ROOT/notebooks/student; kernel: Go (gonb)"
root_flag=(); [ "$(id -u)" = 0 ] && root_flag=(--allow-root)
exec /usr/bin/python3 -m notebook "${root_flag[@]}" --no-browser --ip="${IP:-127.0.0.1}" --port="${PORT:-8888}" \
  --notebook-dir="$ROOT/notebooks" ${LAB_ARGS:-}
