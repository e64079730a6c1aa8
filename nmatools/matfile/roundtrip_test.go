package matfile

import (
	"bytes"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sampleVars builds one of everything the writer supports.
func sampleVars() []Var {
	s := NewStruct([]int{3, 2}, []string{"timesREmove", "plan", "name"})
	for i := 0; i < s.Len(); i++ {
		T := 4 + i
		plan := make([]float64, T*15)
		for k := range plan {
			plan[k] = float64(i*1000 + k)
		}
		s.SetField(i, "timesREmove", NewDouble([]int{2, 1}, []float64{float64(i), float64(-i)}))
		s.SetField(i, "plan", NewDouble([]int{T, 15}, plan))
		s.SetField(i, "name", NewString("cond"+string(rune('A'+i))))
	}
	inner := NewStruct([]int{1, 1}, []string{"a"})
	inner.SetField(0, "a", NewNumeric(ClassInt16, []int{1, 3}, []float64{-1, 0, 32767}))
	outer := NewStruct([]int{1, 1}, []string{"inner", "c"})
	outer.SetField(0, "inner", inner)
	c := NewCell([]int{1, 3})
	c.Elems[0] = NewString("héllo ☃")
	c.Elems[1] = NewScalar(math.Pi)
	outer.SetField(0, "c", c)
	vars := []Var{
		{Name: "x", Value: NewDouble([]int{2, 3, 2}, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, math.Inf(-1)})},
		{Name: "f", Value: NewNumeric(ClassSingle, []int{1, 2}, []float64{0.5, -2})},
		{Name: "z", Value: NewComplex([]int{1, 2}, []float64{1, 2}, []float64{-3, 4})},
		{Name: "b", Value: NewLogical([]int{2, 2}, []bool{true, false, false, true})},
		{Name: "e", Value: Empty()},
		{Name: "str", Value: NewString("hello")},
		{Name: "cond", Value: s},
		{Name: "nested", Value: outer},
		{Name: "g", Value: NewScalar(7), Global: true},
		{Name: "estr", Value: NewString("")},
		{Name: "ecell", Value: NewCell([]int{0, 0})},
		{Name: "obj", Value: &Struct{Dims: []int{1, 1}, Fields: []string{"v"}, Elems: []map[string]Value{{"v": NewScalar(2)}}, ObjectClass: "myclass"}},
		{Name: "sp", Value: &Sparse{Dims: []int{3, 2}, Ir: []int{0, 2, 1}, Jc: []int{0, 2, 3}, Real: []float64{1, 2, 3}}},
	}
	for _, cl := range []Class{ClassInt8, ClassUint8, ClassInt16, ClassUint16, ClassInt32, ClassUint32, ClassInt64, ClassUint64} {
		v := []float64{0, 1, 100}
		if !strings.HasPrefix(cl.String(), "u") {
			v[0] = -100
		}
		vars = append(vars, Var{Name: "i_" + cl.String(), Value: NewNumeric(cl, []int{1, 3}, v)})
	}
	return vars
}

func TestRoundTrip(t *testing.T) {
	for _, opt := range []*WriteOptions{nil, {Uncompressed: true}, {BigEndian: true}, {BigEndian: true, Uncompressed: true}} {
		vars := sampleVars()
		var buf bytes.Buffer
		if err := Write(&buf, vars, opt); err != nil {
			t.Fatal(err)
		}
		f, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatalf("opt %+v: %v", opt, err)
		}
		if len(f.Notes) != 0 {
			t.Errorf("notes: %v", f.Notes)
		}
		if opt != nil && f.BigEndian != opt.BigEndian {
			t.Errorf("BigEndian = %v", f.BigEndian)
		}
		if !reflect.DeepEqual(f.Vars, vars) {
			for i := range vars {
				if i >= len(f.Vars) || !reflect.DeepEqual(f.Vars[i], vars[i]) {
					t.Errorf("opt %+v: variable %s differs after the round trip", opt, vars[i].Name)
				}
			}
		}
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.mat")
	if err := WriteFile(p, sampleVars(), nil); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.Get("cond")
	if err != nil {
		t.Fatal(err)
	}
	s := v.(*Struct)
	plan, err := s.Field(5, "plan")
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.(*Numeric).At(2, 1); got != 5000+2+9 {
		t.Errorf("cond(6).plan(3,2) = %v, want 5011", got)
	}
	// A failing write leaves the old file and no temporary behind.
	bad := []Var{{Name: "1bad", Value: Empty()}}
	if err := WriteFile(p, bad, nil); err == nil {
		t.Fatal("bad name accepted")
	}
	ents, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(ents) != 1 {
		t.Errorf("directory holds %v", ents)
	}
	if _, err := ReadFile(p); err != nil {
		t.Errorf("old file damaged: %v", err)
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

func TestRowMajor(t *testing.T) {
	// MATLAB x = reshape(0:23, [2 3 4]); NumPy order: x[i,j,k] at i*12 + j*4 + k.
	col := make([]float64, 24)
	for i := range col {
		col[i] = float64(i)
	}
	x := NewDouble([]int{2, 3, 4}, col)
	rm := x.RowMajor()
	for i := 0; i < 2; i++ {
		for j := 0; j < 3; j++ {
			for k := 0; k < 4; k++ {
				if rm[i*12+j*4+k] != x.At(i, j, k) {
					t.Fatalf("RowMajor[%d,%d,%d] = %v, want %v", i, j, k, rm[i*12+j*4+k], x.At(i, j, k))
				}
			}
		}
	}
	if len(Empty().RowMajor()) != 0 {
		t.Error("empty")
	}
}

func TestZeroPaddedTail(t *testing.T) {
	var buf bytes.Buffer
	Write(&buf, []Var{{Name: "a", Value: NewScalar(1)}}, nil)
	buf.Write(make([]byte, 24))
	f, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil || len(f.Vars) != 1 {
		t.Fatalf("%v %v", f, err)
	}
}

func TestSubscripts(t *testing.T) {
	s := NewStruct([]int{3, 2}, []string{"a"})
	if _, err := s.Elem(3, 0); err == nil || !strings.Contains(err.Error(), "3x2") {
		t.Errorf("Elem(3,0): %v", err)
	}
	if _, err := s.Elem(1, 1, 0); err != nil {
		t.Errorf("Elem(1,1,0): %v", err)
	}
	if _, err := s.Elem(5); err != nil {
		t.Errorf("linear Elem(5): %v", err)
	}
	if _, err := s.Elem(); err == nil {
		t.Error("Elem() accepted")
	}
	defer func() {
		if recover() == nil {
			t.Error("At out of range did not panic")
		}
	}()
	NewDouble([]int{2, 2}, make([]float64, 4)).At(0, 2)
}
