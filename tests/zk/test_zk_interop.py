"""Interop with snarkjs 0.7.6 and circom2 (skipped with a reason when node is absent)."""
import json
from pathlib import Path

import pytest

from reference.zk.binfile import (
    BinFormatError, check_zkey_matches, read_r1cs, read_wtns, read_zkey, write_r1cs, write_wtns, write_zkey,
)
from reference.zk.circuits import mimc_preimage_circuit
from reference.zk.curve import G1, add, g1_to_affine
from reference.zk.field import R
from reference.zk.groth16 import blinding_from_seed, prove, setup, verify
from reference.zk.snarkjs import (
    SnarkjsFormatError, proof_from_json, proof_to_json, public_from_json, public_to_json, vk_from_json, vk_to_json,
)

pytestmark = pytest.mark.node

CIRCOM = Path(__file__).parent / "circom" / "cubic.circom"
POSEIDON = Path(__file__).parent / "circom" / "poseidon2.circom"


def write_json(path: Path, doc) -> Path:
    path.write_text(json.dumps(doc))
    return path


def snarkjs_vk_without_alphabeta(path: Path) -> dict:
    """snarkjs also exports e(alpha, beta) as vk_alphabeta_12; its verifier does not read it."""
    doc = json.loads(path.read_text())
    assert "vk_alphabeta_12" in doc
    del doc["vk_alphabeta_12"]
    return doc


@pytest.fixture(scope="module")
def circom_setup(node_tools, ptau, tmp_path_factory):
    """circom-compiled circuit, snarkjs witness, zkey (one contribution), vk and a snarkjs proof."""
    d = tmp_path_factory.mktemp("circom")
    r1cs_path, wasm = node_tools.circom_compile(CIRCOM, d)
    write_json(d / "input.json", {"x": "3", "k": "2"})
    node_tools.snarkjs("wtns", "calculate", wasm, d / "input.json", d / "w.wtns")
    node_tools.snarkjs("groth16", "setup", r1cs_path, ptau, d / "c0.zkey")
    node_tools.snarkjs("zkey", "contribute", d / "c0.zkey", d / "c1.zkey", "--name=t", "-e=kalypso")
    node_tools.snarkjs("zkey", "export", "verificationkey", d / "c1.zkey", d / "vk.json")
    node_tools.snarkjs("groth16", "prove", d / "c1.zkey", d / "w.wtns", d / "proof.json", d / "public.json")
    return d, r1cs_path


def test_snarkjs_verifies_our_proof(node_tools, tmp_path):
    circuit = mimc_preimage_circuit(1, rounds=4)
    pk = setup(circuit.r1cs, b"interop")
    witness = circuit.witness({"preimage": 99})
    proof = prove(pk, circuit.r1cs, witness, *blinding_from_seed(b"i"))
    vk = write_json(tmp_path / "vk.json", vk_to_json(pk.vk))
    public = write_json(tmp_path / "public.json", public_to_json(circuit.r1cs.public_signals(witness)))
    good = write_json(tmp_path / "proof.json", proof_to_json(proof))
    assert node_tools.snarkjs_verify(vk, public, good)
    bad = write_json(tmp_path / "bad.json", proof_to_json(proof.__class__(a=add(proof.a, G1), b=proof.b, c=proof.c)))
    assert not node_tools.snarkjs_verify(vk, public, bad)


def test_we_verify_snarkjs_proof_and_reject_tampering(circom_setup):
    d, _ = circom_setup
    vk = vk_from_json(json.loads((d / "vk.json").read_text()))
    proof_doc = json.loads((d / "proof.json").read_text())
    public = public_from_json(json.loads((d / "public.json").read_text()))
    proof = proof_from_json(proof_doc)
    assert public == [3**3 + 2 * 3 + 5, 2]
    assert verify(vk, public, proof)
    assert not verify(vk, [public[0] + 1, public[1]], proof)
    assert not verify(vk, public, proof.__class__(a=proof.a, b=proof.b, c=add(proof.c, G1)))
    proof_doc["pi_a"][1] = str((int(proof_doc["pi_a"][1]) + 1) % R)
    with pytest.raises(SnarkjsFormatError, match="pi_a"):
        proof_from_json(proof_doc)


