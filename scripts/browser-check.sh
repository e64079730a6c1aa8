#!/usr/bin/env bash
# browser-check.sh (make browser-check): the tutorial in a real browser, as a person uses it.
# Starts JupyterLab (build/jupyter, made by make setup) with the GoNB kernel on 127.0.0.1,
# opens a fresh copy of the instructor notebook in Debian's chromium (driven by
# playwright-core from npm, installed under build/browser-check), runs all cells from the
# menu (Run > Run All Cells), requires no failed cell, drags every slider of the
# interactive cell with the mouse and requires its figures (bars and example trajectories)
# to show the new value, presses "Stop exploring" and requires the sliders to be disabled,
# waits for the remaining cells, saves the notebook; then reruns the interactive cell with a
# 10 s idle timeout (GoNB's %env NMATOOLS_EXPLORE_IDLE in a new cell) and once more to
# interrupt it (Kernel > Interrupt Kernel), requiring the sliders disabled with the note each
# time; and checks the saved file with nbgen verify.
# Writes build/browser-check/slider-before.png and slider-after.png (the interactive cell
# before and after a slider move) and screenshot.png (Activity 2.1), never a tracked file;
# SHOT_BEFORE, SHOT_AFTER and SCREENSHOT name other files (`make docs` refreshes the
# committed ones in docs/). Installs: apt chromium (needs root), npm playwright-core (pinned).
# BROWSER_CHECK_SERVER=URL (with BROWSER_CHECK_TOKEN) checks an already-running JupyterLab
# instead (e.g. one served from the container image) that serves a fresh working copy of the
# notebook at its root: no server is started, and the notebook the check saved is fetched
# through the server's contents API and verified.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=jupyter-env.sh
source "$ROOT/scripts/jupyter-env.sh"
jupyter_ready
PLAYWRIGHT_VERSION=1.65.1
NB="${NOTEBOOK:-W1D1_Tutorial2.ipynb}"
WORK="$ROOT/build/browser-check"
PORT="${BROWSER_CHECK_PORT:-8917}"

# Debian's chromium, node and npm (apt, as root) when missing.
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "browser-check: ${need[*]} missing: sudo apt-get install -y ${need[*]}" >&2; exit 1; }
  echo "browser-check: installing ${need[*]} (apt)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${need[@]}" >/dev/null
fi
CHROMIUM="$(command -v chromium)"
mkdir -p "$WORK"
if [ ! -f "$WORK/node_modules/playwright-core/package.json" ] ||
   ! grep -q "\"version\": \"$PLAYWRIGHT_VERSION\"" "$WORK/node_modules/playwright-core/package.json"; then
  (cd "$WORK" && npm install --silent --no-audit --no-fund --prefix "$WORK" "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null)
fi

RUNDIR="$WORK/notebooks"
SERVER="${BROWSER_CHECK_SERVER:-}"
if [ -n "$SERVER" ]; then
  TOKEN="${BROWSER_CHECK_TOKEN:?BROWSER_CHECK_SERVER needs BROWSER_CHECK_TOKEN}"
  SERVER="${SERVER%/}"
  curl -fs "$SERVER/api/status?token=$TOKEN" >/dev/null || { echo "browser-check: no JupyterLab answers at $SERVER with that token" >&2; exit 1; }
else
# A fresh copy of the notebook to run (the repository's stays unexecuted), its own JupyterLab
# settings (every cell rendered, no news or update pop-ups) and workspace.
rm -rf "$RUNDIR" "$WORK/lab-settings" "$WORK/lab-workspaces"
mkdir -p "$RUNDIR" "$WORK/lab-settings/@jupyterlab/notebook-extension" "$WORK/lab-settings/@jupyterlab/apputils-extension" "$WORK/lab-workspaces"
cp "notebooks/$NB" "$RUNDIR/$NB"
echo '{"windowingMode": "none"}' > "$WORK/lab-settings/@jupyterlab/notebook-extension/tracker.jupyterlab-settings"
echo '{"fetchNews": "false", "checkForUpdates": false}' > "$WORK/lab-settings/@jupyterlab/apputils-extension/notification.jupyterlab-settings"
# The exploration's settings are computed afresh (a new setting must redraw within seconds).
rm -rf "$ROOT/build/cache/explore"
TOKEN="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
root_flag=(); [ "$(id -u)" = 0 ] && root_flag=(--allow-root)
JUPYTERLAB_SETTINGS_DIR="$WORK/lab-settings" JUPYTERLAB_WORKSPACES_DIR="$WORK/lab-workspaces" \
  "$JPY" -m jupyterlab "${root_flag[@]}" --no-browser --ip=127.0.0.1 --port="$PORT" --port-retries=0 \
  --IdentityProvider.token="$TOKEN" --ServerApp.root_dir="$RUNDIR" >"$WORK/jupyter.log" 2>&1 &
JPID=$!
trap 'kill $JPID 2>/dev/null || true; wait $JPID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$PORT/api/status?token=$TOKEN" >/dev/null 2>&1 && break
  kill -0 $JPID 2>/dev/null || break
  sleep 1
done
curl -fs "http://127.0.0.1:$PORT/api/status?token=$TOKEN" >/dev/null || { cat "$WORK/jupyter.log" >&2; echo "browser-check: JupyterLab did not start" >&2; exit 1; }
SERVER="http://127.0.0.1:$PORT"
fi

PLAYWRIGHT_CORE="$WORK/node_modules/playwright-core" CHROMIUM="$CHROMIUM" \
URL="$SERVER/lab/tree/$NB?token=$TOKEN" \
SCREENSHOT="${SCREENSHOT:-$WORK/screenshot.png}" \
SHOT_BEFORE="${SHOT_BEFORE:-$WORK/slider-before.png}" SHOT_AFTER="${SHOT_AFTER:-$WORK/slider-after.png}" \
  node "$ROOT/scripts/browser-check/check.js"

# The notebook as JupyterLab saved it: every cell ran, none failed, the figures are stored.
if [ -n "${BROWSER_CHECK_SERVER:-}" ]; then
  mkdir -p "$RUNDIR"
  curl -fsS "$SERVER/api/contents/$NB?content=1&type=notebook&token=$TOKEN" |
    "$JPY" -c 'import json, sys; json.dump(json.load(sys.stdin)["content"], open(sys.argv[1], "w"))' "$RUNDIR/$NB"
fi
go build -o bin/nbgen ./nmatools/cmd/nbgen
export_html "$RUNDIR/$NB" "$WORK" "${NB%.ipynb}.html" >/dev/null 2>&1
bin/nbgen verify "$RUNDIR/$NB" "$WORK/${NB%.ipynb}.html"
lab="JupyterLab $("$JPY" -m jupyterlab --version)"; [ -n "${BROWSER_CHECK_SERVER:-}" ] && lab="the JupyterLab at $SERVER"
echo "browser-check: passed ($lab, chromium $("$CHROMIUM" --version 2>/dev/null | awk '{print $2}'))"
