"""``CpuBackend`` ("cpu"): numba-compiled Pippenger MSM and radix-2 NTT on 64-bit Montgomery limbs.

Same results as ``reference.zk.backend.ReferenceBackend`` bit for bit. Points enter and leave as py_ecc
points; scalars and NTT values as ints. Converted affine bases of a tuple of points are kept (the tuple
is held, so its id stays unique) because a proving key's bases are reused by every proof.
"""
from __future__ import annotations

import functools
from collections import OrderedDict
from functools import lru_cache
from typing import Sequence

import numba
import numpy as np
from py_ecc.optimized_bn128 import b as G1_B
from py_ecc.optimized_bn128 import b2 as G2_B

from reference.fast import _kernels as k
from reference.fast.convert import (
    affine_g1,
    affine_g2,
    checked_scalars,
    g1_from_jacobian,
    g2_from_jacobian,
    pack,
    pack_fr,
    unpack,
)
from reference.zk.backend import BackendError
from reference.zk.field import Q, R, check_domain_size, check_scalar, inv, root_of_unity

SCALAR_BITS = R.bit_length()
PARALLEL_FROM = 1 << 13
_BASES_CACHE_SIZE = 16


def window_bits(n: int) -> int:
    """Pippenger window width c minimising windows * (n mixed additions + 2 * 2^(c-1) full additions)."""
    best, best_cost = 2, None
    for c in range(2, 17):
        windows = SCALAR_BITS // c + 1
        cost = windows * (11 * n + 32 * (1 << (c - 1)))
        if best_cost is None or cost < best_cost:
            best, best_cost = c, cost
    return best


def signed_digit_windows(c: int) -> int:
    """Windows of c bits needed for signed digits of scalars below 2^254 (one more for the carry)."""
    return SCALAR_BITS // c + 1


_MODULI = {"q": (Q, k.Q_INV), "r": (R, k.R_INV)}


def scale_rows(rows: np.ndarray, factor: int, modulus: str) -> np.ndarray:
    """Rows of four limbs times ``factor / 2^256`` modulo q or r (Montgomery product), in place."""
    m, minv = _MODULI[modulus]
    k.vec_scale(rows, pack([factor]), pack([m]), minv)
    return rows


def to_montgomery(rows: np.ndarray, modulus: str) -> np.ndarray:
    """Rows of four limbs (standard form, < modulus) into Montgomery form, in place."""
    return scale_rows(rows, pow(2, 512, _MODULI[modulus][0]), modulus)


def from_montgomery(rows: np.ndarray, modulus: str) -> np.ndarray:
    """Rows of four limbs out of Montgomery form, in place."""
    return scale_rows(rows, 1, modulus)


def fr_montgomery(value: int) -> tuple:
    """One Fr element as a Montgomery-form limb tuple."""
    return k.limbs(value * (1 << 256) % R)


class _Bases:
    """Affine bases in Montgomery form (a row per point) with their infinity flags.

    ``device`` is free for a backend to keep its own copy (the GPU keeps the rows in device memory).
    """

    def __init__(self, rows: np.ndarray, infinity: np.ndarray):
        self.rows = rows
        self.infinity = infinity
        self.device = None


def convert_bases(points: Sequence, degree: int) -> _Bases:
    """py_ecc points as Montgomery affine rows: 8 limbs per G1 point, 16 per G2 point."""
    coords, infinity = (affine_g1 if degree == 1 else affine_g2)(points)
    shape = (2, 4) if degree == 1 else (2, 2, 4)
    rows = to_montgomery(pack(coords), "q").reshape((len(points),) + shape)
    bases = _Bases(rows, np.array(infinity, dtype=bool))
    b = [G1_B.n] if degree == 1 else [int(c) for c in G2_B.coeffs]
    b_rows = to_montgomery(pack(b), "q").reshape((1, 1) + shape[1:])
    finite = np.flatnonzero(~bases.infinity)
    if finite.size:
        bad = k.on_curve(np.ascontiguousarray(rows[finite]), b_rows)
        if bad >= 0:
            raise BackendError(f"points[{int(finite[bad])}]: not on the curve y^2 = x^3 + {'3' if degree == 1 else 'b2'}")
    return bases


class _BasesCache:
    """Converted bases of recently used tuples of points, keyed by identity (the tuple is kept alive)."""

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict[int, tuple[tuple, int, _Bases]] = OrderedDict()

    def get(self, points: Sequence, degree: int) -> _Bases:
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


