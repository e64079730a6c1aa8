package backend

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/notice"
)

// TestMain makes this test binary the probe child when Probe re-executes it (before any
// test runs).
func TestMain(m *testing.M) {
	ProbeChild()
	os.Exit(m.Run())
}

// TestProbeChild: the re-executed test binary with NMATOOLS_PJRT_PROBE set probes and exits
// in TestMain (no test runs), reporting a missing plugin as an error; without the variable,
// ProbeChild returns.
func TestProbeChild(t *testing.T) {
	ProbeChild() // no variable set: returns
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestUnknownBackendIsError$", "-test.v")
	cmd.Env = append(os.Environ(), probeEnv+"=/nonexistent/"+PluginFile)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("probe child: exit %v, want status 3; output %q", err, out)
	}
	if !strings.Contains(string(out), "NMATOOLS_PJRT_ERR") || strings.Contains(string(out), "=== RUN") {
		t.Errorf("probe child output %q: want the verdict line and no test run", out)
	}
}

func reset() {
	mu.Lock()
	resolved, cached, cachedE = false, nil, nil
	mu.Unlock()
}

func TestUnknownBackendIsError(t *testing.T) {
	t.Setenv(EnvBackend, "nosuchbackend")
	reset()
	defer reset()
	b, err := Get()
	if err == nil || b != nil {
		t.Fatalf("Get with GOMLX_BACKEND=nosuchbackend: got %v, %v; want an error", b, err)
	}
	for _, want := range []string{"nosuchbackend", "go", "xla"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if _, err := New("bogus:thing"); err == nil {
		t.Error("New(\"bogus:thing\") did not fail")
	}
}

func TestGoBackendForced(t *testing.T) {
	t.Setenv(EnvBackend, "go")
	reset()
	defer reset()
	b, err := Get()
	if err != nil {
		t.Fatal(err)
	}
	if ch, _ := Selected(); ch.Config != "go" || b == nil {
		t.Fatalf("backend %q (%v), want go", ch.Config, b)
	}
	if !strings.Contains(Report(), "GOMLX_BACKEND") {
		t.Errorf("Report does not say why:\n%s", Report())
	}
}

func TestFallbackWithoutPlugin(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvBackend, "")
	t.Setenv(EnvPluginPath, dir)
	t.Setenv("HOME", dir)
	t.Setenv("NMATOOLS_ROOT", dir)
	for _, d := range []string{"/usr/local/lib/go-xla", "/usr/local/lib/gomlx/pjrt"} {
		if _, err := os.Stat(filepath.Join(d, PluginFile)); err == nil {
			t.Skipf("a plugin is installed system-wide in %s", d)
		}
	}
	var notes bytes.Buffer
	defer notice.SetOutput(notice.SetOutput(&notes))
	reset()
	defer reset()
	b, err := Get()
	if err != nil {
		t.Fatal(err)
	}
	if ch, _ := Selected(); ch.Config != "go" || b == nil {
		t.Fatalf("backend %q (%v), want go", ch.Config, b)
	}
	if n := strings.Count(notes.String(), "\n"); n != 1 || !strings.Contains(notes.String(), "pure-Go") {
		t.Errorf("want a one-line notice, got %q", notes.String())
	}
	if !strings.Contains(Report(), "make xla") {
		t.Errorf("Report does not say how to get XLA:\n%s", Report())
	}
}

func TestBrokenPluginIsRejected(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, PluginFile)
	if err := os.WriteFile(p, []byte("not an ELF file"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	if err := Probe(p); err == nil {
		t.Fatal("Probe accepted a text file as a PJRT plugin")
	}
	t.Setenv(EnvBackend, "xla:"+p)
	reset()
	defer reset()
	if _, err := Get(); err == nil {
		t.Fatal("Get accepted GOMLX_BACKEND pointing at a broken plugin")
	}
}

// testPlugin is $NMATOOLS_TEST_PLUGIN, else an installed CPU plugin (`make xla`), else "".
func testPlugin() string {
	if p := os.Getenv("NMATOOLS_TEST_PLUGIN"); p != "" {
		return p
	}
	if c := Candidates(); len(c) > 0 {
		return c[0]
	}
	return ""
}

// TestRealPlugin: a real PJRT CPU plugin passes the probe, and Get picks it when it is the
// only one found.
func TestRealPlugin(t *testing.T) {
	p := testPlugin()
	if p == "" {
		t.Skip("no PJRT CPU plugin installed (make xla) and NMATOOLS_TEST_PLUGIN unset")
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	if err := Probe(p); err != nil {
		t.Fatalf("Probe(%s): %v", p, err)
	}
	dir := t.TempDir()
	if err := os.Symlink(p, filepath.Join(dir, PluginFile)); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvBackend, "")
	t.Setenv(EnvPluginPath, dir)
	reset()
	defer reset()
	b, err := Get()
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := Selected()
	if ch.Plugin != filepath.Join(dir, PluginFile) || b.Name() != "xla" {
		t.Fatalf("Get chose %+v (backend %s), want the plugin in %s", ch, b.Name(), dir)
	}
	if !strings.Contains(Report(), "PJRT plugin: "+ch.Plugin) {
		t.Errorf("Report does not name the plugin:\n%s", Report())
	}
}

// TestOpsParallelRefused: go:ops_parallel deadlocks nmatools' concurrent calls, so it is an
// error that says so and what to use; other go options pass.
func TestOpsParallelRefused(t *testing.T) {
	for _, cfg := range []string{"go:ops_parallel", "go:parallelism=4,ops_parallel"} {
		b, err := New(cfg)
		if err == nil || b != nil {
			t.Fatalf("New(%q) = %v, %v; want an error", cfg, b, err)
		}
		for _, want := range []string{"deadlock", "GOMLX_BACKEND=go", "ops_parallel"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("New(%q): error %q does not mention %q", cfg, err, want)
			}
		}
	}
	for _, cfg := range []string{"go", "go:ops_sequential", "go:parallelism=2"} {
		b, err := New(cfg)
		if err != nil {
			t.Fatalf("New(%q): %v", cfg, err)
		}
		b.Finalize()
	}
}
