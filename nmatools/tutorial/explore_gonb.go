package tutorial

// explore_gonb.go: the interactive cell of Section 4 in a notebook: GoNB's sliders and
// Stop button, the connection to the browser (with retries), the figures as HTML redrawn
// in place, and the listening loop. What it draws is computed in explore.go.

import (
	"encoding/base64"
	"fmt"
	"html"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/comms"
	"github.com/janpfeifer/gonb/gonbui/widgets"

	"github.com/neuromatch/nmatools/nmatools/plot"
)

// frontEndTimeout bounds the wait for the browser to answer a new slider.
var frontEndTimeout = 15 * time.Second

// ExplorePerturbations is the interactive cell of Section 4: a slider for the
// input-noise strength (0.001 to 0.3) and one for the weight noise (1 to 100 % of mean
// |J|), each redrawing both networks' error at the chosen setting (Repeats
// perturbations per network, with Seed, in percent of MaxError of all of ds's outputs,
// as Section 4's figures) and, under the bars, the first training condition's outputs
// of each network under one draw of that perturbation; and a Stop button. The networks
// run on the training conditions of ds (TrainValSplit). Settings already computed
// come from the notebook's cache (build/cache/explore).
//
// It listens until Stop is pressed, the cell is interrupted (■), or nothing changed
// for 2 minutes: then it replaces the sliders by disabled ones, with a note to rerun
// the cell, and returns, handing the kernel back (GoNB runs one cell at a time: the
// cells below wait while it listens). Headless (nbconvert, NMATOOLS_HEADLESS set, or no
// browser answering the sliders) it draws the first settings, strength 0.05 and 20 %,
// once and returns.
func ExplorePerturbations(regularized, unregularized *Net, ds *Dataset) {
	cfg, err := exploreDefaults(regularized, unregularized, ds)
	Check(err)
	Check(explorePerturbations(cfg))
}

// explorePerturbations is ExplorePerturbations with its settings given.
func explorePerturbations(cfg exploreSettings) error {
	e, err := newExplorer(cfg)
	if err != nil {
		return err
	}
	defer e.close()
	return e.run()
}

// headless tells whether to draw once without widgets.
func (e *explorer) headless() bool {
	return e.cfg.Headless || os.Getenv("NMATOOLS_HEADLESS") != "" || !gonbui.IsNotebook
}

// figureHTML renders a setting as <img>s holding the SVGs (data URIs, so figures on one
// page cannot clash over SVG element ids; the titles are their alt texts): the bars, the
// caption, and the example trajectories under them.
func (e *explorer) figureHTML(kind string, level float64) (string, setting, error) {
	s, err := e.compute(kind, level)
	if err != nil {
		return "", s, err
	}
	bars, err := e.figure(s)
	if err != nil {
		return "", s, err
	}
	ex, err := e.exampleFigure(s)
	if err != nil {
		return "", s, err
	}
	var imgs [2]string
	for i, f := range []*plot.Figure{bars, ex} {
		svg, err := f.SVG()
		if err != nil {
			return "", s, err
		}
		imgs[i] = base64.StdEncoding.EncodeToString(svg)
	}
	return fmt.Sprintf(`<div style="max-width:30em"><img class="nmatools-explore-figure" data-kind="%s" data-level="%g" alt="%s" src="data:image/svg+xml;base64,%s"/>`+
		`<div style="font-size:90%%">%s</div>`+
		`<img class="nmatools-explore-example" style="margin-top:0.6em" data-kind="%s" data-level="%g" alt="%s" src="data:image/svg+xml;base64,%s"/></div>`,
		kind, level, html.EscapeString(s.title()), imgs[0], html.EscapeString(s.caption()),
		kind, level, html.EscapeString(s.exampleTitle()), imgs[1]), s, nil
}

