package backend

import (
	"runtime/debug"
	"strings"
	"testing"
)

// TestSIMDMatchesBuild checks SIMD against the GOEXPERIMENT the Go toolchain
// recorded in this test binary, so both builds (with and without
// GOEXPERIMENT=simd) test it.
func TestSIMDMatchesBuild(t *testing.T) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Skip("no build information in this binary")
	}
	built := false
	for _, s := range bi.Settings {
		if s.Key == "GOEXPERIMENT" {
			for _, e := range strings.Split(s.Value, ",") {
				if e == "simd" {
					built = true
				}
			}
		}
	}
	if SIMD != built {
		t.Fatalf("SIMD = %v, but the build's GOEXPERIMENT setting says simd = %v", SIMD, built)
	}
	n := SIMDNotice()
	if built && n != "" {
		t.Errorf("SIMD build has a notice: %q", n)
	}
	if !built && (!strings.Contains(n, "GOEXPERIMENT=simd") || !strings.Contains(n, FastBuild) || strings.Contains(n, "\n")) {
		t.Errorf("notice of the non-SIMD build: %q, want one line naming GOEXPERIMENT=simd and %q", n, FastBuild)
	}
	if !built && !strings.Contains(Report(), n) {
		t.Errorf("Report does not include the notice:\n%s", Report())
	}
	t.Logf("SIMD = %v", SIMD)
}