def test_our_prover_on_circom_r1cs_and_snarkjs_zkey_verifies_in_snarkjs(node_tools, circom_setup, tmp_path):
    d, r1cs_path = circom_setup
    circom = read_r1cs(r1cs_path.read_bytes())
    witness = read_wtns((d / "w.wtns").read_bytes())
    zkey = read_zkey((d / "c1.zkey").read_bytes())
    check_zkey_matches(zkey, circom.r1cs)
    proof = prove(zkey.pk, circom.r1cs, witness, *blinding_from_seed(b"gold"))
    ours = write_json(tmp_path / "proof.json", proof_to_json(proof))
    public = write_json(tmp_path / "public.json", public_to_json(circom.r1cs.public_signals(witness)))
    assert node_tools.snarkjs_verify(d / "vk.json", public, ours)
    assert vk_to_json(zkey.pk.vk) == snarkjs_vk_without_alphabeta(d / "vk.json")


def test_zkey_mismatch_detected(circom_setup):
    d, r1cs_path = circom_setup
    zkey = read_zkey((d / "c1.zkey").read_bytes())
    other = mimc_preimage_circuit(1, rounds=1).r1cs
    with pytest.raises(BinFormatError):
        check_zkey_matches(zkey, other)
    with pytest.raises(BinFormatError, match="magic"):
        read_zkey(b"r1cs" + (d / "c1.zkey").read_bytes()[4:])


def test_snarkjs_proves_with_our_zkey_on_our_r1cs(node_tools, tmp_path):
    circuit = mimc_preimage_circuit(1, rounds=3)
    pk = setup(circuit.r1cs, b"ours-for-snarkjs")
    witness = circuit.witness({"preimage": 5})
    (tmp_path / "c.r1cs").write_bytes(write_r1cs(circuit.r1cs, n_outputs=1))
    (tmp_path / "w.wtns").write_bytes(write_wtns(witness))
    (tmp_path / "c.zkey").write_bytes(write_zkey(pk, circuit.r1cs))
    assert read_r1cs((tmp_path / "c.r1cs").read_bytes()).r1cs == circuit.r1cs
    assert read_wtns((tmp_path / "w.wtns").read_bytes()) == witness
    node_tools.snarkjs("wtns", "check", tmp_path / "c.r1cs", tmp_path / "w.wtns")
    node_tools.snarkjs("zkey", "export", "verificationkey", tmp_path / "c.zkey", tmp_path / "vk.json")
    assert snarkjs_vk_without_alphabeta(tmp_path / "vk.json") == vk_to_json(pk.vk)
    node_tools.snarkjs("groth16", "prove", tmp_path / "c.zkey", tmp_path / "w.wtns", tmp_path / "p.json", tmp_path / "pub.json")
    theirs = proof_from_json(json.loads((tmp_path / "p.json").read_text()))
    assert verify(pk.vk, public_from_json(json.loads((tmp_path / "pub.json").read_text())), theirs)
    back = read_zkey((tmp_path / "c.zkey").read_bytes())
    assert [g1_to_affine(p) for p in back.pk.h_query] == [g1_to_affine(p) for p in pk.h_query]


def test_our_prover_on_circomlib_poseidon_verifies_in_snarkjs(node_tools, ptau, tmp_path):
    r1cs_path, wasm = node_tools.circom_compile(POSEIDON, tmp_path)
    write_json(tmp_path / "input.json", {"a": "1", "b": "2"})
    node_tools.snarkjs("wtns", "calculate", wasm, tmp_path / "input.json", tmp_path / "w.wtns")
    node_tools.snarkjs("groth16", "setup", r1cs_path, ptau, tmp_path / "p.zkey")
    node_tools.snarkjs("zkey", "export", "verificationkey", tmp_path / "p.zkey", tmp_path / "vk.json")
    circom = read_r1cs(r1cs_path.read_bytes())
    witness = read_wtns((tmp_path / "w.wtns").read_bytes())
    zkey = read_zkey((tmp_path / "p.zkey").read_bytes())
    check_zkey_matches(zkey, circom.r1cs)
    assert len(circom.r1cs.constraints) > 200 and circom.n_outputs == 1
    proof = prove(zkey.pk, circom.r1cs, witness, *blinding_from_seed(b"poseidon"))
    public = write_json(tmp_path / "public.json", public_to_json(circom.r1cs.public_signals(witness)))
    assert node_tools.snarkjs_verify(tmp_path / "vk.json", public, write_json(tmp_path / "proof.json", proof_to_json(proof)))
    forged = write_json(tmp_path / "forged.json", public_to_json([(witness[1] + 1) % R]))
    assert not node_tools.snarkjs_verify(tmp_path / "vk.json", forged, tmp_path / "proof.json")
