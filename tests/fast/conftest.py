"""One process at a time compiles the numba kernels; the others (xdist workers, the simulator run) load the cache."""
from __future__ import annotations

import fcntl
import tempfile
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def numba_kernels_compiled_once():
    from reference.fast.cpu_prover import warm_up

    lock = Path(tempfile.gettempdir()) / f"kalypso-fast-jit-{Path(__file__).resolve().parents[2].name}.lock"
    with open(lock, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            warm_up()
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
