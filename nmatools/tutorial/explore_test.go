package tutorial

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/neuromatch/nmatools/nmatools/backend"
	"github.com/neuromatch/nmatools/nmatools/data"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/plot"
	"github.com/neuromatch/nmatools/nmatools/repo"
	"github.com/neuromatch/nmatools/nmatools/sweep"
)

// exploreConfig is the notebook's configuration on the shipped checkpoints, with few repeats.
func exploreConfig(t *testing.T) exploreSettings {
	t.Helper()
	root, err := repo.Root()
	if err != nil {
		t.Skip(err)
	}
	b, err := backend.Get()
	if err != nil {
		t.Fatal(err)
	}
	ds, err := data.Load()
	if err != nil {
		t.Fatal(err)
	}
	train, _ := data.TrainValSplit(2024)
	in, out, err := ds.Subset(train)
	if err != nil {
		t.Fatal(err)
	}
	nets := map[string]*model.Params{}
	for _, name := range []string{"regularized", "unregularized"} {
		if nets[name], err = model.Load(filepath.Join(root, "checkpoints", name)); err != nil {
			t.Skipf("no shipped checkpoint: %v", err)
		}
	}
	return exploreSettings{Backend: b, Regularized: nets["regularized"], Unregularized: nets["unregularized"],
		Inputs: in, Targets: out, Times: ds.Times, Example: 3, Repeats: 2, Seed: 7, CacheDir: t.TempDir(), Headless: true}
}

// imgSVG returns the SVG of the <img> of class class in figureHTML's output, and its alt text.
func imgSVG(t *testing.T, h, class string) (svg, alt string) {
	t.Helper()
	i := strings.Index(h, `class="`+class+`"`)
	if i < 0 {
		t.Fatalf("no <img class=%q> in %.200s", class, h)
	}
	h = h[i:]
	alt = h[strings.Index(h, `alt="`)+5:]
	alt = alt[:strings.Index(alt, `"`)]
	b64 := h[strings.Index(h, "base64,")+7:]
	b64 = b64[:strings.Index(b64, `"`)]
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), alt
}

// trajectory runs condition c of inputs through p with a fresh model.Runner.
func trajectory(t *testing.T, cfg exploreSettings, p *model.Params, in *nd.Array, c int) *nd.Array {
	t.Helper()
	r := model.NewRunner(cfg.Backend, p)
	defer r.Close()
	out, _, err := r.Trajectory(in.Index(c))
	if err != nil {
		t.Fatal(err)
	}
	return out.Index(0)
}

