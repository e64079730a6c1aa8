package compare

import (
	"fmt"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// DefaultCCAPCs is the number of principal components CCA keeps by default
// (Sussillo et al. 2015 compare the top 10 canonical correlations).
const DefaultCCAPCs = 10

// CCA returns the k canonical correlations, in descending order, between a
// and b, two data sets of the same conditions and times (e.g. a network's
// rectified hidden units and M1 PSTHs): each is flattened to
// (conditions·time, units), its columns centred, projected onto its top-k
// principal components; the correlations are the singular values of Qaᵀ·Qb,
// Qa and Qb orthonormal bases (QR) of the two projections.
func CCA(a, b *Data, k int) ([]float64, error) {
	if err := a.check("A"); err != nil {
		return nil, err
	}
	if err := b.check("B"); err != nil {
		return nil, err
	}
	if a.Conditions != b.Conditions || a.Times != b.Times {
		return nil, fmt.Errorf("compare: CCA needs the same conditions and times in both data sets: A is (%d conditions, %d times, %d units), B is (%d, %d, %d)",
			a.Conditions, a.Times, a.Units, b.Conditions, b.Times, b.Units)
	}
	rows := a.Conditions * a.Times
	if err := checkK(k, rows, a.Units, "A"); err != nil {
		return nil, err
	}
	if err := checkK(k, rows, b.Units, "B"); err != nil {
		return nil, err
	}
	pa, err := topPCs(centred(rows, a.Units, a.Values), k, "A")
	if err != nil {
		return nil, err
	}
	pb, err := topPCs(centred(rows, b.Units, b.Values), k, "B")
	if err != nil {
		return nil, err
	}
	qa, qb := thinQ(pa), thinQ(pb)
	var c mat.Dense
	c.Mul(qa.T(), qb)
	var svd mat.SVD
	if !svd.Factorize(&c, mat.SVDNone) {
		return nil, fmt.Errorf("compare: CCA: singular value decomposition of Qaᵀ·Qb failed")
	}
	return svd.Values(nil), nil // gonum returns them in descending order
}

// thinQ returns the (rows, k) orthonormal factor Q of the Householder QR
// decomposition of p (rows ≥ k).
func thinQ(p *mat.Dense) *mat.Dense {
	rows, k := p.Dims()
	q := mat.DenseCopyOf(p)
	g := q.RawMatrix()
	a := blas64.General{Rows: rows, Cols: k, Stride: g.Stride, Data: g.Data}
	tau := make([]float64, k)
	work := make([]float64, 1)
	lapack64.Geqrf(a, tau, work, -1)
	work = make([]float64, int(work[0]))
	lapack64.Geqrf(a, tau, work, len(work))
	lapack64.Orgqr(a, tau, work, -1)
	if n := int(work[0]); n > len(work) {
		work = make([]float64, n)
	}
	lapack64.Orgqr(a, tau, work, len(work))
	return q
}
