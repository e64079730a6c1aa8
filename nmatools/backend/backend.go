package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/neuromatch/nmatools/nmatools/internal/atomicfile"
	"github.com/neuromatch/nmatools/nmatools/notice"
	"github.com/neuromatch/nmatools/nmatools/repo"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend" // registers "go"
	"github.com/gomlx/go-xla/compute/xla"  // registers "xla"
)

// EnvBackend is the variable that forces a backend (GoMLX's own).
const EnvBackend = compute.ConfigEnvVar // "GOMLX_BACKEND"

// EnvPluginPath is go-xla's plugin search path variable.
const EnvPluginPath = "PJRT_PLUGIN_LIBRARY_PATH"

// PluginFile is the file name go-xla and `make xla` use for the CPU plugin.
const PluginFile = "pjrt_c_api_cpu_plugin.so"

// probeEnv makes a re-executed copy of the current program load one plugin and exit (see
// ProbeChild).
const probeEnv = "NMATOOLS_PJRT_PROBE"

// probeTimeout bounds the child that test-loads a plugin.
var probeTimeout = 90 * time.Second

// noDownloads switches go-xla's automatic plugin download off (nothing is ever downloaded);
// called before any backend is created, instead of at import time.
var noDownloads = sync.OnceFunc(func() { xla.EnableAutoInstall(false) })

// ProbeChild makes this process the child Probe starts to test-load a PJRT plugin: when
// $NMATOOLS_PJRT_PROBE names a plugin it loads it, runs 41+1 on it, prints the verdict and
// exits; otherwise it returns at once. Importing the package does nothing: Get, MustGet,
// Selected, New and Probe call ProbeChild first, so any program that asks for a backend
// serves as the child (Probe re-executes the current program). A program that does other
// work before it first asks for a backend (a command's main, a test binary's TestMain)
// should call ProbeChild at its start, so that the child does none of that work.
func ProbeChild() {
	if p := os.Getenv(probeEnv); p != "" {
		os.Exit(runProbe(p))
	}
}

// Choice says what Get picked and why.
type Choice struct {
	Config string // the GoMLX backend configuration, e.g. "go" or "xla:/abs/pjrt_c_api_cpu_plugin.so"
	Reason string // one sentence
	Plugin string // the PJRT plugin file when XLA runs, else ""
}

var (
	mu       sync.Mutex
	cached   compute.Backend
	cachedC  Choice
	cachedE  error
	resolved bool
)

// Get returns the process-wide backend (created once, then cached): $GOMLX_BACKEND if
// set, else XLA CPU when a working PJRT CPU plugin is found, else the pure-Go backend.
// It never panics and never downloads anything.
func Get() (compute.Backend, error) {
	ProbeChild()
	mu.Lock()
	defer mu.Unlock()
	if resolved {
		return cached, cachedE
	}
	resolved = true
	cachedC, cachedE = choose()
	if cachedE == nil {
		cached, cachedE = newBackend(cachedC.Config)
		if cachedE != nil && os.Getenv(EnvBackend) == "" && cachedC.Plugin != "" {
			// The plugin passed the child-process check but failed here: fall back.
			reason := fmt.Sprintf("the XLA plugin %s failed to start (%v)", cachedC.Plugin, cachedE)
			cachedC = Choice{Config: "go", Reason: "pure-Go backend: " + reason}
			notice.Printf("nmatools: %s; using the pure-Go backend", reason)
			cached, cachedE = newBackend("go")
		}
	}
	return cached, cachedE
}

// MustGet is Get for notebook cells and examples: it panics with Get's error.
func MustGet() compute.Backend {
	b, err := Get()
	if err != nil {
		panic(err)
	}
	return b
}

// Selected reports the choice Get made (it calls Get if needed).
func Selected() (Choice, error) {
	_, err := Get()
	mu.Lock()
	defer mu.Unlock()
	return cachedC, err
}

// New creates a fresh backend from a GoMLX configuration string ("go", "xla:cpu",
// "xla:/abs/plugin.so", ...). Unknown names and failing plugins are errors, not panics.
// A relative xla plugin name is resolved in this package's search directories and
// test-loaded in a child process first.
func New(config string) (compute.Backend, error) {
	ProbeChild()
	c, err := resolveConfig(config)
	if err != nil {
		return nil, err
	}
	return newBackend(c)
}

// GoDefaultConfig is what a plain "go" (GOMLX_BACKEND=go, or no XLA plugin) creates: the
// pure-Go backend running each call's operations one after another on the calling
// goroutine. GoMLX's default (its "dynamic" mode) hands every operation of a lone call to its
// worker pool, a cost this network's many small operations pay at every step; concurrent
// calls it already runs in sequence. Other options after "go:" are passed as given (without
// ops_sequential they select the dynamic mode), except ops_parallel: see errOpsParallel.
const GoDefaultConfig = "go:ops_sequential"

