// Package memcap bounds the memory a call may allocate, for the fuzz targets
// and hostile-input tests: a reader fed a crafted file of a few hundred bytes
// must not allocate gigabytes. It counts every heap allocation of the call
// (runtime.MemStats.TotalAlloc before and after), so one large allocation is
// caught even when the pages are never touched; an allocation too large to
// succeed kills the process (fatal error: out of memory), which the fuzzer
// reports as a crash as well.
package memcap
