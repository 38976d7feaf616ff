import pytest
from hypothesis import given, settings, strategies as st

from reference.zk.circuits import mimc_preimage_circuit
from reference.zk.curve import G1, G2, add, g1_to_affine, multiply
from reference.zk.field import Q, R
from reference.zk.groth16 import Proof, blinding_from_seed, prove, setup
from reference.zk.market import (
    EncodingError, decode_proof, decode_public_inputs, decode_verifying_key, encode_proof,
    encode_public_inputs, encode_verifying_key, groth16_verifier,
)


@pytest.fixture(scope="module")
def market_proof():
    circuit = mimc_preimage_circuit(1, rounds=3)
    pk = setup(circuit.r1cs, b"market")
    witness = circuit.witness({"preimage": 2024})
    proof = prove(pk, circuit.r1cs, witness, *blinding_from_seed(b"m"))
    return pk.vk, encode_public_inputs(circuit.r1cs.public_signals(witness)), encode_proof(proof), proof


def test_verifier_accepts_valid_bytes(market_proof):
    vk, public, proof, _ = market_proof
    assert groth16_verifier(vk)(public, proof)
    assert groth16_verifier(decode_verifying_key(encode_verifying_key(vk)))(public, proof)


def test_verifier_rejects_tampering_and_malformed_bytes(market_proof):
    vk, public, proof, proof_obj = market_proof
    verify = groth16_verifier(vk)
    other = encode_proof(Proof(a=proof_obj.a, b=proof_obj.b, c=add(proof_obj.c, G1)))
    assert not verify(public, other)
    bumped = ((int.from_bytes(public, "big") + 1) % R).to_bytes(32, "big")
    assert not verify(bumped, proof)
    assert not verify(public, proof[:-1])
    assert not verify(public + public, proof)
    assert not verify(R.to_bytes(32, "big"), proof)
    assert not verify(public, Q.to_bytes(32, "big") + proof[32:])
    assert not verify(public, proof[:63] + bytes([proof[63] ^ 1]) + proof[64:])
    assert not verify(public, proof[:64] + bytes(128) + proof[192:])
    assert not verify(public, proof[:64] + bytes([1]) + proof[65:])


def test_encodings_round_trip(market_proof):
    _vk, public, proof, proof_obj = market_proof
    assert encode_public_inputs(decode_public_inputs(public)) == public
    back = decode_proof(proof)
    assert g1_to_affine(back.a) == g1_to_affine(proof_obj.a) and encode_proof(back) == proof
    with pytest.raises(EncodingError, match="multiple of 32"):
        decode_public_inputs(b"\x00" * 33)
    with pytest.raises(EncodingError, match="256 bytes"):
        decode_proof(bytes(224))
    with pytest.raises(ValueError, match="public"):
        encode_public_inputs([R])


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=96), st.binary(max_size=300))
def test_verifier_never_raises_on_arbitrary_bytes(market_proof, public, proof):
    vk = market_proof[0]
    assert groth16_verifier(vk)(public, proof) is False


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=0, max_value=R - 1), st.integers(min_value=0, max_value=R - 1))
def test_proof_bytes_round_trip_for_any_points(a, c):
    proof = Proof(a=multiply(G1, a), b=multiply(G2, (a + c) % R), c=multiply(G1, c))
    again = decode_proof(encode_proof(proof))
    assert encode_proof(again) == encode_proof(proof)
    assert g1_to_affine(again.c) == g1_to_affine(proof.c)