// errOpsParallel is why "go:ops_parallel" is refused. In that mode each call of the pure-Go
// backend (compute v0.1.14) runs its operations on executors that hold worker-pool slots for
// the whole call, while the operations (transposes, matrix products) wait for a free slot to
// fan out: two concurrent calls take every slot and wait for ever, at 0 % CPU. nmatools runs
// concurrent calls on that backend (split batches, sweep chunks): the training step, the
// trajectories and both sweeps hung in every run of scripts/stress.sh with it.
var errOpsParallel = errors.New("the pure-Go backend's ops_parallel mode deadlocks when two calls run at once, " +
	"as nmatools' split batches and sweep chunks do; use GOMLX_BACKEND=go (nmatools' default, ops_sequential) " +
	"or leave ops_parallel out (GoMLX's dynamic mode)")

// newBackend wraps compute.NewWithConfig, turning its panics into errors.
func newBackend(config string) (b compute.Backend, err error) {
	noDownloads()
	name, _, _ := strings.Cut(config, ":")
	if !slices.Contains(compute.List(), name) {
		return nil, fmt.Errorf("unknown GoMLX backend %q in %q: compiled-in backends are %s "+
			"(e.g. GOMLX_BACKEND=go, GOMLX_BACKEND=xla:cpu or GOMLX_BACKEND=xla:/abs/path/%s)",
			name, config, strings.Join(sortedBackends(), ", "), PluginFile)
	}
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("backend %q failed: %v", config, r)
		}
	}()
	if config == "go" {
		config = GoDefaultConfig
	}
	if _, opts, _ := strings.Cut(config, ":"); name == "go" && slices.Contains(strings.Split(opts, ","), "ops_parallel") {
		return nil, fmt.Errorf("backend %q: %w", config, errOpsParallel)
	}
	if isXLAName(name) {
		exportXLACacheDir()
	}
	b, err = compute.NewWithConfig(config)
	if err != nil {
		return nil, fmt.Errorf("backend %q failed: %w", config, err)
	}
	return b, nil
}

func sortedBackends() []string {
	l := compute.List()
	slices.Sort(l)
	return l
}

func isXLAName(name string) bool {
	switch name {
	case "xla", "stablehlo", "hlo", "shlo":
		return true
	}
	return false
}

// choose decides the configuration without creating the backend.
func choose() (Choice, error) {
	if env, ok := os.LookupEnv(EnvBackend); ok && strings.TrimSpace(env) != "" {
		c, err := resolveConfig(env)
		if err != nil {
			return Choice{}, fmt.Errorf("%s=%q: %w", EnvBackend, env, err)
		}
		ch := Choice{Config: c, Reason: fmt.Sprintf("%s=%q is set", EnvBackend, env)}
		if n, p, _ := strings.Cut(c, ":"); isXLAName(n) && filepath.IsAbs(p) {
			ch.Plugin = p
		}
		return ch, nil
	}
	var rejected []string
	for _, p := range Candidates() {
		if err := Probe(p); err != nil {
			rejected = append(rejected, fmt.Sprintf("%s: %v", p, err))
			continue
		}
		return Choice{Config: "xla:" + p, Plugin: p,
			Reason: "a working PJRT CPU plugin was found at " + p}, nil
	}
	reason := "no PJRT CPU plugin found"
	if len(rejected) > 0 {
		reason = "no working PJRT CPU plugin (" + strings.Join(rejected, "; ") + ")"
	}
	notice.Printf("nmatools: %s; using the pure-Go backend (run `make xla` for XLA CPU)", reason)
	return Choice{Config: "go", Reason: "pure-Go backend: " + reason}, nil
}

// resolveConfig validates a configuration and, for XLA with a plugin name rather than a
// path, finds the plugin file in the search directories and test-loads it.
func resolveConfig(config string) (string, error) {
	config = strings.TrimSpace(config)
	name, rest, _ := strings.Cut(config, ":")
	if !slices.Contains(compute.List(), name) {
		return "", fmt.Errorf("unknown backend %q: compiled-in backends are %s "+
			"(e.g. go, go:parallelism=-1, xla:cpu, xla:/abs/path/%s, xla:cuda)",
			name, strings.Join(sortedBackends(), ", "), PluginFile)
	}
	if !isXLAName(name) {
		return config, nil
	}
	plugin, opts, _ := strings.Cut(rest, ",")
	if opts != "" {
		opts = "," + opts
	}
	if plugin == "" {
		plugin = "cpu"
	}
	if filepath.IsAbs(plugin) {
		if _, err := os.Stat(plugin); err != nil {
			return "", fmt.Errorf("PJRT plugin %s: %w", plugin, err)
		}
		if err := Probe(plugin); err != nil {
			return "", err
		}
		return name + ":" + plugin + opts, nil
	}
	if plugin == "cpu" {
		for _, p := range Candidates() {
			if err := Probe(p); err == nil {
				return name + ":" + p + opts, nil
			}
		}
		return "", fmt.Errorf("no working PJRT CPU plugin in %s; run `make xla` (scripts/install-xla.sh) "+
			"or give an absolute path: xla:/abs/path/%s", strings.Join(SearchDirs(), ", "), PluginFile)
	}
	// Other plugin names (cuda, tpu, ...) are left to go-xla's own search: untested here.
	return config, nil
}

