package compare

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Defaults of JPCA (Churchland et al. 2012 use 6 principal components; the
// tutorial's data are sampled every 10 ms; Churchland et al.'s
// soft-normalization constant is 5 spikes/s).
const (
	DefaultJPCAPCs       = 6
	DefaultDt            = 0.01
	DefaultSoftNormConst = 5.0
)

// JPCAOptions configure JPCA; the zero value means the defaults.
type JPCAOptions struct {
	// PCs is the number of principal components K (≥ 2); 0 means
	// DefaultJPCAPCs.
	PCs int
	// Dt is the time step in seconds; 0 means DefaultDt.
	Dt float64
	// SoftNorm divides each unit by its range (max − min over all
	// conditions and times) plus SoftNormConst before the analysis.
	SoftNorm bool
	// SoftNormConst is the constant added to each range; 0 means
	// DefaultSoftNormConst. Used only with SoftNorm.
	SoftNormConst float64
}

// JPCAResult is what JPCA finds.
type JPCAResult struct {
	// R2Best and R2Skew are the fractions of the derivative's variance
	// explained by the best linear and the best skew-symmetric dynamics.
	R2Best, R2Skew float64
	// MBest and MSkew are the fitted K×K matrices (dP ≈ P0·M, rows are time
	// points: the dynamics in column form are dp/dt = Mᵀp).
	MBest, MSkew *mat.Dense
	// RotationHz is the rotation frequency ω/2π of the first jPC plane
	// (0 when the skew-symmetric fit has no rotation).
	RotationHz float64
	// Plane is the (K, 2) orthonormal basis of the first jPC plane in the
	// principal-component coordinates; nil when there is no rotation.
	Plane *mat.Dense
	// Projection is the data projected onto the first jPC plane,
	// (conditions, time, 2), for plotting; nil when Plane is nil.
	Projection *Data
	// VarianceExplained is the fraction of the condition-mean-subtracted
	// data's variance captured by the K principal components.
	VarianceExplained float64
}

// JPCA measures the rotational structure of x (conditions, time, units):
// see the package documentation for the exact definitions.
func JPCA(x *Data, opt JPCAOptions) (*JPCAResult, error) {
	if err := x.check("X"); err != nil {
		return nil, err
	}
	k := opt.PCs
	if k == 0 {
		k = DefaultJPCAPCs
	}
	dt, c, err := timeAndNorm(opt.Dt, opt.SoftNormConst, opt.SoftNorm)
	if err != nil {
		return nil, err
	}
	switch {
	case k < 2:
		return nil, fmt.Errorf("compare: jPCA needs at least 2 principal components (a plane), got %d", k)
	case x.Times < 2:
		return nil, fmt.Errorf("compare: jPCA needs at least 2 time points, X has %d", x.Times)
	case x.Conditions < 2:
		return nil, fmt.Errorf("compare: jPCA subtracts the mean over conditions: X needs at least 2 conditions, has %d", x.Conditions)
	}
	nC, nT, nU := x.Conditions, x.Times, x.Units
	rows := nC * nT
	if err := checkK(k, rows, nU, "X"); err != nil {
		return nil, err
	}
	var v []float64
	if opt.SoftNorm {
		v = softNormalized(x.Values, nU, c)
	} else {
		v = append([]float64(nil), x.Values...)
	}
	// Subtract the mean over conditions at each time point.
	for t := 0; t < nT; t++ {
		for u := 0; u < nU; u++ {
			s := 0.0
			for ci := 0; ci < nC; ci++ {
				s += v[(ci*nT+t)*nU+u]
			}
			m := s / float64(nC)
			for ci := 0; ci < nC; ci++ {
				v[(ci*nT+t)*nU+u] -= m
			}
		}
	}
	xc := centred(rows, nU, v)
	p, err := topPCs(xc, k, "X (condition-mean subtracted)")
	if err != nil {
		return nil, err
	}
	res := &JPCAResult{VarianceExplained: sq(p) / sq(xc)}

	// dP and P0, rows flattened over conditions and times 0..T-2.
	n := nC * (nT - 1)
	dp, p0 := mat.NewDense(n, k, nil), mat.NewDense(n, k, nil)
	for ci := 0; ci < nC; ci++ {
		for t := 0; t < nT-1; t++ {
			r := ci*(nT-1) + t
			for j := 0; j < k; j++ {
				a, b := p.At(ci*nT+t, j), p.At(ci*nT+t+1, j)
				p0.Set(r, j, a)
				dp.Set(r, j, (b-a)/dt)
			}
		}
	}
	sst := 0.0
	for j := 0; j < k; j++ {
		m := 0.0
		for r := 0; r < n; r++ {
			m += dp.At(r, j)
		}
		m /= float64(n)
		for r := 0; r < n; r++ {
			d := dp.At(r, j) - m
			sst += d * d
		}
	}
	if sst == 0 {
		return nil, errors.New("compare: the projected data do not change over time (zero derivative variance): nothing to fit")
	}

	// Best linear M.
	var mBest mat.Dense
	if err := mBest.Solve(p0, dp); err != nil && !isCondition(err) {
		return nil, fmt.Errorf("compare: least squares for the linear dynamics: %w", err)
	}
	res.MBest = &mBest
	res.R2Best = 1 - sse(p0, &mBest, dp)/sst

	// Best skew-symmetric M: unknowns are M[i][j] for i < j, with
	// M[j][i] = -M[i][j]; equation (r, col) reads
	// dP[r,col] = Σ_i P0[r,i] M[i,col].
	nPar := k * (k - 1) / 2
	h := mat.NewDense(n*k, nPar, nil)
	y := mat.NewVecDense(n*k, nil)
	for r := 0; r < n; r++ {
		for col := 0; col < k; col++ {
			y.SetVec(r*k+col, dp.At(r, col))
		}
	}
	idx := 0
	for i := 0; i < k; i++ {
		for j := i + 1; j < k; j++ {
			for r := 0; r < n; r++ {
				h.Set(r*k+j, idx, p0.At(r, i))  // M[i][j] in column j
				h.Set(r*k+i, idx, -p0.At(r, j)) // M[j][i] = -M[i][j] in column i
			}
			idx++
		}
	}
	var theta mat.VecDense
	if err := theta.SolveVec(h, y); err != nil && !isCondition(err) {
		return nil, fmt.Errorf("compare: least squares for the skew-symmetric dynamics: %w", err)
	}
	mSkew := mat.NewDense(k, k, nil)
	idx = 0
	for i := 0; i < k; i++ {
		for j := i + 1; j < k; j++ {
			mSkew.Set(i, j, theta.AtVec(idx))
			mSkew.Set(j, i, -theta.AtVec(idx))
			idx++
		}
	}
	res.MSkew = mSkew
	res.R2Skew = 1 - sse(p0, mSkew, dp)/sst

	plane, omega, err := firstPlane(mSkew)
	if err != nil {
		return nil, err
	}
	if plane == nil {
		return res, nil
	}
	res.RotationHz = omega / (2 * math.Pi)
	var proj mat.Dense
	proj.Mul(p, plane)
	orientPlane(plane, &proj, mSkew, nT)
	proj.Mul(p, plane)
	res.Plane = plane
	res.Projection = &Data{Conditions: nC, Times: nT, Units: 2, Values: proj.RawMatrix().Data}
	return res, nil
}

// firstPlane returns the orthonormal (K, 2) basis (Re v, Im v) of the
// eigenvector v of the skew-symmetric m whose eigenvalue iω has the largest
// ω > 0, and ω; nil when m has no rotation.
func firstPlane(m *mat.Dense) (*mat.Dense, float64, error) {
	k, _ := m.Dims()
	var eig mat.Eigen
	if !eig.Factorize(m, mat.EigenRight) {
		return nil, 0, errors.New("compare: eigen-decomposition of the skew-symmetric dynamics failed")
	}
	vals := eig.Values(nil)
	best, omega := -1, 0.0
	for i, l := range vals {
		if imag(l) > omega {
			best, omega = i, imag(l)
		}
	}
	if best < 0 || omega <= 1e-12*mat.Norm(m, 2) {
		return nil, 0, nil
	}
	var vecs mat.CDense
	eig.VectorsTo(&vecs)
	a, b := make([]float64, k), make([]float64, k)
	for i := 0; i < k; i++ {
		z := vecs.At(i, best)
		a[i], b[i] = real(z), imag(z)
	}
	if !gramSchmidt(a, b) {
		return nil, 0, errors.New("compare: the first jPC eigenvector does not span a plane")
	}
	plane := mat.NewDense(k, 2, nil)
	plane.SetCol(0, a)
	plane.SetCol(1, b)
	return plane, omega, nil
}

// gramSchmidt orthonormalizes a, then b against a.
func gramSchmidt(a, b []float64) bool {
	na := math.Sqrt(dot(a, a))
	if na == 0 {
		return false
	}
	for i := range a {
		a[i] /= na
	}
	d := dot(a, b)
	for i := range b {
		b[i] -= d * a[i]
	}
	nb := math.Sqrt(dot(b, b))
	if nb <= 1e-12 {
		return false
	}
	for i := range b {
		b[i] /= nb
	}
	return true
}

// orientPlane fixes the in-plane orientation of the basis: the fitted
// rotation runs counterclockwise (from axis 1 towards axis 2), the spread of
// the conditions at the first time point lies along axis 1, and the first
// condition starts on axis 1's non-negative side. proj is p·plane, rows
// (condition, time).
func orientPlane(plane, proj, m *mat.Dense, nT int) {
	k, _ := plane.Dims()
	a, b := mat.Col(nil, 0, plane), mat.Col(nil, 1, plane)
	// Column-form dynamics A = Mᵀ; counterclockwise when (A a)·b > 0.
	var aa mat.VecDense
	aa.MulVec(m.T(), mat.NewVecDense(k, a))
	flip := dot(aa.RawVector().Data, b) < 0
	if flip {
		for i := range b {
			b[i] = -b[i]
		}
	}
	// Principal axis of the first time point's points in (a, b).
	rows, _ := proj.Dims()
	var sxx, syy, sxy float64
	for r := 0; r < rows; r += nT {
		x, y := proj.At(r, 0), proj.At(r, 1)
		if flip {
			y = -y
		}
		sxx, syy, sxy = sxx+x*x, syy+y*y, sxy+x*y
	}
	th := 0.5 * math.Atan2(2*sxy, sxx-syy)
	cs, sn := math.Cos(th), math.Sin(th)
	x0, y0 := proj.At(0, 0), proj.At(0, 1)
	if flip {
		y0 = -y0
	}
	sign := 1.0
	if cs*x0+sn*y0 < 0 {
		sign = -1
	}
	for i := 0; i < k; i++ {
		na := sign * (cs*a[i] + sn*b[i])
		nb := sign * (-sn*a[i] + cs*b[i])
		plane.Set(i, 0, na)
		plane.Set(i, 1, nb)
	}
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// sq is the sum of squares of m's elements.
func sq(m *mat.Dense) float64 {
	f := mat.Norm(m, 2)
	return f * f
}

// sse is ‖dp − p0·m‖² summed over all elements.
func sse(p0, m, dp *mat.Dense) float64 {
	var r mat.Dense
	r.Mul(p0, m)
	r.Sub(dp, &r)
	return sq(&r)
}

func isCondition(err error) bool {
	var c mat.Condition
	return errors.As(err, &c)
}
