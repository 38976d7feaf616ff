"""Every committed prover vector of the MSM, NTT and Groth16 kinds, replayed through the fast backends."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from reference.zk.curve import g1_from_affine, g1_to_affine, g2_from_affine, g2_to_affine
from reference.zk.groth16 import prove, setup
from reference.zk.r1cs import circuit_from_json
from reference.zk.snarkjs import proof_to_json
from reference.zk.vectors import DEFAULT_OUTDIR

KINDS = ("msm", "ntt", "groth16")


def vector_files(kind: str) -> list[Path]:
    """The committed vector files of one kind: ``vectors/zk/<kind>*.json``."""
    return sorted(DEFAULT_OUTDIR.glob(f"{kind}*.json"))


def cases(kind: str) -> list[tuple[str, dict]]:
    return [(f"{path.name}:{i}", case) for path in vector_files(kind)
            for i, case in enumerate(json.loads(path.read_text())["cases"])]


def _real_gpu() -> bool:
    from reference.fast.gpu import SIMULATED, gpu_available

    return not SIMULATED and gpu_available()


@pytest.fixture(scope="module", params=["cpu", "gpu"])
def backend(request):
    if request.param == "gpu":
        if not _real_gpu():
            pytest.skip("no CUDA device visible to numba on this machine (the simulator replays small vectors)")
        from reference.fast.gpu import GpuBackend

        return GpuBackend()
    from reference.fast.cpu import CpuBackend

    return CpuBackend()


def test_every_kind_has_vectors():
    for kind in KINDS:
        assert cases(kind), f"no vectors/zk/{kind}*.json cases"


def replay_msm(backend, case: dict) -> None:
    if case["group"] == "g1":
        points = [g1_from_affine(int(x), int(y)) for x, y in case["points"]]
        got = g1_to_affine(backend.msm_g1(points, [int(s) for s in case["scalars"]]))
        assert [str(v) for v in got] == case["expected"], case["label"]
    else:
        points = [g2_from_affine(tuple(map(int, x)), tuple(map(int, y)), subgroup=False) for x, y in case["points"]]
        (x0, x1), (y0, y1) = g2_to_affine(backend.msm_g2(points, [int(s) for s in case["scalars"]]))
        assert [[str(x0), str(x1)], [str(y0), str(y1)]] == case["expected"], case["label"]


def replay_ntt(backend, case: dict) -> None:
    values = [int(v) for v in case["input"]]
    op = getattr(backend, case["op"])
    got = op(values, int(case["shift"])) if "shift" in case else op(values)
    assert [str(v) for v in got] == case["expected"], case["op"]


@lru_cache(maxsize=None)
def _proving_key(circuit_json: str, seed_hex: str):
    circuit = circuit_from_json(json.loads(circuit_json))
    return circuit, setup(circuit.r1cs, bytes.fromhex(seed_hex))


def replay_groth16(backend, case: dict) -> None:
    circuit, pk = _proving_key(json.dumps(case["circuit"], sort_keys=True), case["setup_seed_hex"])
    assert pk.domain_size == case["domain_size"]
    proof = prove(pk, circuit.r1cs, [int(w) for w in case["witness"]], int(case["r"]), int(case["s"]), backend=backend)
    assert proof_to_json(proof) == case["proof"], case["name"]


def test_msm_vectors(backend):
    for _, case in cases("msm"):
        replay_msm(backend, case)


def test_ntt_vectors(backend):
    for _, case in cases("ntt"):
        replay_ntt(backend, case)


def test_groth16_vectors(backend):
    for _, case in cases("groth16"):
        replay_groth16(backend, case)
