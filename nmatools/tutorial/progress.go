package tutorial

// The GoNB progress displays of the sweeps and of training (packages sweep and train report
// progress through callbacks and know nothing of notebooks).

import (
	"fmt"
	"html"
	"io"
	"os"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/neuromatch/nmatools/nmatools/sweep"
	"github.com/neuromatch/nmatools/nmatools/train"
)

// progressHTML is one progress line: label, a bar at done/total, and the rest.
func progressHTML(label string, done, total int, rest string) string {
	return fmt.Sprintf(`<div style="font-family:monospace"><b>%s</b> <progress value="%d" max="%d" style="width:20em"></progress> %s</div>`,
		html.EscapeString(label), done, max(1, total), html.EscapeString(rest))
}

// Progress returns a progress callback for sweep.WithProgress: inside a GoNB notebook an
// HTML bar updated in place, elsewhere one updating line on stderr (sweep.ProgressTo).
func Progress(label string) func(done, total int) {
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

// TrainProgress returns a callback for train.Options.OnProgress that shows the run as an
// HTML bar updated in place inside a GoNB notebook (outside one it does nothing: use
// Options.Progress = os.Stderr for a terminal bar).
func TrainProgress() func(train.ProgressUpdate) {
	if !gonbui.IsNotebook {
		return func(train.ProgressUpdate) {}
	}
	return trainProgress(gonbui.UpdateHTML, "nmatools-train-"+gonbui.UniqueID())
}

func trainProgress(update func(id, html string), id string) func(train.ProgressUpdate) {
	return func(u train.ProgressUpdate) {
		if u.Done {
			update(id, "<div>"+html.EscapeString(fmt.Sprintf("%s: stopped (%s) after %d epochs, %s", u.Name, u.Stopped, u.Epoch, u.Elapsed))+"</div>")
			return
		}
		update(id, progressHTML(u.Name, u.Epoch, u.Epochs,
			fmt.Sprintf("%d/%d epochs · train %.5f · val %.5f · %s", u.Epoch, u.Epochs, u.TrainLoss, u.ValLoss, u.Elapsed)))
	}
}
