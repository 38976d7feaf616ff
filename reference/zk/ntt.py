"""Number-theoretic transforms over Fr on the domain <w_n>, w_n = 5^((R-1)/n) (see `field`).

``ntt(a)[i] = sum_j a[j] * w_n^(i*j)``: coefficients in, evaluations out, both in natural order.
The coset variants evaluate at ``shift * w_n^i``.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from reference.zk.field import R, check_domain_size, check_scalar, inv, root_of_unity


@lru_cache(maxsize=32)
def _twiddles(n: int, inverse: bool) -> tuple[int, ...]:
    w = root_of_unity(n)
    if inverse:
        w = inv(w)
    out = [1] * (n // 2)
    for i in range(1, n // 2):
        out[i] = out[i - 1] * w % R
    return tuple(out)


def _bit_reverse(values: list[int], log_n: int) -> list[int]:
    n = len(values)
    out = [0] * n
    for i in range(n):
        out[int(format(i, f"0{log_n}b")[::-1], 2) if log_n else 0] = values[i]
    return out


def _transform(values: Sequence[int], inverse: bool) -> list[int]:
    n = len(values)
    log_n = check_domain_size(n)
    for i, v in enumerate(values):
        check_scalar(f"values[{i}]", v)
    a = _bit_reverse(list(values), log_n)
    tw = _twiddles(n, inverse)
    size = 2
    while size <= n:
        half = size // 2
        step = n // size
        for start in range(0, n, size):
            for k in range(half):
                u = a[start + k]
                t = a[start + k + half] * tw[k * step] % R
                a[start + k] = (u + t) % R
                a[start + k + half] = (u - t) % R
        size *= 2
    if inverse:
        n_inv = inv(n)
        a = [x * n_inv % R for x in a]
    return a


def ntt(values: Sequence[int]) -> list[int]:
    """Evaluations of the polynomial with coefficients ``values`` at w_n^0 .. w_n^(n-1)."""
    return _transform(values, inverse=False)


def intt(values: Sequence[int]) -> list[int]:
    """Coefficients of the polynomial of degree < n taking ``values`` on <w_n>."""
    return _transform(values, inverse=True)


def coset_ntt(values: Sequence[int], shift: int) -> list[int]:
    """Evaluations at shift * w_n^i of the polynomial with coefficients ``values``."""
    check_scalar("shift", shift)
    if shift == 0:
        raise ValueError("shift: must be non-zero")
    scaled, power = [], 1
    for i, v in enumerate(values):
        scaled.append(check_scalar(f"values[{i}]", v) * power % R)
        power = power * shift % R
    return ntt(scaled)


def coset_intt(values: Sequence[int], shift: int) -> list[int]:
    """Coefficients of the polynomial of degree < n taking ``values`` at shift * w_n^i."""
    check_scalar("shift", shift)
    if shift == 0:
        raise ValueError("shift: must be non-zero")
    coeffs = intt(values)
    shift_inv, power = inv(shift), 1
    for i in range(len(coeffs)):
        coeffs[i] = coeffs[i] * power % R
        power = power * shift_inv % R
    return coeffs