func maxDiff(t *testing.T, a, b *nd.Array) float64 {
	t.Helper()
	d, err := nd.MaxAbsDiff(a, b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The example trajectories are one draw of the sweep's perturbation at the setting (the
// same seed, the same draw), differ from the unperturbed outputs and between settings,
// come back from the cache unchanged, and their figure names the setting and the note.
func TestExplorerExampleTrajectories(t *testing.T) {
	cfg := exploreConfig(t)
	cfg.Note = plot.Note("(synthetic data)")
	e, err := newExplorer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.close()
	const c = 3
	plain := trajectory(t, cfg, cfg.Unregularized, cfg.Inputs, c)

	w37, err := e.compute(kindWeights, 0.37)
	if err != nil {
		t.Fatal(err)
	}
	if w37.Example == nil || w37.Example.Condition != c {
		t.Fatalf("no example of condition %d: %+v", c, w37.Example)
	}
	pj := sweep.PerturbRecurrentWeights(cfg.Unregularized, sweep.MeanAbsoluteStrength(cfg.Unregularized), 0.37, cfg.Seed)
	if d := maxDiff(t, w37.Example.Unregularized, trajectory(t, cfg, pj, cfg.Inputs, c)); d > 1e-5 {
		t.Errorf("weight example differs by %g from the seed's perturbed J run through model.Runner", d)
	}
	if d := maxDiff(t, w37.Example.Unregularized, plain); d < 1e-3 {
		t.Errorf("weight noise of 37%% changed the outputs by only %g", d)
	}
	in12, err := e.compute(kindInputs, 0.12)
	if err != nil {
		t.Fatal(err)
	}
	pu, err := sweep.PerturbInputsSeed(cfg.Inputs, 0.12, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxDiff(t, in12.Example.Regularized, trajectory(t, cfg, cfg.Regularized, pu, c)); d > 1e-5 {
		t.Errorf("input example differs by %g from the seed's perturbed inputs run through model.Runner", d)
	}
	if d := maxDiff(t, in12.Example.Unregularized, plain); d < 1e-3 {
		t.Errorf("input noise 0.12 changed the outputs by only %g", d)
	}
	if d := maxDiff(t, in12.Example.Regularized, in12.Example.Unregularized); d == 0 {
		t.Error("both networks drew the same outputs")
	}

	// Another setting: other outputs, another figure that names it; the same setting from
	// the disk cache (a rerun of the cell): the same outputs and figure.
	h37, _, err := e.figureHTML(kindWeights, 0.37)
	if err != nil {
		t.Fatal(err)
	}
	h5, _, err := e.figureHTML(kindWeights, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	svg37, alt37 := imgSVG(t, h37, "nmatools-explore-example")
	svg5, alt5 := imgSVG(t, h5, "nmatools-explore-example")
	w5, _ := e.lookup(kindWeights, 0.05)
	if d := maxDiff(t, w5.Example.Unregularized, w37.Example.Unregularized); d < 1e-4 {
		t.Errorf("5%% and 37%% weight noise drew outputs within %g", d)
	}
	if svg5 == svg37 {
		t.Error("the example figure did not change with the setting")
	}
	for _, f := range []struct{ svg, alt, want string }{{svg37, alt37, "37% of mean |J|: one draw, condition 4"}, {svg5, alt5, "5% of mean |J|: one draw, condition 4"}} {
		if !strings.Contains(f.alt, f.want) || !strings.Contains(f.svg, f.want) || !strings.Contains(f.svg, "(synthetic data)") {
			t.Errorf("example figure %q does not name %q with the note", f.alt, f.want)
		}
	}
	hIn, _, _ := e.figureHTML(kindInputs, 0.12)
	if svg, alt := imgSVG(t, hIn, "nmatools-explore-example"); !strings.Contains(alt, "strength 0.120") || !strings.Contains(svg, "strength 0.120") {
		t.Errorf("input example figure %q does not name its strength", alt)
	}
	e2, err := newExplorer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e2.close()
	disk, err := e2.compute(kindWeights, 0.37)
	if err != nil || !disk.Cached {
		t.Fatalf("from disk: %+v, %v", disk, err)
	}
	if d := maxDiff(t, disk.Example.Regularized, w37.Example.Regularized); d != 0 {
		t.Errorf("the cached example differs by %g", d)
	}
	hDisk, _, _ := e2.figureHTML(kindWeights, 0.37)
	if svg, _ := imgSVG(t, hDisk, "nmatools-explore-example"); svg != svg37 {
		t.Error("the cached setting draws another example figure")
	}
	// A cache file without the example (an older version's) is recomputed, not drawn without one.
	file := filepath.Join(cfg.CacheDir, e.cacheKey(kindWeights, 0.37)+".json")
	old := w37
	old.Example = nil
	if b, err := json.Marshal(old); err != nil || os.WriteFile(file, b, 0o644) != nil {
		t.Fatal(err)
	}
	e4, _ := newExplorer(cfg)
	defer e4.close()
	if re, err := e4.compute(kindWeights, 0.37); err != nil || re.Cached || re.Example == nil {
		t.Errorf("a cached setting without an example: %+v, %v", re, err)
	}
	// Without Times the x axis is in time steps.
	cfg.Times = nil
	e3, _ := newExplorer(cfg)
	defer e3.close()
	s3, _ := e3.compute(kindWeights, 0.37)
	if fig, err := e3.exampleFigure(s3); err != nil || fig.Plot.X.Label.Text != "Time step" {
		t.Errorf("without Times: %v", err)
	}
}

func TestExplorerComputesCachesAndDraws(t *testing.T) {
	cfg := exploreConfig(t)
	e, err := newExplorer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.compute(kindWeights, 0.37)
	if err != nil {
		t.Fatal(err)
	}
	if s.Cached || s.Took <= 0 || s.Repeats != 2 {
		t.Fatalf("first computation: %+v", s)
	}
	// The bars are the library's sweep at that level.
	want, err := sweep.WeightSweep(cfg.Backend, cfg.Unregularized, cfg.Inputs, cfg.Targets, []float64{0.37}, 2, 7)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Unregularized; got != sweep.MeanStds(want)[0] {
		t.Errorf("unregularized %+v, sweep.WeightSweep %+v", got, sweep.MeanStds(want)[0])
	}
	if s.Regularized == s.Unregularized {
		t.Errorf("both networks have the same error %+v", s.Regularized)
	}
	again, err := e.compute(kindWeights, 0.37)
	if err != nil || !again.Cached || again.Regularized != s.Regularized {
		t.Fatalf("second call: %+v, %v; want the cached %+v", again, err, s)
	}
	// A new Explorer (a rerun of the cell) reads the setting from CacheDir.
	e2, err := newExplorer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	disk, err := e2.compute(kindWeights, 0.37)
	if err != nil || !disk.Cached || disk.Unregularized != s.Unregularized {
		t.Fatalf("from disk: %+v, %v", disk, err)
	}
	// Another seed is another cache entry.
	cfg.Seed = 8
	e3, _ := newExplorer(cfg)
	if other, err := e3.compute(kindWeights, 0.37); err != nil || other.Cached {
		t.Fatalf("another seed came from the cache: %+v, %v", other, err)
	}

	in, err := e.compute(kindInputs, 0.123)
	if err != nil {
		t.Fatal(err)
	}
	h, _, err := e.figureHTML(kindInputs, 0.123)
	if err != nil {
		t.Fatal(err)
	}
	b64 := h[strings.Index(h, "base64,")+7:]
	b64 = b64[:strings.Index(b64, `"`)]
	svg, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(svg), "strength 0.123") || !strings.Contains(h, `alt="Input noise: strength 0.123"`) {
		t.Errorf("the input figure does not name its strength: %s", in.title())
	}
	hw, _, _ := e.figureHTML(kindWeights, 0.37)
	if !strings.Contains(hw, "37% of mean |J|") {
		t.Errorf("the weight figure does not name its percentage")
	}
	// The caption gives the numbers (the bars stop at 100 %) and says where they came from.
	if c := again.caption(); !strings.Contains(c, fmt.Sprintf("unregularized %.1f ±", s.Unregularized.Mean)) || !strings.Contains(c, "from the cache") {
		t.Errorf("caption %q", c)
	}
	if c := s.caption(); !strings.Contains(c, "computed in") || !strings.Contains(c, "2 perturbations per network") {
		t.Errorf("caption %q", c)
	}
}

func TestExplorerRejectsBadConfig(t *testing.T) {
	cfg := exploreConfig(t)
	for name, mod := range map[string]func(*exploreSettings){
		"no backend":  func(c *exploreSettings) { c.Backend = nil },
		"one network": func(c *exploreSettings) { c.Unregularized = nil },
		"no data":     func(c *exploreSettings) { c.Inputs = nil },
		"repeats":     func(c *exploreSettings) { c.Repeats = -1 },
		"strength":    func(c *exploreSettings) { c.InputStrength = 2 },
		"percent":     func(c *exploreSettings) { c.WeightPercent = 500 },
		"example":     func(c *exploreSettings) { c.Example = c.Inputs.Shape[0] },
		"times":       func(c *exploreSettings) { c.Times = c.Times[1:] },
		"2-D targets": func(c *exploreSettings) { c.Targets = c.Targets.Index(0) },
	} {
		c := cfg
		mod(&c)
		if _, err := newExplorer(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	e, err := newExplorer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if e.cfg.IdleTimeout != maxIdleTimeout {
		t.Errorf("idle timeout %v, want %v", e.cfg.IdleTimeout, maxIdleTimeout)
	}
	// The environment sets the idle timeout when the cell does not (the browser check's %env).
	t.Setenv(idleEnv, "10s")
	if e, err := newExplorer(cfg); err != nil || e.cfg.IdleTimeout != 10*time.Second {
		t.Errorf("%s=10s: %v", idleEnv, err)
	}
	c := cfg
	c.IdleTimeout = 30 * time.Second
	if e, err := newExplorer(c); err != nil || e.cfg.IdleTimeout != 30*time.Second {
		t.Errorf("IdleTimeout 30s with %s=10s: %v", idleEnv, err)
	}
	for _, bad := range []string{"ten", "0s", "-5s", "3m"} {
		t.Setenv(idleEnv, bad)
		if _, err := newExplorer(cfg); err == nil || !strings.Contains(err.Error(), idleEnv) {
			t.Errorf("%s=%q: %v", idleEnv, bad, err)
		}
	}
	if _, err := e.compute("noise", 0.1); err == nil {
		t.Error("an unknown perturbation kind was accepted")
	}
}

func TestExploreHeadlessDrawsOnceAndReturns(t *testing.T) {
	cfg := exploreConfig(t)
	t.Setenv("NMATOOLS_HEADLESS", "1")
	cfg.Headless = false
	if err := explorePerturbations(cfg); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(cfg.CacheDir)
	if len(entries) != 2 {
		t.Errorf("headless run cached %d settings, want the 2 first ones", len(entries))
	}
}

// ExplorePerturbations' defaults are Section 4's: the training conditions of the dataset,
// max_error of all its outputs, 30 perturbations with the tutorial's seed, its times and
// its note.
func TestExploreDefaultsAreSection4s(t *testing.T) {
	ref := exploreConfig(t)
	ds, err := data.Load()
	if err != nil {
		t.Fatal(err)
	}
	reg, unreg := ReferenceRNN(ref.Regularized), ReferenceRNN(ref.Unregularized)
	cfg, err := exploreDefaults(reg, unreg, ds)
	if err != nil {
		t.Fatal(err)
	}
	trainIdx, _ := data.TrainValSplit(Seed)
	if d := maxDiff(t, cfg.Inputs, ds.Inputs.Take(trainIdx)); d != 0 || cfg.Inputs.Shape[0] != 20 {
		t.Errorf("inputs %v differ from the 20 training conditions by %g", cfg.Inputs.Shape, d)
	}
	if d := maxDiff(t, cfg.Targets, ds.Outputs.Take(trainIdx)); d != 0 {
		t.Errorf("targets differ from the training conditions' outputs by %g", d)
	}
	if want, _ := sweep.MaxError(ds.Outputs); cfg.MaxError != want {
		t.Errorf("max error %g, want %g (all 27 conditions)", cfg.MaxError, want)
	}
	if cfg.Repeats != 30 || cfg.Seed != 2024 || cfg.Regularized != reg.Params || cfg.Unregularized != unreg.Params {
		t.Errorf("repeats %d, seed %d, or the networks are not the ones given", cfg.Repeats, cfg.Seed)
	}
	if len(cfg.Times) != len(ds.Times) || cfg.Times[0] != ds.Times[0] || (cfg.Note != nil) != ds.Synthetic {
		t.Errorf("times or note are not the dataset's (note set: %v, synthetic: %v)", cfg.Note != nil, ds.Synthetic)
	}
	if _, err := exploreDefaults(reg, nil, ds); err == nil {
		t.Error("one network was accepted")
	}
}

// The cache key covers τ/Δt (it changes the networks' dynamics, as the sweeps' key
// already knew): the same weights with another time constant are another setting.
func TestExplorerKeyHasTau(t *testing.T) {
	cfg := exploreConfig(t)
	e, err := newExplorer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.close()
	for _, slow := range []bool{true, false} {
		c := cfg
		p := *cfg.Unregularized
		if slow {
			p = *cfg.Regularized
		}
		p.Config.TauOverDt *= 2
		if slow {
			c.Regularized = &p
		} else {
			c.Unregularized = &p
		}
		e2, err := newExplorer(c)
		if err != nil {
			t.Fatal(err)
		}
		if e2.key == e.key {
			t.Errorf("a network with twice τ/Δt (regularized: %v) has the same cache key", slow)
		}
		e2.close()
	}
}
