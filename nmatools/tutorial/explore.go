package tutorial

// explore.go: what the interactive cell of Section 4 computes, without GoNB: its settings
// and their defaults, both networks' errors at a slider position (the vectorized sweeps),
// one example draw of the perturbation, the cache of computed positions, and their
// figures. explore_gonb.go shows them with sliders in a notebook.

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gomlx/compute"

	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/plot"
	"github.com/neuromatch/nmatools/nmatools/repo"
	"github.com/neuromatch/nmatools/nmatools/sweep"
)

// maxIdleTimeout is the longest an exploration listens without a change: a listening
// cell holds the kernel (GoNB runs one cell at a time), so it hands it back soon.
const maxIdleTimeout = 2 * time.Minute

// idleEnv names the environment variable that sets exploreSettings.IdleTimeout when it
// is 0 (the browser check sets it with GoNB's %env to see the timeout act).
const idleEnv = "NMATOOLS_EXPLORE_IDLE"

// The sliders' ranges: the input-noise strength in thousandths (0.001 to 0.300),
// the weight noise in percent of mean |J| (1 to 100).
const (
	inputMin, inputMax   = 1, 300
	weightMin, weightMax = 1, 100
)

// Perturbation kinds, as in the cache keys and figure titles.
const (
	kindInputs  = "inputs"
	kindWeights = "weights"
)

// exploreSettings configure an exploration. ExplorePerturbations fills them with the
// tutorial's defaults (exploreDefaults); tests set them directly.
type exploreSettings struct {
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

	// InputStrength (0.001 to 0.3) and WeightPercent (1 to 100) are the sliders' first
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
	// default, maxIdleTimeout). When it is 0, the environment variable idleEnv (a
	// duration such as "10s", for checks) sets it.
	IdleTimeout time.Duration
	// CacheDir keeps computed settings between runs of the cell (the notebook's result
	// cache, in its own directory); "": <repo>/build/cache/explore, or memory only when
	// the repository is not found.
	CacheDir string
	// Note is added under each figure's title (Note of the dataset: "(synthetic data)"
	// for the stand-in); nil: none.
	Note plot.Option
	// Headless draws the first settings once and returns, without widgets. It is also
	// the behaviour when NMATOOLS_HEADLESS is set, outside GoNB, or when no front end
	// answers within frontEndTimeout (nbconvert, a closed browser tab).
	Headless bool
}

// exploreDefaults are the settings of Section 4's interactive cell: both networks on the
// training conditions of ds (TrainValSplit), errors in percent of MaxError of all its
// outputs, Repeats perturbations per setting with Seed, the dataset's times and note.
func exploreDefaults(regularized, unregularized *Net, ds *Dataset) (exploreSettings, error) {
	if regularized == nil || unregularized == nil || ds == nil {
		return exploreSettings{}, fmt.Errorf("ExplorePerturbations: need the regularized and the unregularized network and the dataset (tutorial.Data())")
	}
	b, err := getBackend()
	if err != nil {
		return exploreSettings{}, err
	}
	trainIdx, _ := trainValSplit(Seed)
	inputs, targets, err := ds.Subset(trainIdx)
	if err != nil {
		return exploreSettings{}, err
	}
	maxErr, err := maxError(ds.Outputs)
	if err != nil {
		return exploreSettings{}, err
	}
	return exploreSettings{
		Backend: b, Regularized: regularized.Params, Unregularized: unregularized.Params,
		Inputs: inputs, Targets: targets, MaxError: maxErr, Repeats: Repeats, Seed: Seed,
		Times: ds.Times, Note: Note(ds),
	}, nil
}

// setting is one computed slider position: both networks' error (mean ± std over the
// repeats, in percent of MaxError) and one example trajectory of each.
type setting struct {
	Kind          string
	Level         float64 // the input-noise strength, or the weight-noise fraction of mean |J|
	Repeats       int
	Regularized   nd.MeanStd
	Unregularized nd.MeanStd
	// Example is one draw of the perturbation at this setting (the sweep's first
	// repetition for the seed) on condition exploreSettings.Example: both networks' outputs.
	Example *example
	Cached  bool          // came from the cache
	Took    time.Duration // computing time (0 when cached)
}

// example is one condition's outputs (time, outputs) of both networks under one draw
// of a perturbation.
type example struct {
	Condition                  int
	Regularized, Unregularized *nd.Array
}

