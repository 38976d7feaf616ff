"""CPU kernels (numba) over limb arrays built on ``_kernels``' field and curve code: the radix-2 NTT over
Fr, the persistent prover's QAP kernels, key validation, and the seeded setup's fixed-base
multiplication and batch normalisation.

These kernels inline ``_kernels``' helpers, so their numba cache must also be invalidated when
``_kernels.py`` changes: ``_StampedLocator`` (registered first among numba's cache locators, for this
file only) makes the cache stamp cover both files. With a numba whose cache API differs, caching is
turned off for this file rather than risking stale code (then these kernels compile in every process).
"""
from __future__ import annotations

import os

import numpy as np
from numba import njit, prange

from reference.fast import _kernels
from reference.fast._kernels import (
    R_LIMBS, _is_zero4, _load_point, _row, _store4, _store_point, fe_add, fe_inv, fe_is_zero, fe_load, fe_mul,
    fe_one, fe_sqr, fe_store, fe_sub, fe_zero, fr_mul, jac_add_affine, jac_double, mod_add, mod_sub,
)

NTT_BLOCK = 1024


def _stamped_cache() -> bool:
    """Register the locator whose stamp covers this file and ``_kernels.py``; False if numba's API differs."""
    from numba.core import caching

    impl = getattr(caching, "CacheImpl", None) or getattr(caching, "_CacheImpl", None)
    base = getattr(caching, "InTreeCacheLocator", None) or getattr(caching, "_InTreeCacheLocator", None)
    if impl is None or base is None or not isinstance(getattr(impl, "_locator_classes", None), list):
        return False
    here, helpers = os.path.abspath(__file__), os.path.abspath(_kernels.__file__)

    class _StampedLocator(base):
        def get_source_stamp(self):
            st = os.stat(helpers)
            return (super().get_source_stamp(), st.st_mtime, st.st_size)

        @classmethod
        def from_function(cls, py_func, py_file):
            if os.path.abspath(py_file) != here:
                return None
            return super().from_function(py_func, py_file)

    if not any(c.__name__ == "_StampedLocator" for c in impl._locator_classes):
        impl._locator_classes.insert(0, _StampedLocator)
    return True


CACHE = _stamped_cache()


@njit(cache=CACHE, inline="always")
def _butterfly(a, twiddles, i, half, tw_index):
    u = _row(a, i)
    v = fr_mul(_row(a, i + half), _row(twiddles, tw_index))
    _store4(a, i, mod_add(u, v, R_LIMBS))
    _store4(a, i + half, mod_sub(u, v, R_LIMBS))


