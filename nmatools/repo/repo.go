package repo

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Module is the module path whose go.mod marks the repository root.
const Module = "github.com/neuromatch/nmatools"

// EnvRoot names the variable that points at the repository.
const EnvRoot = "NMATOOLS_ROOT"

// ErrNotFound is wrapped by Root's error when neither $NMATOOLS_ROOT nor the walk
// up the directories found the repository.
var ErrNotFound = errors.New("nmatools repository not found")

// Root returns the repository's root directory (absolute): $NMATOOLS_ROOT when set,
// validated; else the first directory from the working directory up (then from the
// executable's directory up) whose go.mod declares Module. The error says how to
// set NMATOOLS_ROOT.
func Root() (string, error) {
	if r := os.Getenv(EnvRoot); r != "" {
		abs, err := filepath.Abs(r)
		if err != nil {
			return "", fmt.Errorf("%s=%q: %v", EnvRoot, r, err)
		}
		if !IsRoot(abs) {
			return "", fmt.Errorf("%s=%q is not the nmatools repository (no go.mod declaring module %s there): "+
				"set it to the directory of your nmatools clone, e.g. export %s=$HOME/nmatools", EnvRoot, r, Module, EnvRoot)
		}
		return abs, nil
	}
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, s := range starts {
		if d := walkUp(s); d != "" {
			return d, nil
		}
	}
	wd, _ := os.Getwd()
	return "", fmt.Errorf("%w above %s and %s is not set: set it to the directory of your nmatools clone "+
		"(in a shell: export %s=/path/to/nmatools; for Jupyter, before starting it, or run `make lab` in the clone)",
		ErrNotFound, wd, EnvRoot, EnvRoot)
}

// Dir returns Root, or "" when the repository is not found (for callers with a
// fallback, such as a user cache directory).
func Dir() string {
	d, _ := Root()
	return d
}

func walkUp(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		if IsRoot(dir) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// IsRoot reports whether dir holds a go.mod declaring Module.
func IsRoot(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "module"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
			return strings.Trim(strings.TrimSpace(rest), `"`) == Module
		}
	}
	return false
}
