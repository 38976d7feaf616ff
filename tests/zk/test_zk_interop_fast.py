"""The new paths against snarkjs on circomlib's Poseidon(2): the witness from circom's .wasm without
Node (byte for byte snarkjs' .wtns), the persistent prover and `kalypso zk prove-batch` (proofs
snarkjs accepts), and bad input (a zkey for another circuit, a witness for another circuit, a
truncated wasm): a typed error, exit 2, within a time and memory cap."""
from __future__ import annotations

import json
import resource
import time
from pathlib import Path

import pytest

from kalypso.cli import main
from reference.fast.cpu_prover import Prover
from reference.zk.snarkjs import proof_to_json, public_to_json
from reference.zk.wasm_witness import WitnessError, calculate_wtns, load_calculator

pytestmark = pytest.mark.node

HERE = Path(__file__).parent / "circom"


@pytest.fixture(scope="module")
def poseidon(node_tools, ptau, tmp_path_factory):
    d = tmp_path_factory.mktemp("poseidon")
    r1cs, wasm = node_tools.circom_compile(HERE / "poseidon2.circom", d)
    node_tools.snarkjs("groth16", "setup", r1cs, ptau, d / "p.zkey")
    node_tools.snarkjs("zkey", "export", "verificationkey", d / "p.zkey", d / "vk.json")
    other_r1cs, other_wasm = node_tools.circom_compile(HERE / "cubic.circom", d / "cubic")
    node_tools.snarkjs("groth16", "setup", other_r1cs, ptau, d / "cubic.zkey")
    return {"dir": d, "r1cs": r1cs, "wasm": wasm, "zkey": d / "p.zkey", "vk": d / "vk.json",
            "other_r1cs": other_r1cs, "other_wasm": other_wasm, "other_zkey": d / "cubic.zkey"}


def _json(path: Path, doc) -> Path:
    path.write_text(json.dumps(doc))
    return path


def test_wasm_witness_is_byte_for_byte_snarkjs(node_tools, poseidon, tmp_path):
    for i, inputs in enumerate(({"a": "1", "b": "2"}, {"a": "-1", "b": "21888242871839275222246405745257275088548364400416034343698204186575808495616"})):
        node_tools.snarkjs("wtns", "calculate", poseidon["wasm"], _json(tmp_path / f"in{i}.json", inputs), tmp_path / f"w{i}.wtns")
        assert calculate_wtns(poseidon["wasm"], inputs) == (tmp_path / f"w{i}.wtns").read_bytes()


def test_persistent_prover_with_wasm_witnesses_verifies_in_snarkjs(node_tools, poseidon, tmp_path):
    prover = Prover.load(poseidon["zkey"], r1cs=poseidon["r1cs"])
    calculator = load_calculator(poseidon["wasm"])
    for i in range(3):
        proof, public = prover.prove(calculator.calculate({"a": i, "b": 7 * i + 1}), 1000 + i, 2000 + i)
        pub = _json(tmp_path / f"public{i}.json", public_to_json(public))
        assert node_tools.snarkjs_verify(poseidon["vk"], pub, _json(tmp_path / f"proof{i}.json", proof_to_json(proof)))
    forged = _json(tmp_path / "forged.json", public_to_json([(public[0] + 1)]))
    assert not node_tools.snarkjs_verify(poseidon["vk"], forged, tmp_path / "proof2.json")


def test_cli_prove_from_wasm_and_prove_batch_verify_in_snarkjs(node_tools, poseidon, tmp_path, capsys):
    _json(tmp_path / "in.json", {"a": "5", "b": "6"})
    assert main(["zk", "prove", str(poseidon["r1cs"]), "--zkey", str(poseidon["zkey"]), "--wasm", str(poseidon["wasm"]),
                 "--inputs", str(tmp_path / "in.json"), "--backend", "cpu", "--seed", "s", "--out", str(tmp_path / "o")]) == 0
    assert node_tools.snarkjs_verify(poseidon["vk"], tmp_path / "o" / "public.json", tmp_path / "o" / "proof.json")
    wdir = tmp_path / "w"
    wdir.mkdir()
    for i in range(3):
        assert main(["zk", "witness", "--wasm", str(poseidon["wasm"]), "--inputs", str(_json(tmp_path / f"i{i}.json", {"a": i, "b": i})),
                     "--out", str(wdir / f"w{i}.wtns")]) == 0
    capsys.readouterr()
    assert main(["zk", "prove-batch", str(poseidon["r1cs"]), "--zkey", str(poseidon["zkey"]), "--witnesses", str(wdir),
                 "--seed", "s", "--out", str(tmp_path / "batch")]) == 0
    assert "3 proofs" in capsys.readouterr().err
    for i in range(3):
        out = tmp_path / "batch" / f"w{i}"
        assert node_tools.snarkjs_verify(poseidon["vk"], out / "public.json", out / "proof.json")


@pytest.fixture
def capped():
    """At most 20 s of CPU and 1 GiB more address space for the code under test."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    vm = next(int(line.split()[1]) * 1024 for line in open("/proc/self/status") if line.startswith("VmSize:"))
    resource.setrlimit(resource.RLIMIT_AS, (vm + (1 << 30), hard))
    start = time.process_time()
    yield
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    assert time.process_time() - start < 20


def _prove(poseidon, tmp_path, *extra):
    return main(["zk", "prove", str(poseidon["r1cs"]), "--zkey", str(poseidon["zkey"]), "--backend", "cpu",
                 "--seed", "s", "--out", str(tmp_path / "o"), *extra])


def test_zkey_for_another_circuit_exits_2(poseidon, tmp_path, capsys, capped):
    _json(tmp_path / "in.json", {"a": "5", "b": "6"})
    code = main(["zk", "prove", str(poseidon["r1cs"]), "--zkey", str(poseidon["other_zkey"]), "--backend", "cpu",
                 "--wasm", str(poseidon["wasm"]), "--inputs", str(tmp_path / "in.json"), "--seed", "s", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "BinFormatError" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_witness_for_another_circuit_exits_2(poseidon, tmp_path, capsys, capped):
    other = load_calculator(poseidon["other_wasm"]).calculate({"x": 3, "k": 2})
    from reference.zk.binfile import write_wtns

    (tmp_path / "other.wtns").write_bytes(write_wtns(other))
    assert _prove(poseidon, tmp_path, "--wtns", str(tmp_path / "other.wtns")) == 2
    err = capsys.readouterr().err
    assert "CircuitError" in err and "another circuit" in err and "Traceback" not in err


@pytest.mark.parametrize("cut", [0, 8, 1000, -1])
def test_truncated_wasm_exits_2(poseidon, tmp_path, capsys, capped, cut):
    data = poseidon["wasm"].read_bytes()
    (tmp_path / "t.wasm").write_bytes(data[:cut] if cut >= 0 else data[: len(data) + cut])
    _json(tmp_path / "in.json", {"a": "5", "b": "6"})
    assert _prove(poseidon, tmp_path, "--wasm", str(tmp_path / "t.wasm"), "--inputs", str(tmp_path / "in.json")) == 2
    err = capsys.readouterr().err
    assert "WitnessError" in err and "wasm" in err and "Traceback" not in err
    with pytest.raises(WitnessError):
        load_calculator(tmp_path / "t.wasm")
