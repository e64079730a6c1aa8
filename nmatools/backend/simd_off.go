//go:build !goexperiment.simd

package backend

// SIMD tells whether this binary was built with GOEXPERIMENT=simd, which
// compiles the pure-Go backend's AVX2/AVX-512 matrix kernels.
const SIMD = false
