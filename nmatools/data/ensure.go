package data

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/neuromatch/nmatools/nmatools/internal/atomicfile"
	"github.com/neuromatch/nmatools/nmatools/notice"
	"github.com/neuromatch/nmatools/nmatools/repo"
)

// ModulePath is the module whose root DefaultDir looks for.
const ModulePath = repo.Module

// DefaultDir is the data cache directory: $NMATOOLS_DATA when set, else
// <repo>/data/cache inside the nmatools repository, else
// ~/.cache/nmatools (the user cache directory).
func DefaultDir() string {
	if d := os.Getenv("NMATOOLS_DATA"); d != "" {
		return d
	}
	if root := repo.Dir(); root != "" {
		return filepath.Join(root, "data", "cache")
	}
	if c, err := os.UserCacheDir(); err == nil {
		return filepath.Join(c, "nmatools")
	}
	return filepath.Join(os.TempDir(), "nmatools")
}

// SharedRealDir is the directory of the team's copies of RealFiles:
// $NMATOOLS_SHARED_DATA when set, else ../shared/data/real next to the
// repository root; "" when neither exists.
func SharedRealDir() string {
	if d := os.Getenv("NMATOOLS_SHARED_DATA"); d != "" {
		return d
	}
	if root := repo.Dir(); root != "" {
		d := filepath.Join(filepath.Dir(root), "shared", "data", "real")
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
	}
	return ""
}

// FindReal returns the path of a real-data file (one of RealFiles, by
// name) with the right MD5, looking in SharedRealDir() and then in
// DefaultDir() (where `nmatools data fetch` puts it); ok is false when it
// is in neither.
func FindReal(name string) (path string, ok bool) {
	var r *Remote
	for i := range RealFiles {
		if RealFiles[i].Name == name {
			r = &RealFiles[i]
		}
	}
	if r == nil {
		return "", false
	}
	for _, dir := range []string{SharedRealDir(), DefaultDir()} {
		if dir != "" && Cached(dir, *r) {
			return filepath.Join(dir, r.Name), true
		}
	}
	return "", false
}

func remoteByName(name string) Remote {
	for _, r := range TutorialFiles {
		if r.Name == name {
			return r
		}
	}
	panic("data: no remote " + name)
}

// synthStamp is the content of the stamp file that marks a complete
// synthetic cache of the current model version.
func synthStamp() []byte {
	return fmt.Appendf(nil, "nmatools synthetic data, model version %d, seed %d\n", SyntheticVersion, DefaultSeed)
}

// EnsureSynthetic makes sure dir holds the synthetic files of DefaultSeed
// and the current SyntheticVersion, generating them if not, and returns
// their paths.
func EnsureSynthetic(dir string) (condsPath, m1Path string, err error) {
	condsPath, m1Path = filepath.Join(dir, CondsFile), filepath.Join(dir, M1File)
	stamp := filepath.Join(dir, "STAMP")
	if b, err := os.ReadFile(stamp); err == nil && bytes.Equal(b, synthStamp()) {
		if fileExists(condsPath) && fileExists(m1Path) {
			return condsPath, m1Path, nil
		}
	}
	if err := Synthesize(dir, DefaultSeed); err != nil {
		return "", "", err
	}
	if err := atomicfile.WriteFile(stamp, synthStamp(), 0o644); err != nil {
		return "", "", fmt.Errorf("data: %w", err)
	}
	return condsPath, m1Path, nil
}

// Ensure returns the paths of the tutorial's two data files. Each is the
// real file when DefaultDir() holds it with the tutorial's MD5 (or, when
// the environment sets NMATOOLS_DOWNLOAD=1, when it can be downloaded);
// otherwise the synthetic stand-in, generated once (seed DefaultSeed) into
// DefaultDir()/synthetic. synthetic reports whether condsPath is the
// synthetic file. Nothing is downloaded unless NMATOOLS_DOWNLOAD=1.
func Ensure() (condsPath, m1Path string, synthetic bool, err error) {
	dir := DefaultDir()
	download := os.Getenv("NMATOOLS_DOWNLOAD") == "1"
	get := func(name string) string {
		r := remoteByName(name)
		if Cached(dir, r) {
			return filepath.Join(dir, name)
		}
		if download {
			p, err := Fetch(dir, r)
			if err == nil {
				return p
			}
			notice.Printf("%v", err)
		}
		return ""
	}
	condsPath, m1Path = get(CondsFile), get(M1File)
	if condsPath == "" || m1Path == "" {
		sc, sm, err := EnsureSynthetic(filepath.Join(dir, "synthetic"))
		if err != nil {
			return "", "", false, err
		}
		if condsPath == "" {
			condsPath, synthetic = sc, true
			notice.Printf("data: %s not found in %s: using the SYNTHETIC stand-in %s (`nmatools data fetch` downloads the real file)", CondsFile, dir, sc)
		}
		if m1Path == "" {
			m1Path = sm
		}
	}
	return condsPath, m1Path, synthetic, nil
}

// Load is PrepareDataset of Ensure's condsForSim file.
func Load() (*Dataset, error) {
	conds, _, _, err := Ensure()
	if err != nil {
		return nil, err
	}
	return PrepareDataset(conds)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
