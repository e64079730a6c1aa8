package backend

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/gomlx/core/graph"
)

// cachingPlugin returns the compilation cache's wrapper that GOMLX_BACKEND names, or skips.
func cachingPlugin(t *testing.T) string {
	t.Helper()
	env := os.Getenv(EnvBackend)
	name, plugin, _ := strings.Cut(env, ":")
	if !isXLAName(name) || !filepath.IsAbs(plugin) || !IsCachingPlugin(plugin) {
		t.Skipf("%s=%q is not the compilation cache's plugin (make xla installs it; make test-xla runs this)", EnvBackend, env)
	}
	return plugin
}

// TestXLACacheChild is the process TestXLACache starts: it compiles and runs one graph on
// the plugin and prints the result (it does nothing in a normal test run).
func TestXLACacheChild(t *testing.T) {
	if os.Getenv("NMATOOLS_XLACACHE_TEST_CHILD") != "1" {
		t.Skip("run by TestXLACache")
	}
	b, err := New(os.Getenv(EnvBackend))
	if err != nil {
		t.Fatal(err)
	}
	e, err := graph.NewExec(b, func(x *graph.Node) *graph.Node {
		return graph.ReduceAllSum(graph.Tanh(graph.MulScalar(x, 0.5)))
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Call([]float32{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("RESULT %v\n", out[0].Value())
}

// TestXLACache: a second process loads what the first compiled; a corrupt, truncated, foreign
// or unloadable entry is compiled again and replaced; an unwritable directory only costs the
// cache. Each time the result is the same.
func TestXLACache(t *testing.T) {
	plugin := cachingPlugin(t)
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	run := func(cacheDir string, env ...string) (result, log string) {
		t.Helper()
		cmd := exec.Command(exe, "-test.run=^TestXLACacheChild$", "-test.v")
		cmd.Env = append(os.Environ(), "NMATOOLS_XLACACHE_TEST_CHILD=1", EnvXLACache+"="+cacheDir,
			"NMATOOLS_XLA_CACHE_DEBUG=1", EnvBackend+"=xla:"+plugin)
		cmd.Env = append(cmd.Env, env...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("child: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
		}
		for _, l := range strings.Split(stdout.String(), "\n") {
			if strings.HasPrefix(l, "RESULT ") {
				result = l
			}
		}
		if result == "" {
			t.Fatalf("child printed no result: %s", stdout.String())
		}
		return result, stderr.String()
	}
	entries := func() []string {
		m, _ := filepath.Glob(filepath.Join(dir, "*.xc"))
		return m
	}
	want, log := run(dir)
	if !strings.Contains(log, "miss") || !strings.Contains(log, "stored") {
		t.Fatalf("first run: want a miss and a stored entry, got:\n%s", log)
	}
	files := entries()
	if len(files) == 0 {
		t.Fatalf("no entry written in %s", dir)
	}
	got, log := run(dir)
	if got != want || !strings.Contains(log, "hit") || strings.Contains(log, "miss") {
		t.Fatalf("second run: result %q (first %q), want the same, all hits; log:\n%s", got, want, log)
	}

	// The entry of the test's own graph is the largest (the probe's 41+1 is the other).
	var entry string
	var size int64
	for _, f := range files {
		if st, err := os.Stat(f); err == nil && st.Size() > size {
			entry, size = f, st.Size()
		}
	}
	good, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	keyLen := binary.LittleEndian.Uint64(good[8:16])
	flipped := bytes.Clone(good)
	flipped[len(flipped)-10] ^= 0xff
	// A well-formed entry (right key, right checksum) whose executable is garbage: the plugin
	// must refuse it, and the wrapper compile instead.
	garbage := bytes.Clone(good)
	for i := 32 + int(keyLen); i < len(garbage); i++ {
		garbage[i] = byte(i * 7)
	}
	h := uint64(14695981039346656037)
	for _, c := range garbage[32:] {
		h ^= uint64(c)
		h *= 1099511628211
	}
	binary.LittleEndian.PutUint64(garbage[24:32], h)
	for _, c := range []struct {
		name string
		data []byte
		why  string
	}{
		{"flipped byte", flipped, "corrupt entry (checksum)"},
		{"truncated", good[:len(good)/2], "entry of the wrong size"},
		{"empty", nil, "short or unreadable entry"},
		{"not an entry", []byte(strings.Repeat("not an entry of this cache ", 10)), "not an entry of this format"},
		{"another program's entry", append(bytes.Clone(good[:8]), make([]byte, 100)...), "entry of"},
		{"unloadable executable", garbage, "the plugin cannot load the entry"},
	} {
		if err := os.WriteFile(entry, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, log := run(dir)
		if got != want {
			t.Errorf("%s: result %q, want %q", c.name, got, want)
		}
		if !strings.Contains(log, c.why) || !strings.Contains(log, "stored "+entry) {
			t.Errorf("%s: want a miss saying %q and the entry stored again; log:\n%s", c.name, c.why, log)
		}
		if back, _ := os.ReadFile(entry); !bytes.Equal(back, good) {
			t.Errorf("%s: the entry was not replaced by a good one (%d bytes, want %d)", c.name, len(back), len(good))
		}
	}

	// Over the size limit: the least recently used entries go, the one just stored stays;
	// a file of another name in the directory is neither counted nor removed.
	old := time.Now().Add(-time.Hour)
	foreign := filepath.Join(dir, "notes.xc")
	if err := os.WriteFile(foreign, make([]byte, 200<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(foreign, old, old.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	var stale []string
	for i := range 4 {
		f := filepath.Join(dir, fmt.Sprintf("%016x.xc", i))
		if err := os.WriteFile(f, make([]byte, 20<<10), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(f, old, old.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
		stale = append(stale, f)
	}
	os.Remove(entry)
	limit := float64(len(good)+50<<10) / (1 << 20) // room for the new entry and two old ones
	if got, log := run(dir, fmt.Sprintf("NMATOOLS_XLA_CACHE_MAX_MB=%g", limit)); got != want || !strings.Contains(log, "removed") {
		t.Errorf("size limit: result %q (want %q), log:\n%s", got, want, log)
	}
	var left []string
	for _, f := range stale {
		if _, err := os.Stat(f); err == nil {
			left = append(left, filepath.Base(f))
		}
	}
	if _, err := os.Stat(entry); err != nil {
		t.Errorf("size limit: the entry just stored was removed")
	}
	if _, err := os.Stat(foreign); err != nil {
		t.Errorf("size limit: a file that is not an entry (%s) was removed", foreign)
	}
	if len(left) == len(stale) || (len(left) > 0 && left[len(left)-1] != filepath.Base(stale[len(stale)-1])) {
		t.Errorf("size limit: old entries left %v, want the oldest removed first", left)
	}

	// A limit that is not a number: said (at the next store), and the default used.
	os.Remove(entry)
	if got, log := run(dir, "NMATOOLS_XLA_CACHE_MAX_MB=12O"); got != want || !strings.Contains(log, "is not a number of MiB") {
		t.Errorf("bad size limit: result %q (want %q), log:\n%s", got, want, log)
	}

	// No NMATOOLS_XLA_CACHE: the default directory (XLACacheDir's rule, here under
	// $XDG_CACHE_HOME), which the backend hands to the wrapper.
	xdg := t.TempDir()
	if got, log := run("", "XDG_CACHE_HOME="+xdg); got != want || !strings.Contains(log, "stored "+filepath.Join(xdg, "nmatools", "xla")) {
		t.Errorf("default directory: result %q (want %q), want an entry stored under %s; log:\n%s", got, want, xdg, log)
	}

	// A directory that cannot be created: the cache is skipped, the computation runs.
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got, log = run(filepath.Join(blocker, "cache"))
	if got != want || !strings.Contains(log, "not stored") {
		t.Errorf("unwritable cache: result %q (want %q), log:\n%s", got, want, log)
	}
	// Off: no lookups at all.
	got, log = run("off")
	if got != want || !strings.Contains(log, "off") || strings.Contains(log, "hit") {
		t.Errorf("cache off: result %q (want %q), log:\n%s", got, want, log)
	}
}
