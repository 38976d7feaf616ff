"""The GPU backend's device code: BN254 field, curve, MSM and NTT kernels for numba.cuda.

Field elements on the device are 8 little-endian 32-bit limbs, each held in a uint64 lane so that a
limb product plus two carries fits one 64-bit integer (the native shape of GPU integer multipliers),
in Montgomery form ``a * 2^256 mod m`` (the same numbers as on the CPU). The field and curve device
functions are built once per field by ``make_curve``; the host driver is ``reference.fast.gpu``.

MSM (Pippenger, signed digits as on the CPU): ``count_buckets`` and ``scatter_buckets`` group the points
of every (window, bucket) pair (atomic counters; the host takes the prefix sum); ``accumulate_buckets``
gives one thread per bucket, adding its points with mixed additions; ``reduce_segments`` one thread per
(window, segment of buckets), forming the segment's weighted sum.
NTT: ``bit_reverse`` then one ``butterflies`` launch per radix-2 stage, one thread per butterfly.
"""
from __future__ import annotations

import numpy as np
from numba import cuda

from reference.zk.field import Q, R

_U64 = np.uint64
_M32 = _U64(0xFFFFFFFF)
_S32 = _U64(32)
_B32 = _U64(1 << 32)
_Z = _U64(0)
_ONE = _U64(1)


def limbs32(value: int) -> np.ndarray:
    return np.array([(value >> (32 * i)) & 0xFFFFFFFF for i in range(8)], dtype=np.uint64)


Q32 = limbs32(Q)
R32 = limbs32(R)
QINV32 = _U64((-pow(Q, -1, 1 << 32)) % (1 << 32))
RINV32 = _U64((-pow(R, -1, 1 << 32)) % (1 << 32))
QONE32 = limbs32((1 << 256) % Q)


@cuda.jit(device=True)
def mont_mul(out, a, b, m, minv):
    t = cuda.local.array(10, dtype=np.uint64)
    for i in range(10):
        t[i] = _Z
    for i in range(8):
        bi = b[i]
        c = _Z
        for j in range(8):
            x = t[j] + a[j] * bi + c
            t[j] = x & _M32
            c = x >> _S32
        x = t[8] + c
        t[8] = x & _M32
        t[9] = x >> _S32
        q = (t[0] * minv) & _M32
        x = t[0] + q * m[0]
        c = x >> _S32
        for j in range(1, 8):
            x = t[j] + q * m[j] + c
            t[j - 1] = x & _M32
            c = x >> _S32
        x = t[8] + c
        t[7] = x & _M32
        t[8] = t[9] + (x >> _S32)
    reduce_into(out, t, m)


@cuda.jit(device=True)
def reduce_into(out, t, m):
    d = cuda.local.array(8, dtype=np.uint64)
    borrow = _Z
    for j in range(8):
        x = t[j] + _B32 - m[j] - borrow
        d[j] = x & _M32
        borrow = _ONE - (x >> _S32)
    if borrow == _ONE and t[8] == _Z:
        for j in range(8):
            out[j] = t[j]
    else:
        for j in range(8):
            out[j] = d[j]


@cuda.jit(device=True)
def mod_add(out, a, b, m):
    t = cuda.local.array(10, dtype=np.uint64)
    c = _Z
    for j in range(8):
        x = a[j] + b[j] + c
        t[j] = x & _M32
        c = x >> _S32
    t[8] = c
    reduce_into(out, t, m)


@cuda.jit(device=True)
def mod_sub(out, a, b, m):
    d = cuda.local.array(8, dtype=np.uint64)
    borrow = _Z
    for j in range(8):
        x = a[j] + _B32 - b[j] - borrow
        d[j] = x & _M32
        borrow = _ONE - (x >> _S32)
    c = _Z
    for j in range(8):
        x = d[j] + m[j] * borrow + c
        out[j] = x & _M32
        c = x >> _S32


@cuda.jit(device=True)
def fq_mul(out, a, b):
    mont_mul(out, a, b, Q32, QINV32)


@cuda.jit(device=True)
def fq_add(out, a, b):
    mod_add(out, a, b, Q32)


@cuda.jit(device=True)
def fq_sub(out, a, b):
    mod_sub(out, a, b, Q32)


@cuda.jit(device=True)
def fq_is_zero(a):
    acc = _Z
    for j in range(8):
        acc |= a[j]
    return acc == _Z


@cuda.jit(device=True)
def fq_set_one(out):
    for j in range(8):
        out[j] = QONE32[j]


@cuda.jit(device=True)
def fq2_mul(out, a, b):
    v0 = cuda.local.array(8, dtype=np.uint64)
    v1 = cuda.local.array(8, dtype=np.uint64)
    sa = cuda.local.array(8, dtype=np.uint64)
    sb = cuda.local.array(8, dtype=np.uint64)
    fq_mul(v0, a[0:8], b[0:8])
    fq_mul(v1, a[8:16], b[8:16])
    fq_add(sa, a[0:8], a[8:16])
    fq_add(sb, b[0:8], b[8:16])
    fq_mul(sa, sa, sb)
    fq_sub(sa, sa, v0)
    fq_sub(out[8:16], sa, v1)
    fq_sub(out[0:8], v0, v1)