// run shows the sliders and listens to them (see ExplorePerturbations).
func (e *explorer) run() error {
	inLevel := func(v int) float64 { return float64(v) / 1000 }
	wLevel := func(v int) float64 { return float64(v) / 100 }
	inV := int(e.cfg.InputStrength*1000 + 0.5)
	wV := e.cfg.WeightPercent
	if e.headless() {
		var figs []string
		for _, d := range []struct {
			kind  string
			level float64
		}{{kindInputs, inLevel(inV)}, {kindWeights, wLevel(wV)}} {
			h, _, err := e.figureHTML(d.kind, d.level)
			if err != nil {
				return err
			}
			figs = append(figs, h)
		}
		if gonbui.IsNotebook {
			gonbui.DisplayHTML(figureRow(figs[0], figs[1]))
		}
		fmt.Printf("headless run: no sliders; drew input noise %.3f and weight noise %d %%\n", inLevel(inV), wV)
		gonbui.Sync()
		return nil
	}

	uid := gonbui.UniqueID()
	ids := struct{ ctl, inBox, wBox, stopBox, figs, status string }{
		"nmatools-explore-ctl-" + uid, "nmatools-explore-in-" + uid, "nmatools-explore-w-" + uid,
		"nmatools-explore-stop-" + uid, "nmatools-explore-figs-" + uid, "nmatools-explore-status-" + uid,
	}
	controls := func(inside string) string {
		return `<div class="nmatools-explore" style="display:flex;gap:2em;flex-wrap:wrap;align-items:center">` + inside + `</div>`
	}
	type made struct {
		in, w     *widgets.SliderBuilder
		stopClick *comms.AddressChan[int]
	}
	// connect shows the controls: GoNB's widgets append themselves into boxes of an
	// update-able display, so the saved notebook never keeps a live slider. Each widget's
	// Done waits for the browser's first message.
	connect := func(attempt int) chan made {
		sfx := fmt.Sprintf("-%d", attempt)
		gonbui.UpdateHTML(ids.ctl, controls(fmt.Sprintf(
			`<div id="%s">input-noise strength (thousandths) </div><div id="%s">weight noise (%% of mean |J|) </div><div id="%s"></div>`,
			ids.inBox+sfx, ids.wBox+sfx, ids.stopBox+sfx)))
		ready := make(chan made, 1)
		go func() {
			var m made
			m.in = widgets.Slider(inputMin, inputMax, inV).AppendTo(ids.inBox + sfx).Done()
			m.w = widgets.Slider(weightMin, weightMax, wV).AppendTo(ids.wBox + sfx).Done()
			// Listen to the button before creating it (see GoNB's ButtonBuilder.Listen): its own
			// Done closes a temporary listener, and a second listener keeps the address subscribed
			// (it also receives the button's first message, a count of 0, which is not a click).
			stopAddr := "/nmatools/explore/stop/" + uid + sfx
			m.stopClick = comms.Listen[int](stopAddr)
			widgets.Button("Stop exploring").WithAddress(stopAddr).AppendTo(ids.stopBox + sfx).Done()
			ready <- m
		}()
		return ready
	}
	// The controls' place, above the status line and the figures; with the fix of GoNB's
	// connection URL behind JupyterHub and Binder (commfix.go), before any widget connects.
	gonbui.UpdateHTML(ids.ctl, commURLFix+controls(""))
	var m made
	connected := false
	// GoNB's browser side gives up on its connection when the kernel's acknowledgement takes
	// over 500 ms (a busy machine): then the widgets never answer, and a new attempt makes
	// GoNB reinstall the connection.
	const attempts = 3
	for a := 1; a <= attempts && !connected; a++ {
		gonbui.UpdateHTML(ids.status, fmt.Sprintf("<div>connecting to the browser (attempt %d of %d)…</div>", a, attempts))
		select {
		case m = <-connect(a):
			connected = true
		case <-time.After(frontEndTimeout):
		}
	}
	if !connected {
		gonbui.UpdateHTML(ids.ctl, "")
		gonbui.UpdateHTML(ids.status, fmt.Sprintf("<div>no browser answered the sliders (%d attempts of %s; a headless run?): drew the first settings; rerun the cell in JupyterLab to explore.</div>", attempts, frontEndTimeout))
		e.cfg.Headless = true
		return e.run()
	}

	shown := map[string]string{} // each kind's figure HTML, drawn side by side in one display
	draw := func(kind string, v int) error {
		level, label := inLevel(v), fmt.Sprintf("strength %.3f", inLevel(v))
		if kind == kindWeights {
			level, label = wLevel(v), fmt.Sprintf("%d %% of mean |J|", v)
		}
		if _, ok := e.lookup(kind, level); !ok {
			gonbui.UpdateHTML(ids.status, fmt.Sprintf("<div>computing %s: %s (%d perturbations per network)…</div>", kind, html.EscapeString(label), e.cfg.Repeats))
		}
		h, s, err := e.figureHTML(kind, level)
		if err != nil {
			return err
		}
		shown[kind] = h
		gonbui.UpdateHTML(ids.figs, figureRow(shown[kindInputs], shown[kindWeights]))
		how := "from the cache"
		if !s.Cached {
			how = fmt.Sprintf("computed in %.1f s", s.Took.Seconds())
		}
		gonbui.UpdateHTML(ids.status, fmt.Sprintf(
			`<div>%s: %s (%s). Listening to the sliders until you press <b>Stop exploring</b>, interrupt the cell (■), or leave them for %s; the cells below wait until then.</div>`,
			kind, html.EscapeString(label), how, e.cfg.IdleTimeout))
		return nil
	}
	if err := draw(kindInputs, inV); err != nil {
		return err
	}
	if err := draw(kindWeights, wV); err != nil {
		return err
	}

	// Values come with each change: reading SliderBuilder.Value() after a change races with
	// GoNB's own listener goroutine and can return the previous value.
	inCh := m.in.Listen().LatestOnly()
	wCh := m.w.Listen().LatestOnly()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	idle := time.NewTimer(e.cfg.IdleTimeout)
	defer idle.Stop()
	reason := ""
	var loopErr error
	for reason == "" && loopErr == nil {
		select {
		case v := <-inCh.C:
			inV = settle(inCh, v)
			loopErr = draw(kindInputs, inV)
		case v := <-wCh.C:
			wV = settle(wCh, v)
			loopErr = draw(kindWeights, wV)
		case clicks := <-m.stopClick.C:
			// The button's counter: its first message (0) announces the button; a click counts 1 up.
			if clicks > 0 {
				reason = "you pressed Stop exploring"
			}
		case <-sig:
			reason = "the cell was interrupted"
		case <-idle.C:
			reason = fmt.Sprintf("no change for %s", e.cfg.IdleTimeout)
		}
		if !idle.Stop() {
			select {
			case <-idle.C:
			default:
			}
		}
		idle.Reset(e.cfg.IdleTimeout)
	}
	if loopErr != nil {
		reason = "an error: " + loopErr.Error()
	}
	// Disabled copies of the controls replace the live ones: nothing on the page moves
	// without an effect.
	gonbui.UpdateHTML(ids.ctl, controls(fmt.Sprintf(
		`<div>input-noise strength (thousandths) <input type="range" disabled min="%d" max="%d" value="%d"/> %.3f</div>`+
			`<div>weight noise (%% of mean |J|) <input type="range" disabled min="%d" max="%d" value="%d"/> %d %%</div>`,
		inputMin, inputMax, inV, inLevel(inV), weightMin, weightMax, wV, wV)))
	gonbui.UpdateHTML(ids.status, fmt.Sprintf(`<div class="nmatools-explore-stopped">Stopped listening (%s): the sliders are disabled; rerun the cell to explore again.</div>`, html.EscapeString(reason)))
	gonbui.Sync()
	fmt.Printf("stopped listening: %s\n", reason)
	return loopErr
}

// settleTime is how long a slider must rest before its value is drawn: while it is
// dragged, the browser sends every position, and each new one would be computed.
const settleTime = 250 * time.Millisecond

// settle returns the slider's value once it has rested for settleTime.
func settle(ch *comms.AddressChan[int], v int) int {
	for {
		select {
		case v = <-ch.C:
		case <-time.After(settleTime):
			return v
		}
	}
}

// figureRow lays the two figures side by side.
func figureRow(a, b string) string {
	return `<div style="display:flex;gap:1em;flex-wrap:wrap">` + a + b + `</div>`
}
