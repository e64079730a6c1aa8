// Package memcap bounds the memory a call may allocate, for the fuzz targets
// and hostile-input tests: a reader fed a crafted file of a few hundred bytes
// must not allocate gigabytes. It counts every heap allocation of the call
// (runtime.MemStats.TotalAlloc before and after), so one large allocation is
// caught even when the pages are never touched; an allocation too large to
// succeed kills the process (fatal error: out of memory), which the fuzzer
// reports as a crash as well.
package memcap

import (
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
