#!/usr/bin/env bash
# lab.sh (make lab): JupyterLab 4 (build/jupyter, made by make setup) with the GoNB kernel
# on working copies of the tutorial notebooks. Open the URL it prints (with its token).
# PORT (default 8888), IP (default 127.0.0.1) and JUPYTER_TOKEN (default: a random token,
# printed in the URL) may be set; in a container use IP=0.0.0.0 and publish the port.
# LAB_ARGS adds JupyterLab options.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=jupyter-env.sh
source "$ROOT/scripts/jupyter-env.sh"
jupyter_ready
# Jupyter saves into the files it serves: serve working copies in work/ (git-ignored), made
# once from notebooks/ and never overwritten, so `make notebooks` or a git pull can't touch a
# student's answers and notebooks/ stays what its source generates.
WORK="$ROOT/work"
working_copies "$WORK" | sed 's/^/lab: /'
echo "lab: JupyterLab $("$JPY" -m jupyterlab --version) on $WORK: W1D1_Tutorial2.ipynb (instructor) and student/W1D1_Tutorial2.ipynb,"
echo "lab: your copies, never overwritten (delete one to get a fresh copy); kernel: Go (gonb)"
root_flag=(); [ "$(id -u)" = 0 ] && root_flag=(--allow-root)
# JUPYTER_TOKEN is read by Jupyter Server itself when set.
# shellcheck disable=SC2086
exec "$JPY" -m jupyterlab "${root_flag[@]}" --no-browser --ip="${IP:-127.0.0.1}" --port="${PORT:-8888}" \
  --ServerApp.root_dir="$WORK" ${LAB_ARGS:-}
