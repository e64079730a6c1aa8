package compare

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neuromatch/nmatools/nmatools/data"
	"gonum.org/v1/gonum/mat"
)

// refArray, refCase and refFile are the JSON of testdata/gen_reference.py.
type refArray struct {
	Shape  []int     `json:"shape"`
	Values []float64 `json:"values"`
}

type refCase struct {
	Kind          string    `json:"kind"`
	Name          string    `json:"name"`
	A             *refArray `json:"a,omitempty"`
	B             *refArray `json:"b,omitempty"`
	X             *refArray `json:"x,omitempty"`
	Mat           *refMat   `json:"mat,omitempty"`
	PCs           int       `json:"pcs"`
	Dt            float64   `json:"dt,omitempty"`
	SoftNorm      bool      `json:"softnorm,omitempty"`
	SoftNormConst float64   `json:"softnorm_const,omitempty"`
	Expected      *struct {
		Correlations      []float64 `json:"correlations"`
		R2Best            float64   `json:"r2_best"`
		R2Skew            float64   `json:"r2_skew"`
		RotationHz        float64   `json:"rotation_hz"`
		VarianceExplained float64   `json:"variance_explained"`
		Projection        *refArray `json:"projection"`
		Q                 []float64 `json:"q"`
		Q90               float64   `json:"q90"`
		Epsilon           float64   `json:"epsilon"`
	} `json:"expected,omitempty"`
	// got is the data a "mat" case is checked on (read by package data),
	// not sent to the NumPy side.
	got *Data
}

// refMat names a variable of a MAT file that gen_reference.py reads itself
// (scipy.io.loadmat), transposes by Axes and averages over bins of Bin samples.
type refMat struct {
	Path string `json:"path"`
	Var  string `json:"var"`
	Axes []int  `json:"axes"`
	Bin  int    `json:"bin,omitempty"`
}

type refFile struct {
	Cases []refCase `json:"cases"`
}