@cuda.jit(device=True)
def fq2_add(out, a, b):
    fq_add(out[0:8], a[0:8], b[0:8])
    fq_add(out[8:16], a[8:16], b[8:16])


@cuda.jit(device=True)
def fq2_sub(out, a, b):
    fq_sub(out[0:8], a[0:8], b[0:8])
    fq_sub(out[8:16], a[8:16], b[8:16])


@cuda.jit(device=True)
def fq2_is_zero(a):
    return fq_is_zero(a[0:8]) and fq_is_zero(a[8:16])


@cuda.jit(device=True)
def fq2_set_one(out):
    fq_set_one(out[0:8])
    for j in range(8, 16):
        out[j] = _Z


def make_curve(width, f_mul, f_add, f_sub, f_is_zero, f_set_one):
    """Jacobian device functions over a field whose elements are ``width`` lanes (same formulas as the CPU)."""
    point_width = 3 * width

    @cuda.jit(device=True)
    def copy(out, a):
        for j in range(width):
            out[j] = a[j]

    @cuda.jit(device=True)
    def set_infinity(p):
        f_set_one(p[0:width])
        f_set_one(p[width : 2 * width])
        for j in range(2 * width, 3 * width):
            p[j] = _Z

    @cuda.jit(device=True)
    def double(p):
        x = p[0:width]
        y = p[width : 2 * width]
        z = p[2 * width : 3 * width]
        a = cuda.local.array(width, dtype=np.uint64)
        b = cuda.local.array(width, dtype=np.uint64)
        c = cuda.local.array(width, dtype=np.uint64)
        d = cuda.local.array(width, dtype=np.uint64)
        e = cuda.local.array(width, dtype=np.uint64)
        f_mul(a, x, x)
        f_mul(b, y, y)
        f_mul(c, b, b)
        f_add(d, x, b)
        f_mul(d, d, d)
        f_sub(d, d, a)
        f_sub(d, d, c)
        f_add(d, d, d)
        f_add(e, a, a)
        f_add(e, e, a)
        f_mul(z, y, z)
        f_add(z, z, z)
        f_mul(a, e, e)
        f_sub(a, a, d)
        f_sub(x, a, d)
        f_sub(d, d, x)
        f_mul(d, e, d)
        f_add(c, c, c)
        f_add(c, c, c)
        f_add(c, c, c)
        f_sub(y, d, c)

    @cuda.jit(device=True)
    def add_from(p, u1, u2, s1, s2, z1z2):
        """``p = p + q`` from U1, U2, S1, S2 and Z1*Z2 (as on the CPU); u1, s1, z1z2 may alias p's coordinates."""
        h = cuda.local.array(width, dtype=np.uint64)
        r = cuda.local.array(width, dtype=np.uint64)
        f_sub(h, u2, u1)
        f_sub(r, s2, s1)
        if f_is_zero(h):
            if f_is_zero(r):
                double(p)
            else:
                set_infinity(p)
            return
        f_add(r, r, r)
        i = cuda.local.array(width, dtype=np.uint64)
        jj = cuda.local.array(width, dtype=np.uint64)
        v = cuda.local.array(width, dtype=np.uint64)
        t = cuda.local.array(width, dtype=np.uint64)
        z3 = cuda.local.array(width, dtype=np.uint64)
        f_add(i, h, h)
        f_mul(i, i, i)
        f_mul(jj, h, i)
        f_mul(v, u1, i)
        f_mul(t, s1, jj)
        f_add(t, t, t)
        f_mul(z3, z1z2, h)
        x1 = p[0:width]
        y1 = p[width : 2 * width]
        f_add(p[2 * width : 3 * width], z3, z3)
        f_mul(x1, r, r)
        f_sub(x1, x1, jj)
        f_sub(x1, x1, v)
        f_sub(x1, x1, v)
        f_sub(v, v, x1)
        f_mul(v, r, v)
        f_sub(y1, v, t)

    @cuda.jit(device=True)
    def add_affine(p, qx, qy, negate):
        z1 = p[2 * width : 3 * width]
        y2 = cuda.local.array(width, dtype=np.uint64)
        if negate:
            for j in range(width):
                y2[j] = _Z
            f_sub(y2, y2, qy)
        else:
            copy(y2, qy)
        if f_is_zero(z1):
            copy(p[0:width], qx)
            copy(p[width : 2 * width], y2)
            f_set_one(z1)
            return
        z1z1 = cuda.local.array(width, dtype=np.uint64)
        u2 = cuda.local.array(width, dtype=np.uint64)
        s2 = cuda.local.array(width, dtype=np.uint64)
        f_mul(z1z1, z1, z1)
        f_mul(u2, qx, z1z1)
        f_mul(s2, z1, z1z1)
        f_mul(s2, y2, s2)
        add_from(p, p[0:width], u2, p[width : 2 * width], s2, z1)

    @cuda.jit(device=True)
    def add(p, q):
        if f_is_zero(q[2 * width : 3 * width]):
            return
        if f_is_zero(p[2 * width : 3 * width]):
            for j in range(3 * width):
                p[j] = q[j]
            return
        z1 = p[2 * width : 3 * width]
        z2 = q[2 * width : 3 * width]
        z1z1 = cuda.local.array(width, dtype=np.uint64)
        z2z2 = cuda.local.array(width, dtype=np.uint64)
        u1 = cuda.local.array(width, dtype=np.uint64)
        u2 = cuda.local.array(width, dtype=np.uint64)
        s1 = cuda.local.array(width, dtype=np.uint64)
        s2 = cuda.local.array(width, dtype=np.uint64)
        zz = cuda.local.array(width, dtype=np.uint64)
        f_mul(z1z1, z1, z1)
        f_mul(z2z2, z2, z2)
        f_mul(u1, p[0:width], z2z2)
        f_mul(u2, q[0:width], z1z1)
        f_mul(s1, z2, z2z2)
        f_mul(s1, p[width : 2 * width], s1)
        f_mul(s2, z1, z1z1)
        f_mul(s2, q[width : 2 * width], s2)
        f_mul(zz, z1, z2)
        add_from(p, u1, u2, s1, s2, zz)

    @cuda.jit
    def accumulate_buckets(points, entries, starts, buckets):
        """Thread b: ``buckets[b] = sum`` of the (signed) points ``entries[starts[b]:starts[b+1]]``."""
        b = cuda.grid(1)
        if b >= buckets.shape[0]:
            return
        acc = buckets[b]
        set_infinity(acc)
        for e in range(starts[b], starts[b + 1]):
            idx = entries[e]
            negate = idx < 0
            if negate:
                idx = -idx - 1
            add_affine(acc, points[idx, 0:width], points[idx, width : 2 * width], negate)

    @cuda.jit
    def reduce_segments(buckets, half, segment, out):
        """Thread (w, s): ``out[w, s] = sum_{b in segment s} (b + 1) * buckets[w, b]``."""
        g = cuda.grid(1)
        per_window = half // segment
        if g >= out.shape[0]:
            return
        w = g // per_window
        s = g % per_window
        running = cuda.local.array(point_width, dtype=np.uint64)
        total = out[g]
        set_infinity(running)
        set_infinity(total)
        base = w * half + s * segment
        for b in range(segment - 1, -1, -1):
            add(running, buckets[base + b])
            add(total, running)
        offset = s * segment
        scaled = cuda.local.array(point_width, dtype=np.uint64)
        set_infinity(scaled)
        bit = 1
        while bit <= offset:
            bit <<= 1
        while bit > 1:
            bit >>= 1
            double(scaled)
            if offset & bit:
                add(scaled, running)
        add(total, scaled)

    return accumulate_buckets, reduce_segments


