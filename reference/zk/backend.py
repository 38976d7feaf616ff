"""The prover's backend contract: every heavy primitive of Groth16 goes through one object.

Points are ``py_ecc.optimized_bn128`` points in projective coordinates (tuples of FQ for G1,
FQ2 for G2); the point at infinity has z == 0. Scalars are Python ints in [0, r).
NTT domains are the subgroups <w_n> of Fr with ``w_n = 5^((r-1)/n) mod r`` (5 generates Fr*,
n a power of two up to 2^28); inputs and outputs are in natural order.

``ReferenceBackend`` ("reference") is the definition; other backends must agree with it
bit for bit. ``reference.fast.get_backend(name)`` returns any backend by name.
"""
from __future__ import annotations

from typing import Protocol, Sequence

from py_ecc.optimized_bn128 import FQ, FQ2, Z1, Z2, add, double

from reference.zk import ntt as _ntt
from reference.zk.field import R, check_scalar

G1 = tuple[FQ, FQ, FQ]
G2 = tuple[FQ2, FQ2, FQ2]


class Backend(Protocol):
    name: str

    def msm_g1(self, points: Sequence[G1], scalars: Sequence[int]) -> G1: ...

    def msm_g2(self, points: Sequence[G2], scalars: Sequence[int]) -> G2: ...

    def ntt(self, values: Sequence[int]) -> list[int]: ...  # coefficients -> evaluations on <w_n>, n = len(values) power of two, natural order

    def intt(self, values: Sequence[int]) -> list[int]: ...  # inverse

    def coset_ntt(self, values: Sequence[int], shift: int) -> list[int]: ...  # evaluations at shift*w_n^i

    def coset_intt(self, values: Sequence[int], shift: int) -> list[int]: ...


class BackendError(ValueError):
    """A backend was asked for something it cannot do (unknown name, bad MSM input)."""


class BackendUnavailable(BackendError):
    """A known backend cannot be loaded on this machine."""


def _is_infinity(point) -> bool:
    return point[2] == point[2].zero()


def pippenger(points: Sequence, scalars: Sequence[int], zero):
    """sum_i scalars[i] * points[i] by the bucket method (windows of c bits, c ~ log2(n) - 2)."""
    if len(points) != len(scalars):
        raise BackendError(f"msm: {len(points)} points but {len(scalars)} scalars")
    pairs = []
    for i, (p, s) in enumerate(zip(points, scalars)):
        check_scalar(f"scalars[{i}]", s)
        if s and not _is_infinity(p):
            pairs.append((p, s))
    if not pairs:
        return zero
    c = max(1, len(pairs).bit_length() - 2)
    windows = (R.bit_length() + c - 1) // c
    mask = (1 << c) - 1
    total = zero
    for w in range(windows - 1, -1, -1):
        for _ in range(c):
            total = double(total)
        buckets = [None] * (mask + 1)
        shift = w * c
        for p, s in pairs:
            d = (s >> shift) & mask
            if d:
                b = buckets[d]
                buckets[d] = p if b is None else add(b, p)
        running, acc = zero, zero
        for d in range(mask, 0, -1):
            if buckets[d] is not None:
                running = add(running, buckets[d])
            acc = add(acc, running)
        total = add(total, acc)
    return total


class ReferenceBackend:
    """Plain Python: Pippenger MSM over py_ecc point additions, radix-2 NTT over ints."""

    name = "reference"

    def msm_g1(self, points: Sequence[G1], scalars: Sequence[int]) -> G1:
        return pippenger(points, scalars, Z1)

    def msm_g2(self, points: Sequence[G2], scalars: Sequence[int]) -> G2:
        return pippenger(points, scalars, Z2)

    def ntt(self, values: Sequence[int]) -> list[int]:
        return _ntt.ntt(values)

    def intt(self, values: Sequence[int]) -> list[int]:
        return _ntt.intt(values)

    def coset_ntt(self, values: Sequence[int], shift: int) -> list[int]:
        return _ntt.coset_ntt(values, shift)

    def coset_intt(self, values: Sequence[int], shift: int) -> list[int]:
        return _ntt.coset_intt(values, shift)

