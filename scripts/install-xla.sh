#!/usr/bin/env bash
# Installs the XLA PJRT CPU plugin into build/pjrt/ of the repository (`make xla`).
# nmatools' backend package finds build/pjrt/pjrt_c_api_cpu_plugin.so there and uses XLA CPU
# instead of the pure-Go backend (check with `nmatools backend`).
#
# Two files:
#   build/pjrt/real/pjrt_c_api_cpu_plugin.so  XLA's CPU plugin, from PyPI (below);
#   build/pjrt/pjrt_c_api_cpu_plugin.so       the compilation cache (nmatools/backend/xlacache),
#       a small PJRT plugin built here with the C compiler that wraps the real one and keeps
#       compiled executables on disk, so that a new process (a notebook cell, a command) loads
#       what an earlier one compiled instead of compiling it again. It needs cc and the PJRT C
#       API header of go-xla (from the Go module cache); without them it is a symbolic link
#       to the real plugin, and every process compiles its graphs itself.
#
# The plugin comes from the PyPI wheel lammps-jax-pjrt-cpu==0.11.2 (XLA's CPU plugin
# built from jaxlib 0.11.2, PJRT C API 0.115), downloaded with pip into a private venv and
# checked against a pinned SHA-256. The alternative wheel xla-cpu-pjrt==0.0.1 also loads,
# but speaks the older PJRT C API 0.81 (go-xla v0.4.1's headers are 0.104) and its file
# (xla_cpu_pjrt.so) is not named as go-xla searches, so it is not used.
#
# Idempotent: does nothing when the plugin is already installed. When PyPI cannot be
# reached it says so and exits 0: the pure-Go backend always works.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/build/pjrt"
PLUGIN="$DEST/pjrt_c_api_cpu_plugin.so"
REAL="$DEST/real/pjrt_c_api_cpu_plugin.so"
WRAPPER_SRC="$ROOT/nmatools/backend/xlacache/xlacache.c"
WHEEL_NAME="lammps-jax-pjrt-cpu"
WHEEL_VERSION="0.11.2"
WHEEL_FILE="lammps_jax_pjrt_cpu-0.11.2-py3-none-manylinux_2_27_x86_64.whl"
WHEEL_SHA256="1319390d948b39f69f7dade496b7c385149d9ca6097a6b62114da113216d9ad1"
SO_IN_WHEEL="lammps_jax_pjrt_cpu/pjrt_c_api_cpu_plugin.so"
STAMP="$DEST/.installed-$WHEEL_NAME-$WHEEL_VERSION"

# install_wrapper puts the compilation cache in front of the real plugin, or, where the cache
# cannot be built, a symbolic link to the real plugin. Idempotent: a stamp records what the
# wrapper was built from (its source, the PJRT header, the compiler, the wheel), so that a
# change of any of them builds it again, and a new wrapper file makes the backend test-load
# the plugin again (its verdict is kept per file size and time).
install_wrapper() {
  local want have header cc tmp
  cc="${CC:-cc}"
  header=""
  if command -v go >/dev/null 2>&1; then
    header="$(cd "$ROOT" && go list -m -f '{{.Dir}}' github.com/gomlx/go-xla 2>/dev/null || true)/pjrt"
  fi
  want="$( { cat "$WRAPPER_SRC" "$header/pjrt_c_api.h" 2>/dev/null; command -v "$cc"; "$cc" --version 2>/dev/null | head -n 1;
            echo "$WHEEL_NAME $WHEEL_VERSION"; } | sha256sum | cut -d' ' -f1)"
  have="$(cat "$DEST/.wrapper" 2>/dev/null || true)"
  if [[ -f "$PLUGIN" && ! -L "$PLUGIN" && "$have" == "$want" ]]; then
    echo "install-xla: $PLUGIN: the compilation cache in front of real/ is up to date."
    return 0
  fi
  tmp="$(mktemp "$DEST/.tmp-wrapper-XXXXXX")"
  if command -v "$cc" >/dev/null 2>&1 && [[ -f "$header/pjrt_c_api.h" ]] &&
     "$cc" -O2 -Wall -shared -fPIC -I"$header" -o "$tmp" "$WRAPPER_SRC" -ldl -lpthread 2>"$DEST/wrapper.log"; then
    chmod 0755 "$tmp"
    mv -f "$tmp" "$PLUGIN"
    echo "$want" > "$DEST/.wrapper"
    echo "install-xla: built $PLUGIN (compilation cache, wrapping real/pjrt_c_api_cpu_plugin.so)."
  else
    rm -f "$tmp" "$DEST/.wrapper"
    ln -sfn "real/$(basename "$REAL")" "$tmp.so" && mv -f "$tmp.so" "$PLUGIN"
    echo "install-xla: no compilation cache (needs $cc and go-xla's pjrt_c_api.h; see $DEST/wrapper.log):"
    echo "install-xla: $PLUGIN links to the plain plugin; every process compiles its XLA graphs itself."
  fi
}

