package tutorial

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/neuromatch/nmatools/nmatools/nd"
)

// The result cache never fails a cell: a corrupt or half-written file is recomputed and
// replaced, keys that are not plain file names are hashed, and nothing is kept without a dir.
func TestDiskCacheRecomputesBadFiles(t *testing.T) {
	c := diskCache{t.TempDir()}
	type res struct{ Mean, Std float64 }
	want := []res{{2.38, 0.05}, {8.14, 0.3}}
	c.store("inputs-abc", want)
	var got []res
	if !c.load("inputs-abc", &got) || len(got) != 2 || got[1] != want[1] {
		t.Fatalf("stored %v, loaded %v", want, got)
	}
	for _, bad := range []string{`[{"Mean": 2.3`, "", "\x00\x01garbage", `{"Mean": "x"}`} {
		if err := os.WriteFile(c.file("inputs-abc"), []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		got = nil
		if c.load("inputs-abc", &got) {
			t.Errorf("the file %q loaded as %v; want a miss (recompute)", bad, got)
		}
	}
	c.store("inputs-abc", want) // replaced by a good one
	if !c.load("inputs-abc", &got) || got[0] != want[0] {
		t.Errorf("after the rewrite: %v", got)
	}
	odd := "../../etc/passwd key with spaces"
	c.store(odd, want)
	if f := c.file(odd); filepath.Dir(f) != c.dir || strings.Contains(filepath.Base(f), " ") {
		t.Errorf("odd key maps to %s, outside %s or unhashed", f, c.dir)
	}
	if !c.load(odd, &got) {
		t.Error("odd key: not found after store")
	}
	off := diskCache{}
	off.store("k", want)
	if off.load("k", &got) {
		t.Error("a cache without a directory kept a value")
	}
}

// cached runs its function once per key; a second call returns the stored result.
func TestCachedRunsOncePerKey(t *testing.T) {
	defer func(d func() string) { sweepCacheDir = d }(sweepCacheDir)
	dir := t.TempDir()
	sweepCacheDir = func() string { return dir }
	key := fmt.Sprintf("test-%s-%d", t.Name(), time.Now().UnixNano())
	calls := 0
	run := func() []float64 { calls++; return []float64{1.5, 2} }
	a := cached(key, run)
	b := cached(key, run)
	if calls != 1 || fmt.Sprint(a, b) != "[1.5 2] [1.5 2]" {
		t.Fatalf("calls %d, results %v %v; want one call and the same result twice", calls, a, b)
	}
	if f1, f2 := fingerprint(nd.New(2, 3)), fingerprint(nd.New(3, 2)); f1 == f2 {
		t.Fatalf("fingerprint ignores the shape: %s for (2,3) and (3,2)", f1)
	}
}
