#!/usr/bin/env bash
# lab.sh (make lab): Jupyter Notebook with the GoNB kernel on the tutorial notebooks.
# Open the URL it prints (with its token). PORT (default 8888) and IP (default 127.0.0.1)
# may be set; in a container use IP=0.0.0.0 and publish the port.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export NMATOOLS_ROOT="$ROOT" GOEXPERIMENT=simd GOMLX_NO_AUTO_INSTALL=1
export PATH="$ROOT/bin:$PATH"
[ -x "$ROOT/bin/gonb" ] || { echo "lab: bin/gonb missing: run make setup" >&2; exit 1; }
# Jupyter saves into the files it serves: serve working copies in work/ (git-ignored), made
# once from notebooks/ and never overwritten, so `make notebooks` or a git pull can't touch a
# student's answers and notebooks/ stays what its source generates.
WORK="$ROOT/work"
mkdir -p "$WORK/student"
for f in "$ROOT"/notebooks/*.ipynb "$ROOT"/notebooks/student/*.ipynb; do
  rel="${f#"$ROOT"/notebooks/}"
  if [ ! -e "$WORK/$rel" ]; then cp "$f" "$WORK/$rel"; echo "lab: new working copy work/$rel"; fi
done
echo "lab: notebooks in $WORK (instructor) and $WORK/student: your copies, never overwritten (delete one to get a fresh copy); kernel: Go (gonb)"
root_flag=(); [ "$(id -u)" = 0 ] && root_flag=(--allow-root)
exec /usr/bin/python3 -m notebook "${root_flag[@]}" --no-browser --ip="${IP:-127.0.0.1}" --port="${PORT:-8888}" \
  --notebook-dir="$WORK" ${LAB_ARGS:-}
