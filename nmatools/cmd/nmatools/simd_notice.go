package main

import (
	"fmt"
	"io"
	"sync"

	"github.com/neuromatch/nmatools/nmatools/backend"
)

// simdOnce makes the no-SIMD notice appear once per process.
var simdOnce = new(sync.Once)

// simdNotice prints backend.SIMDNotice to stderr the first time it is
// called in a binary built without GOEXPERIMENT=simd, and nothing otherwise.
func simdNotice(stderr io.Writer) {
	simdOnce.Do(func() {
		if n := backend.SIMDNotice(); n != "" {
			fmt.Fprintln(stderr, n)
		}
	})
}
