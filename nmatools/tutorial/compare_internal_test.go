package tutorial

import (
	"errors"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/data"
	"github.com/neuromatch/nmatools/nmatools/nd"
	"github.com/neuromatch/nmatools/nmatools/plot"
)

// Without the file, RealM1 downloads it only when NMATOOLS_DOWNLOAD=1, and
// says why it could not.
func TestRealM1Downloads(t *testing.T) {
	copyOf, haveCopy := data.FindReal(data.ChurchlandFile)
	empty := t.TempDir()
	t.Setenv("NMATOOLS_SHARED_DATA", empty)
	t.Setenv("NMATOOLS_DATA", empty)
	old := fetchReal
	defer func() { fetchReal = old }()
	var asked []string
	fetchReal = func(name string) (string, error) {
		asked = append(asked, name)
		return "", errors.New("offline")
	}

	t.Setenv("NMATOOLS_DOWNLOAD", "")
	if m, why := RealM1(); m != nil || len(asked) != 0 || !strings.Contains(why, "NMATOOLS_DOWNLOAD=1") {
		t.Errorf("without NMATOOLS_DOWNLOAD: %v, %q, fetched %v", m, why, asked)
	}
	t.Setenv("NMATOOLS_DOWNLOAD", "1")
	if m, why := RealM1(); m != nil || len(asked) != 1 || asked[0] != data.ChurchlandFile || !strings.Contains(why, "offline") {
		t.Errorf("with NMATOOLS_DOWNLOAD=1, offline: %v, %q, fetched %v", m, why, asked)
	}

	// A successful download is loaded (the team's copy stands in for the network).
	if !haveCopy {
		t.Skip("no copy of the real data to stand in for a download (set NMATOOLS_SHARED_DATA)")
	}
	fetchReal = func(name string) (string, error) { return copyOf, nil }
	if m, why := RealM1(); m == nil || !m.Real || m.NumConditions() != 10 {
		t.Errorf("after a download: %v, %q", m, why)
	}
}

// One label for what data are: Note and the comparison's labels say "synthetic" for the
// stand-in (and networks trained on it), "real" for recordings marked real, nothing for
// the course's dataset.
func TestNoteAndLabelsSayTheOrigin(t *testing.T) {
	title := func(o plot.Option) string {
		fig, err := plot.PerturbationResults([]float64{0.1}, []nd.MeanStd{{Mean: 1}}, []nd.MeanStd{{Mean: 2}}, "T", o)
		if err != nil {
			t.Fatal(err)
		}
		return fig.Plot.Title.Text
	}
	psth := nd.New(2, 3, 4)
	for _, c := range []struct {
		name       string
		note       plot.Option
		wantTitle  string
		label      string
		wantSuffix string
	}{
		{"synthetic dataset", Note(&Dataset{Synthetic: true}), "T (synthetic data)", "", ""},
		{"course's dataset", Note(&Dataset{}), "T", "", ""},
		{"nil dataset", Note((*Dataset)(nil)), "T", "", ""},
		{"synthetic M1", Note(&M1Data{Synthetic: true, PSTH: psth}), "T (synthetic data)",
			PSTHActivity(&M1Data{Synthetic: true, PSTH: psth}).Label, " (synthetic)"},
		{"real M1", Note(&M1Data{Real: true, PSTH: psth}), "T (real data)",
			PSTHActivity(&M1Data{Real: true, PSTH: psth}).Label, " (real)"},
		{"activity", Note(&Activity{Synthetic: true}), "T (synthetic data)", "", ""},
	} {
		if got := title(c.note); got != c.wantTitle {
			t.Errorf("%s: title %q, want %q", c.name, got, c.wantTitle)
		}
		if !strings.HasSuffix(c.label, c.wantSuffix) {
			t.Errorf("%s: label %q, want the suffix %q", c.name, c.label, c.wantSuffix)
		}
	}
}
