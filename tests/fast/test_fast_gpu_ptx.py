"""Every GPU kernel compiles to PTX for sm_90 with NVVM (no device needed; needs the `gpu` extra)."""
from __future__ import annotations

import importlib
import os
import types

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("numba_cuda") is None or os.environ.get("NUMBA_ENABLE_CUDASIM") == "1",
    reason="numba-cuda with NVVM is not installed (pip install -e '.[gpu]')",
)


@pytest.fixture
def compile_ptx(monkeypatch):
    from numba import cuda

    dispatcher_module = importlib.import_module(type(cuda.jit(device=True)(lambda x: x)).__module__)
    # Device functions ask the current device for its compute capability; without a device, pin sm_90.
    monkeypatch.setattr(dispatcher_module, "get_current_device",
                        lambda: types.SimpleNamespace(compute_capability=(9, 0)))
    return lambda kernel, sig: cuda.compile_ptx(kernel.py_func, sig, cc=(9, 0))[0]


def test_every_kernel_compiles_to_ptx(compile_ptx):
    from numba import types as t

    import reference.fast.gpu_kernels as g

    rows, idx, n = t.uint64[:, ::1], t.int64[::1], t.int64
    digits = t.int32[:, ::1]
    kernels = [
        (g.bit_reverse, (rows, rows, n)),
        (g.butterflies, (rows, rows, n, n)),
        (g.vec_mul, (rows, rows)),
        (g.count_buckets, (digits, n, idx)),
        (g.scatter_buckets, (digits, n, idx, idx)),
        *[(kernels[0], (rows, idx, idx, rows)) for kernels in (g.G1_KERNELS, g.G2_KERNELS)],
        *[(kernels[1], (rows, n, n, rows)) for kernels in (g.G1_KERNELS, g.G2_KERNELS)],
    ]
    for kernel, sig in kernels:
        ptx = compile_ptx(kernel, sig)
        assert ".target sm_90" in ptx and ".entry" in ptx