// SearchDirs lists the directories searched for pjrt_c_api_cpu_plugin.so, in order.
func SearchDirs() []string {
	var dirs []string
	if v := os.Getenv(EnvPluginPath); v != "" {
		for _, d := range strings.Split(v, ":") {
			if d != "" {
				dirs = append(dirs, d)
			}
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".local", "lib", "go-xla"))
	}
	dirs = append(dirs, "/usr/local/lib/go-xla", "/usr/local/lib/gomlx/pjrt")
	if root := repo.Dir(); root != "" {
		dirs = append(dirs, filepath.Join(root, "build", "pjrt"))
	}
	seen := map[string]bool{}
	out := dirs[:0]
	for _, d := range dirs {
		if a, err := filepath.Abs(d); err == nil {
			d = a
		}
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// Candidates lists the existing CPU plugin files in SearchDirs order.
func Candidates() []string {
	var out []string
	for _, d := range SearchDirs() {
		p := filepath.Join(d, PluginFile)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			out = append(out, p)
		}
	}
	return out
}

// ---- plugin probing in a child process ----

type verdict struct {
	Size  int64  `json:"size"`
	MTime int64  `json:"mtime"`
	OK    bool   `json:"ok"`
	Msg   string `json:"msg"`
}

var (
	probeMu    sync.Mutex
	probeCache = map[string]verdict{}
)

func verdictCacheFile() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "nmatools", "pjrt-probe.json")
}

// Probe test-loads the plugin file in a child process (the current executable re-run
// with NMATOOLS_PJRT_PROBE set; see ProbeChild): it creates an XLA client and runs a tiny computation.
// The verdict is cached per file path, size and modification time.
func Probe(plugin string) error {
	ProbeChild()
	st, err := os.Stat(plugin)
	if err != nil {
		return err
	}
	key := plugin
	probeMu.Lock()
	defer probeMu.Unlock()
	if v, ok := probeCache[key]; ok && v.Size == st.Size() && v.MTime == st.ModTime().UnixNano() {
		return v.err()
	}
	disk := map[string]verdict{}
	cf := verdictCacheFile()
	if cf != "" {
		if b, err := os.ReadFile(cf); err == nil {
			_ = json.Unmarshal(b, &disk)
		}
		if v, ok := disk[key]; ok && v.Size == st.Size() && v.MTime == st.ModTime().UnixNano() {
			probeCache[key] = v
			return v.err()
		}
	}
	v := verdict{Size: st.Size(), MTime: st.ModTime().UnixNano()}
	v.OK, v.Msg = probeChild(plugin)
	probeCache[key] = v
	if cf != "" && v.Msg != "cannot re-execute" {
		disk[key] = v
		if b, err := json.MarshalIndent(disk, "", "  "); err == nil {
			_ = writeFileAtomic(cf, b)
		}
	}
	return v.err()
}

func (v verdict) err() error {
	if v.OK {
		return nil
	}
	return errors.New(v.Msg)
}

func probeChild(plugin string) (bool, string) {
	exe, err := os.Executable()
	if err != nil {
		return false, "cannot re-execute"
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), probeEnv+"="+plugin, "GOMLX_NO_AUTO_INSTALL=1")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err = cmd.Run()
	text := strings.TrimSpace(out.String())
	if err == nil && strings.Contains(text, "NMATOOLS_PJRT_OK") {
		return true, "ok"
	}
	if ctx.Err() != nil {
		return false, fmt.Sprintf("loading the plugin took longer than %v", probeTimeout)
	}
	if i := strings.Index(text, "NMATOOLS_PJRT_ERR "); i >= 0 {
		return false, firstLine(text[i+len("NMATOOLS_PJRT_ERR "):])
	}
	return false, fmt.Sprintf("the plugin crashed the loading process (%v): %s", err, tail(text, 300))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return tail(s, 400)
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return strings.ReplaceAll(s, "\n", " | ")
}

// writeFileAtomic writes via a temp file in the same directory and a rename.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data, 0o644)
}
