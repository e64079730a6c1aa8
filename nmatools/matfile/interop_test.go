package matfile

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestOthersReadOurFiles writes sampleVars in each layout and has scipy and
// Octave load them, when they are installed (skipped otherwise).
func TestOthersReadOurFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("runs external tools")
	}
	dir := t.TempDir()
	var files []string
	for i, opt := range []*WriteOptions{nil, {Uncompressed: true}, {BigEndian: true}, {BigEndian: true, Uncompressed: true}} {
		p := filepath.Join(dir, "f"+string(rune('0'+i))+".mat")
		if err := WriteFile(p, sampleVars(), opt); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	t.Run("scipy", func(t *testing.T) {
		py := "/usr/bin/python3"
		if exec.Command(py, "-c", "import scipy.io").Run() != nil {
			t.Skip("no python3 with scipy")
		}
		script := `
import sys, numpy as np, scipy.io as sio
for p in sys.argv[1:]:
    d = sio.loadmat(p)
    c = d['cond']
    assert c.shape == (3, 2), c.shape
    plan = c[2, 1]['plan']          # element 6 (column-major), T = 9
    assert plan.shape == (9, 15) and plan[2, 1] == 5000 + 2 + 9, plan
    assert c[1, 0]['name'][0] == 'condB'
    assert d['x'].shape == (2, 3, 2) and d['x'][1, 2, 0] == 6 and np.isneginf(d['x'][1, 2, 1])
    assert d['z'][0, 1] == 2 + 4j
    assert d['b'][1, 1] == 1 and d['b'][0, 1] == 0  # loadmat gives logical as uint8
    assert d['str'][0] == 'hello'
    n = d['nested'][0, 0]
    assert n['inner'][0, 0]['a'].dtype.str[1:] == 'i2' and n['inner'][0, 0]['a'][0, 2] == 32767
    assert n['c'][0, 0][0] == 'héllo ☃', n['c'][0, 0]
    assert d['i_uint64'].dtype.str[1:] == 'u8' and d['i_int8'][0, 0] == -100
    assert d['sp'].toarray()[2, 0] == 2 and d['sp'].toarray()[1, 1] == 3
    assert d['e'].shape == (0, 0)
    assert d['__globals__'] == ['g'], d['__globals__']
print('ok')
`
		out, err := exec.Command(py, append([]string{"-c", script}, files...)...).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "ok") {
			t.Fatalf("scipy: %v\n%s", err, out)
		}
	})
	t.Run("octave", func(t *testing.T) {
		oct, err := exec.LookPath("octave")
		if err != nil {
			t.Skip("no octave")
		}
		var script strings.Builder
		for _, p := range files {
			script.WriteString("clear all; load('" + p + "'); ")
			script.WriteString("assert(isequal(size(cond), [3 2])); assert(cond(3,2).plan(3,2) == 5011); ")
			script.WriteString("assert(strcmp(cond(2,1).name, 'condB')); assert(isa(nested.inner.a, 'int16')); ")
			script.WriteString("assert(x(2,3,1) == 6); assert(islogical(b)); assert(z(2) == 2+4i); assert(issparse(sp)); ")
		}
		script.WriteString("disp('ok')")
		cmd := exec.Command(oct, "--no-gui", "--quiet", "--no-init-file", "--eval", script.String())
		cmd.Env = append(os.Environ(), "DISPLAY=")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "ok") {
			t.Fatalf("octave: %v\n%s", err, out)
		}
	})
}
