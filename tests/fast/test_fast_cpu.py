"""CpuBackend against the reference backend: MSM over G1/G2 and NTTs, differential and edge cases."""
from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py_ecc.optimized_bn128 import FQ, FQ2, G1, G2, Z1, Z2, add, eq, multiply, neg

from reference.fast import _kernels as k
from reference.fast.convert import pack, unpack
from reference.fast.cpu import CpuBackend
from reference.fast.limbs import convert_bases, from_montgomery, signed_digit_windows, window_bits
from reference.zk.backend import BackendError, ReferenceBackend
from reference.zk.field import FieldError, R, root_of_unity

CPU = CpuBackend()
REF = ReferenceBackend()
_rng = random.Random(7)
G1_POINTS = [multiply(G1, _rng.randrange(1, R)) for _ in range(6)]
G1_POOL = G1_POINTS + [neg(G1_POINTS[0]), Z1, G1]
G2_POINTS = [multiply(G2, _rng.randrange(1, R)) for _ in range(3)]
G2_POOL = G2_POINTS + [neg(G2_POINTS[0]), Z2, G2]
EDGE_SCALARS = [0, 1, 2, R - 1, R - 2, (R - 1) // 2, 1 << 253]

scalar = st.one_of(st.sampled_from(EDGE_SCALARS), st.integers(0, R - 1))
fr_value = st.one_of(st.sampled_from([0, 1, R - 1]), st.integers(0, R - 1))
DIFF = settings(max_examples=20, deadline=None, derandomize=True)


def msm_case(pool, max_size):
    return st.integers(1, max_size).flatmap(
        lambda n: st.tuples(st.lists(st.sampled_from(pool), min_size=n, max_size=n),
                            st.lists(scalar, min_size=n, max_size=n))
    )


def msm_differential(group: str, max_size: int, examples: int):
    """A Hypothesis test: the CPU MSM equals the reference MSM on random cases of up to ``max_size`` points."""
    pool, ours, theirs = (G1_POOL, CPU.msm_g1, REF.msm_g1) if group == "g1" else (G2_POOL, CPU.msm_g2, REF.msm_g2)

    @settings(max_examples=examples, deadline=None, derandomize=True)
    @given(msm_case(pool, max_size))
    def check(case):
        points, scalars = case
        assert eq(ours(points, scalars), theirs(points, scalars))

    return check


test_msm_g1_matches_reference = msm_differential("g1", 13, 20)
test_msm_g2_matches_reference = msm_differential("g2", 5, 10)
test_msm_g1_matches_reference_thorough = pytest.mark.slow(msm_differential("g1", 64, 200))
test_msm_g2_matches_reference_thorough = pytest.mark.slow(msm_differential("g2", 16, 60))


def assert_ntt_family_matches(values: list[int], shift: int) -> None:
    assert CPU.ntt(values) == REF.ntt(values)
    assert CPU.intt(values) == REF.intt(values)
    assert CPU.coset_ntt(values, shift) == REF.coset_ntt(values, shift)
    assert CPU.coset_intt(values, shift) == REF.coset_intt(values, shift)


@pytest.mark.parametrize("c", range(2, 17))
def test_pippenger_every_window_width(c):
    points = G1_POINTS[:4] + [G1_POINTS[0]]
    scalars = [R - 1, 1 << 253, (1 << 254) % R, 12345, 3]
    bases = convert_bases(points, 1)
    digits = k.signed_digits(pack(scalars), c, signed_digit_windows(c))
    out = np.zeros((1, 3, 4), dtype=np.uint64)
    k.pippenger(bases.rows, digits, c, out)
    x, y, z = (FQ(v) for v in unpack(from_montgomery(out.reshape(3, 4), "q")))
    expected = REF.msm_g1(points, scalars)
    assert eq((x * z, y, z * z * z), expected)


def test_signed_digits_recompose_scalar():
    for c in (2, 5, 7, 13, 16):
        scalars = [0, 1, R - 1, 1 << 253, _rng.randrange(R)]
        digits = k.signed_digits(pack(scalars), c, signed_digit_windows(c))
        half = 1 << (c - 1)
        assert np.abs(digits).max() <= half
        for i, s in enumerate(scalars):
            assert sum(int(d) << (c * w) for w, d in enumerate(digits[:, i])) == s


def test_msm_larger_than_one_window_plan():
    n = 300
    points = [G1_POOL[i % len(G1_POOL)] for i in range(n)]
    scalars = [_rng.randrange(R) for _ in range(n)]
    assert window_bits(n) > 2
    assert eq(CPU.msm_g1(points, scalars), REF.msm_g1(points, scalars))


def test_msm_edge_cases():
    p, q = G1_POINTS[0], G1_POINTS[1]
    assert eq(CPU.msm_g1([], []), Z1)
    assert eq(CPU.msm_g2([], []), Z2)
    assert eq(CPU.msm_g1([p], [0]), Z1)
    assert eq(CPU.msm_g1([Z1, Z1], [5, R - 1]), Z1)
    assert eq(CPU.msm_g1([p], [R - 1]), neg(p))
    assert eq(CPU.msm_g1([p, neg(p)], [9, 9]), Z1)
    assert eq(CPU.msm_g1([p, p, p], [1, 1, 1]), multiply(p, 3))
    assert eq(CPU.msm_g1([p, q, Z1], [R - 1, 1, 3]), add(neg(p), q))
    assert eq(CPU.msm_g2([G2, G2], [R - 1, 2]), G2)


def test_msm_accepts_projective_points_with_any_z():
    p = G1_POINTS[2]
    scaled = tuple(c * FQ(77) for c in p)
    assert eq(CPU.msm_g1([scaled, p], [3, 4]), multiply(p, 7))
    g2 = G2_POINTS[1]
    scaled2 = tuple(c * FQ2([5, 9]) for c in g2)
    assert eq(CPU.msm_g2([scaled2], [11]), multiply(g2, 11))


def test_bases_cache_keeps_results_exact():
    points = tuple(G1_POINTS)
    backend = CpuBackend()
    first = backend.msm_g1(points, [1] * len(points))
    again = backend.msm_g1(points, [2] * len(points))
    assert eq(again, multiply(first, 2))
    listed = list(G1_POINTS)
    backend.msm_g1(listed, [1] * len(listed))
    listed[0] = G1
    assert eq(backend.msm_g1(listed, [1] + [0] * (len(listed) - 1)), G1)


def test_msm_rejects_bad_input():
    with pytest.raises(BackendError, match="2 points but 1 scalars"):
        CPU.msm_g1([G1, G1], [1])
    with pytest.raises(FieldError, match=r"scalars\[1\]"):
        CPU.msm_g1([G1, G1], [1, R])
    with pytest.raises(FieldError, match=r"scalars\[0\]"):
        CPU.msm_g1([G1], [-1])
    with pytest.raises(FieldError, match=r"scalars\[0\]"):
        CPU.msm_g1([G1], [True])
    with pytest.raises(BackendError, match=r"points\[1\]: not on the curve"):
        CPU.msm_g1([G1, (FQ(1), FQ(1), FQ(1))], [1, 1])
    with pytest.raises(BackendError, match=r"points\[0\]: expected a projective G2 point"):
        CPU.msm_g2([G1], [1])


@DIFF
@given(st.integers(0, 7).flatmap(lambda log_n: st.lists(fr_value, min_size=1 << log_n, max_size=1 << log_n)),
       st.integers(1, R - 1))
def test_ntt_family_matches_reference(values, shift):
    assert_ntt_family_matches(values, shift)


def test_ntt_definition_and_round_trip():
    n = 1 << 11
    values = [_rng.randrange(R) for _ in range(n)]
    evals = CPU.ntt(values)
    w = root_of_unity(n)
    for i in (0, 1, 5, n - 1):
        assert evals[i] == sum(v * pow(w, i * j, R) for j, v in enumerate(values)) % R
    assert CPU.intt(evals) == values
    assert CPU.coset_intt(CPU.coset_ntt(values, 5), 5) == values


def test_ntt_rejects_bad_input():
    with pytest.raises(FieldError, match="not a power of two"):
        CPU.ntt([1, 2, 3])
    with pytest.raises(FieldError, match="not a power of two"):
        CPU.intt([])
    with pytest.raises(FieldError, match=r"values\[1\]"):
        CPU.ntt([1, R])
    with pytest.raises(FieldError, match=r"values\[0\]"):
        CPU.intt([1.0, 2])
    with pytest.raises(BackendError, match="shift: must be non-zero"):
        CPU.coset_ntt([1, 2], 0)
    with pytest.raises(FieldError, match="shift"):
        CPU.coset_intt([1, 2], R)


@pytest.mark.slow
@pytest.mark.parametrize("log_n", [10, 12, 14])
def test_ntt_family_matches_reference_large(log_n):
    rng = random.Random(log_n)
    values = [rng.randrange(R) for _ in range(1 << log_n)]
    assert_ntt_family_matches(values, rng.randrange(1, R))


@pytest.mark.slow
def test_msm_2_pow_12_matches_reference():
    rng = random.Random(12)
    points = [G1_POOL[rng.randrange(len(G1_POOL))] for _ in range(1 << 12)]
    scalars = [rng.choice(EDGE_SCALARS) if rng.random() < 0.1 else rng.randrange(R) for _ in points]
    assert eq(CPU.msm_g1(points, scalars), REF.msm_g1(points, scalars))
