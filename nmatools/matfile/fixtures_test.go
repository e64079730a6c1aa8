package matfile

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The fixtures in testdata were written by scipy.io.savemat (gen_scipy.py)
// and Octave 7.3 (gen_octave.m); the formulas below are the scripts'.

func readFixture(t *testing.T, name string) *File {
	t.Helper()
	f, err := ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func getNumeric(t *testing.T, f *File, name string, class Class, dims ...int) *Numeric {
	t.Helper()
	v, err := f.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	n, ok := v.(*Numeric)
	if !ok {
		t.Fatalf("%s is %T (%s), want *Numeric", name, v, v.ClassName())
	}
	if n.Class != class || !reflect.DeepEqual(n.Dims, dims) {
		t.Fatalf("%s is %s %s, want %s %s", name, n.Class, DimsString(n.Dims), class, DimsString(dims))
	}
	return n
}

func wantValues(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// checkConds checks a condsForSim-like rows×cols struct array: element with
// 0-based column-major index c has T = 3 + c%4 steps, timesREmove [c; c+1],
// plan(t,k) = c*10000 + t*100 + k, goEnvelope(t) = c + t/2,
// muscle(t,m) = -(c*100 + t*10 + m).
func checkConds(t *testing.T, f *File, rows, cols int) {
	t.Helper()
	v, err := f.Get("condsForSim")
	if err != nil {
		t.Fatal(err)
	}
	s, ok := v.(*Struct)
	if !ok {
		t.Fatalf("condsForSim is %T", v)
	}
	if !reflect.DeepEqual(s.Dims, []int{rows, cols}) || s.Len() != rows*cols {
		t.Fatalf("condsForSim is %s with %d elements", DimsString(s.Dims), s.Len())
	}
	if !reflect.DeepEqual(s.Fields, []string{"timesREmove", "plan", "goEnvelope", "muscle"}) {
		t.Fatalf("fields %v", s.Fields)
	}
	for j := 0; j < cols; j++ {
		for i := 0; i < rows; i++ {
			c := i + rows*j
			T := 3 + c%4
			el, err := s.Elem(i, j)
			if err != nil {
				t.Fatal(err)
			}
			tr := el["timesREmove"].(*Numeric)
			if !reflect.DeepEqual(tr.Dims, []int{2, 1}) || tr.At(0) != float64(c) || tr.At(1) != float64(c+1) {
				t.Fatalf("condsForSim(%d,%d).timesREmove = %v %v", i+1, j+1, tr.Dims, tr.Real)
			}
			plan := el["plan"].(*Numeric)
			env := el["goEnvelope"].(*Numeric)
			mus := el["muscle"].(*Numeric)
			if !reflect.DeepEqual(plan.Dims, []int{T, 15}) || !reflect.DeepEqual(env.Dims, []int{T, 1}) || !reflect.DeepEqual(mus.Dims, []int{T, 7}) {
				t.Fatalf("condsForSim(%d,%d): plan %v goEnvelope %v muscle %v, want T=%d", i+1, j+1, plan.Dims, env.Dims, mus.Dims, T)
			}
			for tt := 0; tt < T; tt++ {
				if got, want := env.At(tt), float64(c)+float64(tt)*0.5; got != want {
					t.Fatalf("goEnvelope %v, want %v", got, want)
				}
				for k := 0; k < 15; k++ {
					if got, want := plan.At(tt, k), float64(c*10000+tt*100+k); got != want {
						t.Fatalf("condsForSim(%d,%d).plan(%d,%d) = %v, want %v", i+1, j+1, tt+1, k+1, got, want)
					}
				}
				for m := 0; m < 7; m++ {
					if got, want := mus.At(tt, m), -float64(c*100+tt*10+m); got != want {
						t.Fatalf("muscle(%d,%d) = %v, want %v", tt+1, m+1, got, want)
					}
				}
			}
			// Field and Elem agree.
			p2, err := s.Field(c, "plan")
			if err != nil || p2 != el["plan"] {
				t.Fatalf("Field(%d, plan) = %v, %v", c, p2, err)
			}
		}
	}
	if _, err := s.Field(0, "nope"); err == nil || !strings.Contains(err.Error(), `no field "nope"`) || !strings.Contains(err.Error(), "goEnvelope") {
		t.Errorf("missing field error: %v", err)
	}
}

// checkCommon checks the variables both generators write.
func checkCommon(t *testing.T, f *File) {
	t.Helper()
	nv, _ := f.Get("nested")
	nested := nv.(*Struct)
	inner, err := nested.Field(0, "inner")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := inner.(*Struct).Field(0, "a")
	wantValues(t, "nested.inner.a", a.(*Numeric).Real, []float64{1.5, -2.5})
	nm, _ := inner.(*Struct).Field(0, "name")
	if s := nm.(*Char).String(); s != "deep" {
		t.Errorf("nested.inner.name = %q", s)
	}
	k, _ := nested.Field(0, "k")
	wantValues(t, "nested.k", k.(*Numeric).Real, []float64{3})

	sv, _ := f.Get("str")
	if s := sv.(*Char).String(); s != "hello" || !reflect.DeepEqual(sv.Size(), []int{1, 5}) {
		t.Errorf("str = %q %v", s, sv.Size())
	}
	cm, _ := f.Get("charmat")
	if rows := cm.(*Char).Rows(); !reflect.DeepEqual(rows, []string{"abc", "def"}) || !reflect.DeepEqual(cm.Size(), []int{2, 3}) {
		t.Errorf("charmat = %q %v", rows, cm.Size())
	}
	wantValues(t, "i8", getNumeric(t, f, "i8", ClassInt8, 1, 3).Real, []float64{-128, 0, 127})
	wantValues(t, "u8", getNumeric(t, f, "u8", ClassUint8, 1, 3).Real, []float64{0, 1, 255})
	wantValues(t, "i16", getNumeric(t, f, "i16", ClassInt16, 1, 3).Real, []float64{-32768, 0, 32767})
	wantValues(t, "u16", getNumeric(t, f, "u16", ClassUint16, 1, 3).Real, []float64{0, 1, 65535})
	wantValues(t, "i32", getNumeric(t, f, "i32", ClassInt32, 1, 3).Real, []float64{-2147483648, 0, 2147483647})
	wantValues(t, "u32", getNumeric(t, f, "u32", ClassUint32, 1, 3).Real, []float64{0, 1, 4294967295})
	wantValues(t, "i64", getNumeric(t, f, "i64", ClassInt64, 1, 3).Real, []float64{-(1 << 53), 0, 1 << 53})
	wantValues(t, "u64", getNumeric(t, f, "u64", ClassUint64, 1, 3).Real, []float64{0, 1, 1 << 53})
	wantValues(t, "f32", getNumeric(t, f, "f32", ClassSingle, 1, 3).Real, []float64{0.5, -1.25, float64(float32(3e38))})
	wantValues(t, "logic", getNumeric(t, f, "logic", ClassLogical, 2, 2).Real, []float64{1, 0, 0, 1})
	z := getNumeric(t, f, "cplx", ClassDouble, 1, 2)
	wantValues(t, "real(cplx)", z.Real, []float64{1, -3.5})
	wantValues(t, "imag(cplx)", z.Imag, []float64{2, -4})
	if e := getNumeric(t, f, "empty", ClassDouble, 0, 3); len(e.Real) != 0 || e.Imag != nil {
		t.Errorf("empty = %v", e)
	}
	x := getNumeric(t, f, "x3d", ClassDouble, 2, 3, 4)
	for i := 0; i < 24; i++ {
		if x.Real[i] != float64(i) {
			t.Fatalf("x3d(%d) = %v", i+1, x.Real[i])
		}
	}
	if x.At(1, 2, 3) != 23 || x.At(1, 1) != 3 || x.At(1, 5) != 11 {
		t.Errorf("x3d subscripts: %v %v %v", x.At(1, 2, 3), x.At(1, 1), x.At(1, 5))
	}
	spv, _ := f.Get("sp")
	sp := spv.(*Sparse)
	d, err := sp.Dense()
	if err != nil {
		t.Fatal(err)
	}
	wantValues(t, "full(sp)", d.Real, []float64{1, 0, 0, 4, 0, 0, 3, 0, 0, 2, 0, 0})
	if sp.ClassName() != "double" || !reflect.DeepEqual(sp.Dims, []int{4, 3}) {
		t.Errorf("sp: %s %v", sp.ClassName(), sp.Dims)
	}
}

func TestScipyFixtures(t *testing.T) {
	for _, c := range []struct {
		file       string
		rows, cols int
	}{{"scipy_v5_compressed.mat", 27, 8}, {"scipy_v5_uncompressed.mat", 4, 3}} {
		t.Run(c.file, func(t *testing.T) {
			f := readFixture(t, c.file)
			if !strings.HasPrefix(f.Header, "MATLAB 5.0 MAT-file") || f.BigEndian {
				t.Errorf("header %q, big-endian %v", f.Header, f.BigEndian)
			}
			checkConds(t, f, c.rows, c.cols)
			checkCommon(t, f)
			us, _ := f.Get("ustr")
			if s := us.(*Char).String(); s != "héllo ☃" {
				t.Errorf("ustr = %q", s)
			}
			cv, _ := f.Get("cellmix")
			cell := cv.(*Cell)
			if !reflect.DeepEqual(cell.Dims, []int{1, 3}) {
				t.Fatalf("cellmix is %v", cell.Dims)
			}
			wantValues(t, "cellmix{1}", cell.Elems[0].(*Numeric).Real, []float64{1, 2, 3})
			if s := cell.Elems[1].(*Char).String(); s != "text" {
				t.Errorf("cellmix{2} = %q", s)
			}
			if n := cell.Elems[2].(*Numeric); n.Class != ClassLogical {
				t.Errorf("cellmix{3} is %s", n.Class)
			}
		})
	}
}

func TestOctaveFixtures(t *testing.T) {
	for _, file := range []string{"octave_v7.mat", "octave_v6.mat"} {
		t.Run(file, func(t *testing.T) {
			f := readFixture(t, file)
			if !strings.Contains(f.Header, "Octave") {
				t.Errorf("header %q", f.Header)
			}
			checkConds(t, f, 5, 4)
			checkCommon(t, f)
			for _, v := range f.Vars {
				if (v.Name == "g") != v.Global {
					t.Errorf("%s: Global = %v", v.Name, v.Global)
				}
			}
			wantValues(t, "g", getNumeric(t, f, "g", ClassDouble, 1, 1).Real, []float64{42})
			ev, _ := f.Get("emptystruct")
			if es := ev.(*Struct); es.Len() != 0 || !reflect.DeepEqual(es.Fields, []string{"a"}) {
				t.Errorf("emptystruct: %d elements, fields %v", es.Len(), es.Fields)
			}
			cv, _ := f.Get("cellmix")
			cell := cv.(*Cell)
			if !reflect.DeepEqual(cell.Dims, []int{2, 3}) {
				t.Fatalf("cellmix is %v", cell.Dims)
			}
			// Column-major: {1,1} {2,1} {1,2} {2,2} {1,3} {2,3}.
			wantValues(t, "cellmix{1,1}", cell.Elems[0].(*Numeric).Real, []float64{1, 2, 3})
			if n := cell.Elems[1].(*Numeric); n.Class != ClassInt8 || n.Real[0] != -5 {
				t.Errorf("cellmix{2,1} = %s %v", n.Class, n.Real)
			}
			if s := cell.Elems[2].(*Char).String(); s != "text" {
				t.Errorf("cellmix{1,2} = %q", s)
			}
			if c, ok := cell.Elems[3].(*Cell); !ok || len(c.Elems) != 0 {
				t.Errorf("cellmix{2,2} = %#v", cell.Elems[3])
			}
			if n := cell.Elems[4].(*Numeric); n.Class != ClassLogical || !reflect.DeepEqual(n.Real, []float64{1, 0}) {
				t.Errorf("cellmix{1,3} = %s %v", n.Class, n.Real)
			}
			in, _ := cell.Elem(1, 2)
			inner := in.(*Cell)
			if s := inner.Elems[0].(*Char).String(); s != "in" || inner.Elems[1].(*Numeric).Real[0] != 2 {
				t.Errorf("cellmix{2,3} = %v", inner.Elems)
			}
		})
	}
}

func TestOtherVersionsRefused(t *testing.T) {
	for _, c := range []struct {
		file string
		want error
		fix  string
	}{{"octave_v4.mat", ErrV4, "-v7"}, {"octave_hdf5.mat", ErrV73, "-v7"}} {
		_, err := ReadFile(filepath.Join("testdata", c.file))
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.fix) {
			t.Errorf("%s: error %v, want %v with a hint %q", c.file, err, c.want, c.fix)
		}
	}
	// A MATLAB v7.3 file: text header, then HDF5 at byte 512.
	b := make([]byte, 600)
	copy(b, "MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Fri Nov 27 07:00:00 2026 HDF5 schema 1.00 .")
	copy(b[126:], "IM")
	copy(b[512:], "\x89HDF\r\n\x1a\n")
	if _, err := Read(bytesReader(b), int64(len(b))); !errors.Is(err, ErrV73) {
		t.Errorf("v7.3: %v", err)
	}
}
