package study

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress draws a run's progress: a bar over the shard's epochs (a cell
// counts its epochs plus one for its measurements) on a terminal line, and
// a line per finished cell.
type progress struct {
	w      io.Writer // the bar
	log    io.Writer // a line per cell
	fn     func(done, total int)
	shard  Shard
	cells  int
	epochs int
	start  time.Time

	last time.Time
}

const barWidth = 24

func (p *progress) total() int { return p.cells * (p.epochs + 1) }

func (p *progress) report(done int, what string, force bool) {
	if p.fn != nil {
		p.fn(done, p.total())
	}
	if p.w == nil || (!force && time.Since(p.last) < 200*time.Millisecond) {
		return
	}
	p.last = time.Now()
	filled := 0
	if t := p.total(); t > 0 {
		filled = min(barWidth, done*barWidth/t)
	}
	fmt.Fprintf(p.w, "\rstudy %s %s%s %s  %s\x1b[K", p.shard, strings.Repeat("█", filled), strings.Repeat("·", barWidth-filled),
		what, time.Since(p.start).Round(time.Second))
}

func (p *progress) skip(i int, c Cell) {
	p.logf("cell %d/%d (%s): finished before, skipped\n", i+1, p.cells, c)
	p.report((i+1)*(p.epochs+1), fmt.Sprintf("cell %d/%d finished before", i+1, p.cells), false)
}

// logf writes a line to the log, clearing the bar's line first when both
// go to one writer.
func (p *progress) logf(format string, args ...any) {
	if p.log == nil {
		return
	}
	if p.w == p.log {
		fmt.Fprint(p.log, "\r\x1b[K")
	}
	fmt.Fprintf(p.log, format, args...)
}

func (p *progress) epoch(i int, c Cell, epoch int) {
	p.report(i*(p.epochs+1)+min(epoch, p.epochs), fmt.Sprintf("cell %d/%d (%s): epoch %d/%d", i+1, p.cells, c, epoch, p.epochs), false)
}

func (p *progress) cellDone(i int, c Cell, r *Result) {
	f := func(v *float64) string {
		if v == nil {
			return "—"
		}
		return fmt.Sprintf("%.4g", *v)
	}
	p.logf("cell %d/%d (%s): %d epochs, val MSE %s, input error %s%%, weight error %s%%, CCA %s, jPCA R² %s, q90 %s (%.1f s)\n",
		i+1, p.cells, c, r.EpochsTrained, f(r.ValMSE), f(r.InputError), f(r.WeightError), f(r.CCAMean), f(r.JPCAR2Skew), f(r.TanglingQ90), r.WallSeconds)
	if r.Failed != "" {
		p.logf("  failed: %s\n", r.Failed)
	}
	p.report((i+1)*(p.epochs+1), fmt.Sprintf("cell %d/%d done", i+1, p.cells), true)
}

func (p *progress) finish() {
	if p.w != nil {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
