package tutorial

// progress.go: the progress bars of the notebook (training, the study): an HTML bar
// updated in place in a GoNB notebook, a line on stderr elsewhere.

import (
	"fmt"
	"html"
	"io"
	"os"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/neuromatch/nmatools/nmatools/sweep"
)

// progressHTML is one progress line: label, a bar at done/total, and the rest.
func progressHTML(label string, done, total int, rest string) string {
	return fmt.Sprintf(`<div style="font-family:monospace"><b>%s</b> <progress value="%d" max="%d" style="width:20em"></progress> %s</div>`,
		html.EscapeString(label), done, max(1, total), html.EscapeString(rest))
}

// progress returns a progress callback (done, total): inside a GoNB notebook an HTML bar
// updated in place, elsewhere one updating line on stderr (sweep.ProgressTo).
func progress(label string) func(done, total int) {
	return progressTo(gonbui.IsNotebook, os.Stderr, gonbui.UpdateHTML, label)
}

func progressTo(notebook bool, w io.Writer, update func(id, html string), label string) func(done, total int) {
	if !notebook {
		return sweep.ProgressTo(w, label)
	}
	id := "nmatools-progress-" + gonbui.UniqueID()
	start := time.Now()
	return func(done, total int) {
		update(id, progressHTML(label, done, total, fmt.Sprintf("%d/%d (%.1fs)", done, total, time.Since(start).Seconds())))
	}
}