G1_KERNELS = make_curve(8, fq_mul, fq_add, fq_sub, fq_is_zero, fq_set_one)
G2_KERNELS = make_curve(16, fq2_mul, fq2_add, fq2_sub, fq2_is_zero, fq2_set_one)


@cuda.jit
def count_buckets(digits, half, counts):
    """Thread (w, i): one more point for bucket (w, |digit| - 1) if the digit is non-zero."""
    g = cuda.grid(1)
    windows, n = digits.shape
    if g >= windows * n:
        return
    w = g // n
    d = digits[w, g % n]
    if d != 0:
        cuda.atomic.add(counts, w * half + abs(d) - 1, 1)


@cuda.jit
def scatter_buckets(digits, half, cursor, entries):
    """Thread (w, i): write the signed point index (i, or -i-1 for a negative digit) into its bucket's slot."""
    g = cuda.grid(1)
    windows, n = digits.shape
    if g >= windows * n:
        return
    w = g // n
    i = g % n
    d = digits[w, i]
    if d != 0:
        slot = cuda.atomic.add(cursor, w * half + abs(d) - 1, 1)
        entries[slot] = i if d > 0 else -i - 1


@cuda.jit
def bit_reverse(src, dst, log_n):
    i = cuda.grid(1)
    if i >= src.shape[0]:
        return
    j = 0
    x = i
    for _ in range(log_n):
        j = (j << 1) | (x & 1)
        x >>= 1
    for t in range(8):
        dst[j, t] = src[i, t]


@cuda.jit
def butterflies(a, twiddles, half, step):
    t = cuda.grid(1)
    if t >= a.shape[0] // 2:
        return
    kk = t % half
    i = (t // half) * 2 * half + kk
    v = cuda.local.array(8, dtype=np.uint64)
    u = cuda.local.array(8, dtype=np.uint64)
    mont_mul(v, a[i + half], twiddles[kk * step], R32, RINV32)
    for j in range(8):
        u[j] = a[i, j]
    mod_add(a[i], u, v, R32)
    mod_sub(a[i + half], u, v, R32)


@cuda.jit
def vec_mul(a, b):
    """``a[i] *= b[i]`` (Fr Montgomery); ``b`` with one row is broadcast."""
    i = cuda.grid(1)
    if i >= a.shape[0]:
        return
    row = i if b.shape[0] > 1 else 0
    mont_mul(a[i], a[i], b[row], R32, RINV32)
