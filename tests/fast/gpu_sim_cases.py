"""GpuBackend kernels under numba's CUDA simulator (run by test_fast_gpu.py in its own process, tiny sizes)."""
from __future__ import annotations

import os
import random

import pytest
from py_ecc.optimized_bn128 import G1, G2, Z1, eq, multiply, neg

from reference.fast.gpu import SIMULATED, GpuBackend
from reference.zk.backend import BackendError, ReferenceBackend
from reference.zk.field import R

pytestmark = pytest.mark.skipif(not SIMULATED, reason="run with NUMBA_ENABLE_CUDASIM=1 (test_fast_gpu.py does)")

REF = ReferenceBackend()
_rng = random.Random(11)
P = multiply(G1, _rng.randrange(1, R))
Q = multiply(G1, _rng.randrange(1, R))


@pytest.fixture(scope="module")
def gpu():
    assert os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"
    return GpuBackend()


@pytest.mark.parametrize("n", [1, 2, 8])
def test_ntt_family(gpu, n):
    values = [_rng.randrange(R) for _ in range(n - 1)] + [R - 1]
    shift = _rng.randrange(1, R)
    assert gpu.ntt(values) == REF.ntt(values)
    assert gpu.intt(values) == REF.intt(values)
    assert gpu.coset_ntt(values, shift) == REF.coset_ntt(values, shift)
    assert gpu.coset_intt(values, shift) == REF.coset_intt(values, shift)


@pytest.mark.parametrize(
    "points,scalars",
    [
        ([P, Q, P], [_rng.randrange(R), R - 1, 1 << 253]),
        ([P, neg(P)], [5, 5]),
        ([P, P], [1, 1]),
        ([Z1, P], [3, 0]),
        ([P], [R - 1]),
    ],
)
def test_msm_g1(gpu, points, scalars):
    assert eq(gpu.msm_g1(points, scalars), REF.msm_g1(points, scalars))


def test_msm_g2(gpu):
    points = [multiply(G2, 12345), G2]
    scalars = [R - 1, _rng.randrange(R)]
    assert eq(gpu.msm_g2(points, scalars), REF.msm_g2(points, scalars))


def test_bad_input(gpu):
    with pytest.raises(BackendError, match="1 points but 2 scalars"):
        gpu.msm_g1([G1], [1, 2])
    with pytest.raises(BackendError, match="shift: must be non-zero"):
        gpu.coset_ntt([1, 2], 0)


def test_small_vectors(gpu):
    from tests.fast.test_fast_vectors import cases, replay_msm, replay_ntt

    msm = [case for _, case in cases("msm") if len(case["points"]) <= 5]
    ntt = [case for _, case in cases("ntt") if len(case["input"]) <= 16]
    assert msm and ntt
    for case in msm:
        replay_msm(gpu, case)
    for case in ntt:
        replay_ntt(gpu, case)
