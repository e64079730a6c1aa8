package repo_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/neuromatch/nmatools/nmatools/repo"
)

// A notebook copied out of the checkout finds the repository through NMATOOLS_ROOT.
func ExampleRoot() {
	dir, _ := os.MkdirTemp("", "clone")
	defer os.RemoveAll(dir)
	_ = os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module github.com/neuromatch/nmatools\n"), 0o644)
	os.Setenv(repo.EnvRoot, dir)
	defer os.Unsetenv(repo.EnvRoot)
	root, err := repo.Root()
	fmt.Println(root == dir, err)

	os.Setenv(repo.EnvRoot, os.TempDir())
	_, err = repo.Root()
	fmt.Println(err != nil)
	// Output:
	// true <nil>
	// true
}
