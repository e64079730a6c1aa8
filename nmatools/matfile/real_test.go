package matfile

import (
	"os"
	"path/filepath"
	"testing"
)

// realData is the directory of real MATLAB-written files, shared by the team.
var realData = filepath.Join("..", "..", "..", "shared", "data", "real")

func readReal(t *testing.T, name string) *File {
	t.Helper()
	p := filepath.Join(realData, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s not present: %v", p, err)
	}
	f, err := ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestRealChurchland(t *testing.T) {
	f := readReal(t, "churchland2012_TME_exampleData.mat")
	for _, v := range f.Vars {
		t.Logf("%s %s %v", v.Name, v.Value.ClassName(), v.Value.Size())
	}
}

func TestRealHatsopoulos(t *testing.T) {
	f := readReal(t, "hatsopoulos_centerout_EMG.mat")
	for _, v := range f.Vars {
		t.Logf("%s %s %v", v.Name, v.Value.ClassName(), v.Value.Size())
	}
}
