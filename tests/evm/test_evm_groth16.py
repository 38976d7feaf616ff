"""On-chain Groth16: a proof from our prover (`kalypso zk prove`) for a circom circuit is checked
by our generated Solidity verifier behind the market's IVerifier, and submitProof completes the
ask; our verifier and snarkjs' exported one answer alike on the same calldata, both ways."""
import json
from pathlib import Path

import pytest

from kalypso.cli import main as kalypso
from reference.evm.chain import TxReverted
from reference.evm.groth16_verifier import Q, R, VerifierKeyError, generate_verifier, market_inputs, market_proof
from reference.evm.onchain import (
    NAME, SNARKJS_NAME, compile_groth16, deploy_groth16_market, groth16_precompile_gas, prove_on_chain, verify_call_gas,
)
from reference.zk.groth16 import verify as py_verify
from reference.zk.snarkjs import proof_from_json, vk_from_json

pytestmark = [pytest.mark.evm, pytest.mark.node]
CUBIC = Path(__file__).parents[1] / "zk" / "circom" / "cubic.circom"


@pytest.fixture(scope="module")
def circuit(tmp_path_factory, contracts_dir):
    from reference.zk import nodetools

    reason = nodetools.missing_reason()
    if reason:
        pytest.skip(f"circom/snarkjs needed: {reason}")
    d = tmp_path_factory.mktemp("groth16")
    r1cs, wasm = nodetools.circom_compile(CUBIC, d)
    (d / "input.json").write_text(json.dumps({"x": "3", "k": "2"}))
    nodetools.snarkjs("wtns", "calculate", wasm, d / "input.json", d / "w.wtns")
    assert kalypso(["zk", "setup", str(r1cs), "--seed", "evm-onchain", "--out", str(d / "keys")]) == 0
    assert kalypso(["zk", "prove", str(r1cs), "--zkey", str(d / "keys/circuit.zkey"), "--wtns", str(d / "w.wtns"),
                    "--seed", "evm-proof", "--out", str(d / "ours")]) == 0
    nodetools.snarkjs("groth16", "prove", d / "keys/circuit.zkey", d / "w.wtns", d / "theirs.json", d / "theirs_public.json")
    nodetools.snarkjs("zkey", "export", "solidityverifier", d / "keys/circuit.zkey", d / "snarkjs.sol")
    read = lambda p: json.loads((d / p).read_text())
    vk = read("keys/verification_key.json")
    build = compile_groth16(vk, contracts_dir, (d / "snarkjs.sol").read_text())
    return {"vk": vk, "proof": read("ours/proof.json"), "public": read("ours/public.json"),
            "theirs": read("theirs.json"), "build": build}


def test_submit_proof_completes_the_ask(system, circuit):
    public = circuit["public"]
    assert public == [str(3**3 + 2 * 3 + 5), "2"]
    result = prove_on_chain(system, circuit["build"], circuit["proof"], public)
    assert result.ask_state == 4  # AskState.COMPLETE
    assert result.events[-1] == "ProofCreated"
    c = system.chain
    assert system.marketplace.call("claimableAmount", c.addr("zk-prover-rewards")) == 10**17
    assert groth16_precompile_gas(2) == 4 * 34000 + 45000 + 2 * 6150
    assert groth16_precompile_gas(2) < result.verifier_gas < groth16_precompile_gas(2) + 10_000


def test_a_wrong_proof_is_refused_with_invalid_proof(system, circuit):
    from reference.evm.lifecycle import assign, fund

    c, pmp = system.chain, system.marketplace
    _, _, market_id = deploy_groth16_market(system, circuit["build"], circuit["proof"], circuit["public"])
    c.set_block(c.block + 100)
    fund(system, "p", 10**24)
    system.generators.must("register", c.addr("p"), 100, 5 * 10**18, b"p", sender="p")
    system.generators.must("joinMarketplace", market_id, 10, 0, 50, False, b"", b"", sender="p")
    fund(system, "req", 10**24)
    system.register_engine()
    pmp.must("createAsk", (market_id, 10**18, c.block + 20, 50, 0, c.addr("req"), market_inputs(["12", "2"])),
             1, b"", b"", b"", sender="req")
    assign(system, 0, "p")
    with pytest.raises(TxReverted, match=r"InvalidProof\(0,\)"):
        pmp.must("submitProof", 0, market_proof(circuit["proof"]), sender="p")
    assert pmp.call("getAskState", 0) == 3  # still ASSIGNED


def _variants(proof, public):
    a, b, c = proof["pi_a"], proof["pi_b"], proof["pi_c"]
    neg_c = dict(proof, pi_c=[c[0], str(Q - int(c[1])), "1"])
    off_curve = dict(proof, pi_a=[a[0], str((int(a[1]) + 1) % Q), "1"])
    swapped_b = dict(proof, pi_b=[b[1], b[0], b[2]])
    yield "valid", proof, public
    yield "other public", proof, [public[0], str(int(public[1]) + 1)]
    yield "input >= r", proof, [public[0], str(int(public[1]) + R)]
    yield "negated C", neg_c, public
    yield "A off curve", off_curve, public
    yield "B coordinates swapped", swapped_b, public


@pytest.mark.parametrize("source", ["proof", "theirs"])
def test_our_verifier_and_snarkjs_agree(system, circuit, source):
    ours = system.chain.deploy("deployer", circuit["build"][NAME])
    theirs = system.chain.deploy("deployer", circuit["build"][SNARKJS_NAME])
    vk = vk_from_json(circuit["vk"])
    answers = {}
    for label, proof, public in _variants(circuit[source], circuit["public"]):
        mine, _ = verify_call_gas(system, ours, proof, public)
        snark, _ = verify_call_gas(system, theirs, proof, public)
        assert mine == snark, label
        if label in ("valid", "other public", "negated C"):
            assert mine == py_verify(vk, [int(v) for v in public], proof_from_json(proof)), label
        answers[label] = mine
    assert answers == {"valid": True, "other public": False, "input >= r": False, "negated C": False,
                       "A off curve": False, "B coordinates swapped": False}


def test_generator_names_the_bad_key_field(circuit):
    vk = dict(circuit["vk"], vk_alpha_1=["1", "3", "1"])
    with pytest.raises(VerifierKeyError, match="vk_alpha_1"):
        generate_verifier(vk)
    with pytest.raises(VerifierKeyError, match="IC"):
        generate_verifier(dict(circuit["vk"], nPublic=5))
    with pytest.raises(VerifierKeyError, match="name"):
        generate_verifier(circuit["vk"], name="x; selfdestruct")
