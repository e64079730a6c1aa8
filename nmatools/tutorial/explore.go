package tutorial

// explore.go: the interactive exploration of Section 4 (two sliders redrawing the
// perturbation bars of both networks), self-contained: it depends on model, sweep,
// plot, repo, GoNB and the package's result cache (diskCache) only.

import (
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"image/color"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gomlx/compute"
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/comms"
	"github.com/janpfeifer/gonb/gonbui/widgets"

	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/plot"
	"github.com/neuromatch/nmatools/nmatools/repo"
	"github.com/neuromatch/nmatools/nmatools/sweep"
)

// MaxIdleTimeout is the longest an exploration listens without a change: a listening
// cell holds the kernel (GoNB runs one cell at a time), so it hands it back soon.
const MaxIdleTimeout = 2 * time.Minute

// Explore configures ExplorePerturbations.
type Explore struct {
	Backend                    compute.Backend
	Regularized, Unregularized *model.Params
	// Inputs and Targets are the conditions the perturbed networks run on
	// (Section 4: the training conditions).
	Inputs, Targets *nd.Array
	// MaxError is the null model's error the errors are given in percent of
	// (sweep.MaxError of all outputs); 0: sweep.MaxError(Targets).
	MaxError float64
	Repeats  int   // perturbations per setting; 0: sweep.Repeats (30, as Section 4)
	Seed     int64 // the noise's seed (the same seed gives the same bars)

	// InputStrength (0 to 0.3) and WeightPercent (1 to 100) are the sliders' first
	// settings; 0: 0.05 and 20.
	InputStrength float64
	WeightPercent int

	// Times are the sample times of Inputs (the x axis of the example trajectories);
	// nil: the time steps 0, 1, ….
	Times []float64
	// Example is the condition (index into Inputs) whose perturbed trajectories are
	// drawn under the bars; 0: the first.
	Example int

	// IdleTimeout stops listening after this long without a change (at most, and by
	// default, MaxIdleTimeout). When it is 0, the environment variable
	// NMATOOLS_EXPLORE_IDLE (a duration such as "10s", for checks) sets it.
	IdleTimeout time.Duration
	// CacheDir keeps computed settings between runs of the cell (the result cache of Cached,
	// in its own directory); "": <repo>/build/cache/explore,
	// or memory only when the repository is not found.
	CacheDir string
	// Note is added under each figure's title (e.g. that the data is the synthetic stand-in).
	Note string
	// Headless draws the first settings once and returns, without widgets. It is also
	// the behaviour when NMATOOLS_HEADLESS is set, outside GoNB, or when no front end
	// answers within FrontEndTimeout (nbconvert, a closed browser tab).
	Headless bool
}

// FrontEndTimeout bounds the wait for the browser to answer a new slider.
var FrontEndTimeout = 15 * time.Second

// The sliders' ranges: the input-noise strength in thousandths (0.001 to 0.300),
// the weight noise in percent of mean |J| (1 to 100).
const (
	inputMin, inputMax   = 1, 300
	weightMin, weightMax = 1, 100
)

// Perturbation kinds, as in the cache keys and figure titles.
const (
	KindInputs  = "inputs"
	KindWeights = "weights"
)

// IdleEnv names the environment variable that sets Explore.IdleTimeout when the
// cell leaves it 0 (the browser check sets it with GoNB's %env to see the timeout act).
const IdleEnv = "NMATOOLS_EXPLORE_IDLE"

// Setting is one computed slider position: both networks' error (mean ± std over
// the repeats, in percent of MaxError) and one example trajectory of each.
type Setting struct {
	Kind          string
	Level         float64 // the input-noise strength, or the weight-noise fraction of mean |J|
	Repeats       int
	Regularized   nd.MeanStd
	Unregularized nd.MeanStd
	// Example is one draw of the perturbation at this setting (the sweep's first
	// repetition for the seed) on condition Explore.Example: both networks' outputs.
	Example *Example
	Cached  bool          // came from the cache
	Took    time.Duration // computing time (0 when cached)
}

// Example is one condition's outputs (time, outputs) of both networks under one draw
// of a perturbation.
type Example struct {
	Condition                  int
	Regularized, Unregularized *nd.Array
}

