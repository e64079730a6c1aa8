package compare

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// centred returns the (rows, units) matrix of x with each column's mean
// subtracted.
func centred(rows, cols int, values []float64) *mat.Dense {
	m := mat.NewDense(rows, cols, append([]float64(nil), values...))
	for j := 0; j < cols; j++ {
		s := 0.0
		for i := 0; i < rows; i++ {
			s += m.At(i, j)
		}
		mean := s / float64(rows)
		for i := 0; i < rows; i++ {
			m.Set(i, j, m.At(i, j)-mean)
		}
	}
	return m
}

// topPCs projects the centred matrix xc onto its top-k principal components
// (right singular vectors), returning the (rows, k) scores. It fails when
// xc's rank is below k, where the components are not determined.
func topPCs(xc *mat.Dense, k int, name string) (*mat.Dense, error) {
	rows, cols := xc.Dims()
	var svd mat.SVD
	if !svd.Factorize(xc, mat.SVDThinV) {
		return nil, fmt.Errorf("compare: %s: singular value decomposition failed", name)
	}
	s := svd.Values(nil)
	// NumPy's matrix_rank tolerance.
	tol := s[0] * float64(max(rows, cols)) * 2.220446049250313e-16
	if s[0] == 0 || s[k-1] <= tol {
		rank := 0
		for _, v := range s {
			if v > tol {
				rank++
			}
		}
		return nil, fmt.Errorf("compare: %s has rank %d after centring, fewer than the %d principal components asked for: use at most %d", name, rank, k, rank)
	}
	var v mat.Dense
	svd.VTo(&v)
	var p mat.Dense
	p.Mul(xc, v.Slice(0, cols, 0, k))
	return &p, nil
}

// checkK says whether k principal components can be taken from a data set
// with the given rows and units.
func checkK(k, rows, units int, name string) error {
	if k < 1 {
		return fmt.Errorf("compare: %d principal components: want at least 1", k)
	}
	if k > units || k > rows {
		return fmt.Errorf("compare: %d principal components, but %s has %d units and %d rows (conditions·time): K must be at most %d", k, name, units, rows, min(units, rows))
	}
	return nil
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
