package backend

import (
	"os"
	"path/filepath"
)

// The XLA compilation cache (see nmatools/backend/xlacache/xlacache.c): `make xla`
// installs, as build/pjrt/pjrt_c_api_cpu_plugin.so, a small PJRT plugin that wraps XLA's
// CPU plugin (build/pjrt/real/pjrt_c_api_cpu_plugin.so) and keeps the executables it
// compiles on disk. A process that compiles a graph an earlier process compiled (each
// GoNB cell and each command is a new process) loads it instead.

// EnvXLACache names the cache directory; "off" disables the cache.
const EnvXLACache = "NMATOOLS_XLA_CACHE"

// XLACacheDir is the directory the cache uses: $NMATOOLS_XLA_CACHE, else
// $XDG_CACHE_HOME/nmatools/xla, else ~/.cache/nmatools/xla ("" when disabled). This is the
// one place the rule lives: the wrapper reads only $NMATOOLS_XLA_CACHE, which
// exportXLACacheDir sets from this before an XLA backend is created.
func XLACacheDir() string {
	if d := os.Getenv(EnvXLACache); d == "off" {
		return ""
	} else if d != "" {
		return d
	}
	if x := os.Getenv("XDG_CACHE_HOME"); x != "" {
		return filepath.Join(x, "nmatools", "xla")
	}
	if h := os.Getenv("HOME"); h != "" {
		return filepath.Join(h, ".cache", "nmatools", "xla")
	}
	return ""
}

// exportXLACacheDir sets $NMATOOLS_XLA_CACHE to XLACacheDir made absolute, or to "off",
// for the wrapper plugin (and for the processes this one starts). It changes the
// environment only when the value differs (the first time), so that it never writes the C
// environment while a plugin already loaded may be reading it.
func exportXLACacheDir() {
	d := XLACacheDir()
	if d == "" {
		d = "off"
	} else if a, err := filepath.Abs(d); err == nil {
		d = a
	}
	if os.Getenv(EnvXLACache) != d {
		os.Setenv(EnvXLACache, d)
	}
}

// IsCachingPlugin reports whether plugin is the compilation cache's wrapper: a plugin file
// (symbolic links resolved) with the plugin it wraps at real/<the same name> beside it.
func IsCachingPlugin(plugin string) bool {
	if plugin == "" {
		return false
	}
	if p, err := filepath.EvalSymlinks(plugin); err == nil {
		plugin = p
	}
	st, err := os.Stat(filepath.Join(filepath.Dir(plugin), "real", filepath.Base(plugin)))
	return err == nil && st.Mode().IsRegular()
}
