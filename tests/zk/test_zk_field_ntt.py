import random

import pytest
from hypothesis import given, settings, strategies as st

from reference.zk.backend import ReferenceBackend
from reference.zk.field import (
    GENERATOR, R, TWO_ADICITY, FieldError, batch_inv, check_domain_size, galois_field, inv, root_of_unity,
)
from reference.zk.ntt import coset_intt, coset_ntt, intt, ntt

scalars = st.integers(min_value=0, max_value=R - 1)


def test_two_adicity_and_generator():
    assert (R - 1) % (1 << TWO_ADICITY) == 0 and ((R - 1) >> TWO_ADICITY) % 2 == 1
    # 5 is a quadratic non-residue, so its 2^28-th root-of-unity power has full order 2^28
    assert pow(GENERATOR, (R - 1) // 2, R) == R - 1


@pytest.mark.parametrize("log_n", [0, 1, 3, 10, 28])
def test_root_of_unity_has_exact_order(log_n):
    n = 1 << log_n
    w = root_of_unity(n)
    assert pow(w, n, R) == 1
    if n > 1:
        assert pow(w, n // 2, R) == R - 1


def test_domain_size_rules():
    for bad in (0, 3, 12, 1 << 29):
        with pytest.raises(FieldError):
            check_domain_size(bad)
    with pytest.raises(FieldError):
        inv(0)
    with pytest.raises(FieldError):
        batch_inv([1, 0, 2])


@given(st.lists(st.integers(min_value=1, max_value=R - 1), min_size=1, max_size=20))
def test_batch_inv_matches_inv(values):
    assert batch_inv(values) == [inv(v) for v in values]


def test_field_ops_agree_with_galois():
    gf = galois_field()
    rng = random.Random(7)
    xs = [rng.randrange(R) for _ in range(16)]
    ys = [rng.randrange(1, R) for _ in range(16)]
    a, b = gf(xs), gf(ys)
    assert [int(v) for v in a * b] == [x * y % R for x, y in zip(xs, ys)]
    assert [int(v) for v in a / b] == [x * inv(y) % R for x, y in zip(xs, ys)]
    assert [int(v) for v in a - b] == [(x - y) % R for x, y in zip(xs, ys)]


@pytest.mark.parametrize("log_n", [0, 1, 2, 5])
def test_ntt_matches_galois_polynomial_evaluation(log_n):
    import galois

    gf = galois_field()
    n = 1 << log_n
    rng = random.Random(log_n)
    coeffs = [rng.randrange(R) for _ in range(n)]
    poly = galois.Poly(list(reversed(coeffs)), field=gf)
    w = root_of_unity(n)
    points = [pow(w, i, R) for i in range(n)]
    assert ntt(coeffs) == [int(v) for v in poly(gf(points))]
    shift = root_of_unity(2 * n)
    assert coset_ntt(coeffs, shift) == [int(v) for v in poly(gf([shift * p % R for p in points]))]


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=7).flatmap(lambda k: st.lists(scalars, min_size=1 << k, max_size=1 << k)),
       st.integers(min_value=1, max_value=R - 1))
def test_transforms_invert(values, shift):
    assert intt(ntt(values)) == values
    assert ntt(intt(values)) == values
    assert coset_intt(coset_ntt(values, shift), shift) == values


def test_reference_backend_routes_to_ntt():
    values = list(range(8))
    b = ReferenceBackend()
    assert b.ntt(values) == ntt(values) and b.intt(values) == intt(values)
    assert b.coset_ntt(values, 5) == coset_ntt(values, 5) and b.coset_intt(values, 5) == coset_intt(values, 5)


def test_ntt_rejects_bad_input():
    with pytest.raises(FieldError):
        ntt([1, 2, 3])
    with pytest.raises(FieldError):
        ntt([1, R])
    with pytest.raises(ValueError):
        coset_ntt([1, 2], 0)
