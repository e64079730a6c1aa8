#!/usr/bin/python3
"""NumPy reference for nmatools/compare: CCA, jPCA and tangling, as the package documents them.

Usage (Debian's /usr/bin/python3 with python3-numpy):
  gen_reference.py                      write reference.json next to this script: the
                                        planted and random fixtures with their expected outputs
  gen_reference.py --in IN.json --out OUT.json
                                        compute the cases of IN.json (same format, without
                                        "expected") and write them with "expected" filled in;
                                        the Go tests use this on the real Churchland data at test time

A case is {"kind": "cca", "name", "a": ARRAY, "b": ARRAY, "pcs": K} or
{"kind": "jpca", "name", "x": ARRAY, "pcs": K, "dt": SECONDS, "softnorm": bool,
"softnorm_const": C}, or {"kind": "tangling", "name", "x": ARRAY or "mat": MAT, "pcs": K, "dt": SECONDS,
"softnorm": bool, "softnorm_const": C}, ARRAY = {"shape": [conditions, time, units], "values": row-major list}.
MAT = {"path": FILE.mat, "var": NAME, "axes": [a, b, c], "bin": B} names a variable of a MATLAB file,
read here with scipy.io.loadmat (so that the real recordings are read independently of nmatools/matfile),
transposed by "axes" (numpy.transpose) to (conditions, time, units) and, with "bin" > 1, averaged over
non-overlapping bins of B time samples (a remainder at the end dropped).
"""
import json
import os
import sys

import numpy as np


def arr(d):
    return np.asarray(d["values"], dtype=np.float64).reshape(d["shape"])


def enc(x):
    return {"shape": list(x.shape), "values": [float(v) for v in x.ravel()]}


def top_pcs(x2, k):
    xc = x2 - x2.mean(axis=0, keepdims=True)
    _, s, vt = np.linalg.svd(xc, full_matrices=False)
    return xc, xc @ vt[:k].T


def cca(a, b, k):
    """Sussillo et al. 2015 Fig. 4: singular values of Qa^T Qb of the top-k PC projections."""
    assert a.shape[:2] == b.shape[:2]
    _, pa = top_pcs(a.reshape(-1, a.shape[2]), k)
    _, pb = top_pcs(b.reshape(-1, b.shape[2]), k)
    qa, _ = np.linalg.qr(pa)
    qb, _ = np.linalg.qr(pb)
    return np.linalg.svd(qa.T @ qb, compute_uv=False)


def skew_basis(k):
    """Columns: vec (column-major) of the skew-symmetric basis matrices E_ij - E_ji, i < j."""
    cols = []
    for i in range(k):
        for j in range(i + 1, k):
            e = np.zeros((k, k))
            e[i, j], e[j, i] = 1.0, -1.0
            cols.append(e.ravel(order="F"))
    return np.array(cols).T


def jpca(x, k, dt, softnorm=False, c=5.0):
    x = np.array(x, dtype=np.float64)
    if softnorm:
        rng = x.max(axis=(0, 1)) - x.min(axis=(0, 1))
        x = x / (rng + c)
    x = x - x.mean(axis=0, keepdims=True)  # mean over conditions at each time point
    nc, nt, nu = x.shape
    xc, p2 = top_pcs(x.reshape(-1, nu), k)
    ve = (p2 ** 2).sum() / (xc ** 2).sum()
    p = p2.reshape(nc, nt, k)
    dp = ((p[:, 1:] - p[:, :-1]) / dt).reshape(-1, k)
    p0 = p[:, :-1].reshape(-1, k)
    sst = ((dp - dp.mean(axis=0, keepdims=True)) ** 2).sum()
    m_best = np.linalg.lstsq(p0, dp, rcond=None)[0]
    r2_best = 1 - ((dp - p0 @ m_best) ** 2).sum() / sst
    # vec(P0 M) = (I_k kron P0) vec(M), vec(M) = S theta  (column-major vec)
    s = skew_basis(k)
    h = np.kron(np.eye(k), p0) @ s
    theta = np.linalg.lstsq(h, dp.ravel(order="F"), rcond=None)[0]
    m_skew = (s @ theta).reshape(k, k, order="F")
    r2_skew = 1 - ((dp - p0 @ m_skew) ** 2).sum() / sst
    # First jPC plane: eigenvector of the largest positive imaginary eigenvalue.
    w, v = np.linalg.eig(m_skew)
    i = int(np.argmax(w.imag))
    omega = w.imag[i]
    a, b = v[:, i].real.copy(), v[:, i].imag.copy()
    a /= np.linalg.norm(a)
    b -= (a @ b) * a
    b /= np.linalg.norm(b)
    # counterclockwise: column-form dynamics A = M^T, (A a).b > 0
    if (m_skew.T @ a) @ b < 0:
        b = -b
    y0 = p[:, 0] @ np.stack([a, b], axis=1)  # first time point, (conditions, 2)
    sxx, syy, sxy = (y0[:, 0] ** 2).sum(), (y0[:, 1] ** 2).sum(), (y0[:, 0] * y0[:, 1]).sum()
    th = 0.5 * np.arctan2(2 * sxy, sxx - syy)
    cs, sn = np.cos(th), np.sin(th)
    sign = -1.0 if cs * y0[0, 0] + sn * y0[0, 1] < 0 else 1.0
    plane = sign * np.stack([cs * a + sn * b, -sn * a + cs * b], axis=1)
    proj = p @ plane
    return {
        "r2_best": float(r2_best),
        "r2_skew": float(r2_skew),
        "rotation_hz": float(omega / (2 * np.pi)),
        "variance_explained": float(ve),
        "projection": enc(proj),
    }


