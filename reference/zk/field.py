"""BN254 fields: the scalar field Fr (order R) and the base field Fq (order Q).

Elements are plain Python ints in [0, R) (resp. [0, Q)). The multiplicative group of Fr has
2-adicity 28; 5 generates it, so the root of unity of order n (a power of two, n <= 2^28) is
``w_n = 5^((R - 1) / n) mod R``. This fixes the evaluation domain of every NTT in the project.
"""
from __future__ import annotations

from functools import lru_cache

R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583
GENERATOR = 5
TWO_ADICITY = 28


class FieldError(ValueError):
    """A value is not a canonical field element, or a domain size is not allowed."""


def check_scalar(name: str, value: int) -> int:
    """Return ``value`` if it is an int in [0, R); raise FieldError naming ``name`` otherwise."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise FieldError(f"{name}: expected an int in [0, r), got {type(value).__name__}")
    if not 0 <= value < R:
        raise FieldError(f"{name}: {value} is not in [0, r)")
    return value


def inv(a: int) -> int:
    """Multiplicative inverse in Fr; zero has none."""
    if a % R == 0:
        raise FieldError("inv: zero has no inverse in Fr")
    return pow(a, R - 2, R)


def batch_inv(values: list[int]) -> list[int]:
    """Inverses of non-zero Fr elements with one field inversion (Montgomery's trick)."""
    prefix = [1] * (len(values) + 1)
    for i, v in enumerate(values):
        if v % R == 0:
            raise FieldError(f"batch_inv: element {i} is zero")
        prefix[i + 1] = prefix[i] * v % R
    acc = inv(prefix[-1])
    out = [0] * len(values)
    for i in range(len(values) - 1, -1, -1):
        out[i] = acc * prefix[i] % R
        acc = acc * values[i] % R
    return out


def check_domain_size(n: int) -> int:
    """Return log2(n) if n is a power of two with 1 <= n <= 2^28; raise FieldError otherwise."""
    if not isinstance(n, int) or n < 1 or n & (n - 1):
        raise FieldError(f"domain size: {n} is not a power of two")
    log_n = n.bit_length() - 1
    if log_n > TWO_ADICITY:
        raise FieldError(f"domain size: 2^{log_n} exceeds the 2-adicity 2^{TWO_ADICITY} of Fr")
    return log_n


@lru_cache(maxsize=None)
def root_of_unity(n: int) -> int:
    """The primitive n-th root of unity ``5^((R - 1) / n) mod R``."""
    check_domain_size(n)
    return pow(GENERATOR, (R - 1) // n, R)


@lru_cache(maxsize=8)
def galois_field():
    """The galois GF(R) class (oracle for tests), built without the slow primitivity search."""
    import galois

    return galois.GF(R, primitive_element=GENERATOR, verify=False)