// Explorer computes and caches settings; ExplorePerturbations drives it from sliders.
type Explorer struct {
	cfg     Explore
	key     string // hash of the networks, data, repeats, seed and example condition
	mu      sync.Mutex
	cache   map[string]Setting
	runners [2]*model.Runner // the example trajectories' (regularized, unregularized), made when first needed
}

// NewExplorer checks the configuration and fills in its defaults.
func NewExplorer(cfg Explore) (*Explorer, error) {
	if cfg.Backend == nil {
		return nil, errors.New("tutorial.Explore: no Backend (use backend.Get())")
	}
	if cfg.Regularized == nil || cfg.Unregularized == nil {
		return nil, errors.New("tutorial.Explore: both networks are needed (Regularized and Unregularized)")
	}
	if cfg.Inputs == nil || cfg.Targets == nil {
		return nil, errors.New("tutorial.Explore: no Inputs/Targets to run the perturbed networks on")
	}
	if cfg.Repeats == 0 {
		cfg.Repeats = sweep.Repeats
	}
	if cfg.Repeats < 1 || cfg.Repeats > 1000 {
		return nil, fmt.Errorf("tutorial.Explore: Repeats %d out of range (1 to 1000)", cfg.Repeats)
	}
	if cfg.MaxError == 0 {
		m, err := sweep.MaxError(cfg.Targets)
		if err != nil {
			return nil, err
		}
		cfg.MaxError = m
	}
	if cfg.InputStrength == 0 {
		cfg.InputStrength = 0.05
	}
	if cfg.WeightPercent == 0 {
		cfg.WeightPercent = 20
	}
	if s := cfg.InputStrength * 1000; s < inputMin || s > inputMax {
		return nil, fmt.Errorf("tutorial.Explore: InputStrength %g out of the slider's range (%g to %g)", cfg.InputStrength, inputMin/1000.0, inputMax/1000.0)
	}
	if cfg.WeightPercent < weightMin || cfg.WeightPercent > weightMax {
		return nil, fmt.Errorf("tutorial.Explore: WeightPercent %d out of the slider's range (%d to %d)", cfg.WeightPercent, weightMin, weightMax)
	}
	if len(cfg.Inputs.Shape) != 3 || len(cfg.Targets.Shape) != 3 || cfg.Inputs.Shape[0] != cfg.Targets.Shape[0] || cfg.Inputs.Shape[1] != cfg.Targets.Shape[1] {
		return nil, fmt.Errorf("tutorial.Explore: Inputs %v and Targets %v must be (conditions, time, features) and (conditions, time, outputs) of the same conditions and time", cfg.Inputs.Shape, cfg.Targets.Shape)
	}
	if cfg.Example < 0 || cfg.Example >= cfg.Inputs.Shape[0] || cfg.Example >= cfg.Targets.Shape[0] {
		return nil, fmt.Errorf("tutorial.Explore: Example %d is not a condition of the inputs (0 to %d)", cfg.Example, cfg.Inputs.Shape[0]-1)
	}
	if cfg.Times != nil && len(cfg.Times) != cfg.Inputs.Shape[1] {
		return nil, fmt.Errorf("tutorial.Explore: %d Times for inputs of %d time steps (give the dataset's Times, or none)", len(cfg.Times), cfg.Inputs.Shape[1])
	}
	if cfg.IdleTimeout == 0 {
		if v := strings.TrimSpace(os.Getenv(IdleEnv)); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 || d > MaxIdleTimeout {
				return nil, fmt.Errorf("tutorial.Explore: %s=%q: want a positive duration of at most %s, such as 10s (or unset it)", IdleEnv, v, MaxIdleTimeout)
			}
			cfg.IdleTimeout = d
		}
	}
	if cfg.IdleTimeout <= 0 || cfg.IdleTimeout > MaxIdleTimeout {
		cfg.IdleTimeout = MaxIdleTimeout
	}
	if cfg.CacheDir == "" {
		if root := repo.Dir(); root != "" {
			cfg.CacheDir = filepath.Join(root, "build", "cache", "explore")
		}
	}
	arrays := []*nd.Array{cfg.Regularized.J, cfg.Regularized.B, cfg.Regularized.Bx, cfg.Regularized.W, cfg.Regularized.C,
		cfg.Unregularized.J, cfg.Unregularized.B, cfg.Unregularized.Bx, cfg.Unregularized.W, cfg.Unregularized.C, cfg.Inputs, cfg.Targets}
	for _, a := range arrays {
		if a == nil {
			return nil, errors.New("tutorial.Explore: a network or data array is nil")
		}
	}
	key := fmt.Sprintf("%s-me%g-r%d-s%d-ex%d", Fingerprint(arrays...), cfg.MaxError, cfg.Repeats, cfg.Seed, cfg.Example)
	return &Explorer{cfg: cfg, key: key, cache: map[string]Setting{}}, nil
}

