"""End to end: a market whose verifier is our Groth16 verifier for the MiMC preimage circuit."""
import copy

import pytest

import spec
from reference.zk.circuits import mimc_preimage_circuit
from reference.zk.curve import G1, add
from reference.zk.groth16 import Proof, blinding_from_seed, prove, setup
from reference.zk.market import encode_proof, encode_public_inputs, groth16_verifier
from spec import operations as ops
from spec.signing import assignment_message, public_key, sign

ENGINE_SECRET = bytes([42]) * 32
VERIFIER_ID = "groth16/bn254/mimc5-1x110"


@pytest.fixture(scope="module")
def mimc_market():
    circuit = mimc_preimage_circuit(1)
    pk = setup(circuit.r1cs, b"market-e2e")
    witness = circuit.witness({"preimage": 271828})
    proof = prove(pk, circuit.r1cs, witness, *blinding_from_seed(b"market-e2e"))
    public = encode_public_inputs(circuit.r1cs.public_signals(witness))
    env = spec.Env().with_verifier(VERIFIER_ID, groth16_verifier(pk.vk))
    state = spec.genesis()
    steps = [
        ops.Mint("requester", "USDC", 10_000),
        ops.Mint("owner", "USDC", 10_000),
        ops.Mint("prover", "POND", 10_000),
        ops.CreateMarket("owner", VERIFIER_ID, "orderbook", {"POND": 100}, public_key(ENGINE_SECRET), 10),
        ops.RegisterProver("prover", "prover-rewards", 10),
        ops.DepositStake("prover", "POND", 500),
        ops.JoinMarket("prover", 0, 50, 100, 4),
        ops.CreateAsk("requester", 0, 100, 1_000, 200, 5_000, public),
    ]
    for op in steps:
        state, _ = spec.apply(state, op, env)
    signature = sign(ENGINE_SECRET, assignment_message(0, 0, "prover", 60))
    state, _ = spec.apply(state, ops.AssignTask("relayer", 0, "prover", 60, signature), env)
    return state, env, proof


def test_real_groth16_proof_completes_the_ask_and_pays_the_prover(mimc_market):
    state, env, proof = mimc_market
    before = state.balances.get(("prover-rewards", "USDC"), 0)
    post, events = spec.apply(state, ops.SubmitProof("prover", 0, encode_proof(proof)), env)
    assert post.asks[0].state == spec.AskState.COMPLETE
    assert [e.kind for e in events] == ["ProofAccepted"]
    assert post.balances.get(("prover-rewards", "USDC"), 0) == before + 60


@pytest.mark.parametrize("tamper", ["proof element", "truncated"])
def test_tampered_proof_is_rejected_and_state_unchanged(mimc_market, tamper):
    state, env, proof = mimc_market
    if tamper == "proof element":
        data = encode_proof(Proof(a=add(proof.a, G1), b=proof.b, c=proof.c))
    else:
        data = encode_proof(proof)[:-32]
    snapshot = copy.deepcopy(state)
    with pytest.raises(spec.SpecError) as error:
        spec.apply(state, ops.SubmitProof("prover", 0, data), env)
    assert error.value.code == "INVALID_PROOF"
    assert state == snapshot and state.asks[0].state == spec.AskState.ASSIGNED
