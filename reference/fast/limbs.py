"""Montgomery limb rows shared by the CPU and GPU backends: field conversions, NTT twiddles,
Pippenger window sizes and the converted (affine, Montgomery) bases of an MSM with their cache.

A row is four little-endian uint64 limbs of one field element (``reference.fast.convert``); Montgomery
form is ``a * 2^256 mod m``. The GPU views the same bytes as eight 32-bit limbs, so the host side of
both backends is this module.
"""
from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache
from typing import Sequence

import numpy as np
from py_ecc.optimized_bn128 import b as G1_B
from py_ecc.optimized_bn128 import b2 as G2_B

from reference.fast import _kernels as k
from reference.fast.convert import affine_g1, affine_g2, pack, pack_fr
from reference.zk.backend import BackendError
from reference.zk.field import Q, R, check_domain_size, check_scalar, inv, root_of_unity

SCALAR_BITS = R.bit_length()
BASES_CACHE_SIZE = 16
MODULI = {"q": (Q, k.Q_INV), "r": (R, k.R_INV)}


# Pippenger cost in field multiplications (``_kernels.pippenger``): a point into an affine bucket is a
# batched affine addition (6 multiplications + 1/256 of a 384-multiplication inversion + loads, ~8); each
# bucket costs a mixed and a full Jacobian addition in the running sums (11 + 16 = 27).
ADD_COST = 8
BUCKET_COST = 27


def window_bits(n: int, threads: int = 1) -> int:
    """Pippenger window width c minimising ceil(windows / threads) * (ADD_COST * n + BUCKET_COST * 2^(c-1)),
    for ``n`` non-zero scalars (points at infinity do not count) and windows spread over ``threads``.

    Measured on the 2^16 and 2^18 Poseidon-chain keys (``reference.fast.bench_windows``): with 2 threads the
    old thread-blind choice (15 at n = 2^18, where 17 windows split 9 + 8) was ~20 % slower than 13 (20 windows,
    10 + 10) for the G1 MSMs."""
    best, best_cost = 2, None
    for c in range(2, 17):
        windows = SCALAR_BITS // c + 1
        cost = -(-windows // max(threads, 1)) * (ADD_COST * n + BUCKET_COST * (1 << (c - 1)))
        if best_cost is None or cost < best_cost:
            best, best_cost = c, cost
    return best


BUCKET_BYTES = 512 * 1024
"""Largest affine bucket array of a precomputed MSM: beyond it each point's bucket misses the cache (at
2^16, c = 16 measured slower than c = 14 despite the model)."""


def precomputed_window_bits(n: int, point_bytes: int = 64, threads: int = 1) -> int:
    """Window width c of a precomputed MSM (``_kernels.pippenger_precomputed``): every window's digits go
    into one bucket array per thread, so c minimises ADD_COST * windows * n / threads + BUCKET_COST * 2^(c-1)
    with 2^(c-1) buckets of ``point_bytes`` within ``BUCKET_BYTES``; the table holds windows * n points."""
    costs = {c: ADD_COST * signed_digit_windows(c) * n / max(threads, 1) + BUCKET_COST * (1 << (c - 1))
             for c in range(2, 19) if (point_bytes << (c - 1)) <= BUCKET_BYTES}
    return min(costs, key=costs.get)


def signed_digit_windows(c: int) -> int:
    """Windows of c bits needed for signed digits of scalars below 2^254 (one more for the carry)."""
    return SCALAR_BITS // c + 1


def scale_rows(rows: np.ndarray, factor: int, modulus: str) -> np.ndarray:
    """Rows of four limbs times ``factor / 2^256`` modulo q or r (Montgomery product), in place."""
    m, minv = MODULI[modulus]
    k.vec_scale(rows, pack([factor]), pack([m]), minv)
    return rows


def to_montgomery(rows: np.ndarray, modulus: str) -> np.ndarray:
    """Rows of four limbs (standard form, < modulus) into Montgomery form, in place."""
    return scale_rows(rows, pow(2, 512, MODULI[modulus][0]), modulus)


def from_montgomery(rows: np.ndarray, modulus: str) -> np.ndarray:
    """Rows of four limbs out of Montgomery form, in place."""
    return scale_rows(rows, 1, modulus)


def fr_montgomery(value: int) -> tuple:
    """One Fr element as a Montgomery-form limb tuple."""
    return k.limbs(value * (1 << 256) % R)


def fr_rows(values: Sequence[int]) -> np.ndarray:
    """NTT input: a power-of-two count of Fr values (checked) as Montgomery rows."""
    check_domain_size(len(values))
    return to_montgomery(pack_fr(values, "values"), "r")


def checked_shift(shift: int) -> int:
    """A coset shift: an Fr element, non-zero."""
    check_scalar("shift", shift)
    if shift == 0:
        raise BackendError("shift: must be non-zero (a coset of <w_n> needs an invertible shift)")
    return shift


@lru_cache(maxsize=64)
def twiddles(n: int, inverse: bool) -> np.ndarray:
    """The first max(n/2, 1) powers of the n-th root of unity (or its inverse), Montgomery rows."""
    w = root_of_unity(n)
    if inverse:
        w = inv(w)
    return k.powers(fr_montgomery(w), max(n // 2, 1))


class Bases:
    """Affine bases in Montgomery form (a row per point) with their infinity flags.

    ``device`` is free for a backend to keep its own copy (the GPU keeps the rows in device memory).
    """

    def __init__(self, rows: np.ndarray, infinity: np.ndarray):
        self.rows = rows
        self.infinity = infinity
        self.device = None


def convert_bases(points: Sequence, degree: int) -> Bases:
    """py_ecc points as Montgomery affine rows: 8 limbs per G1 point, 16 per G2 point."""
    coords, infinity = (affine_g1 if degree == 1 else affine_g2)(points)
    shape = (2, 4) if degree == 1 else (2, 2, 4)
    rows = to_montgomery(pack(coords), "q").reshape((len(points),) + shape)
    bases = Bases(rows, np.array(infinity, dtype=bool))
    b = [G1_B.n] if degree == 1 else [int(c) for c in G2_B.coeffs]
    b_rows = to_montgomery(pack(b), "q").reshape((1, 1) + shape[1:])
    finite = np.flatnonzero(~bases.infinity)
    if finite.size:
        bad = k.on_curve(np.ascontiguousarray(rows[finite]), b_rows)
        if bad >= 0:
            raise BackendError(f"points[{int(finite[bad])}]: not on the curve y^2 = x^3 + {'3' if degree == 1 else 'b2'}")
    return bases


class BasesCache:
    """Converted bases of recently used tuples of points, keyed by identity (the tuple is kept alive)."""

    def __init__(self, size: int = BASES_CACHE_SIZE):
        self.size = size
        self.entries: OrderedDict[int, tuple[tuple, int, Bases]] = OrderedDict()

    def get(self, points: Sequence, degree: int) -> Bases:
        if not isinstance(points, tuple):
            return convert_bases(points, degree)
        key = id(points)
        hit = self.entries.get(key)
        if hit is not None and hit[0] is points and hit[1] == degree:
            self.entries.move_to_end(key)
            return hit[2]
        bases = convert_bases(points, degree)
        self.entries[key] = (points, degree, bases)
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return bases
