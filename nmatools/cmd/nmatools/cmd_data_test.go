package main

import (
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/core/tensors/numpy"
	"github.com/neuromatch/nmatools/nmatools/data"
)

func TestDataSynthAndPrepare(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCmd("data", "synth", "--out", dir, "--seed", "7")
	if code != 0 {
		t.Fatalf("data synth: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "SYNTHETIC") || !strings.Contains(out, data.CondsFile) || !strings.Contains(out, data.M1File) {
		t.Errorf("data synth output: %s", out)
	}
	conds := filepath.Join(dir, data.CondsFile)
	npz := filepath.Join(dir, "prepared.npz")
	// Flags after the positional argument work too.
	code, out, errs = runCmd("prepare", conds, "--out", npz)
	if code != 0 {
		t.Fatalf("prepare: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "SYNTHETIC") {
		t.Errorf("prepare output does not say synthetic: %s", out)
	}
	got, err := numpy.FromNpzFile(npz)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := data.PrepareDataset(conds)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]float32{
		"inputs": ds.Inputs.Data, "outputs": ds.Outputs.Data,
		"inputs_with_delay": ds.InputsWithDelay.Data, "outputs_with_delay": ds.OutputsWithDelay.Data,
	} {
		tt, ok := got[name]
		if !ok {
			t.Fatalf("npz lacks %s", name)
		}
		d := tensors.MustCopyFlatData[float32](tt)
		if len(d) != len(want) {
			t.Fatalf("%s: %d values, want %d", name, len(d), len(want))
		}
		for i := range d {
			if d[i] != want[i] {
				t.Fatalf("%s[%d] = %v, want %v", name, i, d[i], want[i])
			}
		}
	}
	if dims := got["inputs_with_delay"].Shape().Dimensions; len(dims) != 4 || dims[1] != 8 || dims[3] != 16 {
		t.Errorf("inputs_with_delay dims %v", dims)
	}
	if tm := tensors.MustCopyFlatData[float64](got["times"]); len(tm) != 250 || tm[0] != ds.Times[0] {
		t.Errorf("times: %d values", len(tm))
	}
	// No temporary files left next to the output.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left-over temporary file %s", e.Name())
		}
	}
}

func TestPrepareErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"prepare", filepath.Join(dir, "none.mat"), "--out", filepath.Join(dir, "x.npz")}, "does not exist"},
		{[]string{"prepare", "a.mat"}, "--out"},
		{[]string{"prepare", "a.mat", "b.mat", "--out", "x.npz"}, "one .mat file"},
		{[]string{"data", "synth"}, "--out"},
		{[]string{"data", "bogus"}, "unknown sub-command"},
		{[]string{"data"}, "missing sub-command"},
	} {
		code, _, errs := runCmd(c.args...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q (want it to mention %q)", c.args, code, errs, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.npz")); err == nil {
		t.Error("a failed prepare left an output file")
	}
}

func TestDataFetch(t *testing.T) {
	body := []byte("pretend MAT-file content")
	s := md5.Sum(body)
	sum := hex.EncodeToString(s[:])
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/good" {
			w.Write(body)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	savedT, savedR := data.TutorialFiles, data.RealFiles
	defer func() { data.TutorialFiles, data.RealFiles = savedT, savedR }()
	data.TutorialFiles = []data.Remote{
		{Name: "good.mat", URL: srv.URL + "/good", MD5: sum, Fallback: "x"},
		{Name: "gone.mat", URL: srv.URL + "/gone", MD5: sum, Fallback: "the synthetic stand-in dataset will be used"},
	}
	data.RealFiles = nil
	dir := t.TempDir()
	code, out, errs := runCmd("data", "fetch", "--dir", dir)
	if code != 0 {
		t.Fatalf("without --strict a missing file is not an error: exit %d %s", code, errs)
	}
	if !strings.Contains(out, "ok       "+filepath.Join(dir, "good.mat")) || !strings.Contains(out, "MISSING  gone.mat") ||
		!strings.Contains(out, srv.URL+"/gone") || !strings.Contains(out, "synthetic") {
		t.Errorf("fetch report:\n%s", out)
	}
	code, out, _ = runCmd("data", "fetch", "--dir", dir, "--strict")
	if code == 0 {
		t.Error("--strict with a missing file exited 0")
	}
	if !strings.Contains(out, "(cached") {
		t.Errorf("second fetch should report the cached file:\n%s", out)
	}
}

func TestDataWhere(t *testing.T) {
	t.Setenv("NMATOOLS_DATA", t.TempDir())
	t.Setenv("NMATOOLS_DOWNLOAD", "")
	code, out, errs := runCmd("data", "where")
	if code != 0 || !strings.Contains(out, "SYNTHETIC") {
		t.Errorf("data where: exit %d\n%s%s", code, out, errs)
	}
}
