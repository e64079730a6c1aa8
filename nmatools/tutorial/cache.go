package tutorial

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"

	"github.com/neuromatch/nmatools/nmatools/internal/atomicfile"
)

// diskCache is the one on-disk cache of the notebook's computed results (the sweeps,
// the explorer's settings): one JSON file per key in dir, written atomically. Each cell is
// a new program, so without it every redraw would recompute. A file that is missing,
// unreadable, corrupt or rejected by the caller is recomputed and replaced: the cache never
// fails a cell, and an interrupted write never leaves a half file behind. dir "" turns
// it off.
type diskCache struct{ dir string }

// plainKey: keys made of these characters are used as file names as they are.
var plainKey = regexp.MustCompile(`^[A-Za-z0-9._+-]{1,160}$`)

func (c diskCache) file(key string) string {
	if !plainKey.MatchString(key) {
		sum := sha256.Sum256([]byte(key))
		key = hex.EncodeToString(sum[:16])
	}
	return filepath.Join(c.dir, key+".json")
}

// load decodes key's file into v and reports whether it could.
func (c diskCache) load(key string, v any) bool {
	if c.dir == "" {
		return false
	}
	b, err := os.ReadFile(c.file(key))
	return err == nil && json.Unmarshal(b, v) == nil
}

// store writes v under key; a failure only costs a recomputation next time.
func (c diskCache) store(key string, v any) {
	if c.dir == "" {
		return
	}
	b, err := json.Marshal(v)
	if err != nil || os.MkdirAll(c.dir, 0o755) != nil {
		return
	}
	_ = atomicfile.WriteFile(c.file(key), b, 0o644)
}
