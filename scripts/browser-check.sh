#!/usr/bin/env bash
# browser-check.sh (make browser-check): the tutorial in a real browser.
# Starts Jupyter Notebook with the GoNB kernel on 127.0.0.1, opens the instructor
# notebook in Debian's chromium (driven by playwright-core from npm, installed under
# build/browser-check), runs all cells from the menu (Cell > Run All), waits until every
# cell has run, checks that no cell failed and that the figures are on the page, and saves
# a screenshot to docs/screenshot.png (override with SCREENSHOT=path).
# Installs: apt chromium (needs root), npm playwright-core (pinned) — nothing else.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export NMATOOLS_ROOT="$ROOT" GOEXPERIMENT=simd GOMLX_NO_AUTO_INSTALL=1
export PATH="$ROOT/bin:$PATH"
PLAYWRIGHT_VERSION=1.65.1
NB="${NOTEBOOK:-W1D1_Tutorial2.ipynb}"
SHOT="${SCREENSHOT:-$ROOT/docs/screenshot.png}"
WORK="$ROOT/build/browser-check"
PORT="${PORT:-8917}"

[ -x bin/gonb ] || { echo "browser-check: bin/gonb missing: run make setup" >&2; exit 1; }
CHROMIUM="$(command -v chromium || true)"
if [ -z "$CHROMIUM" ]; then
  [ "$(id -u)" = 0 ] || { echo "browser-check: chromium missing: sudo apt-get install -y chromium" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 chromium >/dev/null
  CHROMIUM="$(command -v chromium)"
fi
mkdir -p "$WORK" "$(dirname "$SHOT")"
if [ ! -f "$WORK/node_modules/playwright-core/package.json" ] ||
   ! grep -q "\"version\": \"$PLAYWRIGHT_VERSION\"" "$WORK/node_modules/playwright-core/package.json"; then
  (cd "$WORK" && npm install --silent --no-audit --no-fund --prefix "$WORK" "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null)
fi

# A copy of the notebook to run, so the repository's notebook stays unexecuted.
RUNDIR="$ROOT/build/browser-check/notebooks"
mkdir -p "$RUNDIR"
cp "notebooks/$NB" "$RUNDIR/$NB"
TOKEN="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
root_flag=(); [ "$(id -u)" = 0 ] && root_flag=(--allow-root)
/usr/bin/python3 -m notebook "${root_flag[@]}" --no-browser --ip=127.0.0.1 --port="$PORT" --port-retries=0 \
  --NotebookApp.token="$TOKEN" --notebook-dir="$RUNDIR" >"$WORK/jupyter.log" 2>&1 &
JPID=$!
trap 'kill $JPID 2>/dev/null || true; wait $JPID 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fs "http://127.0.0.1:$PORT/api/status?token=$TOKEN" >/dev/null 2>&1 && break
  sleep 1
done
curl -fs "http://127.0.0.1:$PORT/api/status?token=$TOKEN" >/dev/null || { cat "$WORK/jupyter.log" >&2; echo "browser-check: Jupyter did not start" >&2; exit 1; }

PLAYWRIGHT_CORE="$WORK/node_modules/playwright-core" CHROMIUM="$CHROMIUM" \
URL="http://127.0.0.1:$PORT/notebooks/$NB?token=$TOKEN" SCREENSHOT="$SHOT" \
  node "$ROOT/scripts/browser-check/check.js"
