"""CPU kernels (numba): Montgomery arithmetic on 4 x 64-bit limbs, BN254 G1/G2 Pippenger, vector ops.

A field element of Fq or Fr is a ``UniTuple(uint64, 4)`` of little-endian limbs in Montgomery form
(``a * 2^256 mod m``); an Fq2 element ``c0 + c1*u`` (u^2 = -1) is a pair of them. Points are in
Jacobian coordinates ``(X, Y, Z)``, ``x = X/Z^2``, ``y = Y/Z^3``; ``Z == 0`` is the point at infinity.
The curve code is written once; ``fe_*`` dispatch on the element type at compile time, so each kernel
has one specialization for G1 and one for G2. numba's cache checks only the defining file's stamp, so
kernels elsewhere that inline these helpers (``_kernels_fr``) stamp their cache with this file too.
Parallel loops use numba's OpenMP layer; its workers sleep instead of spinning while they wait
(``OMP_WAIT_POLICY=PASSIVE`` unless set), which keeps them from starving each other on a shared machine.
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
from llvmlite import ir  # noqa: E402
from numba import njit, prange, types  # noqa: E402
from numba.extending import intrinsic, overload  # noqa: E402

from reference.zk.field import Q, R  # noqa: E402

_Z = np.uint64(0)
_ONE = np.uint64(1)
_MASK64 = (1 << 64) - 1


def limbs(value: int) -> tuple:
    """``value`` as four little-endian uint64 limbs."""
    return tuple(np.uint64((value >> (64 * i)) & _MASK64) for i in range(4))


def _neg_inverse_64(m: int) -> np.uint64:
    return np.uint64((-pow(m, -1, 1 << 64)) % (1 << 64))


Q_LIMBS = limbs(Q)
Q_INV = _neg_inverse_64(Q)
R_LIMBS = limbs(R)
R_INV = _neg_inverse_64(R)
Q_MONT_ONE = limbs(pow(2, 256, Q))
R_MONT_ONE = limbs(pow(2, 256, R))


@intrinsic
def _mac(typingctx, a, b, c, d):
    """``a*b + c + d`` as ``(low 64 bits, high 64 bits)``; it never overflows 128 bits."""
    sig = types.UniTuple(types.uint64, 2)(types.uint64, types.uint64, types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        i128 = ir.IntType(128)
        wa, wb, wc, wd = (builder.zext(x, i128) for x in args)
        t = builder.add(builder.add(builder.mul(wa, wb), wc), wd)
        lo = builder.trunc(t, ir.IntType(64))
        hi = builder.trunc(builder.lshr(t, ir.Constant(i128, 64)), ir.IntType(64))
        return context.make_tuple(builder, signature.return_type, (lo, hi))

    return sig, codegen


@intrinsic
def _sbb(typingctx, a, b, borrow):
    """``a - b - borrow`` as ``(low 64 bits, borrow out in {0, 1})``."""
    sig = types.UniTuple(types.uint64, 2)(types.uint64, types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        i128 = ir.IntType(128)
        wa, wb, wc = (builder.zext(x, i128) for x in args)
        t = builder.sub(builder.sub(wa, wb), wc)
        lo = builder.trunc(t, ir.IntType(64))
        out = builder.trunc(builder.lshr(t, ir.Constant(i128, 127)), ir.IntType(64))
        return context.make_tuple(builder, signature.return_type, (lo, out))

    return sig, codegen


# Fq and Fr: modulus-generic 4-limb arithmetic (both moduli are < 2^254).


@njit(cache=True)
def _reduce_once(t, m):
    """``t - m`` if ``t >= m`` else ``t``, for ``t < 2m``."""
    d0, b = _sbb(t[0], m[0], _Z)
    d1, b = _sbb(t[1], m[1], b)
    d2, b = _sbb(t[2], m[2], b)
    d3, b = _sbb(t[3], m[3], b)
    if b:
        return t
    return (d0, d1, d2, d3)


@njit(cache=True)
def _cios_row(a, bi, t, m, minv):
    t0, t1, t2, t3, t4 = t
    t0, c = _mac(a[0], bi, t0, _Z)
    t1, c = _mac(a[1], bi, t1, c)
    t2, c = _mac(a[2], bi, t2, c)
    t3, c = _mac(a[3], bi, t3, c)
    t4, t5 = _mac(t4, _ONE, c, _Z)
    q = t0 * minv
    _, c = _mac(q, m[0], t0, _Z)
    t0, c = _mac(q, m[1], t1, c)
    t1, c = _mac(q, m[2], t2, c)
    t2, c = _mac(q, m[3], t3, c)
    t3, c = _mac(t4, _ONE, c, _Z)
    return (t0, t1, t2, t3, t5 + c)


@njit(cache=True)
def mont_mul(a, b, m, minv):
    """Montgomery product ``a * b / 2^256 mod m`` (CIOS)."""
    t = (_Z, _Z, _Z, _Z, _Z)
    t = _cios_row(a, b[0], t, m, minv)
    t = _cios_row(a, b[1], t, m, minv)
    t = _cios_row(a, b[2], t, m, minv)
    t = _cios_row(a, b[3], t, m, minv)
    return _reduce_once((t[0], t[1], t[2], t[3]), m)


@njit(cache=True)
def mod_add(a, b, m):
    s0, c = _mac(a[0], _ONE, b[0], _Z)
    s1, c = _mac(a[1], _ONE, b[1], c)
    s2, c = _mac(a[2], _ONE, b[2], c)
    s3, c = _mac(a[3], _ONE, b[3], c)
    return _reduce_once((s0, s1, s2, s3), m)


@njit(cache=True)
def mod_sub(a, b, m):
    d0, w = _sbb(a[0], b[0], _Z)
    d1, w = _sbb(a[1], b[1], w)
    d2, w = _sbb(a[2], b[2], w)
    d3, w = _sbb(a[3], b[3], w)
    if w:
        d0, c = _mac(d0, _ONE, m[0], _Z)
        d1, c = _mac(d1, _ONE, m[1], c)
        d2, c = _mac(d2, _ONE, m[2], c)
        d3, c = _mac(d3, _ONE, m[3], c)
    return (d0, d1, d2, d3)


@njit(cache=True)
def _is_zero4(a):
    return (a[0] | a[1] | a[2] | a[3]) == _Z


@njit(cache=True)
def fq_mul(a, b):
    return mont_mul(a, b, Q_LIMBS, Q_INV)


@njit(cache=True)
def fr_mul(a, b):
    return mont_mul(a, b, R_LIMBS, R_INV)


@njit(cache=True)
def fq2_mul(a, b):
    v0 = fq_mul(a[0], b[0])
    v1 = fq_mul(a[1], b[1])
    s = fq_mul(mod_add(a[0], a[1], Q_LIMBS), mod_add(b[0], b[1], Q_LIMBS))
    return (mod_sub(v0, v1, Q_LIMBS), mod_sub(mod_sub(s, v0, Q_LIMBS), v1, Q_LIMBS))


@njit(cache=True)
def fq2_sqr(a):
    p = fq_mul(mod_add(a[0], a[1], Q_LIMBS), mod_sub(a[0], a[1], Q_LIMBS))
    t = fq_mul(a[0], a[1])
    return (p, mod_add(t, t, Q_LIMBS))


# Generic element operations over Fq (4-tuple) and Fq2 (pair of 4-tuples), resolved at compile time.


def _is_fq(t) -> bool:
    return isinstance(t, types.UniTuple) and isinstance(t.dtype, types.Integer)


def fe_add(a, b): ...
def fe_sub(a, b): ...
def fe_mul(a, b): ...
def fe_sqr(a): ...
def fe_is_zero(a): ...
def fe_zero(like): ...
def fe_one(like): ...
def fe_load(arr, i, j): ...
def fe_store(arr, i, j, v): ...


@overload(fe_add)
def _ol_add(a, b):
    if _is_fq(a):
        return lambda a, b: mod_add(a, b, Q_LIMBS)
    return lambda a, b: (mod_add(a[0], b[0], Q_LIMBS), mod_add(a[1], b[1], Q_LIMBS))


@overload(fe_sub)
def _ol_sub(a, b):
    if _is_fq(a):
        return lambda a, b: mod_sub(a, b, Q_LIMBS)
    return lambda a, b: (mod_sub(a[0], b[0], Q_LIMBS), mod_sub(a[1], b[1], Q_LIMBS))


@overload(fe_mul)
def _ol_mul(a, b):
    if _is_fq(a):
        return lambda a, b: fq_mul(a, b)
    return lambda a, b: fq2_mul(a, b)


@overload(fe_sqr)
def _ol_sqr(a):
    if _is_fq(a):
        return lambda a: fq_mul(a, a)
    return lambda a: fq2_sqr(a)


@overload(fe_is_zero)
def _ol_is_zero(a):
    if _is_fq(a):
        return lambda a: _is_zero4(a)
    return lambda a: _is_zero4(a[0]) and _is_zero4(a[1])


@overload(fe_zero)
def _ol_zero(like):
    if _is_fq(like):
        return lambda like: (_Z, _Z, _Z, _Z)
    return lambda like: ((_Z, _Z, _Z, _Z), (_Z, _Z, _Z, _Z))


@overload(fe_one)
def _ol_one(like):
    if _is_fq(like):
        return lambda like: Q_MONT_ONE
    return lambda like: (Q_MONT_ONE, (_Z, _Z, _Z, _Z))


@overload(fe_load)
def _ol_load(arr, i, j):
    """Element ``j`` of row ``i``: arrays of shape (rows, k, 4) hold Fq, (rows, k, 2, 4) hold Fq2."""
    if arr.ndim == 3:
        return lambda arr, i, j: (arr[i, j, 0], arr[i, j, 1], arr[i, j, 2], arr[i, j, 3])
    return lambda arr, i, j: (
        (arr[i, j, 0, 0], arr[i, j, 0, 1], arr[i, j, 0, 2], arr[i, j, 0, 3]),
        (arr[i, j, 1, 0], arr[i, j, 1, 1], arr[i, j, 1, 2], arr[i, j, 1, 3]),
    )


@njit(cache=True)
def _store4(arr, i, v):
    """Row ``i`` of a (rows, 4) array = ``v``, by index (a view per store would cost reference counting)."""
    arr[i, 0] = v[0]
    arr[i, 1] = v[1]
    arr[i, 2] = v[2]
    arr[i, 3] = v[3]


@njit(cache=True)
def _store_fq(arr, i, j, v):
    arr[i, j, 0] = v[0]
    arr[i, j, 1] = v[1]
    arr[i, j, 2] = v[2]
    arr[i, j, 3] = v[3]


@njit(cache=True)
def _store_fq2(arr, i, j, v):
    for c in range(2):
        arr[i, j, c, 0] = v[c][0]
        arr[i, j, c, 1] = v[c][1]
        arr[i, j, c, 2] = v[c][2]
        arr[i, j, c, 3] = v[c][3]


@overload(fe_store)
def _ol_store(arr, i, j, v):
    if _is_fq(v):
        return lambda arr, i, j, v: _store_fq(arr, i, j, v)
    return lambda arr, i, j, v: _store_fq2(arr, i, j, v)


@njit(cache=True)
def _load_point(arr, i):
    return (fe_load(arr, i, 0), fe_load(arr, i, 1), fe_load(arr, i, 2))


@njit(cache=True)
def _store_point(arr, i, p):
    fe_store(arr, i, 0, p[0])
    fe_store(arr, i, 1, p[1])
    fe_store(arr, i, 2, p[2])


# Jacobian point arithmetic for y^2 = x^3 + b (a = 0), generic over Fq and Fq2.


@njit(cache=True)
def jac_double(p):
    """dbl-2009-l; the point at infinity doubles to itself (Z stays 0)."""
    x, y, z = p
    a = fe_sqr(x)
    b = fe_sqr(y)
    c = fe_sqr(b)
    d = fe_sub(fe_sub(fe_sqr(fe_add(x, b)), a), c)
    d = fe_add(d, d)
    e = fe_add(fe_add(a, a), a)
    f = fe_sqr(e)
    x3 = fe_sub(f, fe_add(d, d))
    c8 = fe_add(c, c)
    c8 = fe_add(c8, c8)
    c8 = fe_add(c8, c8)
    y3 = fe_sub(fe_mul(e, fe_sub(d, x3)), c8)
    yz = fe_mul(y, z)
    return (x3, y3, fe_add(yz, yz))


@njit(cache=True)
def _add_from(p, u1, u2, s1, s2, z1z2):
    """add-2007-bl from U1 = X1*Z2^2, U2 = X2*Z1^2, S1 = Y1*Z2^3, S2 = Y2*Z1^3 and Z1*Z2 (P = Q doubles, P = -Q is 0)."""
    h = fe_sub(u2, u1)
    r = fe_sub(s2, s1)
    if fe_is_zero(h):
        if fe_is_zero(r):
            return jac_double(p)
        return (fe_one(h), fe_one(h), fe_zero(h))
    r = fe_add(r, r)
    i = fe_sqr(fe_add(h, h))
    j = fe_mul(h, i)
    v = fe_mul(u1, i)
    x3 = fe_sub(fe_sub(fe_sqr(r), j), fe_add(v, v))
    s1j = fe_mul(s1, j)
    y3 = fe_sub(fe_mul(r, fe_sub(v, x3)), fe_add(s1j, s1j))
    z3 = fe_mul(z1z2, h)
    return (x3, y3, fe_add(z3, z3))


@njit(cache=True)
def jac_add_affine(p, qx, qy):
    """Jacobian ``p`` plus the affine point ``(qx, qy)`` (never infinity): ``_add_from`` with Z2 = 1."""
    x1, y1, z1 = p
    if fe_is_zero(z1):
        return (qx, qy, fe_one(qx))
    z1z1 = fe_sqr(z1)
    return _add_from(p, x1, fe_mul(qx, z1z1), y1, fe_mul(qy, fe_mul(z1, z1z1)), z1)


@njit(cache=True)
def jac_add(p, q):
    """Jacobian ``p + q``; either may be the point at infinity."""
    x1, y1, z1 = p
    x2, y2, z2 = q
    if fe_is_zero(z1):
        return q
    if fe_is_zero(z2):
        return p
    z1z1 = fe_sqr(z1)
    z2z2 = fe_sqr(z2)
    u1 = fe_mul(x1, z2z2)
    u2 = fe_mul(x2, z1z1)
    s1 = fe_mul(y1, fe_mul(z2, z2z2))
    s2 = fe_mul(y2, fe_mul(z1, z1z1))
    return _add_from(p, u1, u2, s1, s2, fe_mul(z1, z2))


# Pippenger.


@njit(cache=True, parallel=True, nogil=True)
def signed_digits(scalars, c, windows):
    """Signed base-2^c digits in [-2^(c-1), 2^(c-1)] of each scalar (rows of 4 standard-form limbs)."""
    n = scalars.shape[0]
    out = np.empty((windows, n), dtype=np.int32)
    full = np.int64(1) << c
    half = full >> 1
    mask = np.uint64(full - 1)
    for i in prange(n):
        carry = np.int64(0)
        for w in range(windows):
            bit = w * c
            limb = bit >> 6
            shift = bit & 63
            v = np.uint64(0)
            if limb < 4:
                v = scalars[i, limb] >> np.uint64(shift)
                if shift + c > 64 and limb + 1 < 4:
                    v |= scalars[i, limb + 1] << np.uint64(64 - shift)
            d = np.int64(v & mask) + carry
            if d > half:
                d -= full
                carry = np.int64(1)
            else:
                carry = np.int64(0)
            out[w, i] = np.int32(d)
    return out


BATCH = 256


@njit(cache=True)
def _flush(bx, by, filled, busy, slots, px, py, dens, prefix, count):
    """Finish ``count`` pending affine additions bucket[slots[t]] += (px[t], py[t]) (the denominators
    ``dens[t]`` are x2 - x1, or 2 y for a doubling) with one inversion (Montgomery's trick)."""
    acc = fe_one(fe_load(dens, 0, 0))
    for t in range(count):
        fe_store(prefix, t, 0, acc)
        acc = fe_mul(acc, fe_load(dens, t, 0))
    inv = fe_inv(acc)
    for t in range(count - 1, -1, -1):
        slot = slots[t]
        d_inv = fe_mul(inv, fe_load(prefix, t, 0))
        inv = fe_mul(inv, fe_load(dens, t, 0))
        x1 = fe_load(bx, slot, 0)
        y1 = fe_load(by, slot, 0)
        x2 = fe_load(px, t, 0)
        y2 = fe_load(py, t, 0)
        if fe_is_zero(fe_sub(x1, x2)):  # doubling: lambda = 3 x^2 / 2y
            xx = fe_sqr(x1)
            lam = fe_mul(fe_add(fe_add(xx, xx), xx), d_inv)
        else:
            lam = fe_mul(fe_sub(y2, y1), d_inv)
        x3 = fe_sub(fe_sub(fe_sqr(lam), x1), x2)
        fe_store(bx, slot, 0, x3)
        fe_store(by, slot, 0, fe_sub(fe_mul(lam, fe_sub(x1, x3)), y1))
        busy[slot] = False


@njit(cache=True, nogil=True)
def _bucket_sum(points, digits, row, lo, hi, c, out):
    """``sum_{lo <= i < hi} digits[row, i] * points[i]`` as a Jacobian point, with one bucket array.

    ``points[i]`` is the affine point ``(x, y)``: shape (n, 2, 4) for G1, (n, 2, 2, 4) for G2;
    ``out`` (shape (1, 3, ...)) gives the coordinate shape. Buckets are affine and additions into them
    are batched (``BATCH`` at a time, one field inversion per batch); a point whose bucket already has
    an addition pending in the batch goes into a Jacobian side bucket instead (mixed addition), so
    repeated digits cost no extra inversions. P + P doubles, P + (-P) empties the bucket.
    """
    half = 1 << (c - 1)
    coord = out.shape[2:]
    bx = np.zeros((half, 1) + coord, dtype=np.uint64)
    by = np.zeros((half, 1) + coord, dtype=np.uint64)
    filled = np.zeros(half, dtype=np.bool_)
    busy = np.zeros(half, dtype=np.bool_)
    side = np.zeros((half,) + out.shape[1:], dtype=np.uint64)
    slots = np.zeros(BATCH, dtype=np.int64)
    px = np.zeros((BATCH, 1) + coord, dtype=np.uint64)
    py = np.zeros((BATCH, 1) + coord, dtype=np.uint64)
    dens = np.zeros((BATCH, 1) + coord, dtype=np.uint64)
    prefix = np.zeros((BATCH, 1) + coord, dtype=np.uint64)
    count = 0
    for i in range(lo, hi):
        d = digits[row, i]
        if d == 0:
            continue
        slot = d - 1 if d > 0 else -d - 1
        qx = fe_load(points, i, 0)
        qy = fe_load(points, i, 1)
        if d < 0:
            qy = fe_sub(fe_zero(qy), qy)
        if busy[slot]:
            _store_point(side, slot, jac_add_affine(_load_point(side, slot), qx, qy))
            continue
        if not filled[slot]:
            fe_store(bx, slot, 0, qx)
            fe_store(by, slot, 0, qy)
            filled[slot] = True
            continue
        x1 = fe_load(bx, slot, 0)
        y1 = fe_load(by, slot, 0)
        dx = fe_sub(qx, x1)
        if fe_is_zero(dx):
            if fe_is_zero(fe_sub(qy, y1)):
                dx = fe_add(y1, y1)  # doubling
            else:
                filled[slot] = False  # P + (-P)
                continue
        slots[count] = slot
        fe_store(px, count, 0, qx)
        fe_store(py, count, 0, qy)
        fe_store(dens, count, 0, dx)
        busy[slot] = True
        count += 1
        if count == BATCH:
            _flush(bx, by, filled, busy, slots, px, py, dens, prefix, count)
            count = 0
    if count:
        _flush(bx, by, filled, busy, slots, px, py, dens, prefix, count)
    z = fe_zero(fe_load(points, 0, 0))
    running = (z, z, z)
    total = (z, z, z)
    for slot in range(half - 1, -1, -1):
        if not fe_is_zero(fe_load(side, slot, 2)):  # then the affine part by a mixed addition
            running = jac_add(running, _load_point(side, slot))
        if filled[slot]:
            running = jac_add_affine(running, fe_load(bx, slot, 0), fe_load(by, slot, 0))
        total = jac_add(total, running)
    return total


@njit(cache=True, parallel=True, nogil=True)
def pippenger(points, digits, c, out):
    """``out[0] = sum_i digit-scalar_i * P_i`` (Jacobian): digits of shape (windows, n), one bucket
    sum per window (``_bucket_sum``), windows in parallel, then combined by doublings."""
    windows, n = digits.shape
    sums = np.zeros((windows,) + out.shape[1:], dtype=np.uint64)
    for w in prange(windows):
        _store_point(sums, w, _bucket_sum(points, digits, w, 0, n, c, out))
    combine_windows(sums, 1, c, out)


@njit(cache=True, parallel=True, nogil=True)
def pippenger_precomputed(table, digits, c, segments, out):
    """``out[0] = sum_{w,i} digits[w, i] * table[w*n + i]`` (Jacobian) where ``table[w*n + i]`` is
    ``2^(c*w) * P_i``: every window's digits fall into one bucket array, so there is one bucket
    reduction instead of one per window and no doublings between windows. The rows are split into
    ``segments`` ranges summed in parallel (each with its own buckets), then added."""
    flat = digits.reshape(1, digits.size)
    total = flat.shape[1]
    size = (total + segments - 1) // segments
    sums = np.zeros((segments,) + out.shape[1:], dtype=np.uint64)
    for s in prange(segments):
        _store_point(sums, s, _bucket_sum(table, flat, 0, s * size, min(total, (s + 1) * size), c, out))
    combine_windows(sums, segments, c, out)


@njit(cache=True)
def combine_windows(sums, segments, c, out):
    """``out[0] = sum_w 2^(c*w) * sum_s sums[w*segments + s]`` (Jacobian rows, Horner from the top window)."""
    windows = sums.shape[0] // segments
    z = fe_zero(fe_load(sums, 0, 0))
    acc = (z, z, z)
    for w in range(windows - 1, -1, -1):
        for _ in range(c):
            acc = jac_double(acc)
        for s in range(segments):
            acc = jac_add(acc, _load_point(sums, w * segments + s))
    _store_point(out, 0, acc)


@njit(cache=True, nogil=True)
def on_curve(points, b):
    """Index of the first affine point not on y^2 = x^3 + b[0, 0], or -1."""
    n = points.shape[0]
    bad = np.full(n, False)
    for i in range(n):
        x = fe_load(points, i, 0)
        y = fe_load(points, i, 1)
        rhs = fe_add(fe_mul(fe_sqr(x), x), fe_load(b, 0, 0))
        bad[i] = not fe_is_zero(fe_sub(fe_sqr(y), rhs))
    for i in range(n):
        if bad[i]:
            return i
    return -1


# Vector kernels over rows of 4 limbs with a given modulus (the NTT and array kernels: ``_kernels_fr``).


@njit(cache=True)
def _row(a, i):
    return (a[i, 0], a[i, 1], a[i, 2], a[i, 3])


@njit(cache=True, nogil=True)
def vec_scale(a, s, m, minv):
    """Row-wise Montgomery product ``a[i] *= s[0]`` modulo ``m[0]``, in place."""
    for i in range(a.shape[0]):
        _store4(a, i, mont_mul(_row(a, i), _row(s, 0), _row(m, 0), minv))


@njit(cache=True)
def vec_mul(a, b):
    """Row-wise Fr Montgomery product ``a[i] *= b[i]``, in place."""
    for i in range(a.shape[0]):
        _store4(a, i, fr_mul(_row(a, i), _row(b, i)))


@njit(cache=True)
def powers(x, n):
    """Fr rows ``x^0 .. x^(n-1)`` in Montgomery form (``x`` a Montgomery-form limb tuple)."""
    out = np.empty((n, 4), dtype=np.uint64)
    acc = R_MONT_ONE
    for i in range(n):
        _store4(out, i, acc)
        acc = fr_mul(acc, x)
    return out


Q_MINUS_2 = limbs(Q - 2)


@njit(cache=True)
def fq_inv(a):
    """a^(q-2): the inverse of a non-zero Fq element (Montgomery form in and out; batched additions)."""
    result = Q_MONT_ONE
    base = a
    for limb in range(4):
        e = Q_MINUS_2[limb]
        for bit in range(64):
            if (e >> np.uint64(bit)) & _ONE:
                result = fq_mul(result, base)
            base = fq_mul(base, base)
    return result


def fe_inv(a): ...


@overload(fe_inv)
def _ol_inv(a):
    if _is_fq(a):
        return lambda a: fq_inv(a)

    def fq2_inv(a):
        n = fq_inv(mod_add(fq_mul(a[0], a[0]), fq_mul(a[1], a[1]), Q_LIMBS))
        return (fq_mul(a[0], n), fq_mul(mod_sub((_Z, _Z, _Z, _Z), a[1], Q_LIMBS), n))

    return fq2_inv
