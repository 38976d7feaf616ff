"""reference/fast: BN254 MSM and NTT compiled for the CPU (numba) and the GPU (numba.cuda), and the
prover's backends by name.

``cpu.CpuBackend`` and ``gpu.GpuBackend`` implement ``reference.zk.backend.Backend`` and agree with
``ReferenceBackend`` bit for bit; ``get_backend(name)`` returns "reference", "cpu" or "gpu" (the
compiled ones are imported when first asked for); ``preferred_backend_name`` picks "gpu" where a
CUDA device is visible.
"""
from __future__ import annotations

from reference.zk.backend import Backend, BackendError, BackendUnavailable, ReferenceBackend


def _cpu() -> Backend:
    from reference.fast.cpu import CpuBackend

    return CpuBackend()


def _gpu() -> Backend:
    from reference.fast.gpu import GpuBackend

    return GpuBackend()


BACKENDS = {"reference": ReferenceBackend, "cpu": _cpu, "gpu": _gpu}
BACKEND_NAMES = tuple(BACKENDS)


def get_backend(name: str) -> Backend:
    """The backend called ``name``: "reference", "cpu" or "gpu"."""
    if name not in BACKENDS:
        raise BackendError(f"backend: unknown name {name!r}; expected one of {', '.join(BACKEND_NAMES)}")
    try:
        return BACKENDS[name]()
    except (ImportError, AttributeError, RuntimeError, OSError) as exc:
        raise BackendUnavailable(f"backend: {name!r} is unavailable: {exc}") from exc


def preferred_backend_name() -> str:
    """"gpu" when numba sees a CUDA device (not the simulator), otherwise "cpu"."""
    try:
        from reference.fast.gpu import SIMULATED, gpu_available
    except ImportError:
        return "cpu"
    return "gpu" if gpu_available() and not SIMULATED else "cpu"
