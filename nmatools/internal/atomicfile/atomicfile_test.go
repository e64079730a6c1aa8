package atomicfile_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/internal/atomicfile"
)

// dirNames lists dir's entries, to check no temporary file is left behind.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.txt")
	for _, content := range []string{"first", "second, longer"} {
		if err := atomicfile.WriteFile(p, []byte(content), 0o640); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != content {
			t.Fatalf("content %q, want %q", got, content)
		}
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", st.Mode().Perm())
	}
	if names := dirNames(t, dir); len(names) != 1 || names[0] != "a.txt" {
		t.Errorf("directory holds %v, want only a.txt", names)
	}
}

func TestFailedWriteKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.txt")
	if err := atomicfile.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := atomicfile.Write(p, 0o644, func(w io.Writer) error {
		if _, err := io.WriteString(w, "partial new content"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write returned %v, want the writer's error", err)
	}
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "old" {
		t.Errorf("after a failed write the file holds %q, want the old %q", got, "old")
	}
	if names := dirNames(t, dir); len(names) != 1 {
		t.Errorf("directory holds %v, want only a.txt (temporary file not removed)", names)
	}
}

func TestAbortAndCommit(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "b.bin")
	f, err := atomicfile.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(f, "never published")
	if err := f.Abort(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Abort, Stat(%s) = %v, want not-exist", p, err)
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Errorf("after Abort the directory holds %v", names)
	}

	f, err = atomicfile.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(f, "published")
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := f.Abort(); err != nil { // no-op after Commit
		t.Fatal(err)
	}
	if err := f.Commit(); err == nil {
		t.Error("a second Commit succeeded")
	}
	got, err := os.ReadFile(p)
	if err != nil || string(got) != "published" {
		t.Fatalf("ReadFile = %q, %v; want \"published\"", got, err)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
}

func TestCommitFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	// The destination is a non-empty directory: the rename must fail.
	p := filepath.Join(dir, "d")
	if err := os.MkdirAll(filepath.Join(p, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.WriteFile(p, []byte("new"), 0o644); err == nil {
		t.Fatal("WriteFile over a non-empty directory succeeded")
	}
	if st, err := os.Stat(p); err != nil || !st.IsDir() {
		t.Errorf("destination changed: %v, %v", st, err)
	}
	if names := dirNames(t, dir); len(names) != 1 {
		t.Errorf("directory holds %v, want only d (temporary file not removed)", names)
	}
}

func TestCreateInMissingDir(t *testing.T) {
	_, err := atomicfile.Create(filepath.Join(t.TempDir(), "no", "such", "f"))
	if err == nil {
		t.Fatal("Create in a missing directory succeeded")
	}
}

func ExampleWriteFile() {
	dir, _ := os.MkdirTemp("", "atomicfile")
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "hello.txt")
	if err := atomicfile.WriteFile(p, []byte("hello"), 0o644); err != nil {
		fmt.Println(err)
		return
	}
	b, _ := os.ReadFile(p)
	fmt.Println(string(b))
	// Output: hello
}

// ReplaceDir swaps a finished directory in; when the swap fails the old one stays.
func TestReplaceDirKeepsOldOnFailure(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "net")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, "old"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.ReplaceDir(filepath.Join(dir, "missing"), dst); err == nil {
		t.Fatal("replacing with a missing directory: no error")
	}
	if _, err := os.Stat(filepath.Join(dst, "old")); err != nil {
		t.Errorf("the old directory is gone after a failed replace: %v", err)
	}
	tmp := filepath.Join(dir, ".net-new")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "new"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.ReplaceDir(tmp, dst); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dst, "new")); err != nil {
		t.Errorf("the new directory is not in place: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dst, "old")); err == nil {
		t.Error("the old directory's file is still in dst")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.old")); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

func TestWriteJSON(t *testing.T) {
	p := filepath.Join(t.TempDir(), "v.json")
	if err := atomicfile.WriteJSON(p, map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "{\n  \"a\": 1\n}\n" {
		t.Errorf("wrote %q", b)
	}
	if err := atomicfile.WriteJSON(p, func() {}); err == nil || !strings.Contains(err.Error(), "v.json") {
		t.Errorf("unencodable value: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "{\n  \"a\": 1\n}\n" {
		t.Errorf("a failed write changed the file: %q", b)
	}
}
