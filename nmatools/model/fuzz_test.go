package model

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/neuromatch/nmatools/nmatools/internal/memcap"
	"github.com/neuromatch/nmatools/nmatools/notice"
)

// The fuzz targets of the model readers (`make fuzz` runs them all): whatever the
// bytes, Load returns Params or an error, never panics, and never allocates more than
// memcap.Limit (1 GiB) for one input. Their seeds hold every crafted file of the hostile tests.
//
//	go test -run XXX -fuzz '^FuzzPth$' -fuzztime 1m ./nmatools/model/

// fuzzLoad loads path under the memory cap and a time bound.
func fuzzLoad(t *testing.T, path string) {
	t0 := time.Now()
	memcap.Check(t, memcap.Limit, func() {
		p, err := Load(path)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if err := p.Check(); err != nil {
			t.Fatalf("Load returned Params that fail Check: %v", err)
		}
	})
	if d := time.Since(t0); d > 10*time.Second {
		t.Fatalf("one input took %v", d)
	}
}

// FuzzPth: arbitrary bytes as a .pth file.
func FuzzPth(f *testing.F) {
	notice.SetOutput(io.Discard)
	// Small seeds only: the fixtures of testdata (8–44 KB, covered by the ordinary
	// tests) slow mutation to a few inputs a second.
	if b, err := os.ReadFile(filepath.Join("testdata", "unreg_small.pth")); err == nil {
		f.Add(b)
	}
	ts, st := tinyStateDict()
	f.Add(pthZip(statePickle(ts), st, zip.Store))
	for _, c := range hostilePth() {
		f.Add(pthZip(c.pkl, c.storages, zip.Store))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.pth")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		fuzzLoad(t, path)
	})
}

// FuzzPthPickle: an arbitrary pickle and storage bytes in a well-formed .pth zip, so
// that mutations reach the pickle and the tensor views (a deflated zip hides them).
func FuzzPthPickle(f *testing.F) {
	notice.SetOutput(io.Discard)
	ts, st := tinyStateDict()
	all := func(st map[string][]byte) []byte {
		var b []byte
		for k := 0; k < 5; k++ {
			b = append(b, st[string(rune('0'+k))]...)
		}
		return b
	}
	f.Add(statePickle(ts), all(st))
	for _, c := range hostilePth() {
		f.Add(c.pkl, all(c.storages))
	}
	f.Fuzz(func(t *testing.T, pkl, data []byte) {
		// The storages 0..4 share data, cut where the tiny state_dict's end.
		st := map[string][]byte{}
		for k, n := range []int{64, 48, 16, 32, 8} {
			m := min(n, len(data))
			st[string(rune('0'+k))] = data[:m]
			data = data[m:]
		}
		path := filepath.Join(t.TempDir(), "f.pth")
		if err := os.WriteFile(path, pthZip(pkl, st, zip.Store), 0o644); err != nil {
			t.Fatal(err)
		}
		fuzzLoad(t, path)
	})
}

// FuzzCheckpoint: a checkpoint directory with arbitrary model.json, GoMLX .json and .bin.
func FuzzCheckpoint(f *testing.F) {
	dir, js, bin := savedCheckpoint(f)
	cfg, _ := os.ReadFile(filepath.Join(dir, ConfigFile))
	j, _ := os.ReadFile(js)
	b, _ := os.ReadFile(bin)
	f.Add(cfg, j, b)
	for _, dims := range []string{"100000000000", "-1, 150", "3, 12", "4611686018427387904, 4"} {
		f.Add(cfg, []byte(firstDims(dims)(string(j))), b)
	}
	f.Add(cfg, []byte(strings.Replace(string(j), `"Length": 144`, `"Length": 1440000000`, 1)), b)
	f.Add([]byte(strings.Replace(string(cfg), `"HiddenSize": 6`, `"HiddenSize": 100000000`, 1)), j, b)
	f.Add(cfg, j, []byte("gomlx_checkpointss\x04gzip"))
	f.Fuzz(func(t *testing.T, cfg, js, bin []byte) {
		dir := t.TempDir()
		for name, data := range map[string][]byte{ConfigFile: cfg, "checkpoint-n0000001-x.json": js, "checkpoint-n0000001-x.bin": bin} {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		fuzzLoad(t, dir)
	})
}
