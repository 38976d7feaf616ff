import pytest

from reference.zk.circuits import (
    cubic_circuit, cubic_reference, merkle_circuit, merkle_inputs, mimc_chain_reference, mimc_hash,
    mimc_preimage_circuit,
)
from reference.zk.curve import G1, add, g1_to_affine
from reference.zk.field import R
from reference.zk.groth16 import Groth16Error, blinding_from_seed, prove, setup, verify
from reference.zk.r1cs import CircuitError, UnsatisfiedConstraint, circuit_from_json, circuit_to_json

LEAVES = [mimc_hash(i, rounds=2) for i in range(256)]

CASES = {
    "cubic": (lambda: cubic_circuit(2), {"x": 3}),
    "mimc": (lambda: mimc_preimage_circuit(1), {"preimage": 12345}),
    "merkle": (lambda: merkle_circuit(8, rounds=2), merkle_inputs(LEAVES, 77, rounds=2)),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def proved(request):
    make, inputs = CASES[request.param]
    circuit = make()
    witness = circuit.witness(inputs)
    pk = setup(circuit.r1cs, b"test-" + request.param.encode())
    r, s = blinding_from_seed(b"blind")
    proof = prove(pk, circuit.r1cs, witness, r, s)
    return request.param, circuit, witness, pk, proof


def test_round_trip_verifies(proved):
    _name, circuit, witness, pk, proof = proved
    assert verify(pk.vk, circuit.r1cs.public_signals(witness), proof)


def test_tampered_proof_element_rejected(proved):
    _name, circuit, witness, pk, proof = proved
    public = circuit.r1cs.public_signals(witness)
    assert not verify(pk.vk, public, proof.__class__(a=add(proof.a, G1), b=proof.b, c=proof.c))
    assert not verify(pk.vk, public, proof.__class__(a=proof.a, b=proof.b, c=add(proof.c, G1)))


def test_tampered_public_input_rejected(proved):
    _name, circuit, witness, pk, proof = proved
    public = circuit.r1cs.public_signals(witness)
    public[0] = (public[0] + 1) % R
    assert not verify(pk.vk, public, proof)


def test_public_signals_are_the_reference_values():
    assert cubic_circuit(2).r1cs.public_signals(cubic_circuit(2).witness({"x": 3})) == [cubic_reference(3, 2)]
    c = mimc_preimage_circuit(2, rounds=5)
    assert c.r1cs.public_signals(c.witness({"preimage": 9})) == [mimc_chain_reference(9, 2, rounds=5)]


def test_merkle_rejects_wrong_leaf_and_non_boolean_index():
    circuit = merkle_circuit(8, rounds=2)
    inputs = merkle_inputs(LEAVES, 5, rounds=2)
    with pytest.raises(UnsatisfiedConstraint):
        circuit.witness({**inputs, "leaf": LEAVES[6]})
    with pytest.raises(UnsatisfiedConstraint):
        circuit.witness({**inputs, "index_0": 2})


def test_setup_and_proof_are_deterministic():
    c = cubic_circuit()
    w = c.witness({"x": 4})
    pk1, pk2 = setup(c.r1cs, b"same"), setup(c.r1cs, b"same")
    assert [g1_to_affine(p) for p in pk1.vk.ic] == [g1_to_affine(p) for p in pk2.vk.ic]
    assert g1_to_affine(prove(pk1, c.r1cs, w, 3, 4).c) == g1_to_affine(prove(pk2, c.r1cs, w, 3, 4).c)
    assert g1_to_affine(setup(c.r1cs, b"other").vk.ic[0]) != g1_to_affine(pk1.vk.ic[0])


def test_prove_preconditions():
    c = cubic_circuit()
    pk = setup(c.r1cs, b"x")
    w = c.witness({"x": 2})
    bad = list(w)
    bad[1] = (bad[1] + 1) % R
    with pytest.raises(UnsatisfiedConstraint):
        prove(pk, c.r1cs, bad, 1, 2)
    with pytest.raises(ValueError):
        prove(pk, c.r1cs, w, R, 2)
    other = mimc_preimage_circuit(1, rounds=2)
    with pytest.raises(Groth16Error):
        prove(pk, other.r1cs, other.witness({"preimage": 1}), 1, 2)
    with pytest.raises(Groth16Error):
        verify(pk.vk, [], prove(pk, c.r1cs, w, 1, 2))


def test_circuit_inputs_are_checked():
    c = cubic_circuit()
    with pytest.raises(CircuitError, match="missing x"):
        c.witness({})
    with pytest.raises(CircuitError, match="unknown z"):
        c.witness({"x": 1, "z": 2})
    with pytest.raises(ValueError, match="inputs.x"):
        c.witness({"x": R})


def test_circuit_json_round_trip():
    c = merkle_circuit(2, rounds=3)
    assert circuit_from_json(circuit_to_json(c)) == c
    doc = circuit_to_json(c)
    doc["constraints"][0][0][0][1] = "x"
    with pytest.raises(CircuitError):
        circuit_from_json(doc)
