#!/usr/bin/env bash
# setup-jupyter.sh (make setup): installs what the tutorial notebooks need, idempotently.
#
#   1. Jupyter: a virtual environment build/jupyter made with the `python3` on PATH
#      (3.9 or later, with its venv module), holding the pinned JupyterLab 4, nbconvert
#      and nbclient from PyPI (JUPYTER_PINS below). Reused while the pins are unchanged.
#   2. GoNB, goimports and gopls, built from go.mod's tool directives into <repo>/bin.
#   3. The GoNB kernel spec inside that environment (build/jupyter/share/jupyter/kernels/gonb,
#      bin/gonb --install by absolute path), with the environment every cell needs at compile
#      time: GOEXPERIMENT=simd (the pure-Go backend's SIMD kernels), GOMLX_NO_AUTO_INSTALL=1,
#      GOTOOLCHAIN (the Go toolchain go.mod names),
#      and <repo>/bin and Go on PATH (goimports). The user's global kernel specs are not
#      touched, and scripts/jupyter-env.sh puts this one first (JUPYTER_PATH).
#
# Network: PyPI (first run), the Go module proxy (first build) — nothing else.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=jupyter-env.sh
source "$ROOT/scripts/jupyter-env.sh"
JUPYTER_PINS="jupyterlab==4.6.6 nbconvert==7.17.2 nbclient==0.11.0"

log() { echo "setup-jupyter: $*"; }

# --- 1. Jupyter in build/jupyter ----------------------------------------------------
if [ -x "$JPY" ] && [ "$(cat "$JVENV/.pins" 2>/dev/null)" = "$JUPYTER_PINS" ] &&
   "$JPY" -c 'import jupyterlab, nbconvert, nbclient' 2>/dev/null; then
  log "Jupyter already installed in build/jupyter ($JUPYTER_PINS)"
else
  PYTHON="${PYTHON:-$(command -v python3 || true)}"
  [ -n "$PYTHON" ] || { echo "setup-jupyter: python3 is not on PATH (Python 3.9+ with venv is needed for JupyterLab)" >&2; exit 1; }
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 9))' ||
    { echo "setup-jupyter: $PYTHON is $("$PYTHON" -V 2>&1); JupyterLab 4 needs Python 3.9+ (set PYTHON=/path/to/python3)" >&2; exit 1; }
  log "creating build/jupyter with $("$PYTHON" -V 2>&1) and installing $JUPYTER_PINS from PyPI"
  rm -rf "$JVENV"
  "$PYTHON" -m venv "$JVENV" ||
    { echo "setup-jupyter: '$PYTHON -m venv' failed (on Debian: apt-get install python3-venv)" >&2; exit 1; }
  # shellcheck disable=SC2086
  "$JVENV/bin/pip" install --quiet --disable-pip-version-check $JUPYTER_PINS
  echo "$JUPYTER_PINS" > "$JVENV/.pins"
fi

# --- 2. GoNB, goimports, gopls from go.mod's tools --------------------------
command -v go >/dev/null || { echo "setup-jupyter: go is not on PATH (any Go >= 1.21 will do: it fetches $GOTOOLCHAIN, the toolchain go.mod names)" >&2; exit 1; }
mkdir -p bin
log "building bin/gonb and bin/goimports (go.mod tool directives)"
go build -o bin/gonb github.com/janpfeifer/gonb
go build -o bin/goimports golang.org/x/tools/cmd/goimports
# gopls pins its own golang.org/x/tools; inside this module the newer x/tools that
# goimports wants is selected and gopls fails to compile. Build it at go.mod's gopls
# version in a throw-away module under build/ instead.
GOPLS_VERSION="$(go list -m -f '{{.Version}}' golang.org/x/tools/gopls)"
if [ -x bin/gopls ] && [ -f build/gopls-mod/.version ] && [ "$(cat build/gopls-mod/.version)" = "$GOPLS_VERSION" ]; then
  log "bin/gopls $GOPLS_VERSION already built"
else
  log "building bin/gopls $GOPLS_VERSION (own module under build/gopls-mod)"
  rm -rf build/gopls-mod && mkdir -p build/gopls-mod
  (cd build/gopls-mod && go mod init gopls-build >/dev/null 2>&1 &&
     GOFLAGS=-mod=mod go get "golang.org/x/tools/gopls@$GOPLS_VERSION" >/dev/null 2>&1 &&
     go build -o "$ROOT/bin/gopls" golang.org/x/tools/gopls)
  echo "$GOPLS_VERSION" > build/gopls-mod/.version
fi

# --- 3. Kernel spec in build/jupyter ---------------------------------------------
export PATH="$ROOT/bin:$PATH"
JUPYTER_DATA_DIR="$JDATA" "$ROOT/bin/gonb" --install 2>&1 | grep -v "^I[0-9]" || true
KDIR="$JDATA/kernels/gonb"
GODIR="$(dirname "$(command -v go)")"
"$JPY" - "$KDIR/kernel.json" "$ROOT/bin" "$GODIR" "$GOTOOLCHAIN" <<'PYEOF'
import json, os, sys
path, repo_bin, go_dir, toolchain = sys.argv[1:5]
with open(path) as f:
    spec = json.load(f)
env = spec.get("env") or {}
env.update({
    "GOEXPERIMENT": "simd",
    "GOMLX_NO_AUTO_INSTALL": "1",
    # The toolchain go.mod names: every cell compiles against nmatools, which needs it.
    "GOTOOLCHAIN": toolchain,
    # ${PATH} is expanded by jupyter_client from the Jupyter process' environment.
    "PATH": repo_bin + ":" + go_dir + ":${PATH}",
})
spec["env"] = env
tmp = path + ".tmp"
with open(tmp, "w") as f:
    json.dump(spec, f, indent=1)
os.replace(tmp, path)
PYEOF
found="$("$JPY" -m jupyter kernelspec list --json | "$JPY" -c 'import json,sys; print(json.load(sys.stdin)["kernelspecs"]["gonb"]["resource_dir"])')"
[ "$found" = "$KDIR" ] || { echo "setup-jupyter: Jupyter picks the gonb kernel in $found, not $KDIR" >&2; exit 1; }
log "kernel spec: $KDIR/kernel.json"
log "done: $("$JPY" -m jupyterlab --version 2>/dev/null | sed 's/^/JupyterLab /'), $("$ROOT/bin/gonb" -V 2>&1 | head -1 | tr -d '\n'), $(bin/gopls version 2>/dev/null | head -1)"
