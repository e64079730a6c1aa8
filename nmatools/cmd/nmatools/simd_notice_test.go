package main

import (
	"strings"
	"sync"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/backend"
)

// TestSIMDNotice: a build without GOEXPERIMENT=simd says so once per
// process, on stderr; a SIMD build says nothing. (backend's test checks
// backend.SIMD against the build's recorded GOEXPERIMENT.)
func TestSIMDNotice(t *testing.T) {
	simdOnce = new(sync.Once)
	_, out1, err1 := runCmd("compare")
	_, _, err2 := runCmd("compare")
	const key = "built without GOEXPERIMENT=simd"
	if strings.Contains(out1, key) {
		t.Errorf("notice on stdout: %q", out1)
	}
	if backend.SIMD {
		if strings.Contains(err1, key) {
			t.Errorf("SIMD build printed the notice: %q", err1)
		}
		return
	}
	if strings.Count(err1, key) != 1 || !strings.Contains(err1, backend.FastBuild) {
		t.Errorf("first run's stderr %q: want the notice once, with %q", err1, backend.FastBuild)
	}
	if strings.Contains(err2, key) {
		t.Errorf("second run printed the notice again: %q", err2)
	}
}