func (e *Explorer) cacheKey(kind string, level float64) string {
	return fmt.Sprintf("%s-%g-%s", kind, level, e.key)
}

// Compute returns a setting from the cache (memory, then CacheDir) or computes it with
// sweep.InputSweep or sweep.WeightSweep for both networks, and caches it.
func (e *Explorer) Compute(kind string, level float64) (Setting, error) {
	k := e.cacheKey(kind, level)
	e.mu.Lock()
	s, ok := e.cache[k]
	e.mu.Unlock()
	if ok {
		s.Cached, s.Took = true, 0
		return s, nil
	}
	disk := diskCache{e.cfg.CacheDir}
	if disk.load(k, &s) && s.Kind == kind && s.Level == level && e.validExample(s.Example) {
		e.mu.Lock()
		e.cache[k] = s
		e.mu.Unlock()
		s.Cached, s.Took = true, 0
		return s, nil
	}
	if kind != KindInputs && kind != KindWeights {
		return Setting{}, fmt.Errorf("tutorial.Explore: unknown perturbation %q (want %q or %q)", kind, KindInputs, KindWeights)
	}
	start := time.Now()
	s = Setting{Kind: kind, Level: level, Repeats: e.cfg.Repeats}
	for i, p := range []*model.Params{e.cfg.Regularized, e.cfg.Unregularized} {
		ms, err := runSweep(kind, e.cfg.Backend, p, e.cfg.Inputs, e.cfg.Targets, []float64{level}, e.cfg.Repeats, e.cfg.Seed, e.cfg.MaxError)
		if err != nil {
			return Setting{}, err
		}
		if i == 0 {
			s.Regularized = ms[0]
		} else {
			s.Unregularized = ms[0]
		}
	}
	var err error
	if s.Example, err = e.example(kind, level); err != nil {
		return Setting{}, err
	}
	s.Took = time.Since(start)
	e.mu.Lock()
	e.cache[k] = s
	e.mu.Unlock()
	disk.store(k, s)
	return s, nil
}

// example runs condition Example of the inputs through both networks under the draw of
// the perturbation that the sweep scores first for the seed (sweep.PerturbInputsSeed,
// sweep.PerturbRecurrentWeights), with model.Runner.Trajectory.
func (e *Explorer) example(kind string, level float64) (*Example, error) {
	var in *nd.Array
	if kind == KindInputs {
		u, err := sweep.PerturbInputsSeed(e.cfg.Inputs, level, e.cfg.Seed) // every condition's draw, as the sweep's
		if err != nil {
			return nil, err
		}
		in = u.Index(e.cfg.Example)
	} else {
		in = e.cfg.Inputs.Index(e.cfg.Example)
	}
	ex := &Example{Condition: e.cfg.Example}
	for i, p := range []*model.Params{e.cfg.Regularized, e.cfg.Unregularized} {
		if kind == KindWeights {
			p = sweep.PerturbRecurrentWeights(p, sweep.MeanAbsoluteStrength(p), level, e.cfg.Seed)
		}
		e.mu.Lock()
		r := e.runners[i]
		if r == nil {
			r = model.NewRunner(e.cfg.Backend, p)
			e.runners[i] = r
		}
		e.mu.Unlock()
		if err := r.SetParams(p); err != nil { // the executables are kept: only the weights change
			return nil, err
		}
		out, _, err := r.Trajectory(in)
		if err != nil {
			return nil, fmt.Errorf("tutorial.Explore: example trajectory: %w", err)
		}
		out = out.Index(0)
		if i == 0 {
			ex.Regularized = out
		} else {
			ex.Unregularized = out
		}
	}
	return ex, nil
}

