"""``GpuBackend`` ("gpu"): the CPU backend's algorithms as numba.cuda kernels, driven from the host.

This module is the host driver: it converts inputs with the shared limb helpers
(``reference.fast.limbs``), moves 32-bit lanes to and from the device, launches the kernels of
``reference.fast.gpu_kernels`` and finishes on the CPU (prefix sums of the bucket counts, the sum of
the MSM segments and the combination of the windows, which are few points).

numba.cuda rather than CuPy RawKernel: the kernels stay in Python next to the CPU ones, need no CUDA C
toolchain at import, and run unchanged under numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``), which
is how CI exercises them on machines without a GPU.
"""
from __future__ import annotations

import os
from functools import lru_cache

import numpy as np
from numba import cuda

from reference.fast import _kernels as k
from reference.fast import gpu_kernels as kernels
from reference.fast.convert import checked_scalars, g1_from_jacobian, g2_from_jacobian, pack, unpack
from reference.fast.limbs import (
    BasesCache,
    checked_shift,
    fr_montgomery,
    fr_rows,
    from_montgomery,
    scale_rows,
    signed_digit_windows,
    to_montgomery,
    twiddles,
    window_bits,
)
from reference.zk.field import R, check_domain_size, inv

SIMULATED = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"
THREADS = 32 if SIMULATED else 128
SEGMENT = 4 if SIMULATED else 64


def to_lanes(rows: np.ndarray) -> np.ndarray:
    """uint64 rows of 4 limbs (any leading shape) as uint64 lanes of 8 x 32-bit limbs, flattened per row."""
    lanes = np.ascontiguousarray(rows).view("<u4").astype(np.uint64)
    return lanes.reshape(rows.shape[0], -1)


def from_lanes(lanes: np.ndarray, shape: tuple) -> np.ndarray:
    """The inverse of ``to_lanes``: uint64 rows of 4 limbs of the given shape."""
    return np.ascontiguousarray(lanes.astype("<u4")).view("<u8").reshape(shape)


def _blocks(count: int) -> int:
    return max(1, (count + THREADS - 1) // THREADS)


def gpu_available() -> bool:
    """True when numba sees a CUDA device (or the CUDA simulator is on)."""
    try:
        return bool(cuda.is_available())
    except Exception:
        return False


@lru_cache(maxsize=32)
def _device_twiddles(n: int, inverse: bool):
    return cuda.to_device(to_lanes(twiddles(n, inverse)))


class GpuBackend:
    """Pippenger MSM and radix-2 NTT as CUDA kernels (numba.cuda); host work is conversion and bookkeeping."""

    name = "gpu"

    def __init__(self) -> None:
        if not gpu_available():
            raise RuntimeError("no CUDA device visible to numba (set NUMBA_ENABLE_CUDASIM=1 for the simulator)")
        self._bases = BasesCache()

    def _msm(self, points, scalars, degree: int) -> list[int]:
        width = 8 * degree
        bases = self._bases.get(points, degree)
        rows = scalars.copy()
        rows[bases.infinity] = 0
        n = rows.shape[0]
        c = window_bits(n)
        half = 1 << (c - 1)
        segment = min(SEGMENT, half)
        windows = signed_digit_windows(c)
        digits = cuda.to_device(k.signed_digits(rows, c, windows))
        counts = cuda.to_device(np.zeros(windows * half, dtype=np.int64))
        kernels.count_buckets[_blocks(windows * n), THREADS](digits, half, counts)
        starts = np.zeros(windows * half + 1, dtype=np.int64)
        np.cumsum(counts.copy_to_host(), out=starts[1:])
        entries = cuda.device_array(max(int(starts[-1]), 1), dtype=np.int64)
        kernels.scatter_buckets[_blocks(windows * n), THREADS](digits, half, cuda.to_device(starts[:-1].copy()), entries)
        accumulate, reduce_segments = kernels.G1_KERNELS if degree == 1 else kernels.G2_KERNELS
        if bases.device is None:
            bases.device = cuda.to_device(to_lanes(bases.rows))
        points_dev = bases.device
        buckets = cuda.device_array((windows * half, 3 * width), dtype=np.uint64)
        accumulate[_blocks(windows * half), THREADS](points_dev, entries, cuda.to_device(starts), buckets)
        segments = windows * (half // segment)
        partial = cuda.device_array((segments, 3 * width), dtype=np.uint64)
        reduce_segments[_blocks(segments), THREADS](buckets, half, segment, partial)
        field_shape = (4,) if degree == 1 else (2, 4)
        sums = from_lanes(partial.copy_to_host(), (segments, 3) + field_shape)
        out = np.zeros((1, 3) + field_shape, dtype=np.uint64)
        k.combine_windows(sums, half // segment, c, out)
        return unpack(from_montgomery(out.reshape(3 * degree, 4), "q"))

    def msm_g1(self, points, scalars):
        rows = checked_scalars(scalars, len(points))
        if not points:
            return g1_from_jacobian(0, 0, 0)
        return g1_from_jacobian(*self._msm(points, rows, 1))

    def msm_g2(self, points, scalars):
        rows = checked_scalars(scalars, len(points))
        if not points:
            return g2_from_jacobian((0, 0), (0, 0), (0, 0))
        x0, x1, y0, y1, z0, z1 = self._msm(points, rows, 2)
        return g2_from_jacobian((x0, x1), (y0, y1), (z0, z1))

    def ntt_on_device(self, src, inverse: bool):
        """The (unscaled) NTT of the Montgomery lanes ``src`` (a device array, n rows of 8), as a new device array."""
        n = src.shape[0]
        a = cuda.device_array_like(src)
        kernels.bit_reverse[_blocks(n), THREADS](src, a, n.bit_length() - 1)
        roots = _device_twiddles(n, inverse)
        half = 1
        while half < n:
            kernels.butterflies[_blocks(n // 2), THREADS](a, roots, half, n // (2 * half))
            half <<= 1
        return a

    def _transform(self, values, inverse: bool, pre=None, post=None) -> list[int]:
        """NTT on the device; ``pre``/``post`` are Fr factors (ints) multiplied row-wise before/after."""
        n = len(values)
        rows = fr_rows(values)
        if pre is not None:
            k.vec_mul(rows, pre)
        a = self.ntt_on_device(cuda.to_device(to_lanes(rows)), inverse)
        if post is not None:
            kernels.vec_mul[_blocks(n), THREADS](a, cuda.to_device(to_lanes(post)))
        out = from_lanes(a.copy_to_host(), (n, 4))
        return unpack(from_montgomery(out, "r"))

    def ntt(self, values):
        return self._transform(values, False)

    def intt(self, values):
        n = len(values)
        check_domain_size(n)
        return self._transform(values, True, post=_fr_row(inv(n)))

    def coset_ntt(self, values, shift):
        check_domain_size(len(values))
        powers = k.powers(fr_montgomery(checked_shift(shift)), len(values))
        return self._transform(values, False, pre=powers)

    def coset_intt(self, values, shift):
        n = len(values)
        check_domain_size(n)
        powers = k.powers(fr_montgomery(inv(checked_shift(shift))), n)
        scale_rows(powers, inv(n) * (1 << 256) % R, "r")
        return self._transform(values, True, post=powers)


def _fr_row(value: int) -> np.ndarray:
    """One Fr element as a Montgomery-form row."""
    return to_montgomery(pack([value]), "r")