func (r *refArray) data(t *testing.T) *Data {
	t.Helper()
	d, err := New(r.Shape[0], r.Shape[1], r.Shape[2], r.Values)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

const tol = 1e-4

// checkCase runs one case in Go and compares it with NumPy's expected values.
func checkCase(t *testing.T, c refCase) {
	t.Helper()
	switch c.Kind {
	case "cca":
		got, err := CCA(c.A.data(t), c.B.data(t), c.PCs)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		want := c.Expected.Correlations
		if len(got) != len(want) {
			t.Fatalf("%s: %d correlations, want %d", c.Name, len(got), len(want))
		}
		for i := range got {
			if math.Abs(got[i]-want[i]) > tol {
				t.Errorf("%s: correlation %d = %.8f, NumPy %.8f", c.Name, i, got[i], want[i])
			}
		}
	case "jpca":
		r, err := JPCA(c.X.data(t), JPCAOptions{PCs: c.PCs, Dt: c.Dt, SoftNorm: c.SoftNorm, SoftNormConst: c.SoftNormConst})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		e := c.Expected
		for _, q := range []struct {
			name      string
			got, want float64
		}{{"R² best", r.R2Best, e.R2Best}, {"R² skew", r.R2Skew, e.R2Skew},
			{"rotation Hz", r.RotationHz, e.RotationHz}, {"variance explained", r.VarianceExplained, e.VarianceExplained}} {
			if math.Abs(q.got-q.want) > tol {
				t.Errorf("%s: %s = %.8f, NumPy %.8f", c.Name, q.name, q.got, q.want)
			}
		}
		if r.Projection == nil {
			t.Fatalf("%s: no jPC projection", c.Name)
		}
		want := e.Projection.data(t)
		if r.Projection.Shape() != want.Shape() {
			t.Fatalf("%s: projection shape %v, NumPy %v", c.Name, r.Projection.Shape(), want.Shape())
		}
		// Invariant to the plane's in-plane orientation: the Gram matrix Y·Yᵀ of the rows.
		scale := maxAbs(want.Values)
		if d := gramDiff(r.Projection.Values, want.Values); d > tol*scale*scale {
			t.Errorf("%s: projection Gram matrix differs from NumPy's by %g", c.Name, d)
		}
		// Same orientation conventions, so the projections themselves agree.
		if d := maxAbsDiff(r.Projection.Values, want.Values); d > tol*scale {
			t.Errorf("%s: projection differs from NumPy's by %g (scale %g)", c.Name, d, scale)
		}
	case "tangling":
		x := c.got
		if x == nil {
			x = c.X.data(t)
		}
		r, err := Tangling(x, TanglingOptions{PCs: c.PCs, Dt: c.Dt, SoftNorm: c.SoftNorm, SoftNormConst: c.SoftNormConst})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		e := c.Expected
		if len(r.Q) != len(e.Q) || r.Steps != x.Times-1 || r.Conditions != x.Conditions {
			t.Fatalf("%s: %d values of Q (%d conditions × %d steps), NumPy %d", c.Name, len(r.Q), r.Conditions, r.Steps, len(e.Q))
		}
		worst, at := 0.0, 0
		for i := range r.Q {
			if d := relDiff(r.Q[i], e.Q[i]); d > worst {
				worst, at = d, i
			}
		}
		t.Logf("%s: %d states, q90 %.6g (NumPy %.6g), largest relative difference of Q %.2g (state %d), of q90 %.2g",
			c.Name, len(r.Q), r.Q90, e.Q90, worst, at, relDiff(r.Q90, e.Q90))
		if worst > tol {
			t.Errorf("%s: Q[%d] = %.8g, NumPy %.8g (relative difference %.2g)", c.Name, at, r.Q[at], e.Q[at], worst)
		}
		if relDiff(r.Q90, e.Q90) > tol || relDiff(r.Epsilon, e.Epsilon) > tol {
			t.Errorf("%s: q90 %.8g ε %.8g, NumPy %.8g and %.8g", c.Name, r.Q90, r.Epsilon, e.Q90, e.Epsilon)
		}
	default:
		t.Fatalf("unknown case kind %q", c.Kind)
	}
}

// relDiff is |a − b| / |b| (|a − b| when b is 0).
func relDiff(a, b float64) float64 {
	d := math.Abs(a - b)
	if b != 0 {
		d /= math.Abs(b)
	}
	return d
}

func TestAgainstNumPyFixtures(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f refFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) < 8 {
		t.Fatalf("%d cases in reference.json", len(f.Cases))
	}
	for _, c := range f.Cases {
		checkCase(t, c)
	}
}

// numpyPython returns a python3 that imports numpy, or "".
func numpyPython() string {
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import numpy").Run() == nil {
			return p
		}
	}
	return ""
}

