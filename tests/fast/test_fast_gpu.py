"""GpuBackend: kernels under the CUDA simulator (always), and on a real CUDA device (skipped without one)."""
from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from py_ecc.optimized_bn128 import G1, G2, eq, multiply

from reference.fast.cpu import CpuBackend
from reference.zk.field import R

SIM_CASES = Path(__file__).with_name("gpu_sim_cases.py")


def _real_cuda_device() -> bool:
    if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
        return False
    from reference.fast.gpu import gpu_available

    return gpu_available()


def test_gpu_kernels_under_cuda_simulator():
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", str(SIM_CASES)],
        env=env, cwd=SIM_CASES.parents[2], capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout


needs_gpu = pytest.mark.skipif(not _real_cuda_device(), reason="no CUDA device visible to numba on this machine")


@pytest.mark.gpu
@needs_gpu
def test_gpu_matches_cpu_on_device():
    from reference.fast.gpu import GpuBackend

    gpu, cpu = GpuBackend(), CpuBackend()
    rng = random.Random(5)
    base = [multiply(G1, rng.randrange(1, R)) for _ in range(16)]
    points = [base[i % 16] for i in range(1 << 12)]
    scalars = [rng.randrange(R) for _ in points]
    assert eq(gpu.msm_g1(points, scalars), cpu.msm_g1(points, scalars))
    g2 = [multiply(G2, rng.randrange(1, R)) for _ in range(4)]
    g2_points = [g2[i % 4] for i in range(256)]
    assert eq(gpu.msm_g2(g2_points, scalars[:256]), cpu.msm_g2(g2_points, scalars[:256]))
    values = [rng.randrange(R) for _ in range(1 << 14)]
    assert gpu.ntt(values) == cpu.ntt(values)
    assert gpu.intt(values) == cpu.intt(values)
    assert gpu.coset_ntt(values, 7) == cpu.coset_ntt(values, 7)
    assert gpu.coset_intt(values, 7) == cpu.coset_intt(values, 7)
