package repo

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeMod(t *testing.T, dir, module string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+module+"\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRootFromEnv(t *testing.T) {
	dir := t.TempDir()
	writeMod(t, dir, Module)
	t.Setenv(EnvRoot, dir)
	got, err := Root()
	if err != nil || got != dir {
		t.Fatalf("Root() = %q, %v; want %q", got, err, dir)
	}
}

func TestRootEnvInvalid(t *testing.T) {
	for name, mod := range map[string]string{"other module": "example.com/other", "prefix only": Module + "x"} {
		dir := t.TempDir()
		writeMod(t, dir, mod)
		t.Setenv(EnvRoot, dir)
		got, err := Root()
		if err == nil || got != "" {
			t.Fatalf("%s: Root() = %q, %v; want an error", name, got, err)
		}
		if !strings.Contains(err.Error(), EnvRoot) || !strings.Contains(err.Error(), "not the nmatools repository") {
			t.Errorf("%s: error does not say what is wrong: %v", name, err)
		}
	}
	t.Setenv(EnvRoot, filepath.Join(t.TempDir(), "missing"))
	if _, err := Root(); err == nil {
		t.Fatal("a missing NMATOOLS_ROOT directory was accepted")
	}
}

func TestRootWalksUp(t *testing.T) {
	top := t.TempDir()
	writeMod(t, top, Module)
	deep := filepath.Join(top, "notebooks", "student")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvRoot, "")
	t.Chdir(deep)
	got, err := Root()
	if err != nil || got != top {
		t.Fatalf("Root() from %s = %q, %v; want %q", deep, got, err, top)
	}
	if Dir() != top {
		t.Errorf("Dir() = %q, want %q", Dir(), top)
	}
}

func TestRootNotFound(t *testing.T) {
	dir := t.TempDir()
	writeMod(t, dir, "example.com/other") // a go.mod of another module stops nothing
	t.Setenv(EnvRoot, "")
	t.Chdir(dir)
	exe, _ := os.Executable()
	if walkUp(filepath.Dir(exe)) != "" {
		t.Skip("the test binary itself lies inside an nmatools checkout")
	}
	got, err := Root()
	if !errors.Is(err, ErrNotFound) || got != "" {
		t.Fatalf("Root() = %q, %v; want ErrNotFound", got, err)
	}
	if !strings.Contains(err.Error(), "export "+EnvRoot) {
		t.Errorf("error does not say how to set %s: %v", EnvRoot, err)
	}
	if Dir() != "" {
		t.Errorf("Dir() = %q, want \"\"", Dir())
	}
}