// TestChurchlandAgainstNumPy runs the NumPy reference on the real Churchland
// et al. (2012) data at test time (nothing derived from it is committed).
func TestChurchlandAgainstNumPy(t *testing.T) {
	path, ok := data.FindReal(data.ChurchlandFile)
	if !ok {
		t.Skip("churchland2012_TME_exampleData.mat not found (set $NMATOOLS_SHARED_DATA or run `nmatools data fetch`)")
	}
	py := numpyPython()
	if py == "" {
		t.Skip("no python3 with numpy")
	}
	m, err := data.LoadChurchland(path)
	if err != nil {
		t.Fatal(err)
	}
	x, err := FromND(m.PSTH)
	if err != nil {
		t.Fatal(err)
	}
	arr := func(d *Data) *refArray {
		return &refArray{Shape: []int{d.Conditions, d.Times, d.Units}, Values: d.Values}
	}
	half := func(lo, hi int) *Data {
		v := make([]float64, 0, x.Conditions*x.Times*(hi-lo))
		for i := 0; i < x.Conditions*x.Times; i++ {
			v = append(v, x.Values[i*x.Units+lo:i*x.Units+hi]...)
		}
		d, err := New(x.Conditions, x.Times, hi-lo, v)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	cases := []refCase{
		{Kind: "jpca", Name: "Churchland, 6 PCs", X: arr(x), PCs: 6, Dt: 0.01},
		{Kind: "jpca", Name: "Churchland, 4 PCs, soft-normalized", X: arr(x), PCs: 4, Dt: 0.01, SoftNorm: true, SoftNormConst: 0.1},
		{Kind: "cca", Name: "Churchland, neurons 1-25 vs 26-50", A: arr(half(0, 25)), B: arr(half(25, 50)), PCs: 10},
	}
	for _, c := range runNumPy(t, py, cases) {
		checkCase(t, c)
	}
}

// runNumPy computes cases with gen_reference.py --in/--out and returns them
// with "expected" filled in (and each case's got kept).
func runNumPy(t *testing.T, py string, cases []refCase) []refCase {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.json"), filepath.Join(dir, "out.json")
	b, err := json.Marshal(refFile{Cases: cases})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, filepath.Join("testdata", "gen_reference.py"), "--in", in, "--out", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gen_reference.py: %v\n%s", err, msg)
	}
	b, err = os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var f refFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) != len(cases) {
		t.Fatalf("NumPy answered %d cases, want %d", len(f.Cases), len(cases))
	}
	for i := range f.Cases {
		f.Cases[i].got = cases[i].got
	}
	return f.Cases
}

// TestTanglingRealAgainstNumPy checks Tangling on both real recordings
// against the NumPy reference, which reads the MAT files itself (scipy):
// the Churchland et al. (2012) PSTHs, and the Hatsopoulos lab EMG averaged
// into 10-sample bins (10 ms if, as assumed, a sample is 1 ms). Nothing
// derived from them is committed.
func TestTanglingRealAgainstNumPy(t *testing.T) {
	churchland, ok1 := data.FindReal(data.ChurchlandFile)
	emgPath, ok2 := data.FindReal(data.EMGFile)
	if !ok1 || !ok2 {
		t.Skip("the real-data files are not at hand (set $NMATOOLS_SHARED_DATA or run `nmatools data fetch`)")
	}
	py := numpyPython()
	if py == "" || exec.Command(py, "-c", "import scipy.io").Run() != nil {
		t.Skip("no python3 with numpy and scipy")
	}
	m, err := data.LoadChurchland(churchland)
	if err != nil {
		t.Fatal(err)
	}
	m1, err := FromND(m.PSTH)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := data.LoadEMG(emgPath)
	if err != nil {
		t.Fatal(err)
	}
	e, err := raw.Binned(10)
	if err != nil {
		t.Fatal(err)
	}
	emg, err := New(e.Conditions, e.Times, e.Muscles, e.Values)
	if err != nil {
		t.Fatal(err)
	}
	cases := []refCase{
		{Kind: "tangling", Name: "Churchland M1, 8 PCs", PCs: 8, Dt: 0.01, got: m1,
			Mat: &refMat{Path: churchland, Var: "dataTensor", Axes: []int{2, 0, 1}}},
		{Kind: "tangling", Name: "Hatsopoulos EMG in 10-sample bins, 8 PCs", PCs: 8, Dt: 0.01, got: emg,
			Mat: &refMat{Path: emgPath, Var: "all_EMG", Axes: []int{2, 1, 0}, Bin: 10}},
		{Kind: "tangling", Name: "Hatsopoulos EMG in 10-sample bins, 4 PCs, soft-normalized", PCs: 4, Dt: 0.01, got: emg,
			SoftNorm: true, SoftNormConst: 5, Mat: &refMat{Path: emgPath, Var: "all_EMG", Axes: []int{2, 1, 0}, Bin: 10}},
	}
	for _, c := range runNumPy(t, py, cases) {
		checkCase(t, c)
	}
}

