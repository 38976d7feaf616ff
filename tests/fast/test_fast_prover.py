"""The fast backends plugged into the Groth16 prover: same proof as the reference backend, and via the CLI."""
from __future__ import annotations

import json

import pytest

from kalypso.cli import main
from reference.fast.cpu import CpuBackend
from reference.fast import get_backend
from reference.zk.backend import BackendUnavailable, ReferenceBackend
from reference.zk.circuits import mimc_preimage_circuit
from reference.zk.groth16 import blinding_from_seed, prove, setup, verify
from reference.zk.snarkjs import proof_to_json


def test_get_backend_loads_the_cpu_backend():
    assert get_backend("cpu").name == "cpu"
    assert isinstance(get_backend("cpu"), CpuBackend)


def test_get_backend_gpu_is_unavailable_without_a_device_or_loads():
    from reference.fast.gpu import gpu_available

    if gpu_available():
        assert get_backend("gpu").name == "gpu"
    else:
        with pytest.raises(BackendUnavailable, match="no CUDA device"):
            get_backend("gpu")


def test_cpu_proof_is_bit_identical_to_reference_proof():
    circuit = mimc_preimage_circuit(1, rounds=12)
    witness = circuit.witness({"preimage": 12345})
    pk = setup(circuit.r1cs, b"fast-prover-test")
    r, s = blinding_from_seed(b"fast-prover-test/blind")
    expected = prove(pk, circuit.r1cs, witness, r, s, backend=ReferenceBackend())
    got = prove(pk, circuit.r1cs, witness, r, s, backend=CpuBackend())
    assert proof_to_json(got) == proof_to_json(expected)
    assert verify(pk.vk, circuit.r1cs.public_signals(witness), got)


def test_cli_prove_with_cpu_backend(tmp_path):
    circuit_path = tmp_path / "mimc.json"
    assert main(["zk", "export", "circuit", "mimc", "--param", "iterations=1", "--param", "rounds=12",
                 "--out", str(circuit_path)]) == 0
    (tmp_path / "in.json").write_text(json.dumps({"preimage": "7"}))
    assert main(["zk", "setup", str(circuit_path), "--seed", "fast", "--out", str(tmp_path / "keys")]) == 0
    outputs = {}
    for backend in ("cpu", "reference"):
        out = tmp_path / backend
        assert main(["zk", "prove", str(circuit_path), "--zkey", str(tmp_path / "keys" / "circuit.zkey"),
                     "--inputs", str(tmp_path / "in.json"), "--seed", "blind", "--backend", backend,
                     "--out", str(out)]) == 0
        outputs[backend] = (out / "proof.json").read_text()
    assert outputs["cpu"] == outputs["reference"]
    assert main(["zk", "verify", "--vk", str(tmp_path / "keys" / "verification_key.json"),
                 "--public", str(tmp_path / "cpu" / "public.json"), "--proof", str(tmp_path / "cpu" / "proof.json")]) == 0


def test_preferred_backend_follows_the_cuda_device():
    from reference.fast import preferred_backend_name
    from reference.fast.gpu import SIMULATED, gpu_available

    expected = "gpu" if gpu_available() and not SIMULATED else "cpu"
    assert preferred_backend_name() == expected
    assert get_backend(preferred_backend_name()).name == expected
