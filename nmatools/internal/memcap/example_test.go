package memcap_test

import (
	"fmt"

	"github.com/neuromatch/nmatools/nmatools/internal/memcap"
)

var buf []byte

func ExampleAllocated() {
	n := memcap.Allocated(func() { buf = make([]byte, 64<<20) })
	fmt.Println(n >= 64<<20, n <= memcap.Limit)
	// Output: true true
}
