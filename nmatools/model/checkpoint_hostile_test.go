package model

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/internal/memcap"
)

// savedCheckpoint writes a small valid checkpoint and returns its directory and the
// paths of its GoMLX .json and .bin.
func savedCheckpoint(t testing.TB) (dir, js, bin string) {
	t.Helper()
	cfg := UnregularizedConfig()
	cfg.HiddenSize = 6
	dir = filepath.Join(t.TempDir(), "ck")
	if err := NewParams(cfg, 1).Save(dir); err != nil {
		t.Fatal(err)
	}
	m, _ := filepath.Glob(filepath.Join(dir, "checkpoint-*.json"))
	if len(m) != 1 {
		t.Fatalf("want one checkpoint json, got %v", m)
	}
	return dir, m[0], strings.TrimSuffix(m[0], ".json") + ".bin"
}

func editFile(t testing.TB, path string, edit func(string) string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(edit(string(b))), 0o644); err != nil {
		t.Fatal(err)
	}
}

// firstDims replaces the Dimensions of the first variable (J) in a checkpoint's json.
func firstDims(dims string) func(string) string {
	re := regexp.MustCompile(`"Dimensions": \[[^\]]*\]`)
	return func(s string) string {
		done := false
		return re.ReplaceAllStringFunc(s, func(m string) string {
			if done {
				return m
			}
			done = true
			return `"Dimensions": [` + dims + `]`
		})
	}
}

// TestCheckpointHostile: crafted checkpoint directories (Dimensions
// [100000000000] or [-1, 150] once crashed GoMLX's loader) and others are refused with
// a clear error, allocating little.
func TestCheckpointHostile(t *testing.T) {
	gzBomb := func(path string) {
		var b bytes.Buffer
		b.WriteString("gomlx_checkpointss\x04gzip")
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		zeros := make([]byte, 1<<20)
		for i := 0; i < 256; i++ { // 256 MiB of zeros, ~256 KB compressed
			zw.Write(zeros)
		}
		zw.Close()
		os.WriteFile(path, b.Bytes(), 0o644)
	}
	for _, c := range []struct {
		name   string
		broken func(dir, js, bin string)
		want   string
	}{
		{"dims_1e11", func(_, js, _ string) { editFile(t, js, firstDims("100000000000")) }, "holds more than"},
		{"dims_negative", func(_, js, _ string) { editFile(t, js, firstDims("-1, 150")) }, "negative dimension"},
		{"dims_other_shape", func(_, js, _ string) { editFile(t, js, firstDims("3, 12")) }, "has shape [3 12]"},
		{"length_lies", func(_, js, _ string) {
			editFile(t, js, func(s string) string { return strings.Replace(s, `"Length": 144`, `"Length": 1440000000`, 1) })
		}, "declares 1440000000 bytes"},
		{"variable_missing", func(_, js, _ string) {
			editFile(t, js, func(s string) string { return strings.Replace(s, `/ctrnn/bx"`, `/ctrnn/zz"`, 1) })
		}, "has no variable /ctrnn/bx"},
		{"bin_truncated", func(_, _, bin string) { os.WriteFile(bin, []byte("gomlx_checkpointss\x04gzip"), 0o644) }, "damaged data"},
		{"bin_gzip_bomb", func(_, _, bin string) { gzBomb(bin) }, "holds more than"},
		{"bin_raw_short", func(_, _, bin string) { os.WriteFile(bin, make([]byte, 10), 0o644) }, "holds 10 bytes of variable data"},
		{"json_garbage", func(_, js, _ string) { os.WriteFile(js, []byte("{\"Variables\": [{\"Dimensions\": \"x\"}]}"), 0o644) }, "not a GoMLX checkpoint's metadata"},
		{"config_huge", func(dir, _, _ string) {
			editFile(t, filepath.Join(dir, ConfigFile), func(s string) string {
				return strings.Replace(s, `"HiddenSize": 6`, `"HiddenSize": 100000000`, 1)
			})
		}, "holds more than 16777216 elements"},
		{"config_negative", func(dir, _, _ string) {
			editFile(t, filepath.Join(dir, ConfigFile), func(s string) string {
				return strings.Replace(s, `"HiddenSize": 6`, `"HiddenSize": -6`, 1)
			})
		}, "sizes must be positive"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir, js, bin := savedCheckpoint(t)
			c.broken(dir, js, bin)
			memcap.Keep(t, dir, "ckpt_"+c.name)
			var err error
			memcap.Check(t, 64<<20, func() { _, err = Load(dir) })
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Load = %v, want an error containing %q", err, c.want)
			}
			t.Logf("%v", err)
		})
	}
	// The unbroken directory loads.
	dir, _, _ := savedCheckpoint(t)
	if _, err := Load(dir); err != nil {
		t.Fatal(err)
	}
}
