"""``CpuBackend`` ("cpu"): numba-compiled Pippenger MSM and radix-2 NTT on 64-bit Montgomery limbs.

Same results as ``reference.zk.backend.ReferenceBackend`` bit for bit. Points enter and leave as py_ecc
points; scalars and NTT values as ints. Converted affine bases of a tuple of points are kept (the tuple
is held, so its id stays unique) because a proving key's bases are reused by every proof.
"""
from __future__ import annotations

import functools

import numba
import numpy as np

from reference.fast import _kernels as k
from reference.fast import _kernels_fr as kf
from reference.fast.convert import checked_scalars, g1_from_jacobian, g2_from_jacobian, unpack
from reference.fast.limbs import (
    Bases,
    BasesCache,
    checked_shift,
    fr_montgomery,
    fr_rows,
    from_montgomery,
    scale_rows,
    signed_digit_windows,
    twiddles,
    window_bits,
)
from reference.zk.field import R, inv

PARALLEL_FROM = 1 << 13


def msm_jacobian(bases: Bases, scalars: np.ndarray, degree: int) -> list[int]:
    """The MSM as Jacobian coordinates (ints, Fq2 coordinates flattened c0, c1); scalars as limb rows."""
    c = window_bits(max(int(bases.infinity.size - bases.infinity.sum()), 1), numba.get_num_threads())
    scalars = scalars.copy()
    scalars[bases.infinity] = 0
    digits = k.signed_digits(scalars, c, signed_digit_windows(c))
    out = np.zeros((1,) + (3,) + bases.rows.shape[2:], dtype=np.uint64)
    k.pippenger(bases.rows, digits, c, out)
    return unpack(from_montgomery(out.reshape(3 * degree, 4), "q"))


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
        self._bases = BasesCache()

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
        kf.ntt_in_place(rows, twiddles(n, inverse))
        if inverse:
            scale_rows(rows, inv(n) * (1 << 256) % R, "r")
        return rows

    @_threads_by_size
    def ntt(self, values):
        return unpack(from_montgomery(self._transform(fr_rows(values), False), "r"))

    @_threads_by_size
    def intt(self, values):
        return unpack(from_montgomery(self._transform(fr_rows(values), True), "r"))

    @_threads_by_size
    def coset_ntt(self, values, shift):
        rows = fr_rows(values)
        n = rows.shape[0]
        k.vec_mul(rows, k.powers(fr_montgomery(checked_shift(shift)), n))
        return unpack(from_montgomery(self._transform(rows, False), "r"))

    @_threads_by_size
    def coset_intt(self, values, shift):
        shift_inv = inv(checked_shift(shift))
        rows = self._transform(fr_rows(values), True)
        n = rows.shape[0]
        k.vec_mul(rows, k.powers(fr_montgomery(shift_inv), n))
        return unpack(from_montgomery(rows, "r"))
