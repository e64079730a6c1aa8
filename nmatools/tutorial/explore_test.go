package tutorial

import (
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/backend"
	"github.com/neuromatch/nmatools/nmatools/data"
	"github.com/neuromatch/nmatools/nmatools/model"
	"github.com/neuromatch/nmatools/nmatools/repo"
	"github.com/neuromatch/nmatools/nmatools/sweep"
)

// exploreConfig is the notebook's configuration on the shipped checkpoints, with few repeats.
func exploreConfig(t *testing.T) Explore {
	t.Helper()
	root, err := repo.Root()
	if err != nil {
		t.Skip(err)
	}
	b, err := backend.Get()
	if err != nil {
		t.Fatal(err)
	}
	data.Notices = io.Discard
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
	return Explore{Backend: b, Regularized: nets["regularized"], Unregularized: nets["unregularized"],
		Inputs: in, Targets: out, Repeats: 2, Seed: 7, CacheDir: t.TempDir(), Headless: true}
}

func TestExplorerComputesCachesAndDraws(t *testing.T) {
	cfg := exploreConfig(t)
	e, err := NewExplorer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.Compute(KindWeights, 0.37)
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
	again, err := e.Compute(KindWeights, 0.37)
	if err != nil || !again.Cached || again.Regularized != s.Regularized {
		t.Fatalf("second call: %+v, %v; want the cached %+v", again, err, s)
	}
	// A new Explorer (a rerun of the cell) reads the setting from CacheDir.
	e2, err := NewExplorer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	disk, err := e2.Compute(KindWeights, 0.37)
	if err != nil || !disk.Cached || disk.Unregularized != s.Unregularized {
		t.Fatalf("from disk: %+v, %v", disk, err)
	}
	// Another seed is another cache entry.
	cfg.Seed = 8
	e3, _ := NewExplorer(cfg)
	if other, err := e3.Compute(KindWeights, 0.37); err != nil || other.Cached {
		t.Fatalf("another seed came from the cache: %+v, %v", other, err)
	}

	in, err := e.Compute(KindInputs, 0.123)
	if err != nil {
		t.Fatal(err)
	}
	h, _, err := e.figureHTML(KindInputs, 0.123)
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
		t.Errorf("the input figure does not name its strength: %s", in.Title())
	}
	hw, _, _ := e.figureHTML(KindWeights, 0.37)
	if !strings.Contains(hw, "37% of mean |J|") {
		t.Errorf("the weight figure does not name its percentage")
	}
	// The caption gives the numbers (the bars stop at 100 %) and says where they came from.
	if c := again.Caption(); !strings.Contains(c, fmt.Sprintf("unregularized %.1f ±", s.Unregularized.Mean)) || !strings.Contains(c, "from the cache") {
		t.Errorf("caption %q", c)
	}
	if c := s.Caption(); !strings.Contains(c, "computed in") || !strings.Contains(c, "2 perturbations per network") {
		t.Errorf("caption %q", c)
	}
}

func TestExplorerRejectsBadConfig(t *testing.T) {
	cfg := exploreConfig(t)
	for name, mod := range map[string]func(*Explore){
		"no backend":  func(c *Explore) { c.Backend = nil },
		"one network": func(c *Explore) { c.Unregularized = nil },
		"no data":     func(c *Explore) { c.Inputs = nil },
		"repeats":     func(c *Explore) { c.Repeats = -1 },
		"strength":    func(c *Explore) { c.InputStrength = 2 },
		"percent":     func(c *Explore) { c.WeightPercent = 500 },
	} {
		c := cfg
		mod(&c)
		if _, err := NewExplorer(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	e, err := NewExplorer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if e.cfg.IdleTimeout != MaxIdleTimeout {
		t.Errorf("idle timeout %v, want %v", e.cfg.IdleTimeout, MaxIdleTimeout)
	}
	if _, err := e.Compute("noise", 0.1); err == nil {
		t.Error("an unknown perturbation kind was accepted")
	}
}

func TestExploreHeadlessDrawsOnceAndReturns(t *testing.T) {
	cfg := exploreConfig(t)
	t.Setenv("NMATOOLS_HEADLESS", "1")
	cfg.Headless = false
	if err := ExplorePerturbations(cfg); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(cfg.CacheDir)
	if len(entries) != 2 {
		t.Errorf("headless run cached %d settings, want the 2 first ones", len(entries))
	}
}