// explorer computes and caches settings; explorePerturbations drives it from sliders.
type explorer struct {
	cfg     exploreSettings
	key     string // hash of the networks, data, repeats, seed and example condition
	mu      sync.Mutex
	cache   map[string]setting
	runners [2]*model.Runner // the example trajectories' (regularized, unregularized), made when first needed
}

// newExplorer checks the settings and fills in their defaults.
func newExplorer(cfg exploreSettings) (*explorer, error) {
	fail := func(format string, args ...any) (*explorer, error) {
		return nil, fmt.Errorf("ExplorePerturbations: "+format, args...)
	}
	if cfg.Backend == nil {
		return fail("no backend")
	}
	if cfg.Regularized == nil || cfg.Unregularized == nil {
		return fail("both networks are needed (regularized and unregularized)")
	}
	for _, p := range []*model.Params{cfg.Regularized, cfg.Unregularized} {
		if err := p.Check(); err != nil {
			return fail("%v", err)
		}
		if err := p.Config.CheckData(cfg.Inputs, cfg.Targets); err != nil {
			return fail("%v", err)
		}
	}
	if cfg.Repeats == 0 {
		cfg.Repeats = sweep.Repeats
	}
	if cfg.Repeats < 1 || cfg.Repeats > 1000 {
		return fail("%d repeats out of range (1 to 1000)", cfg.Repeats)
	}
	if cfg.MaxError == 0 {
		m, err := maxError(cfg.Targets)
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
		return fail("input strength %g out of the slider's range (%g to %g)", cfg.InputStrength, inputMin/1000.0, inputMax/1000.0)
	}
	if cfg.WeightPercent < weightMin || cfg.WeightPercent > weightMax {
		return fail("weight noise %d %% out of the slider's range (%d to %d)", cfg.WeightPercent, weightMin, weightMax)
	}
	if cfg.Example < 0 || cfg.Example >= cfg.Inputs.Shape[0] {
		return fail("example %d is not a condition of the inputs (0 to %d)", cfg.Example, cfg.Inputs.Shape[0]-1)
	}
	if cfg.Times != nil && len(cfg.Times) != cfg.Inputs.Shape[1] {
		return fail("%d times for inputs of %d time steps (give the dataset's Times, or none)", len(cfg.Times), cfg.Inputs.Shape[1])
	}
	if cfg.IdleTimeout == 0 {
		if v := strings.TrimSpace(os.Getenv(idleEnv)); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 || d > maxIdleTimeout {
				return fail("%s=%q: want a positive duration of at most %s, such as 10s (or unset it)", idleEnv, v, maxIdleTimeout)
			}
			cfg.IdleTimeout = d
		}
	}
	if cfg.IdleTimeout <= 0 || cfg.IdleTimeout > maxIdleTimeout {
		cfg.IdleTimeout = maxIdleTimeout
	}
	if cfg.CacheDir == "" {
		if root := repo.Dir(); root != "" {
			cfg.CacheDir = filepath.Join(root, "build", "cache", "explore")
		}
	}
	r, u := cfg.Regularized, cfg.Unregularized
	arrays := []*nd.Array{r.J, r.B, r.Bx, r.W, r.C, u.J, u.B, u.Bx, u.W, u.C, cfg.Inputs, cfg.Targets}
	// τ/Δt changes the networks' dynamics, so it is part of the key (as of the sweeps').
	key := fmt.Sprintf("%s-me%g-r%d-s%d-ex%d", fingerprint(append(arrays, floats(r.Config.TauOverDt, u.Config.TauOverDt))...),
		cfg.MaxError, cfg.Repeats, cfg.Seed, cfg.Example)
	return &explorer{cfg: cfg, key: key, cache: map[string]setting{}}, nil
}

func (e *explorer) cacheKey(kind string, level float64) string {
	return fmt.Sprintf("%s-%g-%s", kind, level, e.key)
}