def msm_jacobian(bases: _Bases, scalars: np.ndarray, degree: int) -> list[int]:
    """The MSM as Jacobian coordinates (ints, Fq2 coordinates flattened c0, c1); scalars as limb rows."""
    c = window_bits(scalars.shape[0])
    scalars = scalars.copy()
    scalars[bases.infinity] = 0
    digits = k.signed_digits(scalars, c, signed_digit_windows(c))
    out = np.zeros((1,) + (3,) + bases.rows.shape[2:], dtype=np.uint64)
    k.pippenger(bases.rows, digits, c, out)
    return unpack(from_montgomery(out.reshape(3 * degree, 4), "q"))


@lru_cache(maxsize=64)
def _twiddles(n: int, inverse: bool) -> np.ndarray:
    w = root_of_unity(n)
    if inverse:
        w = inv(w)
    return k.powers(fr_montgomery(w), max(n // 2, 1))


def _fr_rows(values: Sequence[int]) -> np.ndarray:
    check_domain_size(len(values))
    return to_montgomery(pack_fr(values, "values"), "r")


def _checked_shift(shift: int) -> int:
    check_scalar("shift", shift)
    if shift == 0:
        raise BackendError("shift: must be non-zero (a coset of <w_n> needs an invertible shift)")
    return shift


def _threads_by_size(method):
    """Run ``method`` on one thread when its first argument has fewer than ``PARALLEL_FROM`` items."""

    @functools.wraps(method)
    def run(self, items, *args):
        if len(items) >= PARALLEL_FROM:
            return method(self, items, *args)
        saved = numba.get_num_threads()
        numba.set_num_threads(1)
        try:
            return method(self, items, *args)
        finally:
            numba.set_num_threads(saved)

    return run


def warm_up() -> None:
    """Compile (or load from numba's cache) every CPU kernel: G1 and G2 MSM, NTT, coset transforms."""
    from py_ecc.optimized_bn128 import G1, G2

    backend = CpuBackend()
    backend.msm_g1([G1], [1])
    backend.msm_g2([G2], [1])
    backend.coset_intt(backend.coset_ntt([1, 2], 5), 5)
    backend.intt(backend.ntt([1, 2]))


class CpuBackend:
    """Pippenger MSM (signed digits, windows in parallel) and radix-2 NTT compiled by numba for the CPU."""

    name = "cpu"

    def __init__(self) -> None:
        self._bases = _BasesCache(_BASES_CACHE_SIZE)

    @_threads_by_size
    def msm_g1(self, points, scalars):
        checked = checked_scalars(scalars, len(points))
        if not points:
            return g1_from_jacobian(0, 0, 0)
        x, y, z = msm_jacobian(self._bases.get(points, 1), checked, 1)
        return g1_from_jacobian(x, y, z)

    @_threads_by_size
    def msm_g2(self, points, scalars):
        checked = checked_scalars(scalars, len(points))
        if not points:
            return g2_from_jacobian((0, 0), (0, 0), (0, 0))
        x0, x1, y0, y1, z0, z1 = msm_jacobian(self._bases.get(points, 2), checked, 2)
        return g2_from_jacobian((x0, x1), (y0, y1), (z0, z1))

    def _transform(self, rows: np.ndarray, inverse: bool) -> np.ndarray:
        n = rows.shape[0]
        k.ntt_in_place(rows, _twiddles(n, inverse))
        if inverse:
            scale_rows(rows, inv(n) * (1 << 256) % R, "r")
        return rows

    @_threads_by_size
    def ntt(self, values):
        return unpack(from_montgomery(self._transform(_fr_rows(values), False), "r"))

    @_threads_by_size
    def intt(self, values):
        return unpack(from_montgomery(self._transform(_fr_rows(values), True), "r"))

    @_threads_by_size
    def coset_ntt(self, values, shift):
        rows = _fr_rows(values)
        n = rows.shape[0]
        k.vec_mul(rows, k.powers(fr_montgomery(_checked_shift(shift)), n))
        return unpack(from_montgomery(self._transform(rows, False), "r"))

    @_threads_by_size
    def coset_intt(self, values, shift):
        shift_inv = inv(_checked_shift(shift))
        rows = self._transform(_fr_rows(values), True)
        n = rows.shape[0]
        k.vec_mul(rows, k.powers(fr_montgomery(shift_inv), n))
        return unpack(from_montgomery(rows, "r"))
