package backend

// FastBuild is the command that builds nmatools with the pure-Go backend's
// SIMD kernels (from the repository root; `make build` does the same).
const FastBuild = "GOEXPERIMENT=simd go build -o bin/nmatools ./nmatools/cmd/nmatools"

// SIMDNotice is "" in a binary built with GOEXPERIMENT=simd; otherwise it is
// one line saying that this build is the slow one, and how to build the fast
// one. The nmatools command prints it once to stderr; Report includes it.
func SIMDNotice() string {
	if SIMD {
		return ""
	}
	return "nmatools: built without GOEXPERIMENT=simd, so the pure-Go backend runs its matrix products without SIMD " +
		"(a training step about 4x slower). Build the fast one with `" + FastBuild + "` (or `make build`); " +
		"tests and notebooks need GOEXPERIMENT=simd in the environment when they compile."
}
