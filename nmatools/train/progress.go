package train

import (
	"fmt"
	"html"
	"io"
	"strings"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
)

// progress shows a training run's progress: a one-line bar on a terminal
// (rewritten in place with \r) and, inside GoNB, an HTML bar in the cell output.
type progress struct {
	w        io.Writer
	htmlID   string // GoNB display id; "" outside a notebook
	name     string
	total    int
	start    time.Time
	lastDraw time.Time
	drawn    bool

	epoch              int // last update, drawn or not
	drawnEpoch         int // last epoch drawn
	trainLoss, valLoss float64
}

func newProgress(w io.Writer, notebook bool, name string, total int) *progress {
	p := &progress{w: w, name: name, total: total, start: time.Now()}
	if notebook && gonbui.IsNotebook {
		p.htmlID = "nmatools-train-" + gonbui.UniqueID()
	}
	return p
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

func (p *progress) draw() {
	now := time.Now()
	p.lastDraw = now
	epoch, trainLoss, valLoss := p.epoch, p.trainLoss, p.valLoss
	p.drawnEpoch = epoch
	elapsed := now.Sub(p.start).Round(100 * time.Millisecond)
	line := fmt.Sprintf("%s %s %d/%d epochs  train %.5f  val %.5f  %s",
		p.name, bar(epoch, p.total), epoch, p.total, trainLoss, valLoss, elapsed)
	if p.w != nil {
		fmt.Fprintf(p.w, "\r%s\x1b[K", line)
		p.drawn = true
	}
	if p.htmlID != "" {
		gonbui.UpdateHTML(p.htmlID, fmt.Sprintf(
			`<div><b>%s</b> <progress value="%d" max="%d" style="width:20em"></progress> `+
				`%d/%d epochs &middot; train %.5f &middot; val %.5f &middot; %s</div>`,
			html.EscapeString(p.name), epoch, p.total, epoch, p.total, trainLoss, valLoss, elapsed))
	}
}

func (p *progress) done(reason string) {
	if p.epoch > 0 && p.epoch != p.drawnEpoch {
		p.draw()
	}
	msg := fmt.Sprintf("%s: stopped (%s) after %s", p.name, reason, time.Since(p.start).Round(100*time.Millisecond))
	if p.w != nil {
		if p.drawn {
			fmt.Fprintln(p.w)
		}
		fmt.Fprintln(p.w, msg)
	}
	if p.htmlID != "" {
		gonbui.UpdateHTML(p.htmlID, "<div>"+html.EscapeString(msg)+"</div>")
	}
}
