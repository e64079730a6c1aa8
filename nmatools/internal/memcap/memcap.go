package memcap

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Limit is the allocation budget of one fuzz input or hostile-input test: 1 GiB.
const Limit = 1 << 30

// Allocated runs fn and returns the bytes it allocated on the Go heap. Other
// goroutines allocating meanwhile are counted too.
func Allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Check runs fn and fails tb when fn allocated more than limit bytes.
func Check(tb testing.TB, limit uint64, fn func()) {
	tb.Helper()
	if n := Allocated(fn); n > limit {
		tb.Fatalf("memcap: the call allocated %d bytes (%.2f GiB), more than the %d-byte limit", n, float64(n)/(1<<30), limit)
	}
}

// Keep copies a crafted test file or directory (of plain files) to
// $NMATOOLS_HOSTILE_DIR/name when that variable is set, so that the commands
// can be run and measured on the same inputs as the tests:
//
//	NMATOOLS_HOSTILE_DIR=/tmp/h go test -run Hostile ./nmatools/...
func Keep(tb testing.TB, src, name string) {
	tb.Helper()
	dir := os.Getenv("NMATOOLS_HOSTILE_DIR")
	if dir == "" {
		return
	}
	dst := filepath.Join(dir, name)
	files := []string{src}
	if st, err := os.Stat(src); err == nil && st.IsDir() {
		ents, _ := os.ReadDir(src)
		files = files[:0]
		for _, e := range ents {
			files = append(files, filepath.Join(src, e.Name()))
		}
		if err := os.MkdirAll(dst, 0o755); err != nil {
			tb.Fatal(err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		to := dst
		if f != src { // a file of the directory src
			to = filepath.Join(dst, filepath.Base(f))
		}
		if err := os.WriteFile(to, b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}