// compute returns a setting from the cache (memory, then CacheDir) or computes it with
// sweep.InputSweep or sweep.WeightSweep for both networks, and caches it.
func (e *explorer) compute(kind string, level float64) (setting, error) {
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
	if kind != kindInputs && kind != kindWeights {
		return setting{}, fmt.Errorf("ExplorePerturbations: unknown perturbation %q (want %q or %q)", kind, kindInputs, kindWeights)
	}
	start := time.Now()
	s = setting{Kind: kind, Level: level, Repeats: e.cfg.Repeats}
	for i, p := range []*model.Params{e.cfg.Regularized, e.cfg.Unregularized} {
		ms, err := runSweep(kind, e.cfg.Backend, p, e.cfg.Inputs, e.cfg.Targets, []float64{level}, e.cfg.Repeats, e.cfg.Seed, e.cfg.MaxError)
		if err != nil {
			return setting{}, err
		}
		if i == 0 {
			s.Regularized = ms[0]
		} else {
			s.Unregularized = ms[0]
		}
	}
	var err error
	if s.Example, err = e.example(kind, level); err != nil {
		return setting{}, err
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
func (e *explorer) example(kind string, level float64) (*example, error) {
	var in *nd.Array
	if kind == kindInputs {
		u, err := sweep.PerturbInputsSeed(e.cfg.Inputs, level, e.cfg.Seed) // every condition's draw, as the sweep's
		if err != nil {
			return nil, err
		}
		in = u.Index(e.cfg.Example)
	} else {
		in = e.cfg.Inputs.Index(e.cfg.Example)
	}
	ex := &example{Condition: e.cfg.Example}
	for i, p := range []*model.Params{e.cfg.Regularized, e.cfg.Unregularized} {
		if kind == kindWeights {
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
			return nil, fmt.Errorf("ExplorePerturbations: example trajectory: %w", err)
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
func (e *explorer) validExample(ex *example) bool {
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

// lookup reports a setting already in memory.
func (e *explorer) lookup(kind string, level float64) (setting, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.cache[e.cacheKey(kind, level)]
	return s, ok
}

// close releases the compiled trajectories (an explorer must not be used after it).
func (e *explorer) close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, r := range e.runners {
		if r != nil {
			r.Close()
			e.runners[i] = nil
		}
	}
}

// title is the figure's title for a setting: it names the slider's value.
func (s setting) title() string {
	if s.Kind == kindInputs {
		return fmt.Sprintf("Input noise: strength %.3f", s.Level)
	}
	return fmt.Sprintf("Weight noise: %d%% of mean |J|", int(s.Level*100+0.5))
}

// exampleTitle is the example trajectories' title: the setting and the condition.
func (s setting) exampleTitle() string {
	c := 0
	if s.Example != nil {
		c = s.Example.Condition
	}
	return fmt.Sprintf("%s: one draw, condition %d", s.title(), c+1)
}

// caption says a setting's errors in numbers, how many perturbations they average,
// and whether they came from the cache.
func (s setting) caption() string {
	how := "from the cache"
	if !s.Cached {
		how = fmt.Sprintf("computed in %.1f s", s.Took.Seconds())
	}
	return fmt.Sprintf("error (%% of max_error): regularized %.1f ± %.1f, unregularized %.1f ± %.1f; %d perturbations per network, %s",
		s.Regularized.Mean, s.Regularized.Std, s.Unregularized.Mean, s.Unregularized.Std, s.Repeats, how)
}

// figure draws a setting's bars (both networks) with its title (which names the
// slider's value) and the note. The bars stop at 100 %: caption gives the numbers.
func (e *explorer) figure(s setting) (*plot.Figure, error) {
	return plot.PerturbationResults([]float64{s.Level}, []nd.MeanStd{s.Regularized}, []nd.MeanStd{s.Unregularized},
		s.title(), plot.Size(5*72, 4*72), e.cfg.Note)
}

// exampleFigure draws a setting's example: condition Example's target (dashed) and both
// networks' outputs under one draw of the perturbation, titled with the setting
// (exampleTitle) and the note.
func (e *explorer) exampleFigure(s setting) (*plot.Figure, error) {
	if !e.validExample(s.Example) {
		return nil, fmt.Errorf("ExplorePerturbations: the setting %q has no example trajectories of condition %d", s.title(), e.cfg.Example)
	}
	times := e.cfg.Times
	if times == nil {
		times = make([]float64, e.cfg.Targets.Shape[1])
		for i := range times {
			times[i] = float64(i)
		}
	}
	fig, err := plot.OutputsAgainstTarget(times, e.cfg.Targets.Index(e.cfg.Example), []plot.Trace{
		{Label: "Regularized Model", Color: color.RGBA{B: 255, A: 255}, Values: s.Example.Regularized},
		{Label: "Unregularized Model", Color: color.RGBA{R: 255, A: 255}, Values: s.Example.Unregularized},
	}, s.exampleTitle(), plot.Size(5*72, 3*72), e.cfg.Note)
	if err != nil {
		return nil, err
	}
	if e.cfg.Times == nil {
		fig.Plot.X.Label.Text = "Time step"
	}
	return fig, nil
}
