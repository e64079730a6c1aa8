#!/usr/bin/env bash
# student-mistakes.sh (make test-mistakes): the test of student mistakes. For each
# notebooks/src/NAME.mistakes.json, nbgen builds one notebook per run of plausible
# mistakes (each exercise cell once per attempt, each followed by its check; the cells
# that use the exercises' functions; what every cell must print in its metadata). They
# are executed headless through real Jupyter and the GoNB kernel, as a student's
# notebook is, and `nbgen mistakes -verify` requires each mistake to be reported in its
# own exercise's cells, in its terms, and no other cell to fail or warn.
#
#   build/mistakes/NAME.RUN.ipynb               generated
#   build/mistakes/executed/NAME.RUN.ipynb      executed (open them in Jupyter to read the messages)
#
# Needs scripts/setup-jupyter.sh first (make setup).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=jupyter-env.sh
source "$ROOT/scripts/jupyter-env.sh"
export NMATOOLS_HEADLESS=1
OUT="$ROOT/build/mistakes"
TIMEOUT="${NOTEBOOK_TIMEOUT:-600}"

jupyter_ready
go build -o bin/nbgen ./nmatools/cmd/nbgen
rm -rf "$OUT"
bin/nbgen mistakes -src notebooks/src -out "$OUT"
mkdir -p "$OUT/executed"
t0=$(date +%s)
for nb in "$OUT"/*.ipynb; do
  name="$(basename "$nb" .ipynb)"
  s=$(date +%s)
  # Each run executes from a directory of its own outside the checkout: NMATOOLS_ROOT
  # leads it to the module, as for a student's copy.
  work="$(mktemp -d)"
  cp "$nb" "$work/"
  "$JPY" -m nbconvert --to notebook --execute --allow-errors \
    --ExecutePreprocessor.kernel_name=gonb --ExecutePreprocessor.timeout="$TIMEOUT" \
    --output-dir "$OUT/executed" --output "$name.ipynb" "$work/$name.ipynb" >"$OUT/executed/$name.log" 2>&1 ||
    { cat "$OUT/executed/$name.log" >&2; rm -rf "$work"; echo "student-mistakes: nbconvert failed on $nb (log above)" >&2; exit 1; }
  rm -rf "$work"
  echo "student-mistakes: $name executed in $(($(date +%s) - s)) s"
done
echo "student-mistakes: what each mistake's cells said:"
if bin/nbgen mistakes -verify "$OUT"/executed/*.ipynb; then
  echo "student-mistakes: every mistake reported in its own exercise's cells ($(($(date +%s) - t0)) s)"
else
  echo "student-mistakes: FAILED (see the nbgen mistakes lines above; the executed notebooks are in $OUT/executed)" >&2
  exit 1
fi