// TestPlanted checks behaviour the definitions imply, independently of NumPy.
func TestPlanted(t *testing.T) {
	// A pure rotation at 2 Hz in 2 of 5 units plus a static offset per
	// condition: skew-symmetric dynamics explain (almost) everything.
	nC, nT, nU := 6, 50, 5
	v := make([]float64, nC*nT*nU)
	for c := 0; c < nC; c++ {
		ph := 2 * math.Pi * float64(c) / float64(nC)
		for k := 0; k < nT; k++ {
			th := 2*math.Pi*2*float64(k)*0.01 + ph
			x, y := math.Cos(th), math.Sin(th)
			row := v[(c*nT+k)*nU:]
			row[0], row[1], row[2], row[3], row[4] = x+y, x-y, 0.5*x, 3, 0.01*math.Sin(float64(7*c+k))
		}
	}
	x, err := New(nC, nT, nU, v)
	if err != nil {
		t.Fatal(err)
	}
	r, err := JPCA(x, JPCAOptions{PCs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if r.R2Skew < 0.99 || r.R2Best < r.R2Skew-1e-12 {
		t.Errorf("planted rotation: R² skew %.4f, best %.4f; want skew > 0.99 and best ≥ skew", r.R2Skew, r.R2Best)
	}
	if math.Abs(r.RotationHz-2) > 0.05 {
		t.Errorf("rotation %.3f Hz, planted 2 Hz", r.RotationHz)
	}
	// Counterclockwise in the plane: the mean angular velocity is positive.
	w := 0.0
	p := r.Projection
	for c := 0; c < nC; c++ {
		for k := 0; k+1 < nT; k++ {
			x0, y0, x1, y1 := p.At(c, k, 0), p.At(c, k, 1), p.At(c, k+1, 0), p.At(c, k+1, 1)
			w += x0*y1 - y0*x1
		}
	}
	if w <= 0 {
		t.Errorf("projection turns clockwise (Σ x·dy − y·dx = %g)", w)
	}
	if p.At(0, 0, 0) < 0 {
		t.Errorf("first condition starts at jPC1 = %g, want ≥ 0", p.At(0, 0, 0))
	}
	// Orthonormal plane.
	var g mat.Dense
	g.Mul(r.Plane.T(), r.Plane)
	if !mat.EqualApprox(&g, mat.NewDiagDense(2, []float64{1, 1}), 1e-12) {
		t.Errorf("plane basis not orthonormal: %v", mat.Formatted(&g))
	}
	// A skew-symmetric M.
	var s mat.Dense
	s.Add(r.MSkew, r.MSkew.T())
	if mat.Norm(&s, 2) > 1e-12 {
		t.Error("MSkew is not skew-symmetric")
	}

	// CCA of a data set with an invertible mixing of itself: all ones; with
	// an unrelated one: below one.
	mixed := make([]float64, len(v))
	for i := 0; i < nC*nT; i++ {
		a := v[i*nU : (i+1)*nU]
		for j := 0; j < nU; j++ {
			mixed[i*nU+j] = a[j] + 0.5*a[(j+1)%nU] - 2
		}
	}
	y, _ := New(nC, nT, nU, mixed)
	cc, err := CCA(x, y, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cc {
		if math.Abs(c-1) > 1e-9 {
			t.Errorf("CCA with a mixed copy: correlation %d = %v, want 1", i, c)
		}
	}
	noise := make([]float64, len(v))
	for i := range noise {
		noise[i] = math.Sin(float64(i) * 12.9898)
	}
	z, _ := New(nC, nT, nU, noise)
	cc, err = CCA(x, z, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(cc); i++ {
		if cc[i] > cc[i-1] {
			t.Errorf("correlations not descending: %v", cc)
		}
	}
	if cc[0] > 0.9 {
		t.Errorf("CCA with unrelated data: %v", cc)
	}
}

func TestErrors(t *testing.T) {
	mk := func(c, tm, u int) *Data {
		v := make([]float64, c*tm*u)
		for i := range v {
			v[i] = math.Sin(float64(i)*1.7) + math.Cos(float64(i*i)*0.3)
		}
		d, err := New(c, tm, u, v)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	a := mk(4, 10, 6)
	cases := []struct {
		name string
		err  func() error
		want string
	}{
		{"conditions differ", func() error { _, err := CCA(a, mk(3, 10, 6), 2); return err }, "same conditions and times"},
		{"times differ", func() error { _, err := CCA(a, mk(4, 9, 6), 2); return err }, "same conditions and times"},
		{"K > units", func() error { _, err := CCA(a, mk(4, 10, 3), 4); return err }, "B has 3 units"},
		{"K = 0", func() error { _, err := CCA(a, a, 0); return err }, "at least 1"},
		{"rank deficient", func() error {
			v := make([]float64, 4*10*6)
			for i := range v {
				v[i] = float64(i % 6) // every row the same: rank 0 after centring
			}
			d, _ := New(4, 10, 6, v)
			_, err := CCA(d, a, 2)
			return err
		}, "rank 0"},
		{"jPCA K = 1", func() error { _, err := JPCA(a, JPCAOptions{PCs: 1}); return err }, "at least 2 principal components"},
		{"jPCA dt < 0", func() error { _, err := JPCA(a, JPCAOptions{Dt: -1}); return err }, "positive number of seconds"},
		{"jPCA one condition", func() error { _, err := JPCA(mk(1, 10, 6), JPCAOptions{PCs: 2}); return err }, "at least 2 conditions"},
		{"jPCA K > units", func() error { _, err := JPCA(a, JPCAOptions{PCs: 7}); return err }, "at most 6"},
		{"NaN", func() error {
			v := append([]float64(nil), a.Values...)
			v[5] = math.NaN()
			_, err := New(4, 10, 6, v)
			return err
		}, "(condition 0, time 0, unit 5)"},
		{"Inf in a Data built by hand", func() error {
			v := append([]float64(nil), a.Values...)
			v[len(v)-1] = math.Inf(1)
			_, err := JPCA(&Data{Conditions: 4, Times: 10, Units: 6, Values: v}, JPCAOptions{})
			return err
		}, "must be finite"},
		{"wrong length", func() error { _, err := New(2, 2, 2, make([]float64, 7)); return err }, "7 values for shape (2, 2, 2)"},
		{"too big", func() error { _, err := New(1<<20, 1<<20, 1<<20, nil); return err }, "more than"},
	}
	for _, c := range cases {
		err := c.err()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, math.Abs(x))
	}
	return m
}

func maxAbsDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

// gramDiff is max |(Y·Yᵀ − Z·Zᵀ)| for row-major (rows, 2) Y and Z.
func gramDiff(y, z []float64) float64 {
	n := len(y) / 2
	d := 0.0
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			gy := y[2*i]*y[2*j] + y[2*i+1]*y[2*j+1]
			gz := z[2*i]*z[2*j] + z[2*i+1]*z[2*j+1]
			d = max(d, math.Abs(gy-gz))
		}
	}
	return d
}

func TestTimeWindow(t *testing.T) {
	v := make([]float64, 2*5*3)
	for i := range v {
		v[i] = float64(i)
	}
	d, _ := New(2, 5, 3, v)
	w, err := d.TimeWindow(1, 3)
	if err != nil {
		t.Fatal(err)
	}
	if w.Shape() != [3]int{2, 2, 3} || w.At(0, 0, 0) != d.At(0, 1, 0) || w.At(1, 1, 2) != d.At(1, 2, 2) {
		t.Errorf("window: shape %v values %v", w.Shape(), w.Values)
	}
	w.Values[0] = -1
	if d.Values[3] == -1 {
		t.Error("window shares memory with its source")
	}
	for _, r := range [][2]int{{-1, 2}, {3, 3}, {0, 6}} {
		if _, err := d.TimeWindow(r[0], r[1]); err == nil || !strings.Contains(err.Error(), "time window") {
			t.Errorf("TimeWindow%v: error %v", r, err)
		}
	}
}
