package matfile_test

import (
	"bytes"
	"fmt"
	"log"
	"os"

	"github.com/neuromatch/nmatools/nmatools/matfile"
)

// Build a 2×1 struct array with fields of different sizes, write it as a
// compressed MAT-file, read it back and index it MATLAB-style.
func Example() {
	conds := matfile.NewStruct([]int{2, 1}, []string{"plan", "label"})
	for i := 0; i < conds.Len(); i++ {
		T := 2 + i // time steps differ per element
		plan := make([]float64, T*3)
		for k := range plan {
			plan[k] = float64(10*i + k) // column-major
		}
		conds.SetField(i, "plan", matfile.NewDouble([]int{T, 3}, plan))
		conds.SetField(i, "label", matfile.NewString(fmt.Sprintf("reach %d", i+1)))
	}
	var buf bytes.Buffer
	err := matfile.Write(&buf, []matfile.Var{
		{Name: "conds", Value: conds},
		{Name: "t", Value: matfile.NewNumeric(matfile.ClassInt16, []int{1, 3}, []float64{-50, -40, -30})},
	}, nil)
	if err != nil {
		log.Fatal(err)
	}

	f, err := matfile.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		log.Fatal(err)
	}
	v, err := f.Get("conds")
	if err != nil {
		log.Fatal(err)
	}
	s := v.(*matfile.Struct)
	second, err := s.Elem(1, 0) // MATLAB's conds(2,1)
	if err != nil {
		log.Fatal(err)
	}
	plan := second["plan"].(*matfile.Numeric)
	fmt.Println(s.ClassName(), matfile.DimsString(s.Dims), s.Fields)
	fmt.Println("conds(2).label =", second["label"].(*matfile.Char).String())
	fmt.Println("conds(2).plan is", matfile.DimsString(plan.Dims), "and plan(3,2) =", plan.At(2, 1))
	if err := matfile.WriteWhos(os.Stdout, matfile.Describe(f)); err != nil {
		log.Fatal(err)
	}
	// Output:
	// struct 2x1 [plan label]
	// conds(2).label = reach 2
	// conds(2).plan is 3x3 and plan(3,2) = 15
	//   Name              Size  Class   Attributes
	//
	//   conds             2x1   struct
	//     conds(1).plan   2x3   double
	//     conds(1).label  1x7   char
	//   t                 1x3   int16
}
