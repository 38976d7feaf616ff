"""One process at a time compiles the numba kernels (started at collection); the others (xdist workers, the
simulator run) load the cache.
The keys the prover tests share (the numba prover's and mcl's small-key prover's) are set up here."""
from __future__ import annotations

import fcntl
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parents[2]
_STARTED: list = []


def compile_once() -> None:
    """Compile the kernels into numba's cache, or load them, under a lock shared by every process."""
    from reference.fast.cpu_prover import warm_up

    lock = Path(tempfile.gettempdir()) / f"kalypso-fast-jit-{ROOT.name}.lock"
    with open(lock, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            warm_up()
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def pytest_collection_finish(session):
    """A cold numba cache is about a minute of compiling: where the session has tests here, a
    process starts it at collection, beside the other tests (the root conftest runs these last);
    the fixture below then waits on its lock and loads the cache."""
    here = Path(__file__).parent
    if not session.config.option.collectonly and any(here in Path(item.path).parents for item in session.items):
        _STARTED.append(subprocess.Popen([sys.executable, "-c", "from tests.fast.conftest import compile_once; compile_once()"], cwd=ROOT,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))


@pytest.fixture(scope="session", autouse=True)
def numba_kernels_compiled_once():
    compile_once()


@pytest.fixture(scope="session")
def mimc():
    """(circuit, proving key, .zkey bytes, .r1cs bytes) of a six-round MiMC preimage circuit."""
    from reference.zk.binfile import write_r1cs, write_zkey
    from reference.zk.circuits import mimc_preimage_circuit
    from reference.zk.groth16 import setup

    circuit = mimc_preimage_circuit(2, rounds=6)
    pk = setup(circuit.r1cs, b"fast/mimc")
    return circuit, pk, write_zkey(pk, circuit.r1cs), write_r1cs(circuit.r1cs, n_outputs=1)


@pytest.fixture(scope="module", params=["cubic", "merkle"])
def small_key(request):
    """(circuit, inputs, proving key, .zkey bytes) of a cubic and of a two-level Merkle circuit."""
    from reference.zk.binfile import write_zkey
    from reference.zk.circuits import cubic_circuit, merkle_circuit, merkle_inputs
    from reference.zk.groth16 import setup

    circuit, inputs = {"cubic": lambda: (cubic_circuit(2), {"x": 3}),
                       "merkle": lambda: (merkle_circuit(2, rounds=2), merkle_inputs([5, 6, 7, 8], 2, rounds=2))}[request.param]()
    pk = setup(circuit.r1cs, b"fast/small")
    return circuit, inputs, pk, write_zkey(pk, circuit.r1cs)
