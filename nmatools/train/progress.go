package train

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// ProgressUpdate is what Options.OnProgress receives: after each epoch (at most ten times
// a second) and once when the run stops (Done, with the reason in Stopped).
type ProgressUpdate struct {
	Name               string // the recipe's name
	Epoch, Epochs      int    // epochs completed, epoch limit
	TrainLoss, ValLoss float64
	Elapsed            time.Duration
	Done               bool
	Stopped            string
}

// progress shows a training run's progress: a one-line bar on a terminal (rewritten in
// place with \r) and/or a callback (a notebook's display: see package tutorial).
type progress struct {
	w        io.Writer
	fn       func(ProgressUpdate)
	name     string
	total    int
	start    time.Time
	lastDraw time.Time
	drawn    bool

	epoch              int // last update, drawn or not
	drawnEpoch         int // last epoch drawn
	trainLoss, valLoss float64
}

func newProgress(w io.Writer, fn func(ProgressUpdate), name string, total int) *progress {
	return &progress{w: w, fn: fn, name: name, total: total, start: time.Now()}
}

const barWidth = 30

// bar renders epoch/total as a text bar.
func bar(epoch, total int) string {
	filled := 0
	if total > 0 {
		filled = min(barWidth, epoch*barWidth/total)
	}
	return strings.Repeat("█", filled) + strings.Repeat("·", barWidth-filled)
}

func (p *progress) update(epoch int, trainLoss, valLoss float64) {
	p.epoch, p.trainLoss, p.valLoss = epoch, trainLoss, valLoss
	// Redraw at most 10 times a second; done draws the last state.
	if time.Since(p.lastDraw) >= 100*time.Millisecond {
		p.draw()
	}
}

func (p *progress) state() ProgressUpdate {
	return ProgressUpdate{Name: p.name, Epoch: p.epoch, Epochs: p.total, TrainLoss: p.trainLoss, ValLoss: p.valLoss,
		Elapsed: time.Since(p.start).Round(100 * time.Millisecond)}
}

func (p *progress) draw() {
	p.lastDraw = time.Now()
	p.drawnEpoch = p.epoch
	u := p.state()
	if p.w != nil {
		fmt.Fprintf(p.w, "\r%s %s %d/%d epochs  train %.5f  val %.5f  %s\x1b[K",
			u.Name, bar(u.Epoch, u.Epochs), u.Epoch, u.Epochs, u.TrainLoss, u.ValLoss, u.Elapsed)
		p.drawn = true
	}
	if p.fn != nil {
		p.fn(u)
	}
}

func (p *progress) done(reason string) {
	if p.epoch > 0 && p.epoch != p.drawnEpoch {
		p.draw()
	}
	u := p.state()
	u.Done, u.Stopped = true, reason
	if p.w != nil {
		if p.drawn {
			fmt.Fprintln(p.w)
		}
		fmt.Fprintf(p.w, "%s: stopped (%s) after %s\n", p.name, reason, u.Elapsed)
	}
	if p.fn != nil {
		p.fn(u)
	}
}
