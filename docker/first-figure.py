"""first-figure.py NOTEBOOK: runs the code cells of NOTEBOOK in order through the GoNB kernel
(nbclient, as nbconvert does) and stops after the first cell that shows a figure (an image/svg+xml
or image/png output). Prints one JSON line: seconds from the kernel's start to that figure, the
kernel's start-up, and each cell's time. A failed cell (an error output, a GoNB compile error, or
"exit status N" on stderr) or no figure at all is an error (exit status 1).

The image build runs it to warm the Go build cache (docker/warm-cache.sh); make docker-check runs it
to time a student's first figure with the shipped cache and with an empty one."""
import json
import os
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def failure(outputs):
    for o in outputs:
        if o.get("output_type") == "error":
            return f"{o.get('ename')}: {o.get('evalue')}"
        text = o.get("text", "") if o.get("output_type") == "stream" else ""
        if o.get("name") == "stderr" and (re.search(r"^exit status \d+\s*$", text, re.M) or "panic: " in text):
            return text.strip()[-400:]
        html = (o.get("data") or {}).get("text/html", "")
        if "gonb-err" in (html if isinstance(html, str) else "".join(html)):
            return "compile error (gonb-err)"
    return None


def main():
    path = sys.argv[1]
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name="gonb", timeout=900, allow_errors=True,
                            resources={"metadata": {"path": os.path.dirname(path) or "."}})
    t0 = time.monotonic()
    cells = []
    with client.setup_kernel():
        ready = time.monotonic() - t0
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            t = time.monotonic()
            try:
                client.execute_cell(cell, i)
            except CellExecutionError as e:
                sys.exit(f"first-figure: cell {i} failed: {e}")
            cells.append(round(time.monotonic() - t, 2))
            bad = failure(cell.outputs)
            if bad:
                sys.exit(f"first-figure: cell {i} failed: {bad}")
            if any(k in (o.get("data") or {}) for o in cell.outputs for k in ("image/svg+xml", "image/png")):
                print(json.dumps({"first_figure_s": round(time.monotonic() - t0, 1), "kernel_start_s": round(ready, 1),
                                  "cell": i, "cells_s": cells}))
                return
    sys.exit(f"first-figure: no cell of {path} shows a figure")


if __name__ == "__main__":
    main()
