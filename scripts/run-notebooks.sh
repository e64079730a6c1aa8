#!/usr/bin/env bash
# run-notebooks.sh: executes every tutorial notebook headless through real Jupyter
# (nbconvert + the GoNB kernel), exports each to HTML, and verifies the results:
#
#   build/notebooks/NAME.ipynb, NAME.html                   instructor notebooks
#   build/notebooks/student/NAME.ipynb, NAME.html           student notebooks
#
# Instructor notebooks must run without a single failed cell, with every figure stored
# (image/svg+xml or image/png). Student notebooks may fail only with the "Student
# exercise: …" stops of their blanks, and every exercise check must stop that way.
# HTML pages must not load any script from the network.
#
# Needs scripts/setup-jupyter.sh first (make setup). Usage: scripts/run-notebooks.sh [NAME.ipynb...]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=jupyter-env.sh
source "$ROOT/scripts/jupyter-env.sh"
export NMATOOLS_HEADLESS=1
PY="$JPY"   # build/jupyter's nbconvert and nbclient
OUT="$ROOT/build/notebooks"
TIMEOUT="${NOTEBOOK_TIMEOUT:-600}"
VARIANTS="${VARIANTS:-instructor student}"   # which notebooks to run

jupyter_ready
go build -o bin/nbgen ./nmatools/cmd/nbgen
# The notebooks in the repository must be what their sources generate, and both variants
# must type-check as GoNB will compile them (seconds, before minutes of execution).
bin/nbgen -src notebooks/src -out notebooks -check -typecheck build/nbcheck >/dev/null

if [ $# -gt 0 ]; then names=("$@"); else names=(); for f in notebooks/*.ipynb; do names+=("$(basename "$f")"); done; fi
mkdir -p "$OUT/student"
# Section 4 keeps its sweep results in GoNB's cache between cells (cachedSweep), and the
# exploration its settings in build/cache/explore: start empty,
# so every run computes them with the code as it is now.
rm -rf "$ROOT/build/cache/sweeps" "$ROOT/build/cache/explore"

# execute IN OUTDIR: runs one notebook (its kernel starts in the notebook's own directory;
# the repository is $NMATOOLS_ROOT, else found by walking up from there) and exports HTML.
execute() {
  local in="$1" outdir="$2" name t0 t1
  name="$(basename "$in" .ipynb)"
  t0=$(date +%s)
  "$PY" -m nbconvert --to notebook --execute --allow-errors \
    --ExecutePreprocessor.kernel_name=gonb --ExecutePreprocessor.timeout="$TIMEOUT" \
    --output-dir "$outdir" --output "$name.ipynb" "$in" >"$outdir/$name.log" 2>&1 ||
    { cat "$outdir/$name.log" >&2; echo "run-notebooks: nbconvert failed on $in (log above)" >&2; return 1; }
  t1=$(date +%s)
  export_html "$outdir/$name.ipynb" "$outdir" "$name.html" >>"$outdir/$name.log" 2>&1
  echo "run-notebooks: $in executed in $((t1 - t0)) s"
}

status=0
for n in "${names[@]}"; do
  base="${n%.ipynb}"
  if [[ " $VARIANTS " == *" instructor "* ]]; then
    execute "notebooks/$n" "$OUT"
    bin/nbgen verify "$OUT/$base.ipynb" "$OUT/$base.html" || status=1
  fi
  if [[ " $VARIANTS " == *" student "* ]]; then
    # The student notebook runs from a copy outside the checkout: NMATOOLS_ROOT alone must
    # lead it to the module, the data and the pretrained networks.
    outside="$(mktemp -d)"
    cp "notebooks/student/$n" "$outside/$n"
    execute "$outside/$n" "$OUT/student"
    rm -rf "$outside"
    bin/nbgen verify -student "$OUT/student/$base.ipynb" "$OUT/student/$base.html" || status=1
  fi
done

# Without NMATOOLS_ROOT, a copy outside the checkout must say how to set it (its first cell).
outside="$(mktemp -d)"
"$PY" - "notebooks/${names[0]}" "$outside/first.ipynb" <<'EOF'
import sys, nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
nb.cells = [next(c for c in nb.cells if c.cell_type == "code")]
nbformat.write(nb, sys.argv[2])
EOF
env -u NMATOOLS_ROOT "$PY" -m nbconvert --to notebook --execute --allow-errors --ExecutePreprocessor.kernel_name=gonb \
  --output-dir "$outside" --output out.ipynb "$outside/first.ipynb" >/dev/null 2>&1 || true
if grep -q 'nmatools not found' "$outside/out.ipynb" && grep -q 'export NMATOOLS_ROOT=' "$outside/out.ipynb"; then
  echo "run-notebooks: a notebook outside the checkout without NMATOOLS_ROOT says how to set it"
else
  echo "run-notebooks: FAILED: the first cell of a notebook outside the checkout, without NMATOOLS_ROOT, does not say how to set it" >&2
  status=1
fi
rm -rf "$outside"

echo
echo "Executed notebooks (open the .html in a browser, or the .ipynb in Jupyter):"
for n in "${names[@]}"; do
  base="${n%.ipynb}"
  echo "  instructor: $OUT/$base.ipynb  $OUT/$base.html"
  echo "  student:    $OUT/student/$base.ipynb  $OUT/student/$base.html"
done
if [ $status -ne 0 ]; then
  echo "run-notebooks: FAILED (see the nbgen verify lines above)" >&2
fi
exit $status
