package matfile

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/neuromatch/nmatools/nmatools/internal/memcap"
)

// FuzzRead feeds arbitrary bytes to Read: it must return a File or an
// error, never panic, hang or allocate from a size field alone. A File it
// returns must describe and, when writable, round-trip through Write.
//
//	GOMAXPROCS=1 go test -run XXX -fuzz FuzzRead -fuzztime 3m -fuzzminimizetime 10s ./nmatools/matfile/
func FuzzRead(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.mat"))
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		// Large seeds make mutation and minimization slow; the big
		// fixtures are covered by the ordinary tests.
		if len(b) <= 16<<10 {
			f.Add(b)
		}
	}
	for _, opt := range []*WriteOptions{nil, {Uncompressed: true}, {BigEndian: true, Uncompressed: true}} {
		var buf bytes.Buffer
		if err := Write(&buf, sampleVars()[:10], opt); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Add(int8AsDouble(1 << 16))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Any input allocating over 1 GiB fails (one beyond the machine's
		// memory kills the worker, which the fuzzer reports as a crash).
		memcap.Check(t, memcap.Limit, func() { fuzzRead(t, data) })
	})
}

func fuzzRead(t *testing.T, data []byte) {
	{
		t0 := time.Now()
		defer func() {
			if d := time.Since(t0); d > 10*time.Second {
				t.Fatalf("one input took %v: a pathological case to bound", d)
			}
		}()
		mf, err := ReadWithOptions(bytes.NewReader(data), int64(len(data)), &ReadOptions{MaxVariableBytes: 64 << 20})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if mf == nil {
			t.Fatal("nil File without an error")
		}
		_ = WriteWhos(io.Discard, Describe(mf))
		for _, v := range mf.Vars {
			if sp, ok := v.Value.(*Sparse); ok && numel(sp.Dims) <= 1<<20 {
				if _, err := sp.Dense(); err != nil {
					t.Fatal(err)
				}
			}
			if c, ok := v.Value.(*Char); ok {
				_ = c.String()
				_ = c.Rows()
			}
			if n, ok := v.Value.(*Numeric); ok {
				n.Matrix()
			}
		}
		var buf bytes.Buffer
		vars := mf.Vars
		// Names read from a file need not be MATLAB identifiers, nor unique.
		if err := Write(&buf, vars, &WriteOptions{Uncompressed: true}); err != nil {
			return
		}
		if _, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len())); err != nil {
			t.Fatalf("re-reading what Write wrote from a file Read accepted: %v", err)
		}
	}
}
