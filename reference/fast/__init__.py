"""reference/fast: BN254 MSM and NTT compiled for the CPU (numba) and the GPU (numba.cuda).

``cpu.CpuBackend`` and ``gpu.GpuBackend`` implement ``reference.zk.backend.Backend`` and agree with
``ReferenceBackend`` bit for bit; ``preferred_backend_name`` picks "gpu" where a CUDA device is visible.
"""
from __future__ import annotations


def preferred_backend_name() -> str:
    """"gpu" when numba sees a CUDA device (not the simulator), otherwise "cpu"."""
    try:
        from reference.fast.gpu import SIMULATED, gpu_available
    except ImportError:
        return "cpu"
    return "gpu" if gpu_available() and not SIMULATED else "cpu"