// validExample tells whether a cached example has the shape of the target it is drawn against.
func (e *Explorer) validExample(ex *Example) bool {
	if ex == nil || ex.Condition != e.cfg.Example {
		return false
	}
	T, O := e.cfg.Targets.Shape[1], e.cfg.Targets.Shape[2]
	for _, a := range []*nd.Array{ex.Regularized, ex.Unregularized} {
		if a == nil || len(a.Shape) != 2 || a.Shape[0] != T || a.Shape[1] != O || len(a.Data) != T*O {
			return false
		}
	}
	return true
}

// Close releases the compiled trajectories (an Explorer must not be used after it).
func (e *Explorer) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, r := range e.runners {
		if r != nil {
			r.Close()
			e.runners[i] = nil
		}
	}
}

// Title is the figure's title for a setting: it names the slider's value.
func (s Setting) Title() string {
	if s.Kind == KindInputs {
		return fmt.Sprintf("Input noise: strength %.3f", s.Level)
	}
	return fmt.Sprintf("Weight noise: %d%% of mean |J|", int(s.Level*100+0.5))
}

// Figure draws a setting's bars (both networks) with its title (which names the
// slider's value) and Explore.Note. The bars stop at 100 %: Caption gives the numbers.
func (e *Explorer) Figure(s Setting) (*plot.Figure, error) {
	var opts []plot.Option
	if e.cfg.Note != "" {
		opts = append(opts, plot.Note("("+e.cfg.Note+")"))
	}
	return plot.PerturbationResults([]float64{s.Level}, []nd.MeanStd{s.Regularized}, []nd.MeanStd{s.Unregularized},
		s.Title(), append(opts, plot.Size(5*72, 4*72))...)
}

// ExampleTitle is the example trajectories' title: the setting and the condition.
func (s Setting) ExampleTitle() string {
	c := 0
	if s.Example != nil {
		c = s.Example.Condition
	}
	return fmt.Sprintf("%s: one draw, condition %d", s.Title(), c+1)
}

// ExampleFigure draws a setting's example: condition Explore.Example's target (dashed)
// and both networks' outputs under one draw of the perturbation, titled with the
// setting (ExampleTitle) and Explore.Note.
func (e *Explorer) ExampleFigure(s Setting) (*plot.Figure, error) {
	if !e.validExample(s.Example) {
		return nil, fmt.Errorf("tutorial.Explore: the setting %q has no example trajectories of condition %d", s.Title(), e.cfg.Example)
	}
	times := e.cfg.Times
	if times == nil {
		times = make([]float64, e.cfg.Targets.Shape[1])
		for i := range times {
			times[i] = float64(i)
		}
	}
	opts := []plot.Option{plot.Size(5*72, 3*72)}
	if e.cfg.Note != "" {
		opts = append(opts, plot.Note("("+e.cfg.Note+")"))
	}
	fig, err := plot.OutputsAgainstTarget(times, e.cfg.Targets.Index(e.cfg.Example), []plot.Trace{
		{Label: "Regularized Model", Color: color.RGBA{B: 255, A: 255}, Values: s.Example.Regularized},
		{Label: "Unregularized Model", Color: color.RGBA{R: 255, A: 255}, Values: s.Example.Unregularized},
	}, s.ExampleTitle(), opts...)
	if err != nil {
		return nil, err
	}
	if e.cfg.Times == nil {
		fig.Plot.X.Label.Text = "Time step"
	}
	return fig, nil
}

// Caption says a setting's errors in numbers, how many perturbations they average,
// and whether they came from the cache.
func (s Setting) Caption() string {
	how := "from the cache"
	if !s.Cached {
		how = fmt.Sprintf("computed in %.1f s", s.Took.Seconds())
	}
	return fmt.Sprintf("error (%% of max_error): regularized %.1f ± %.1f, unregularized %.1f ± %.1f; %d perturbations per network, %s",
		s.Regularized.Mean, s.Regularized.Std, s.Unregularized.Mean, s.Unregularized.Std, s.Repeats, how)
}

