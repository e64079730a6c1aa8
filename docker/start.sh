#!/usr/bin/env bash
# Default command of the nmatools image. Under a JupyterHub (DockerSpawner, Zero to JupyterHub,
# Binder: the hub sets JUPYTERHUB_API_TOKEN) it runs jupyterhub-singleuser; otherwise JupyterLab
# on 0.0.0.0:$JUPYTER_PORT (default 8888) with the token $JUPYTER_TOKEN (Jupyter makes one up and
# prints the URL when it is unset). The server root is $HOME; extra arguments go to the server.
set -euo pipefail
if [ -n "${JUPYTERHUB_API_TOKEN:-}" ]; then
  exec jupyterhub-singleuser --ServerApp.root_dir="$HOME" "$@"
fi
exec jupyter lab --no-browser --ip="${JUPYTER_IP:-0.0.0.0}" --port="${JUPYTER_PORT:-8888}" --port-retries=0 \
  --ServerApp.root_dir="$HOME" "$@"
