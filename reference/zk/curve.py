"""BN254 groups G1, G2 and the pairing check, on ``py_ecc.optimized_bn128``.

Points are projective tuples (x, y, z) of FQ (G1) or FQ2 (G2); z == 0 is the point at infinity.
``pairing_check`` has the semantics of the Ethereum BN254 pairing precompile: it holds iff
``prod_i e(P_i, Q_i) == 1``, computed as one product of Miller loops and one final exponentiation.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from py_ecc.optimized_bn128 import (
    FQ,
    FQ2,
    FQ12,
    G1,
    G2,
    Z1,
    Z2,
    add,
    b,
    b2,
    curve_order,
    double,
    eq,
    final_exponentiate,
    is_on_curve,
    multiply,
    neg,
    normalize,
    twist,
)
from py_ecc.optimized_bn128.optimized_pairing import cast_point_to_fq12, miller_loop

from reference.zk.field import Q, R

assert curve_order == R

__all__ = [
    "FQ", "FQ2", "G1", "G2", "Z1", "Z2", "add", "double", "eq", "neg", "multiply", "normalize",
    "CurveError", "is_infinity", "g1_from_affine", "g2_from_affine", "g1_to_affine", "g2_to_affine",
    "FixedBase", "pairing_check", "pairing_check_reference",
]

class CurveError(ValueError):
    """A point is malformed, off the curve or outside the prime-order subgroup."""


def is_infinity(point) -> bool:
    return point[2] == point[2].zero()


def _coord(name: str, value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < Q:
        raise CurveError(f"{name}: {value!r} is not a base-field element in [0, q)")
    return value


def g1_from_affine(x: int, y: int, name: str = "point"):
    """The G1 point (x, y); (0, 0) is infinity. Raises CurveError if it is not on the curve."""
    _coord(f"{name}.x", x)
    _coord(f"{name}.y", y)
    if x == 0 and y == 0:
        return Z1
    point = (FQ(x), FQ(y), FQ.one())
    if not is_on_curve(point, b):
        raise CurveError(f"{name}: ({x}, {y}) is not on the BN254 G1 curve")
    return point


def g2_from_affine(x: tuple[int, int], y: tuple[int, int], name: str = "point", subgroup: bool = True):
    """The G2 point with coordinates x = x0 + x1*u, y = y0 + y1*u; all zeros is infinity.

    Raises CurveError if it is off the twist curve or (when ``subgroup``) not of order r.
    """
    for label, v in (("x0", x[0]), ("x1", x[1]), ("y0", y[0]), ("y1", y[1])):
        _coord(f"{name}.{label}", v)
    if x == (0, 0) and y == (0, 0):
        return Z2
    point = (FQ2(list(x)), FQ2(list(y)), FQ2.one())
    if not is_on_curve(point, b2):
        raise CurveError(f"{name}: not on the BN254 G2 twist curve")
    if subgroup and not _g2_in_subgroup(point, x, y):
        raise CurveError(f"{name}: not in the order-r subgroup of G2")
    return point


def _g2_in_subgroup(point, x, y) -> bool:
    """r * point == infinity (mcl's native test where it loads, else py_ecc)."""
    from reference.zk import native

    if native.available():
        return native.g2_in_subgroup(x, y)
    return is_infinity(multiply(point, R))


def g1_to_affine(point) -> tuple[int, int]:
    """Affine (x, y) as ints; infinity is (0, 0)."""
    if is_infinity(point):
        return (0, 0)
    x, y = (point[0], point[1]) if point[2] == point[2].one() else normalize(point)
    return (x.n, y.n)


def g2_to_affine(point) -> tuple[tuple[int, int], tuple[int, int]]:
    """Affine ((x0, x1), (y0, y1)) as ints; infinity is all zeros."""
    if is_infinity(point):
        return ((0, 0), (0, 0))
    x, y = (point[0], point[1]) if point[2] == point[2].one() else normalize(point)
    return ((int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1])))


class FixedBase:
    """Scalar multiples of one base point from a table of ``window``-bit digits:
    table[i][d] = d * 2^(window*i) * base."""

    def __init__(self, base, zero, window: int = 4):
        self.zero = zero
        self.window = window
        self.table = []
        power = base
        for _ in range((R.bit_length() + window - 1) // window):
            row = [zero, power]
            for _ in range(2, 1 << window):
                row.append(add(row[-1], power))
            self.table.append(row)
            for _ in range(window):
                power = double(power)

    def mul(self, scalar: int):
        """scalar * base for scalar in [0, r)."""
        acc = self.zero
        mask = (1 << self.window) - 1
        k = scalar % R
        i = 0
        while k:
            d = k & mask
            if d:
                acc = add(acc, self.table[i][d])
            k >>= self.window
            i += 1
        return acc


def fixed_base_window(multiplications: int) -> int:
    """4-bit digits for few multiplications, 8-bit (costlier table, half the additions) for many."""
    return 8 if multiplications >= 2048 else 4


@lru_cache(maxsize=None)
def fixed_base_g1(window: int = 4) -> FixedBase:
    return FixedBase(G1, Z1, window)


@lru_cache(maxsize=None)
def fixed_base_g2(window: int = 4) -> FixedBase:
    return FixedBase(G2, Z2, window)


def pairing_check(pairs: Sequence[tuple]) -> bool:
    """True iff prod e(P_i, Q_i) == 1 over pairs (P_i in G1, Q_i in G2), one final exponentiation.

    Points are checked on their curves here; the product runs natively (``reference.zk.native``,
    mcl) where it loads and otherwise by ``pairing_check_reference`` (py_ecc)."""
    from reference.zk import native

    if not native.available():
        return pairing_check_reference(pairs)
    affine = []
    for i, (p, q) in enumerate(pairs):
        if not is_on_curve(p, b):
            raise CurveError(f"pairs[{i}].g1: not on the G1 curve")
        if not is_on_curve(q, b2):
            raise CurveError(f"pairs[{i}].g2: not on the G2 twist curve")
        affine.append((g1_to_affine(p), g2_to_affine(q)))
    try:
        return native.pairing_check(affine)
    except ValueError as exc:
        raise CurveError(str(exc)) from exc


def pairing_check_reference(pairs: Sequence[tuple]) -> bool:
    """``pairing_check`` on py_ecc: the definition the native path is tested against."""
    f = FQ12.one()
    for i, (p, q) in enumerate(pairs):
        if not is_on_curve(p, b):
            raise CurveError(f"pairs[{i}].g1: not on the G1 curve")
        if not is_on_curve(q, b2):
            raise CurveError(f"pairs[{i}].g2: not on the G2 twist curve")
        if is_infinity(p) or is_infinity(q):
            continue
        f = f * miller_loop(twist(q), cast_point_to_fq12(p), final_exponentiate=False)
    return final_exponentiate(f) == FQ12.one()