// figureHTML renders a setting as <img>s holding the SVGs (data URIs, so figures on one
// page cannot clash over SVG element ids; the titles are their alt texts): the bars, the
// caption, and the example trajectories under them.
func (e *Explorer) figureHTML(kind string, level float64) (string, Setting, error) {
	s, err := e.Compute(kind, level)
	if err != nil {
		return "", s, err
	}
	bars, err := e.Figure(s)
	if err != nil {
		return "", s, err
	}
	ex, err := e.ExampleFigure(s)
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
		kind, level, html.EscapeString(s.Title()), imgs[0], html.EscapeString(s.Caption()),
		kind, level, html.EscapeString(s.ExampleTitle()), imgs[1]), s, nil
}

// headless tells whether to draw once without widgets.
func (e *Explorer) headless() bool {
	return e.cfg.Headless || os.Getenv("NMATOOLS_HEADLESS") != "" || !gonbui.IsNotebook
}

// ExplorePerturbations shows the exploration cell of Section 4: a slider for the
// input-noise strength and one for the weight noise (percent of mean |J|), each
// redrawing the bars of both networks at the chosen setting and, under them, one
// example trajectory of each network under one draw of that perturbation, and a Stop
// button.
// It listens until Stop is pressed, the cell is interrupted (■), or nothing changed
// for IdleTimeout (at most 2 minutes): then it replaces the sliders by disabled ones,
// with a note to rerun the cell, and returns, handing the kernel back.
// Headless (see Explore.Headless) it draws the first settings once and returns.
func ExplorePerturbations(cfg Explore) error {
	e, err := NewExplorer(cfg)
	if err != nil {
		return err
	}
	defer e.Close()
	return e.Run()
}

// Run is ExplorePerturbations for an Explorer.
func (e *Explorer) Run() error {
	inLevel := func(v int) float64 { return float64(v) / 1000 }
	wLevel := func(v int) float64 { return float64(v) / 100 }
	inV := int(e.cfg.InputStrength*1000 + 0.5)
	wV := e.cfg.WeightPercent
	if e.headless() {
		var figs []string
		for _, d := range []struct {
			kind  string
			level float64
		}{{KindInputs, inLevel(inV)}, {KindWeights, wLevel(wV)}} {
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
	gonbui.UpdateHTML(ids.ctl, controls("")) // the controls' place: above the status line and the figures
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
		case <-time.After(FrontEndTimeout):
		}
	}
	if !connected {
		gonbui.UpdateHTML(ids.ctl, "")
		gonbui.UpdateHTML(ids.status, fmt.Sprintf("<div>no browser answered the sliders (%d attempts of %s; a headless run?): drew the first settings; rerun the cell in JupyterLab to explore.</div>", attempts, FrontEndTimeout))
		e.cfg.Headless = true
		return e.Run()
	}

	shown := map[string]string{} // each kind's figure HTML, drawn side by side in one display
	draw := func(kind string, v int) error {
		level, label := inLevel(v), fmt.Sprintf("strength %.3f", inLevel(v))
		if kind == KindWeights {
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
		gonbui.UpdateHTML(ids.figs, figureRow(shown[KindInputs], shown[KindWeights]))
		how := "from the cache"
		if !s.Cached {
			how = fmt.Sprintf("computed in %.1f s", s.Took.Seconds())
		}
		gonbui.UpdateHTML(ids.status, fmt.Sprintf(
			`<div>%s: %s (%s). Listening to the sliders until you press <b>Stop exploring</b>, interrupt the cell (■), or leave them for %s; the cells below wait until then.</div>`,
			kind, html.EscapeString(label), how, e.cfg.IdleTimeout))
		return nil
	}
	if err := draw(KindInputs, inV); err != nil {
		return err
	}
	if err := draw(KindWeights, wV); err != nil {
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
			loopErr = draw(KindInputs, inV)
		case v := <-wCh.C:
			wV = settle(wCh, v)
			loopErr = draw(KindWeights, wV)
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

// lookup reports a setting already in memory.
func (e *Explorer) lookup(kind string, level float64) (Setting, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.cache[e.cacheKey(kind, level)]
	return s, ok
}
