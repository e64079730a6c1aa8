package backend

import (
	"fmt"
	"os"

	"github.com/gomlx/go-xla/compute/xla"
	"github.com/gomlx/gomlx/core/graph"
)

// runProbe runs in the child process: load the plugin, compile and run x+1.
func runProbe(plugin string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stdout, "NMATOOLS_PJRT_ERR %v\n", r)
			code = 3
		}
	}()
	noDownloads()
	b, err := xla.New(plugin)
	if err != nil {
		fmt.Fprintf(os.Stdout, "NMATOOLS_PJRT_ERR %v\n", err)
		return 3
	}
	defer b.Finalize()
	exec, err := graph.NewExec(b, func(x *graph.Node) *graph.Node { return graph.AddScalar(x, 1) })
	if err != nil {
		fmt.Fprintf(os.Stdout, "NMATOOLS_PJRT_ERR %v\n", err)
		return 3
	}
	out, err := exec.Call(float32(41))
	if err != nil {
		fmt.Fprintf(os.Stdout, "NMATOOLS_PJRT_ERR %v\n", err)
		return 3
	}
	if v, ok := out[0].Value().(float32); !ok || v != 42 {
		fmt.Fprintf(os.Stdout, "NMATOOLS_PJRT_ERR computed %v for 41+1\n", out[0].Value())
		return 3
	}
	fmt.Fprintf(os.Stdout, "NMATOOLS_PJRT_OK %s\n", b.Description())
	return 0
}
