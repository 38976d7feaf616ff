import random

import pytest

from reference.fast import get_backend
from reference.zk.backend import BackendError, BackendUnavailable, ReferenceBackend
from reference.zk.curve import (
    G1, G2, Z1, Z2, CurveError, FixedBase, add, eq, fixed_base_g1, g1_from_affine, g1_to_affine,
    g2_from_affine, g2_to_affine, multiply, neg, pairing_check,
)
from reference.zk.field import R


def naive(points, scalars, zero):
    acc = zero
    for p, s in zip(points, scalars):
        acc = add(acc, multiply(p, s))
    return acc


def edge_case_inputs(base, zero, n, seed):
    rng = random.Random(seed)
    points = [multiply(base, rng.randrange(1, R)) for _ in range(n)]
    scalars = [rng.randrange(R) for _ in range(n)]
    scalars[0] = 0
    scalars[1] = R - 1
    points[2] = zero
    points[3] = points[4]
    scalars[5] = 1
    return points, scalars


@pytest.mark.parametrize("n", [6, 40])
def test_msm_g1_matches_naive_with_edge_cases(n):
    points, scalars = edge_case_inputs(G1, Z1, n, n)
    assert eq(ReferenceBackend().msm_g1(points, scalars), naive(points, scalars, Z1))


def test_msm_g2_matches_naive_with_edge_cases():
    points, scalars = edge_case_inputs(G2, Z2, 7, 3)
    assert eq(ReferenceBackend().msm_g2(points, scalars), naive(points, scalars, Z2))


def test_msm_cancellation_and_empty():
    b = ReferenceBackend()
    assert eq(b.msm_g1([G1, G1], [1, R - 1]), Z1)
    assert eq(b.msm_g1([], []), Z1)
    assert eq(b.msm_g1([G1], [0]), Z1)


def test_msm_rejects_bad_input():
    b = ReferenceBackend()
    with pytest.raises(BackendError):
        b.msm_g1([G1, G1], [1])
    with pytest.raises(ValueError):
        b.msm_g1([G1], [R])


def test_get_backend():
    assert get_backend("reference").name == "reference"
    with pytest.raises(BackendError, match="unknown name"):
        get_backend("tpu")
    for name in ("cpu", "gpu"):
        try:
            assert get_backend(name).name == name
        except BackendUnavailable as exc:
            assert name in str(exc)


@pytest.mark.parametrize("window", [4, 8])
def test_fixed_base_matches_multiply(window):
    rng = random.Random(window)
    for k in [0, 1, R - 1, rng.randrange(R)]:
        assert eq(fixed_base_g1(window).mul(k), multiply(G1, k))
    assert eq(FixedBase(G2, Z2, window).mul(R - 2), multiply(G2, R - 2))


def test_point_decoding_validates():
    x, y = g1_to_affine(multiply(G1, 9))
    assert eq(g1_from_affine(x, y), multiply(G1, 9))
    with pytest.raises(CurveError):
        g1_from_affine(x, (y + 1))
    (x0, x1), (y0, y1) = g2_to_affine(multiply(G2, 9))
    with pytest.raises(CurveError):
        g2_from_affine((x0, x1), (y0, y1 + 1))
    assert g1_to_affine(Z1) == (0, 0) and eq(g1_from_affine(0, 0), Z1)


def test_pairing_check_bilinearity():
    a, b = 6, 11
    assert pairing_check([(multiply(G1, a), multiply(G2, b)), (neg(multiply(G1, a * b)), G2)])
    assert not pairing_check([(multiply(G1, a), multiply(G2, b)), (neg(multiply(G1, a * b + 1)), G2)])
    assert pairing_check([])
    assert pairing_check([(Z1, G2), (G1, Z2)])
    assert not pairing_check([(G1, G2)])