if [[ -f "$REAL" && -f "$STAMP" ]]; then
  echo "install-xla: $REAL is already installed ($WHEEL_NAME $WHEEL_VERSION)."
  install_wrapper
  exit 0
fi
if [[ "$(uname -s)/$(uname -m)" != "Linux/x86_64" ]]; then
  echo "install-xla: the pinned wheel is for Linux x86_64 only (this is $(uname -s)/$(uname -m)); keeping the pure-Go backend."
  exit 0
fi

PY="${PYTHON:-python3}"
if ! command -v "$PY" >/dev/null 2>&1; then
  echo "install-xla: $PY not found; cannot fetch the plugin. The pure-Go backend will be used."
  exit 0
fi

WORK="$ROOT/build/.pjrt-download"
VENV="$WORK/venv"
mkdir -p "$WORK" "$DEST/real"
if [[ ! -x "$VENV/bin/pip" ]]; then
  if ! "$PY" -m venv "$VENV" >/dev/null 2>&1; then
    echo "install-xla: '$PY -m venv' failed (python3-venv missing?); the pure-Go backend will be used."
    exit 0
  fi
fi

if [[ ! -f "$WORK/$WHEEL_FILE" ]]; then
  echo "install-xla: downloading $WHEEL_NAME==$WHEEL_VERSION from PyPI (~63 MB)..."
  if ! "$VENV/bin/pip" download --quiet --no-deps --only-binary=:all: \
        --platform manylinux_2_27_x86_64 --python-version 3 --implementation py \
        -d "$WORK" "$WHEEL_NAME==$WHEEL_VERSION" 2>"$WORK/pip.log"; then
    echo "install-xla: PyPI could not be reached or refused the download (see $WORK/pip.log):"
    tail -n 3 "$WORK/pip.log" | sed 's/^/  /'
    echo "install-xla: skipped; the pure-Go backend will be used."
    exit 0
  fi
fi

got="$(sha256sum "$WORK/$WHEEL_FILE" | cut -d' ' -f1)"
if [[ "$got" != "$WHEEL_SHA256" ]]; then
  echo "install-xla: $WHEEL_FILE has SHA-256 $got, expected $WHEEL_SHA256; removing it." >&2
  rm -f "$WORK/$WHEEL_FILE"
  exit 1
fi

tmp="$(mktemp "$DEST/.tmp-plugin-XXXXXX")"
trap 'rm -f "$tmp"' EXIT
"$VENV/bin/python" - "$WORK/$WHEEL_FILE" "$SO_IN_WHEEL" "$tmp" <<'PYEOF'
import shutil, sys, zipfile
wheel, member, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst)
PYEOF
chmod 0755 "$tmp"
mv -f "$tmp" "$REAL"
trap - EXIT
touch "$STAMP"
rm -rf "$VENV"
echo "install-xla: installed $REAL ($WHEEL_NAME $WHEEL_VERSION, PJRT C API 0.115)."
install_wrapper
echo "install-xla: nmatools now picks XLA CPU automatically; force one with GOMLX_BACKEND=go or GOMLX_BACKEND=xla:$PLUGIN."
