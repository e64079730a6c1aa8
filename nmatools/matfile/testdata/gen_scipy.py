#!/usr/bin/python3
"""Regenerates the scipy-written fixtures of nmatools/matfile.

Run from this directory with Debian's python3 (apt-get install python3-scipy):
    /usr/bin/python3 gen_scipy.py
The Go tests (scipy_test.go) check the values with the same formulas.
"""
import numpy as np
import scipy
import scipy.io
import scipy.sparse


def conds(rows, cols):
    """A condsForSim-like struct array: fields of different sizes per element.

    Element (i, j) has linear (column-major) index c = i + rows*j and T = 3 + c % 4
    time steps; timesREmove is 2x1, plan T x 15, goEnvelope T x 1, muscle T x 7.
    """
    dt = [('timesREmove', object), ('plan', object), ('goEnvelope', object), ('muscle', object)]
    s = np.zeros((rows, cols), dtype=dt)
    for i in range(rows):
        for j in range(cols):
            c = i + rows * j
            T = 3 + c % 4
            t = np.arange(T, dtype=float)[:, None]
            s[i, j]['timesREmove'] = np.array([[c], [c + 1]], dtype=float)
            s[i, j]['plan'] = c * 10000 + t * 100 + np.arange(15)[None, :]
            s[i, j]['goEnvelope'] = c + t * 0.5
            s[i, j]['muscle'] = -(c * 100 + t * 10 + np.arange(7)[None, :])
    return s


def variables(rows, cols):
    return {
        'condsForSim': conds(rows, cols),
        'nested': {'inner': {'a': np.array([[1.5, -2.5]]), 'name': 'deep'}, 'k': 3.0},
        'cellmix': np.array([[np.array([[1.0, 2.0, 3.0]]), 'text', np.array([[True, False]])]], dtype=object),
        'str': 'hello',
        'ustr': 'h\u00e9llo \u2603',
        'charmat': np.array(['abc', 'def']),
        'i8': np.array([[-128, 0, 127]], dtype=np.int8),
        'u8': np.array([[0, 1, 255]], dtype=np.uint8),
        'i16': np.array([[-32768, 0, 32767]], dtype=np.int16),
        'u16': np.array([[0, 1, 65535]], dtype=np.uint16),
        'i32': np.array([[-2147483648, 0, 2147483647]], dtype=np.int32),
        'u32': np.array([[0, 1, 4294967295]], dtype=np.uint32),
        'i64': np.array([[-2**53, 0, 2**53]], dtype=np.int64),
        'u64': np.array([[0, 1, 2**53]], dtype=np.uint64),
        'f32': np.array([[0.5, -1.25, 3.0e38]], dtype=np.float32),
        'logic': np.array([[True, False], [False, True]]),
        'cplx': np.array([[1 + 2j, -3.5 - 4j]]),
        'empty': np.zeros((0, 3)),
        'x3d': np.arange(24, dtype=float).reshape((2, 3, 4), order='F'),
        'sp': scipy.sparse.csc_matrix(np.array([[1.0, 0, 0], [0, 0, 2.0], [0, 3.0, 0], [4.0, 0, 0]])),
    }


header = 'scipy.io.savemat ' + scipy.__version__
scipy.io.savemat('scipy_v5_compressed.mat', variables(27, 8), format='5', do_compression=True)
scipy.io.savemat('scipy_v5_uncompressed.mat', variables(4, 3), format='5', do_compression=False)
# scipy writes native (little-endian) order only: the big-endian tests use
# matfile's writer and a hand-built file (see read_test.go).
