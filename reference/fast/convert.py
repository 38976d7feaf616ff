"""The boundary between py_ecc points / Python ints and limb arrays, shared by the CPU and GPU backends.

Limb arrays are little-endian uint64 rows of four limbs per field element (the GPU views the same bytes
as eight 32-bit limbs). Montgomery form is ``a * 2^256 mod m`` for both layouts.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from py_ecc.optimized_bn128 import FQ, FQ2, Z1, Z2

from reference.zk.backend import BackendError
from reference.zk.field import Q, R, check_scalar


def pack(values: Sequence[int]) -> np.ndarray:
    """Ints in [0, 2^256) as an ``(n, 4)`` uint64 array."""
    data = b"".join(v.to_bytes(32, "little") for v in values)
    return np.frombuffer(data, dtype="<u8").reshape(len(values), 4).copy()


def unpack(rows: np.ndarray) -> list[int]:
    """The ints held by the rows of an ``(n, 4)`` uint64 array."""
    data = np.ascontiguousarray(rows, dtype="<u8").tobytes()
    return [int.from_bytes(data[i : i + 32], "little") for i in range(0, len(data), 32)]


def _rows_below(rows: np.ndarray, modulus: int) -> np.ndarray:
    m = np.frombuffer(modulus.to_bytes(32, "little"), dtype="<u8")
    greater = np.zeros(rows.shape[0], dtype=bool)
    equal = np.ones(rows.shape[0], dtype=bool)
    for limb in range(3, -1, -1):
        greater |= equal & (rows[:, limb] > m[limb])
        equal &= rows[:, limb] == m[limb]
    return ~(greater | equal)


def pack_fr(values: Sequence[int], name: str) -> np.ndarray:
    """Ints checked to lie in [0, r), as an ``(n, 4)`` uint64 array; the first bad one is named."""
    values = list(values)
    rows = None
    if set(map(type, values)) <= {int}:
        try:
            rows = pack(values)
        except OverflowError:
            rows = None
    below = _rows_below(rows, R) if rows is not None else np.zeros(len(values), dtype=bool)
    if not below.all():
        for i in np.flatnonzero(~below):
            check_scalar(f"{name}[{i}]", values[i])
    return rows


def checked_scalars(scalars: Sequence[int], count: int) -> np.ndarray:
    """``scalars`` as limb rows after checking there are ``count`` of them, each an int in [0, r)."""
    if len(scalars) != count:
        raise BackendError(f"msm: {count} points but {len(scalars)} scalars")
    return pack_fr(scalars, "scalars")


def batch_inverse(values: list[int], modulus: int) -> list[int]:
    """Inverses modulo ``modulus`` of non-zero values with one modular inversion (Montgomery's trick)."""
    prefix = [1] * (len(values) + 1)
    for i, v in enumerate(values):
        prefix[i + 1] = prefix[i] * v % modulus
    acc = pow(prefix[-1], -1, modulus)
    out = [0] * len(values)
    for i in range(len(values) - 1, -1, -1):
        out[i] = acc * prefix[i] % modulus
        acc = acc * values[i] % modulus
    return out


def _fq2_inv(a0: int, a1: int) -> tuple[int, int]:
    norm_inv = pow(a0 * a0 + a1 * a1, -1, Q)
    return a0 * norm_inv % Q, -a1 * norm_inv % Q


def _fq2_mul(a0: int, a1: int, b0: int, b1: int) -> tuple[int, int]:
    return (a0 * b0 - a1 * b1) % Q, (a0 * b1 + a1 * b0) % Q


def affine_g1(points: Sequence) -> tuple[list[int], list[bool]]:
    """Flat ``[x0, y0, x1, y1, ...]`` affine coordinates and an is-infinity flag per point."""
    xyz = []
    for i, p in enumerate(points):
        if len(p) != 3 or not all(isinstance(c, FQ) for c in p):
            raise BackendError(f"points[{i}]: expected a projective G1 point (three FQ), got {p!r}")
        xyz.append((p[0].n, p[1].n, p[2].n))
    infinity = [z == 0 for _, _, z in xyz]
    scaled = [i for i, (_, _, z) in enumerate(xyz) if z not in (0, 1)]
    inverses = dict(zip(scaled, batch_inverse([xyz[i][2] for i in scaled], Q)))
    coords: list[int] = []
    for i, (x, y, z) in enumerate(xyz):
        if z == 0:
            coords += (0, 0)
        elif z == 1:
            coords += (x, y)
        else:
            z_inv = inverses[i]
            coords += (x * z_inv % Q, y * z_inv % Q)
    return coords, infinity


def affine_g2(points: Sequence) -> tuple[list[int], list[bool]]:
    """Flat ``[x0.c0, x0.c1, y0.c0, y0.c1, ...]`` affine coordinates and an is-infinity flag per point."""
    xyz = []
    for i, p in enumerate(points):
        if len(p) != 3 or not all(isinstance(c, FQ2) for c in p):
            raise BackendError(f"points[{i}]: expected a projective G2 point (three FQ2), got {p!r}")
        xyz.append(tuple(tuple(int(v) for v in c.coeffs) for c in p))
    infinity = [z == (0, 0) for _, _, z in xyz]
    scaled = [i for i, (_, _, z) in enumerate(xyz) if z not in ((0, 0), (1, 0))]
    norm_inverses = batch_inverse([xyz[i][2][0] ** 2 + xyz[i][2][1] ** 2 for i in scaled], Q)
    inverses = {i: (xyz[i][2][0] * n % Q, -xyz[i][2][1] * n % Q) for i, n in zip(scaled, norm_inverses)}
    coords: list[int] = []
    for i, ((x0, x1), (y0, y1), z) in enumerate(xyz):
        if z == (0, 0):
            coords += (0, 0, 0, 0)
        elif z == (1, 0):
            coords += (x0, x1, y0, y1)
        else:
            coords += (*_fq2_mul(x0, x1, *inverses[i]), *_fq2_mul(y0, y1, *inverses[i]))
    return coords, infinity


def g1_from_jacobian(x: int, y: int, z: int):
    """The py_ecc point (affine, z = 1) equal to the Jacobian ``(x, y, z)``."""
    if z == 0:
        return Z1
    z_inv = pow(z, -1, Q)
    z_inv2 = z_inv * z_inv % Q
    return (FQ(x * z_inv2), FQ(y * z_inv2 * z_inv), FQ(1))


def g2_from_jacobian(x: tuple[int, int], y: tuple[int, int], z: tuple[int, int]):
    """The py_ecc point (affine, z = 1) equal to the Jacobian ``(x, y, z)`` over Fq2."""
    if z == (0, 0):
        return Z2
    i0, i1 = _fq2_inv(*z)
    i2 = _fq2_mul(i0, i1, i0, i1)
    i3 = _fq2_mul(*i2, i0, i1)
    return (FQ2(list(_fq2_mul(*x, *i2))), FQ2(list(_fq2_mul(*y, *i3))), FQ2([1, 0]))
