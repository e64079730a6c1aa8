// Package compare measures how brain-like a network's activity is, with the
// two analyses of Sussillo et al. (2015) and the tangling of Russo et al.
// (2018):
//
//   - CCA (their Fig. 4): canonical correlations between two data sets of
//     the same conditions and times (e.g. a network's rectified hidden units
//     and M1 PSTHs), each first reduced to its top-K principal components;
//   - jPCA (their Fig. 3, after Churchland et al. 2012): how much of the
//     population's dynamics a rotation (a skew-symmetric linear system)
//     explains, against the best linear system, and the projection onto the
//     first jPC plane for plotting;
//   - tangling (Russo et al. 2018, Neuron 97:953): whether the population's
//     trajectories pass through similar states with different derivatives,
//     as trajectories driven by inputs may and smooth autonomous dynamics
//     cannot; motor cortex was found untangled, the muscles tangled.
//
// All take arrays shaped (conditions, time, units) and compute in float64
// (gonum). The definitions, exactly (a NumPy implementation of the same
// definitions, testdata/gen_reference.py, checks this package):
//
// CCA: flatten each data set to (conditions·time, units); centre each
// column; project onto its top-K principal components (right singular
// vectors of the centred matrix); Qa, Qb are orthonormal bases (QR) of the
// two projections; the canonical correlations are the singular values of
// Qaᵀ·Qb, K values in descending order.
//
// jPCA: optionally soft-normalize (each unit divided by its range over all
// conditions and times plus a constant, 5 in Churchland et al.); subtract the
// mean over conditions at each time point; flatten, centre, project onto the
// top-K principal components → P (conditions, time, K); dP = (P[:,1:] −
// P[:,:-1]) / dt against P0 = P[:,:-1], rows flattened over conditions and
// times; M_best minimizes ‖dP − P0·M‖² over all K×K matrices and M_skew over
// skew-symmetric ones (parametrized by its K(K−1)/2 upper entries, an exact
// linear least-squares problem); R² = 1 − SSE/SST, SSE the squared residuals
// summed over all rows and components, SST = Σ(dP − m)² with m the
// per-component mean of dP over rows. The first jPC plane is spanned by the
// real and imaginary parts of the eigenvector of M_skew whose eigenvalue iω
// has the largest ω > 0; its basis is oriented so that the fitted rotation
// runs counterclockwise, rotated so that the spread of the conditions at the
// first time point lies along the first axis (as in Churchland et al.), with
// the first condition's first point on its non-negative side.
//
// Tangling: optionally soft-normalize as for jPCA (off by default); centre
// each unit over all conditions and times; project onto the top-K
// principal components (K = 8 by default) → x (conditions, time, K). The
// states are x[c,t] and the derivatives d[c,t] = (x[c,t+1] − x[c,t]) / dt for
// t = 0..T−2; ε = 0.1 × the mean of |x[c,t]|² over those states; Q[c,t] =
// max over all (c′,t′) of |d[c,t] − d[c′,t′]|² / (|x[c,t] − x[c′,t′]|² + ε);
// q90 is the 90th percentile of Q with NumPy's default linear
// interpolation (nd.Percentile). Q does not change when the data are scaled,
// and scales as 1/dt² when dt does (compare data sets at the same dt). The
// cost grows with the square of the number of states C·(T−1); the pairs are
// compared in blocks on all CPUs, and more than MaxTanglingStates (200,000)
// states are refused (bin the data in time, or take fewer conditions).
//
// Both R² values, the canonical correlations and Q do not depend on the signs
// of the principal components; the plane's projection is defined up to the
// orientation conventions above.
package compare
