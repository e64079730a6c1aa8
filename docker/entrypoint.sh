#!/usr/bin/env bash
# Entrypoint of the nmatools image (under tini), for every command: docker run, DockerSpawner,
# Zero to JupyterHub and Binder all go through it.
#   1. Working copies of the notebooks in the server root, $HOME (/home/jovyan): the instructor
#      notebook W1D1_Tutorial2.ipynb and the student one student/W1D1_Tutorial2.ipynb, copied
#      from /opt/nmatools/notebooks only when absent, so a volume mounted at $HOME keeps a
#      student's answers across containers (and an empty volume gets fresh copies).
#   2. The backend chosen at build time (build/backend.env: the CUDA variant's plugin; empty for
#      the CPU image, which finds the XLA CPU plugin by itself), unless GOMLX_BACKEND is set.
# Then it runs the command (default docker/start.sh: JupyterLab or jupyterhub-singleuser).
set -euo pipefail
ROOT="${NMATOOLS_ROOT:-/opt/nmatools}"
# shellcheck source=../scripts/jupyter-env.sh
source "$ROOT/scripts/jupyter-env.sh"
if ! working_copies "$HOME" >/dev/null; then
  echo "nmatools: cannot write the notebooks into $HOME (uid $(id -u)): mount a volume there that uid $(id -u) can write" \
       "(a named volume, e.g. -v nmatools-work:$HOME, is set up right by Docker)" >&2
  exit 1
fi
if [ -s "$ROOT/build/backend.env" ] && [ -z "${GOMLX_BACKEND:-}" ]; then
  set -a; . "$ROOT/build/backend.env"; set +a
fi
cd "$HOME"
exec "$@"
