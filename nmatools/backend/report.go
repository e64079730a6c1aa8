package backend

import (
	"fmt"
	"strings"
)

// Report explains which backend runs and why, where plugins are searched and how to
// get XLA. It is the text of `nmatools backend` (the tutorial's set_device).
func Report() string {
	var sb strings.Builder
	if n := SIMDNotice(); n != "" {
		sb.WriteString(n + "\n")
	}
	b, err := Get()
	ch, _ := Selected()
	if err != nil {
		fmt.Fprintf(&sb, "Backend: none — %v\n", err)
	} else {
		fmt.Fprintf(&sb, "Backend: %s (%s)\n", b.Name(), b.Description())
		fmt.Fprintf(&sb, "Why: %s.\n", ch.Reason)
		if ch.Plugin != "" {
			fmt.Fprintf(&sb, "PJRT plugin: %s\n", ch.Plugin)
			switch dir := XLACacheDir(); {
			case !IsCachingPlugin(ch.Plugin):
				sb.WriteString("Compilation cache: none (this plugin compiles every graph in every process; `make xla` installs the cache)\n")
			case dir == "":
				fmt.Fprintf(&sb, "Compilation cache: off (%s=off)\n", EnvXLACache)
			default:
				fmt.Fprintf(&sb, "Compilation cache: %s (compiled graphs are kept there and loaded by later processes; %s=DIR or off)\n", dir, EnvXLACache)
			}
		}
	}
	fmt.Fprintf(&sb, "PJRT CPU plugin (%s) search directories:\n", PluginFile)
	for _, d := range SearchDirs() {
		fmt.Fprintf(&sb, "  %s\n", d)
	}
	if ch.Plugin == "" {
		sb.WriteString("To run on XLA CPU (several times faster than pure Go for this model): `make xla` installs the plugin into build/pjrt/,\n" +
			"then Get picks it automatically (or set GOMLX_BACKEND=xla:/abs/path/" + PluginFile + ").\n")
	}
	sb.WriteString("Force a backend with GOMLX_BACKEND: go | go:parallelism=-1 | xla:cpu | xla:/abs/plugin.so | " +
		"xla:cuda (GPU: selectable, untested here).\n")
	return sb.String()
}
