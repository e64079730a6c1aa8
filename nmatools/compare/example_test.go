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

// Two conditions trace the same circle, one clockwise and one
// counterclockwise: wherever they meet, their derivatives are opposite, so
// the trajectories are tangled. Two concentric circles traced the same way
// are not. (Where the first pair meet, Q = |2v|²/ε: speed v = 2π per
// second, ε = 0.1·mean|x|² = 0.1, so Q ≈ 1580.)
func ExampleTangling() {
	const nT, dt = 101, 0.01
	circles := func(r2, dir2 float64) *compare.Data {
		v := make([]float64, 0, 2*nT*3)
		for c, rd := range [][2]float64{{1, 1}, {r2, dir2}} {
			for k := 0; k < nT; k++ {
				th := rd[1] * 2 * math.Pi * float64(k) / (nT - 1)
				x, y := rd[0]*math.Cos(th), rd[0]*math.Sin(th)
				v = append(v, x, y, 0.1*float64(c))
			}
		}
		d, _ := compare.New(2, nT, 3, v)
		return d
	}
	for _, s := range []struct {
		name string
		x    *compare.Data
	}{{"same circle, opposite directions", circles(1, -1)}, {"concentric circles, same direction", circles(2, 1)}} {
		r, err := compare.Tangling(s.x, compare.TanglingOptions{PCs: 2, Dt: dt})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%-36s q90 %6.0f\n", s.name, r.Q90)
	}
	// Output:
	// same circle, opposite directions     q90   1577
	// concentric circles, same direction   q90     39
}