def tangling(x, k, dt, softnorm=False, c=5.0, block=512):
    """Russo et al. 2018: Q[c,t] = max over all (c', t') of |d - d'|^2 / (|x - x'|^2 + eps)."""
    x = np.array(x, dtype=np.float64)
    if softnorm:
        rng = x.max(axis=(0, 1)) - x.min(axis=(0, 1))
        x = x / (rng + c)
    nc, nt, nu = x.shape
    _, p2 = top_pcs(x.reshape(-1, nu), k)  # centred over all conditions and times
    p = p2.reshape(nc, nt, k)
    s = p[:, :-1].reshape(-1, k)  # states t = 0..T-2
    d = ((p[:, 1:] - p[:, :-1]) / dt).reshape(-1, k)
    eps = 0.1 * (s ** 2).sum(axis=1).mean()
    q = np.empty(len(s))
    for i in range(0, len(s), block):  # rows in blocks: the full n x n matrix can be large
        dx = ((s[i:i + block, None, :] - s[None, :, :]) ** 2).sum(axis=2)
        dd = ((d[i:i + block, None, :] - d[None, :, :]) ** 2).sum(axis=2)
        q[i:i + block] = (dd / (dx + eps)).max(axis=1)
    return {"q": [float(v) for v in q], "q90": float(np.percentile(q, 90)), "epsilon": float(eps)}


def read_mat(m):
    from scipy.io import loadmat
    x = np.asarray(loadmat(m["path"])[m["var"]], dtype=np.float64).transpose(m["axes"])
    b = m.get("bin", 1)
    if b > 1:
        nt = x.shape[1] // b
        x = x[:, :nt * b].reshape(x.shape[0], nt, b, x.shape[2]).mean(axis=2)
    return x


def compute(case):
    if case["kind"] == "tangling":
        x = read_mat(case["mat"]) if "mat" in case else arr(case["x"])
        return tangling(x, case["pcs"], case["dt"], case.get("softnorm", False), case.get("softnorm_const", 5.0))
    if case["kind"] == "cca":
        return {"correlations": [float(v) for v in cca(arr(case["a"]), arr(case["b"]), case["pcs"])]}
    return jpca(arr(case["x"]), case["pcs"], case["dt"], case.get("softnorm", False),
                case.get("softnorm_const", 5.0))


def planted_rotation(rng, nc=8, nt=40, nu=12, noise=0.05):
    """Two rotating planes (3 Hz and 1.2 Hz) from condition-specific initial states, mixed into units."""
    dt = 0.01
    t = np.arange(nt) * dt
    lat = np.zeros((nc, nt, 4))
    for c in range(nc):
        ph1, ph2 = rng.uniform(0, 2 * np.pi, 2)
        r1, r2 = rng.uniform(0.5, 1.5, 2)
        lat[c, :, 0] = r1 * np.cos(2 * np.pi * 3 * t + ph1)
        lat[c, :, 1] = r1 * np.sin(2 * np.pi * 3 * t + ph1)
        lat[c, :, 2] = 0.5 * r2 * np.cos(2 * np.pi * 1.2 * t + ph2)
        lat[c, :, 3] = 0.5 * r2 * np.sin(2 * np.pi * 1.2 * t + ph2)
    mix = rng.normal(size=(4, nu))
    x = lat @ mix + 2.0 + noise * rng.normal(size=(nc, nt, nu))
    return x


