package data

import (
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/matfile"
)

// TestSynthesizeStructure checks the synthetic condsForSim file against
// what the generative model promises (doc.go), on the shipped seed-2024 file.
func TestSynthesizeStructure(t *testing.T) {
	f, err := matfile.ReadFile(filepath.Join(shippedDir, CondsFile))
	if err != nil {
		t.Fatal(err)
	}
	note, err := f.Get(SyntheticNoteVar)
	if err != nil || !strings.Contains(note.(*matfile.Char).String(), "SYNTHETIC") {
		t.Fatalf("synthetic_note missing or unclear: %v", err)
	}
	v, _ := f.Get("condsForSim")
	s := v.(*matfile.Struct)
	if !reflect.DeepEqual(s.Dims, []int{27, 8}) {
		t.Fatalf("dims %v", s.Dims)
	}
	num := func(i, j int, name string) *matfile.Numeric {
		e, err := s.Elem(i, j)
		if err != nil {
			t.Fatal(err)
		}
		return e[name].(*matfile.Numeric)
	}
	times := num(0, 0, "timesREmove")
	if times.Dims[0] != 296 || times.At(RowStart) != -1800 || times.At(295) != 690 {
		t.Fatalf("timesREmove %v: %v..%v", times.Dims, times.At(RowStart), times.At(295))
	}
	row := func(ms float64) int { return int(math.Round(ms/10)) + synthZeroRow }
	lastGo := -1
	for j := 0; j < NumDelays; j++ {
		// The go bump peaks at the go cue, later for longer delays.
		g := num(4, j, "goEnvelope")
		peak := 0
		for k := 0; k < 296; k++ {
			if g.At(k) > g.At(peak) {
				peak = k
			}
		}
		if peak <= lastGo || peak != row(goTime(j)) {
			t.Errorf("delay %d: go bump at row %d (previous %d), want %d", j, peak, lastGo, row(goTime(j)))
		}
		lastGo = peak
		for i := 0; i < NumConditions; i++ {
			p := num(i, j, "plan")
			m := num(i, j, "muscle")
			if !reflect.DeepEqual(p.Dims, []int{296, 15}) || !reflect.DeepEqual(m.Dims, []int{296, 7}) {
				t.Fatalf("plan %v muscle %v", p.Dims, m.Dims)
			}
			for k := 0; k < 296; k++ {
				on := rowTime(k) >= synthTarget && rowTime(k) < goTime(j)
				for q := 0; q < 15; q++ {
					if on && p.At(k, q) != p.At(row(synthTarget), q) || !on && p.At(k, q) != 0 {
						t.Fatalf("(%d,%d): plan not held constant from target onset to go cue (row %d)", i, j, k)
					}
				}
				for q := 0; q < 7; q++ {
					e := m.At(k, q)
					if e < 0 || e > 1 || rowTime(k) <= goTime(j) && e != 0 {
						t.Fatalf("(%d,%d): muscle %d = %v at %v ms (go %v)", i, j, q, e, rowTime(k), goTime(j))
					}
				}
			}
		}
	}
	// Muscles 3 and 4 burst after the go cue, differently by condition,
	// with a modest amplitude, and smoothly (no big sample-to-sample jumps).
	var peaks [2][NumConditions]float64
	maxStep := 0.0
	for i := 0; i < NumConditions; i++ {
		m := num(i, FixedDelay, "muscle")
		for c, col := range []int{MuscleA, MuscleB} {
			for k := 1; k < 296; k++ {
				peaks[c][i] = max(peaks[c][i], m.At(k, col))
				maxStep = max(maxStep, math.Abs(m.At(k, col)-m.At(k-1, col)))
			}
		}
	}
	for c := range peaks {
		lo, hi := 1.0, 0.0
		for _, p := range peaks[c] {
			lo, hi = min(lo, p), max(hi, p)
		}
		if hi > 0.81 || hi < 0.3 || hi-lo < 0.2 {
			t.Errorf("muscle %d: peaks %.3f..%.3f over conditions: want modest bursts that differ by condition", c+3, lo, hi)
		}
	}
	if maxStep > 0.1 {
		t.Errorf("EMG jumps by %.3f in 10 ms: not smooth", maxStep)
	}
}

func TestSynthesizeDeterministic(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for _, d := range []struct {
		dir  string
		seed int64
	}{{a, 3}, {b, 3}, {c, 4}} {
		if err := Synthesize(d.dir, d.seed); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{CondsFile, M1File} {
		sa, _ := FileMD5(filepath.Join(a, name))
		sb, _ := FileMD5(filepath.Join(b, name))
		sc, _ := FileMD5(filepath.Join(c, name))
		if sa != sb {
			t.Errorf("%s: two runs with seed 3 differ", name)
		}
		if sa == sc {
			t.Errorf("%s: seeds 3 and 4 give the same file", name)
		}
	}
}
