package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/matfile"
)

var matFixtures = filepath.Join("..", "..", "matfile", "testdata")

func TestMatCommand(t *testing.T) {
	p := filepath.Join(matFixtures, "scipy_v5_compressed.mat")
	var out, errb bytes.Buffer
	if rc := run([]string{"mat", p}, &out, &errb); rc != 0 {
		t.Fatalf("exit %d: %s", rc, errb.String())
	}
	text := out.String()
	for _, want := range []string{"MATLAB 5.0 MAT-file", "Name", "condsForSim", "27x8", "condsForSim(1).plan", "3x15", "nested.inner.name", "sparse", "complex", "logical", "int16"} {
		if !strings.Contains(text, want) {
			t.Errorf("listing lacks %q:\n%s", want, text)
		}
	}

	out.Reset()
	if rc := run([]string{"mat", "--json", p}, &out, &errb); rc != 0 {
		t.Fatalf("--json: exit %d: %s", rc, errb.String())
	}
	var l matfile.Listing
	if err := json.Unmarshal(out.Bytes(), &l); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, out.String())
	}
	found := false
	for _, e := range l.Variables {
		if e.Name == "condsForSim(1).muscle" && e.Class == "double" && e.Depth == 1 && len(e.Size) == 2 && e.Size[0] == 3 && e.Size[1] == 7 {
			found = true
		}
	}
	if !found {
		t.Errorf("JSON lacks condsForSim(1).muscle 3x7 double: %+v", l.Variables)
	}

	// Flags after the file, two files.
	out.Reset()
	q := filepath.Join(matFixtures, "octave_v7.mat")
	if rc := run([]string{"mat", p, q, "--json"}, &out, &errb); rc != 0 {
		t.Fatalf("two files: exit %d: %s", rc, errb.String())
	}
	var ls []matfile.Listing
	if err := json.Unmarshal(out.Bytes(), &ls); err != nil || len(ls) != 2 {
		t.Fatalf("two files: %v, %d listings", err, len(ls))
	}
}

func TestMatCommandErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"mat"}, "no file given"},
		{[]string{"mat", "/nonexistent.mat"}, "no such file"},
		{[]string{"mat", filepath.Join(matFixtures, "octave_hdf5.mat")}, "'-v7'"},
		{[]string{"mat", filepath.Join(matFixtures, "gen_scipy.py")}, "not a Level 5 MAT-file"},
	} {
		var out, errb bytes.Buffer
		if rc := run(c.args, &out, &errb); rc != 1 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 1 and %q", c.args, rc, errb.String(), c.want)
		}
	}
}
