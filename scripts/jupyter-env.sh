# jupyter-env.sh: sourced by the Jupyter scripts (setup-jupyter, lab, run-notebooks,
# browser-check). The project's Jupyter lives in build/jupyter (made by setup-jupyter.sh);
# JUPYTER_PATH puts its GoNB kernel spec before any global one, so another clone's
# `make setup` cannot repoint this clone's kernel.
JVENV="$ROOT/build/jupyter"
JPY="$JVENV/bin/python"
JDATA="$JVENV/share/jupyter"
export JUPYTER_PATH="$JDATA${JUPYTER_PATH:+:$JUPYTER_PATH}"
# GOTOOLCHAIN: the toolchain go.mod names (the go command fetches it from the Go module proxy).
export NMATOOLS_ROOT="$ROOT" GOEXPERIMENT=simd GOMLX_NO_AUTO_INSTALL=1
export GOTOOLCHAIN="${GOTOOLCHAIN:-$(sed -n 's/^toolchain //p' "$ROOT/go.mod")}"
export PATH="$ROOT/bin:$PATH"
jupyter_ready() {
  [ -x "$ROOT/bin/gonb" ] && [ -x "$ROOT/bin/goimports" ] && [ -x "$JPY" ] &&
    [ -f "$JDATA/kernels/gonb/kernel.json" ] ||
    { echo "$(basename "$0"): Jupyter or the GoNB kernel is missing: run make setup" >&2; return 1; }
}
# export_html NOTEBOOK OUTDIR NAME: the notebook as a self-contained HTML page (template
# scripts/nbconvert/offline: no script from the network; MathJax from Debian's libjs-mathjax
# when installed).
export_html() {
  local mj=() local_mj=/usr/share/javascript/mathjax/MathJax.js
  [ -f "$local_mj" ] && mj=(--HTMLExporter.mathjax_url="file://$local_mj?config=TeX-AMS_CHTML-full,Safe")
  "$JPY" -m nbconvert --to html --TemplateExporter.extra_template_basedirs="$ROOT/scripts/nbconvert" \
    --template offline "${mj[@]}" --output-dir "$2" --output "$3" "$1"
}
# working_copies DIR: copies of the tutorial notebooks in DIR (the instructor one at
# DIR/NAME.ipynb, the student one at DIR/student/NAME.ipynb), made once from notebooks/ and
# never overwritten, so a student's saved answers survive (make lab, the container image).
working_copies() {
  local f rel
  mkdir -p "$1/student" || return 1
  for f in "$ROOT"/notebooks/*.ipynb "$ROOT"/notebooks/student/*.ipynb; do
    rel="${f#"$ROOT"/notebooks/}"
    if [ ! -e "$1/$rel" ]; then cp "$f" "$1/$rel" || return 1; echo "new working copy $1/$rel"; fi
  done
}
