"""The native pairing (mcl through ``mclbn256``) against py_ecc: the same answer on the pairing
vectors, on precompile-format inputs (valid and malformed, EIP-197 layout), on G2 subgroup
membership and on the public-input combination of a verifying key."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from py_ecc.optimized_bn128 import FQ2, G1, G2, add, b2, is_on_curve, multiply, neg

from reference.zk import native
from reference.zk.curve import (
    CurveError, g1_from_affine, g1_to_affine, g2_from_affine, g2_to_affine, is_infinity, pairing_check,
    pairing_check_reference,
)
from reference.zk.field import Q, R

pytestmark = pytest.mark.skipif(not native.available(), reason="mclbn256 does not load on this machine")
VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "zk" / "pairing.json"


def _precompile(data: bytes, check):
    """EIP-197 semantics: 1/0 for a well-formed input, None (the call fails) otherwise. Each pair is
    x, y of G1 then x.c1, x.c0, y.c1, y.c0 of G2 (32-byte big-endian words)."""
    if len(data) % 192:
        return None
    words = [int.from_bytes(data[i : i + 32], "big") for i in range(0, len(data), 32)]
    pairs = []
    try:
        for i in range(0, len(words), 6):
            p = g1_from_affine(words[i], words[i + 1], "g1")
            q = g2_from_affine((words[i + 3], words[i + 2]), (words[i + 5], words[i + 4]), "g2")
            pairs.append((p, q))
        return int(check(pairs))
    except CurveError:
        return None


def _encode(pairs) -> bytes:
    out = b""
    for p, q in pairs:
        (x, y), ((x0, x1), (y0, y1)) = p, q
        out += b"".join(v.to_bytes(32, "big") for v in (x, y, x1, x0, y1, y0))
    return out


def _twist_point_outside_subgroup():
    """A point on the twist y^2 = x^3 + b2 whose order is not r (the cofactor is not 1)."""
    x = FQ2([1, 0])
    while True:
        rhs = x ** 3 + b2
        # square root in Fq2 (q = 3 mod 4): Adj & Rodriguez-Henriquez, algorithm 9
        a1 = rhs ** ((Q - 3) // 4)
        alpha = a1 * a1 * rhs
        a0 = alpha ** Q * alpha
        if a0 != FQ2([Q - 1, 0]):
            x0 = a1 * rhs
            y = FQ2([0, 1]) * x0 if alpha == FQ2([Q - 1, 0]) else (FQ2([1, 0]) + alpha) ** ((Q - 1) // 2) * x0
            point = (x, y, FQ2.one())
            assert is_on_curve(point, b2) and y * y == rhs
            if not is_infinity(multiply(point, R)):
                return tuple(int(c) for c in x.coeffs), tuple(int(c) for c in y.coeffs)
        x = x + FQ2([1, 0])


def test_pairing_vectors_agree():
    for case in json.loads(VECTORS.read_text())["cases"]:
        pairs = [(g1_from_affine(*map(int, p["g1"])),
                  g2_from_affine(tuple(map(int, p["g2"][0])), tuple(map(int, p["g2"][1])))) for p in case["pairs"]]
        assert pairing_check(pairs) == case["expected"], case["label"]


def test_precompile_inputs_valid_and_malformed_agree():
    rng = random.Random(197)
    a, b = rng.randrange(1, R), rng.randrange(1, R)
    pa, qb = g1_to_affine(multiply(G1, a)), g2_to_affine(multiply(G2, b))
    pab, q1 = g1_to_affine(neg(multiply(G1, a * b % R))), g2_to_affine(G2)
    bad_x, bad_y = _twist_point_outside_subgroup()
    cases = {
        "empty": b"",
        "cancelling pair of pairs": _encode([(pa, qb), (pab, q1)]),
        "not cancelling": _encode([(pa, qb), (g1_to_affine(multiply(G1, 2)), q1)]),
        "infinity in G1 and G2": _encode([((0, 0), qb), (pa, ((0, 0), (0, 0)))]),
        "single generator pair": _encode([(g1_to_affine(G1), q1)]),
        "length not a multiple of 192": _encode([(pa, qb)])[:-1],
        "G1 coordinate = q": _encode([((Q, pa[1]), qb)]),
        "G1 off the curve": _encode([((pa[0], (pa[1] + 1) % Q), qb)]),
        "G2 coordinate >= q": _encode([(pa, ((qb[0][0] + Q, qb[0][1]), qb[1]))]),
        "G2 off the twist": _encode([(pa, (qb[0], (qb[1][0], (qb[1][1] + 1) % Q)))]),
        "G2 on the twist, outside the subgroup": _encode([(pa, (bad_x, bad_y))]),
    }
    expected = {"empty": 1, "cancelling pair of pairs": 1, "not cancelling": 0, "infinity in G1 and G2": 1,
                "single generator pair": 0}
    for name, data in cases.items():
        fast = _precompile(data, pairing_check)
        assert fast == _precompile(data, pairing_check_reference), name
        assert fast == expected.get(name), name


def test_g2_subgroup_test_agrees_with_multiplication_by_r():
    x, y = _twist_point_outside_subgroup()
    assert not native.g2_in_subgroup(x, y)
    with pytest.raises(CurveError, match="subgroup"):
        g2_from_affine(x, y)
    for k in (1, 2, 12345, R - 1):
        (x0, x1), (y0, y1) = g2_to_affine(multiply(G2, k))
        assert native.g2_in_subgroup((x0, x1), (y0, y1))


def test_public_input_combination_matches_py_ecc():
    rng = random.Random(5)
    points = [multiply(G1, rng.randrange(1, R)) for _ in range(5)]
    scalars = [1, 0, R - 1, rng.randrange(R), rng.randrange(R)]
    expected = None
    for p, k in zip(points, scalars):
        term = multiply(p, k)
        expected = term if expected is None else add(expected, term)
    got = native.g1_lincomb([g1_to_affine(p) for p in points], scalars)
    assert got == g1_to_affine(expected)
    assert native.g1_lincomb([g1_to_affine(G1), g1_to_affine(neg(G1))], [1, 1]) == (0, 0)
