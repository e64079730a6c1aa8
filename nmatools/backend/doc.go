// Package backend picks the GoMLX compute backend every nmatools package runs on.
//
// Get chooses, in order:
//
//  1. $GOMLX_BACKEND when it is set ("go", "go:parallelism=-1", "xla:cpu",
//     "xla:/abs/path/pjrt_c_api_cpu_plugin.so", "xla:cuda" — CUDA is selectable but untested here).
//     A name that no compiled-in backend knows is a clear error, never a panic.
//  2. XLA on the CPU, when a PJRT CPU plugin is found in $PJRT_PLUGIN_LIBRARY_PATH,
//     ~/.local/lib/go-xla, /usr/local/lib/go-xla, /usr/local/lib/gomlx/pjrt or the
//     repository's build/pjrt/ directory (where `make xla` installs it). The plugin is
//     first loaded in a child process (a broken plugin can crash inside dlopen): the
//     current program re-executed, which ProbeChild turns into the prober (Get calls it
//     first; a main or TestMain that does other work first calls it at its start). The
//     verdict is cached in memory and under the user cache directory.
//  3. The pure-Go backend "go", with a one-line notice on stderr.
//
// A plain "go" is created as GoDefaultConfig ("go:ops_sequential": each call's operations
// run one after another on the calling goroutine, much faster for this network's small
// operations). Other "go:" options are passed to GoMLX as given, except ops_parallel, which
// is refused: in that mode two concurrent calls deadlock the pure-Go backend, and nmatools
// runs concurrent calls (split batches, sweep chunks).
//
// Importing the package has no side effect. Automatic plugin downloads are switched off
// before any backend is created: nothing is ever downloaded. Report
// explains what runs and how to get XLA; `nmatools backend` prints it (the
// tutorial's set_device).
package backend
