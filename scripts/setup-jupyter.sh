#!/usr/bin/env bash
# setup-jupyter.sh: installs what the tutorial notebooks need, idempotently.
#
#   1. Jupyter (Debian's jupyter-notebook, python3-nbconvert, python3-nbclient) when
#      /usr/bin/python3 cannot import notebook, nbconvert and nbclient (apt-get; needs root).
#   2. GoNB, goimports and gopls, built from go.mod's tool directives into <repo>/bin.
#   3. The GoNB kernel spec (bin/gonb --install, by absolute path), with the environment
#      every cell needs at compile time: GOEXPERIMENT=simd (the pure-Go backend's SIMD
#      kernels), GOMLX_NO_AUTO_INSTALL=1, and <repo>/bin and Go on PATH (goimports).
#
# Network: only apt, the Go module proxy (first build) — nothing else.
# Set SKIP_APT=1 to skip step 1 (e.g. in a Docker stage that installed Jupyter already).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export GOEXPERIMENT=simd GOMLX_NO_AUTO_INSTALL=1
PY=/usr/bin/python3

log() { echo "setup-jupyter: $*"; }

# --- 1. Jupyter -------------------------------------------------------------
if [ -x "$PY" ] && "$PY" -c 'import notebook, nbconvert, nbclient' 2>/dev/null; then
  log "Jupyter already installed ($("$PY" -c 'import notebook; print("notebook", notebook.__version__)'))"
elif [ "${SKIP_APT:-0}" = 1 ]; then
  echo "setup-jupyter: Jupyter is missing and SKIP_APT=1: install jupyter-notebook python3-nbconvert python3-nbclient" >&2
  exit 1
else
  if [ "$(id -u)" != 0 ]; then
    echo "setup-jupyter: Jupyter is missing; run as root, or: sudo apt-get install -y jupyter-notebook python3-nbconvert python3-nbclient" >&2
    exit 1
  fi
  log "installing Debian's jupyter-notebook, python3-nbconvert, python3-nbclient"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
    jupyter-notebook python3-nbconvert python3-nbclient >/dev/null
fi

# --- 2. GoNB, goimports, gopls from go.mod's tools --------------------------
command -v go >/dev/null || { echo "setup-jupyter: go is not on PATH (Go ${GO_WANT:-1.26.5+} is required)" >&2; exit 1; }
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

# --- 3. Kernel spec -------------------------------------------------------------
export PATH="$ROOT/bin:$PATH"
"$ROOT/bin/gonb" --install 2>&1 | grep -v "^I[0-9]" || true
KDIR="${JUPYTER_DATA_DIR:-$HOME/.local/share/jupyter}/kernels/gonb"
GODIR="$(dirname "$(command -v go)")"
"$PY" - "$KDIR/kernel.json" "$ROOT/bin" "$GODIR" <<'EOF'
import json, os, sys
path, repo_bin, go_dir = sys.argv[1:4]
with open(path) as f:
    spec = json.load(f)
env = spec.get("env") or {}
env.update({
    "GOEXPERIMENT": "simd",
    "GOMLX_NO_AUTO_INSTALL": "1",
    # ${PATH} is expanded by jupyter_client from the Jupyter process' environment.
    "PATH": repo_bin + ":" + go_dir + ":${PATH}",
})
spec["env"] = env
tmp = path + ".tmp"
with open(tmp, "w") as f:
    json.dump(spec, f, indent=1)
os.replace(tmp, path)
EOF
log "kernel spec: $KDIR/kernel.json"
log "done: $("$ROOT/bin/gonb" -V 2>&1 | head -1 | tr -d '\n'), $(bin/goimports -h 2>&1 | head -0)goimports, $(bin/gopls version 2>/dev/null | head -1)"
