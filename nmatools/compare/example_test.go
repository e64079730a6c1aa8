package compare_test

import (
	"fmt"
	"math"

	"github.com/neuromatch/nmatools/nmatools/compare"
)

// Four "neurons" carry a 2 Hz rotation whose phase depends on the condition:
// jPCA finds the rotation, and CCA finds that a rescaled, shifted copy of
// the population spans the same two dimensions. (The skew-symmetric fit
// misses a little: a finite difference of a rotation shrinks slightly.)
func Example() {
	const nC, nT, nU = 8, 50, 4
	v := make([]float64, 0, nC*nT*nU)
	w := make([]float64, 0, nC*nT*nU)
	for c := 0; c < nC; c++ {
		for k := 0; k < nT; k++ {
			th := 2*math.Pi*2*float64(k)*0.01 + 2*math.Pi*float64(c)/nC
			x, y := math.Cos(th), math.Sin(th)
			v = append(v, x, y, x, -y)
			w = append(w, 3*x+1, -y, 10, x-y)
		}
	}
	pop, err := compare.New(nC, nT, nU, v)
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := compare.JPCA(pop, compare.JPCAOptions{PCs: 2, Dt: 0.01})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("jPCA: R² best %.3f, skew-symmetric %.3f, rotation %.1f Hz\n", r.R2Best, r.R2Skew, r.RotationHz)

	other, _ := compare.New(nC, nT, nU, w)
	cc, err := compare.CCA(pop, other, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("canonical correlations: %.3f\n", cc)
	// Output:
	// jPCA: R² best 1.000, skew-symmetric 0.996, rotation 2.0 Hz
	// canonical correlations: [1.000 1.000]
}
