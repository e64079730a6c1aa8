package memcap

import "testing"

var sink []byte

// TestAllocatedCountsUntouchedAllocation: a 1.5 GiB allocation whose pages are
// never touched (cheap in RSS) is still counted, so Check fails on it.
func TestAllocatedCountsUntouchedAllocation(t *testing.T) {
	n := Allocated(func() { sink = make([]byte, 3<<29) })
	sink = nil
	if n < 3<<29 {
		t.Fatalf("Allocated = %d, want ≥ %d", n, 3<<29)
	}
	if small := Allocated(func() { sink = make([]byte, 1<<20) }); small > 8<<20 {
		t.Fatalf("Allocated(1 MiB) = %d", small)
	}
	ft := &fakeTB{TB: t}
	func() {
		defer func() { recover() }()
		Check(ft, Limit, func() { sink = make([]byte, 3<<29) })
	}()
	sink = nil
	if !ft.failed {
		t.Fatal("Check did not fail on a 1.5 GiB allocation")
	}
}

type fakeTB struct {
	testing.TB
	failed bool
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(string, ...any) {
	f.failed = true
	panic("fatal")
}
