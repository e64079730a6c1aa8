package tutorial_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/neuromatch/nmatools/nmatools/compare"
	"github.com/neuromatch/nmatools/nmatools/data"
	"github.com/neuromatch/nmatools/nmatools/study"
	"github.com/neuromatch/nmatools/nmatools/tutorial"
)

// Tangling of the EMG targets and of a network's rates over the movement
// epoch, paired moment by moment for Russo et al.'s scatter.
func ExampleTangling() {
	ds := tutorial.Data()
	m1 := tutorial.M1()
	from, to := tutorial.MovementWindow(m1.Times, len(ds.Times))
	emg := tutorial.EMGActivity(ds)
	net := tutorial.NetworkActivity("regularized network", tutorial.Pretrained("regularized"), ds)
	qe := tutorial.Tangling(emg, from, to, 8, 0.01)
	qn := tutorial.Tangling(net, from, to, 8, 0.01)
	p := tutorial.TanglingPairs(net.Label, qe, qn)
	fmt.Println("EMG targets:", qe.PCs, "PCs (one per muscle);", "network:", qn.PCs, "PCs")
	fmt.Println(len(p.Muscles), "paired moments:", qe.Conditions, "conditions ×", qe.Steps, "steps")
	// Output:
	// EMG targets: 2 PCs (one per muscle); network: 8 PCs
	// 1593 paired moments: 27 conditions × 59 steps
}

func TestTanglingHelpers(t *testing.T) {
	ds := tutorial.Data()
	m1 := tutorial.PSTHActivity(tutorial.M1())
	w := m1.Window(200, 220)
	if w.Data.Times != 20 || w.Times[0] != m1.Times[200] || w.Label != m1.Label || m1.Data.Times == 20 {
		t.Errorf("Window(200, 220): %d samples from %v, label %q", w.Data.Times, w.Times[0], w.Label)
	}
	// Tangling of a window equals Tangling on the window.
	a, b := tutorial.Tangling(m1, 200, 220, 8, 0.01), tutorial.Tangling(w, 0, 0, 8, 0.01)
	if a.Q90 != b.Q90 || len(a.Q) != 19*m1.Data.Conditions {
		t.Errorf("q90 %v vs %v, %d values", a.Q90, b.Q90, len(a.Q))
	}
	emg := tutorial.EMGActivity(ds)
	if emg.Data.Units != 2 || emg.Synthetic != ds.Synthetic || (ds.Synthetic && !strings.Contains(emg.Label, "synthetic")) {
		t.Errorf("EMG activity: %d muscles, label %q", emg.Data.Units, emg.Label)
	}
	row := m1.TanglingRow("200–219", a)
	table := tutorial.FormatTanglingTable([]tutorial.TanglingRow{row})
	if !strings.Contains(table, m1.Label) || !strings.Contains(table, fmt.Sprintf("%.0f", a.Q90)) {
		t.Errorf("table:\n%s", table)
	}
	// EMGOnset: a step at sample 40 of a flat record.
	v := make([]float64, 2*100*3)
	for c := 0; c < 2; c++ {
		for k := 40; k < 100; k++ {
			for u := 0; u < 3; u++ {
				v[(c*100+k)*3+u] = 5
			}
		}
	}
	d, _ := compare.New(2, 100, 3, v)
	if on := tutorial.EMGOnset(&tutorial.Activity{Data: d}); on != 40 {
		t.Errorf("onset %d, want 40", on)
	}
}

func TestRealEMG(t *testing.T) {
	if _, ok := data.FindReal(data.EMGFile); !ok {
		t.Setenv("NMATOOLS_DOWNLOAD", "")
		if a, why := tutorial.RealEMG(10); a != nil || !strings.Contains(why, "NMATOOLS_DOWNLOAD=1") {
			t.Errorf("without the file: %v, %q", a, why)
		}
		t.Skip(data.EMGFile + " not at hand")
	}
	a, why := tutorial.RealEMG(10)
	if a == nil {
		t.Fatal(why)
	}
	if a.Data.Conditions != 8 || a.Data.Times != 334 || a.Data.Units != 13 || !a.Real || math.Abs(a.Times[1]-0.01) > 1e-12 {
		t.Errorf("real EMG: %v, times %v…", a.Data.Shape(), a.Times[:2])
	}
	if on := tutorial.EMGOnset(a); on < 50 || on > 90 {
		t.Errorf("EMG onset at sample %d: the EMG rises about 600–800 samples (60–80 bins) into the record", on)
	}
}

// TestShippedStudy: the study shipped in docs/study reads as complete.
func TestShippedStudy(t *testing.T) {
	tab, why := tutorial.ShippedStudy()
	if tab == nil {
		t.Fatal(why)
	}
	g, err := study.ReadGrid(tutorial.ShippedStudyDir() + "/../grid.json")
	if err != nil {
		t.Fatal(err)
	}
	if !tab.Grid.Equal(g) || len(tab.Rows) != len(g.Cells()) || len(tab.Data) != 1 || tab.Data[0] != "synthetic" {
		t.Errorf("shipped study: grid %+v, %d rows, data %v; docs/study/grid.json %+v", tab.Grid, len(tab.Rows), tab.Data, g)
	}
}

// TestRunStudy: a one-cell grid trains, reads back as a table, and a rerun
// finds it finished (no training: fast); another grid, other data or other
// settings get a directory of their own.
func TestRunStudy(t *testing.T) {
	g := tutorial.StudyGrid{RatePenalty: []float64{0.003}, WeightPenalty: []float64{1e-5}, Seeds: []int64{5}, Epochs: 1}
	g2 := g
	g2.Seeds = []int64{6}
	su := &study.Setup{Data: study.DataInfo{Label: "synthetic"}, Settings: study.Settings{Repeats: 30}}
	if tutorial.StudyDir("test", g, su) == tutorial.StudyDir("test", g2, su) {
		t.Fatal("two grids share a directory")
	}
	// The data and the settings are in the name too: after a change of
	// either, RunStudy starts a new directory instead of failing on the old.
	rec, set := *su, *su
	rec.Data.Label = "recorded"
	set.Settings.Repeats = 10
	if d := tutorial.StudyDir("test", g, su); d == tutorial.StudyDir("test", g, &rec) || d == tutorial.StudyDir("test", g, &set) {
		t.Fatal("a grid run on other data or settings shares a directory")
	}
	tab := tutorial.RunStudy("test", g)
	if len(tab.Rows) != 1 || tab.Rows[0].ValMSE == nil || tab.Rows[0].TanglingQ90 == nil {
		t.Fatalf("table %+v", tab.Rows)
	}
	start := time.Now()
	again := tutorial.RunStudy("test", g)
	if *again.Rows[0].ValMSE != *tab.Rows[0].ValMSE || time.Since(start) > 20*time.Second {
		t.Errorf("rerun: %v (%v)", again.Rows[0], time.Since(start))
	}
}