def fixtures():
    """Small planted and random cases; inputs rounded to 6 decimals to keep the file small."""
    rng = np.random.default_rng(20151)
    cases = []
    r6 = lambda v: np.round(v, 6)
    # CCA: two views of one 4-D latent plus private noise; and unrelated random data.
    nc, nt = 6, 25
    lat = rng.normal(size=(nc, nt, 4)).cumsum(axis=1)
    a = lat @ rng.normal(size=(4, 12)) + 0.3 * rng.normal(size=(nc, nt, 12))
    b = lat @ rng.normal(size=(4, 9)) + 0.3 * rng.normal(size=(nc, nt, 9))
    cases.append({"kind": "cca", "name": "planted shared latent", "a": enc(r6(a)), "b": enc(r6(b)), "pcs": 5})
    cases.append({"kind": "cca", "name": "random", "a": enc(r6(rng.normal(size=(5, 20, 10)))),
                  "b": enc(r6(rng.normal(size=(5, 20, 7)))), "pcs": 7})
    x = r6(planted_rotation(rng))
    cases.append({"kind": "jpca", "name": "planted rotation", "x": enc(x), "pcs": 4, "dt": 0.01})
    cases.append({"kind": "jpca", "name": "planted rotation, 6 PCs, soft-normalized", "x": enc(x),
                  "pcs": 6, "dt": 0.01, "softnorm": True, "softnorm_const": 0.5})
    cases.append({"kind": "jpca", "name": "random", "x": enc(r6(rng.normal(size=(7, 15, 9)))), "pcs": 5, "dt": 0.02})
    # Tangling (its own generator, so that the cases above stay as they were).
    rng = np.random.default_rng(2018)
    for name, x in planted_tangling(rng):
        cases.append({"kind": "tangling", "name": name, "x": enc(r6(x)), "pcs": min(8, x.shape[2]), "dt": 0.01})
    cases.append({"kind": "tangling", "name": "random, 3 PCs, soft-normalized, dt 0.02",
                  "x": enc(r6(rng.normal(size=(4, 30, 6)).cumsum(axis=1))), "pcs": 3, "dt": 0.02,
                  "softnorm": True, "softnorm_const": 0.5})
    for c in cases:
        c["expected"] = compute(c)
    return cases


def planted_tangling(rng, nc=6, nt=60, nu=10, noise=0.01):
    """Circles of different radii (untangled) and figure-eights (the path crosses itself with
    opposite velocities: tangled), each mixed into nu units plus a little noise."""
    t = np.linspace(0, 2 * np.pi, nt)
    circ = np.zeros((nc, nt, 2))
    eight = np.zeros((nc, nt, 2))
    for c in range(nc):
        r = 1 + 0.4 * c
        circ[c, :, 0], circ[c, :, 1] = r * np.cos(t), r * np.sin(t)
        eight[c, :, 0], eight[c, :, 1] = r * np.sin(t), r * np.sin(t) * np.cos(t)
    out = []
    for name, lat in (("planted circles (untangled)", circ), ("planted figure-eights (tangled)", eight)):
        mix = rng.normal(size=(2, nu))
        out.append((name, lat @ mix + 1.0 + noise * rng.normal(size=(nc, nt, nu))))
    return out


def main():
    args = sys.argv[1:]
    if not args:
        out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference.json")
        with open(out, "w") as f:
            json.dump({"generator": "gen_reference.py", "numpy": np.__version__, "cases": fixtures()}, f)
            f.write("\n")
        print("wrote", out)
        return
    if len(args) != 4 or args[0] != "--in" or args[2] != "--out":
        sys.exit(__doc__)
    with open(args[1]) as f:
        cases = json.load(f)["cases"]
    for c in cases:
        c["expected"] = compute(c)
    with open(args[3], "w") as f:
        json.dump({"numpy": np.__version__, "cases": cases}, f)


if __name__ == "__main__":
    main()
