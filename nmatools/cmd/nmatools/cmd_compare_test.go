package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/core/tensors/numpy"
)

// compareFixture is one case of nmatools/compare/testdata/reference.json
// (written by its gen_reference.py, the NumPy reference).
type compareFixture struct {
	Kind     string        `json:"kind"`
	Name     string        `json:"name"`
	A        *fixtureArray `json:"a"`
	B        *fixtureArray `json:"b"`
	X        *fixtureArray `json:"x"`
	PCs      int           `json:"pcs"`
	Dt       float64       `json:"dt"`
	SoftNorm bool          `json:"softnorm"`
	Expected struct {
		Correlations []float64 `json:"correlations"`
		R2Best       float64   `json:"r2_best"`
		R2Skew       float64   `json:"r2_skew"`
		Q            []float64 `json:"q"`
		Q90          float64   `json:"q90"`
	} `json:"expected"`
}

type fixtureArray struct {
	Shape  []int     `json:"shape"`
	Values []float64 `json:"values"`
}

func loadCompareFixtures(t *testing.T) []compareFixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "compare", "testdata", "reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Cases []compareFixture `json:"cases"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f.Cases
}

// writeTestNpy writes values shaped dims as float64, or float32 when f32.
func writeTestNpy(t *testing.T, path string, values []float64, f32 bool, dims ...int) string {
	t.Helper()
	var tt *tensors.Tensor
	if f32 {
		v := make([]float32, len(values))
		for i, x := range values {
			v[i] = float32(x)
		}
		tt = tensors.FromFlatDataAndDimensions(v, dims...)
	} else {
		tt = tensors.FromFlatDataAndDimensions(append([]float64(nil), values...), dims...)
	}
	if err := numpy.ToNpyFile(tt, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCompareCommandAgainstNumPy runs the committed NumPy fixtures through
// the command, from float64 files and (looser) from float32 files.
func TestCompareCommandAgainstNumPy(t *testing.T) {
	dir := t.TempDir()
	n := 0
	for i, c := range loadCompareFixtures(t) {
		if c.SoftNorm {
			continue // its constant is not the command's default; the library test covers it
		}
		for _, f32 := range []bool{false, true} {
			tol := 1e-4
			if f32 {
				tol = 2e-3 // inputs rounded to float32
			}
			name := func(s string) string { return filepath.Join(dir, strings.ReplaceAll(c.Name, " ", "_")+s) }
			var args []string
			switch c.Kind {
			case "cca":
				a := writeTestNpy(t, name("_a.npy"), c.A.Values, f32, c.A.Shape...)
				b := writeTestNpy(t, name("_b.npy"), c.B.Values, f32, c.B.Shape...)
				args = []string{"compare", "cca", a, b, "--pcs", itoa(c.PCs), "--json"}
			case "jpca":
				x := writeTestNpy(t, name("_x.npy"), c.X.Values, f32, c.X.Shape...)
				args = []string{"compare", "jpca", "--json", x, "--pcs", itoa(c.PCs), "--dt", ftoa(c.Dt)}
			case "tangling":
				x := writeTestNpy(t, name("_x.npy"), c.X.Values, f32, c.X.Shape...)
				args = []string{"compare", "tangling", x, "--pcs", itoa(c.PCs), "--dt", ftoa(c.Dt), "--json"}
			}
			code, out, errs := runCmd(args...)
			if code != 0 {
				t.Fatalf("case %d %s: exit %d: %s", i, c.Name, code, errs)
			}
			var got struct {
				Correlations []float64 `json:"correlations"`
			}
			var raw map[string]json.RawMessage
			if err := json.Unmarshal([]byte(out), &raw); err != nil {
				t.Fatalf("%s: output %q: %v", c.Name, out, err)
			}
			_ = json.Unmarshal([]byte(out), &got)
			switch c.Kind {
			case "cca":
				if len(raw) != 1 || len(got.Correlations) != c.PCs {
					t.Fatalf("%s: output %q, want {\"correlations\": [%d values]}", c.Name, out, c.PCs)
				}
				for k, v := range got.Correlations {
					if math.Abs(v-c.Expected.Correlations[k]) > tol {
						t.Errorf("%s (float32 %v): correlation %d = %.6f, NumPy %.6f", c.Name, f32, k, v, c.Expected.Correlations[k])
					}
				}
			case "jpca":
				var r struct {
					R2Best float64 `json:"r2_best"`
					R2Skew float64 `json:"r2_skew"`
				}
				_ = json.Unmarshal([]byte(out), &r)
				if len(raw) != 2 || raw["r2_best"] == nil || raw["r2_skew"] == nil {
					t.Fatalf("%s: output %q, want {\"r2_best\": …, \"r2_skew\": …}", c.Name, out)
				}
				if math.Abs(r.R2Best-c.Expected.R2Best) > tol || math.Abs(r.R2Skew-c.Expected.R2Skew) > tol {
					t.Errorf("%s (float32 %v): R² best %.6f skew %.6f, NumPy %.6f %.6f", c.Name, f32, r.R2Best, r.R2Skew, c.Expected.R2Best, c.Expected.R2Skew)
				}
			case "tangling":
				var r struct {
					Q   []float64 `json:"q"`
					Q90 float64   `json:"q90"`
				}
				_ = json.Unmarshal([]byte(out), &r)
				if len(raw) != 2 || raw["q90"] == nil || len(r.Q) != len(c.Expected.Q) {
					t.Fatalf("%s: output %.200q, want {\"q\": [%d values], \"q90\": …}", c.Name, out, len(c.Expected.Q))
				}
				// Relative: Q's scale is 1/dt² (thousands here).
				rel := func(a, b float64) float64 { return math.Abs(a-b) / math.Abs(b) }
				for k, v := range r.Q {
					if rel(v, c.Expected.Q[k]) > tol {
						t.Fatalf("%s (float32 %v): Q[%d] = %.8g, NumPy %.8g", c.Name, f32, k, v, c.Expected.Q[k])
					}
				}
				if rel(r.Q90, c.Expected.Q90) > tol {
					t.Errorf("%s (float32 %v): q90 %.8g, NumPy %.8g", c.Name, f32, r.Q90, c.Expected.Q90)
				}
			}
			n++
		}
	}
	if n < 10 {
		t.Fatalf("only %d fixture runs", n)
	}
}

func TestCompareCommandText(t *testing.T) {
	dir := t.TempDir()
	for _, c := range loadCompareFixtures(t) {
		if c.Kind == "jpca" && c.Name == "planted rotation" {
			x := writeTestNpy(t, filepath.Join(dir, "x.npy"), c.X.Values, false, c.X.Shape...)
			code, out, errs := runCmd("compare", "jpca", x, "--pcs", "4")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			for _, want := range []string{"(8 conditions, 40 times, 12 units)", "R² skew-symmetric (rotation)", "0.9523", "2.97 Hz"} {
				if !strings.Contains(out, want) {
					t.Errorf("jpca text output lacks %q:\n%s", want, out)
				}
			}
		}
		if c.Kind == "tangling" && c.Name == "planted figure-eights (tangled)" {
			x := writeTestNpy(t, filepath.Join(dir, "eights.npy"), c.X.Values, false, c.X.Shape...)
			code, out, errs := runCmd("compare", "tangling", x)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			for _, want := range []string{"(6 conditions, 60 times, 10 units)", "top 8 principal components", "354 states (6 conditions × 59 steps)", "Q, 90th percentile 6311"} {
				if !strings.Contains(out, want) {
					t.Errorf("tangling text output lacks %q:\n%s", want, out)
				}
			}
		}
		if c.Kind == "cca" && c.Name == "planted shared latent" {
			a := writeTestNpy(t, filepath.Join(dir, "a.npy"), c.A.Values, false, c.A.Shape...)
			b := writeTestNpy(t, filepath.Join(dir, "b.npy"), c.B.Values, false, c.B.Shape...)
			code, out, errs := runCmd("compare", "cca", a, b, "--pcs", "5")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			for _, want := range []string{"top 5 principal components", " 5  0.1840", "mean 0.8351"} {
				if !strings.Contains(out, want) {
					t.Errorf("cca text output lacks %q:\n%s", want, out)
				}
			}
		}
	}
}

func TestCompareCommandErrors(t *testing.T) {
	dir := t.TempDir()
	vals := make([]float64, 4*10*6)
	for i := range vals {
		vals[i] = math.Sin(float64(i)*1.3) + math.Cos(float64(i*i)*0.7)
	}
	good := writeTestNpy(t, filepath.Join(dir, "good.npy"), vals, false, 4, 10, 6)
	short := writeTestNpy(t, filepath.Join(dir, "short.npy"), vals[:4*9*6], false, 4, 9, 6)
	flat := writeTestNpy(t, filepath.Join(dir, "flat.npy"), vals, false, 40, 6)
	nan := append([]float64(nil), vals...)
	nan[7] = math.NaN()
	nanPath := writeTestNpy(t, filepath.Join(dir, "nan.npy"), nan, true, 4, 10, 6)
	inf := append([]float64(nil), vals...)
	inf[0] = math.Inf(-1)
	infPath := writeTestNpy(t, filepath.Join(dir, "inf.npy"), inf, false, 4, 10, 6)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"compare"}, "missing sub-command"},
		{[]string{"compare", "pca"}, `unknown sub-command "pca"`},
		{[]string{"compare", "cca", good}, "two .npy files"},
		{[]string{"compare", "cca", good, short, "--pcs", "3"}, "same conditions and times"},
		{[]string{"compare", "cca", good, good}, "10 principal components, but A has 6 units"},
		{[]string{"compare", "cca", good, flat, "--pcs", "3"}, "want a 3-D array"},
		{[]string{"compare", "cca", good, nanPath, "--pcs", "3"}, "nan.npy: element [0 1 1] is NaN"},
		{[]string{"compare", "jpca", infPath}, "inf.npy: element [0 0 0] is -Inf"},
		{[]string{"compare", "jpca", good, "--pcs", "1"}, "at least 2 principal components"},
		{[]string{"compare", "jpca", good, "--pcs", "0"}, "at least 2 principal components"},
		{[]string{"compare", "jpca", good, "--dt", "0"}, "positive number of seconds"},
		{[]string{"compare", "jpca", good, "--softnorm", "--softnorm-const", "-1"}, "positive number"},
		{[]string{"compare", "jpca", good, good}, "one .npy file"},
		{[]string{"compare", "jpca", filepath.Join(dir, "missing.npy")}, "missing.npy"},
		{[]string{"compare", "tangling", good}, "8 principal components, but X has 6 units"},
		{[]string{"compare", "tangling", good, "--pcs", "0"}, "at least 1 principal component"},
		{[]string{"compare", "tangling", good, "--dt", "-1"}, "positive number of seconds"},
		{[]string{"compare", "tangling", good, "--softnorm", "--softnorm-const", "0"}, "positive number"},
		{[]string{"compare", "tangling", flat}, "want a 3-D array"},
		{[]string{"compare", "tangling", nanPath, "--pcs", "2"}, "is NaN"},
		{[]string{"compare", "tangling"}, "one .npy file"},
	}
	for _, c := range cases {
		code, out, errs := runCmd(c.args...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want an error mentioning %q", c.args[1:], code, errs, c.want)
		}
		if out != "" {
			t.Errorf("%v: stdout %q on error", c.args[1:], out)
		}
	}
	// Soft-normalization changes the answer, and is accepted.
	code, plain, _ := runCmd("compare", "jpca", good, "--pcs", "3", "--json")
	code2, soft, errs := runCmd("compare", "jpca", good, "--pcs", "3", "--json", "--softnorm", "--softnorm-const", "0.1")
	if code != 0 || code2 != 0 || plain == soft {
		t.Errorf("softnorm: exits %d %d, %q vs %q (%s)", code, code2, plain, soft, errs)
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func ftoa(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}