@njit(cache=CACHE, parallel=True, nogil=True)
def ntt_in_place(a, twiddles):
    """Radix-2 decimation-in-time NTT of the rows of ``a`` (Fr, Montgomery form), natural order in and out.

    ``twiddles[k] = w^k`` for ``k < n/2``. Stages up to size ``NTT_BLOCK`` run block by block (one
    parallel loop over independent blocks); each larger stage is one parallel loop over its butterflies.
    """
    n = a.shape[0]
    j = 0
    for i in range(1, n):
        bit = n >> 1
        while j & bit:
            j ^= bit
            bit >>= 1
        j |= bit
        if i < j:
            for k in range(4):
                a[i, k], a[j, k] = a[j, k], a[i, k]
    block = min(n, NTT_BLOCK)
    for b in prange(n // block):
        size = 2
        while size <= block:
            half = size >> 1
            step = n // size
            for start in range(b * block, (b + 1) * block, size):
                for k in range(half):
                    _butterfly(a, twiddles, start + k, half, k * step)
            size <<= 1
    size = block << 1
    while size <= n:
        half = size >> 1
        step = n // size
        for t in prange(n >> 1):
            k = t % half
            _butterfly(a, twiddles, (t // half) * size + k, half, k * step)
        size <<= 1


# The persistent prover's kernels: QAP rows from sparse terms, the H scalars, key validation.


@njit(cache=CACHE, nogil=True)
def lc_evaluate(matrix, row, signal, coef, w, out):
    """``out[matrix[t], row[t]] += coef[t] * w[signal[t]]`` for every term t (Fr Montgomery rows)."""
    for t in range(matrix.shape[0]):
        m = matrix[t]
        r = row[t]
        prod = fr_mul(_row(coef, t), _row(w, signal[t]))
        s = mod_add((out[m, r, 0], out[m, r, 1], out[m, r, 2], out[m, r, 3]), prod, R_LIMBS)
        out[m, r, 0], out[m, r, 1], out[m, r, 2], out[m, r, 3] = s[0], s[1], s[2], s[3]


@njit(cache=CACHE, nogil=True)
def first_unsatisfied(a, b, c, count):
    """The first row i < count with a[i] * b[i] != c[i] (Fr Montgomery rows), or -1."""
    for i in range(count):
        p = fr_mul(_row(a, i), _row(b, i))
        if not _is_zero4(mod_sub(p, _row(c, i), R_LIMBS)):
            return i
    return -1


@njit(cache=CACHE, parallel=True, nogil=True)
def mul_sub(a, b, c, out):
    """``out[i] = a[i] * b[i] - c[i]`` (Fr Montgomery rows)."""
    for i in prange(a.shape[0]):
        _store4(out, i, mod_sub(fr_mul(_row(a, i), _row(b, i)), _row(c, i), R_LIMBS))


@njit(cache=CACHE, parallel=True, nogil=True)
def mul_rows(a, b, out):
    """``out[i] = a[i] * b[i]`` (Fr Montgomery rows)."""
    for i in prange(a.shape[0]):
        _store4(out, i, fr_mul(_row(a, i), _row(b, i)))


@njit(cache=CACHE, parallel=True)
def off_curve(points, b):
    """Index of the first affine point (Montgomery rows; all zeros is infinity and skipped) not on
    y^2 = x^3 + b[0, 0], or -1."""
    n = points.shape[0]
    bad = np.zeros(n, dtype=np.bool_)
    for i in prange(n):
        x = fe_load(points, i, 0)
        y = fe_load(points, i, 1)
        if fe_is_zero(x) and fe_is_zero(y):
            continue
        rhs = fe_add(fe_mul(fe_sqr(x), x), fe_load(b, 0, 0))
        bad[i] = not fe_is_zero(fe_sub(fe_sqr(y), rhs))
    for i in range(n):
        if bad[i]:
            return i
    return -1


@njit(cache=CACHE, parallel=True)
def fixed_base_mul(table, size, digits, out):
    """``out[i] = sum_w d_wi * 2^(c*w) * P`` (Jacobian rows) for signed digits ``d_wi``; ``table[w*size + j]``
    holds ``j * 2^(c*w) * P`` as an affine Montgomery row (j = 1 .. size-1)."""
    windows, n = digits.shape
    for i in prange(n):
        zero = fe_zero(fe_load(table, 0, 0))
        acc = (zero, zero, zero)
        for w in range(windows):
            d = digits[w, i]
            if d == 0:
                continue
            j = w * size + (d if d > 0 else -d)
            qy = fe_load(table, j, 1)
            if d < 0:
                qy = fe_sub(fe_zero(qy), qy)
            acc = jac_add_affine(acc, fe_load(table, j, 0), qy)
        _store_point(out, i, acc)


@njit(cache=CACHE, parallel=True)
def shifted_bases(points, c, windows, out):
    """``out[w*n + i] = 2^(c*w) * P_i`` (Jacobian rows) for the ``n`` affine rows ``P_i``, ``w < windows``:
    the table of a precomputed MSM. A point at infinity (all zeros) stays all zeros."""
    n = points.shape[0]
    for i in prange(n):
        x = fe_load(points, i, 0)
        y = fe_load(points, i, 1)
        if fe_is_zero(x) and fe_is_zero(y):
            continue
        p = (x, y, fe_one(x))
        for w in range(windows):
            _store_point(out, w * n + i, p)
            for _ in range(c):
                p = jac_double(p)


@njit(cache=CACHE)
def to_affine(points, out):
    """Jacobian rows to affine Montgomery rows (x = X/Z^2, y = Y/Z^3) with one inversion (Montgomery's
    trick); infinity (Z = 0) becomes all zeros."""
    n = points.shape[0]
    one = fe_one(fe_load(points, 0, 2))
    prefix = np.zeros(points.shape, dtype=np.uint64)
    acc = one
    for i in range(n):
        fe_store(prefix, i, 0, acc)
        z = fe_load(points, i, 2)
        if not fe_is_zero(z):
            acc = fe_mul(acc, z)
    inv = fe_inv(acc)
    for i in range(n - 1, -1, -1):
        z = fe_load(points, i, 2)
        if fe_is_zero(z):
            zero = fe_zero(z)
            fe_store(out, i, 0, zero)
            fe_store(out, i, 1, zero)
            continue
        z_inv = fe_mul(inv, fe_load(prefix, i, 0))
        inv = fe_mul(inv, z)
        z2 = fe_sqr(z_inv)
        fe_store(out, i, 0, fe_mul(fe_load(points, i, 0), z2))
        fe_store(out, i, 1, fe_mul(fe_load(points, i, 1), fe_mul(z2, z_inv)))
