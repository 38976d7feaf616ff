import pytest
from hypothesis import given, settings, strategies as st

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


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=R - 1), st.integers(min_value=1, max_value=3))
def test_circuit_outputs_match_the_python_reference(x, n):
    cubic = cubic_circuit(n)
    assert cubic.r1cs.public_signals(cubic.witness({"x": x})) == [cubic_reference(x, n)]
    mimc = mimc_preimage_circuit(n, rounds=3)
    assert mimc.r1cs.public_signals(mimc.witness({"preimage": x})) == [mimc_chain_reference(x, n, rounds=3)]


@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=R - 1), min_size=8, max_size=8), st.integers(min_value=0, max_value=7))
def test_merkle_witness_exists_for_every_position(leaves, position):
    circuit = merkle_circuit(3, rounds=2)
    witness = circuit.witness(merkle_inputs(leaves, position, rounds=2))
    assert circuit.r1cs.public_signals(witness) == [merkle_inputs(leaves, 0, rounds=2)["root"]]


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


class RecordingBackend:
    """Delegates to the reference backend and records which primitive ran on what size."""

    name = "recording"

    def __init__(self):
        from reference.zk.backend import ReferenceBackend

        self.inner = ReferenceBackend()
        self.calls = []

    def __getattr__(self, attr):
        fn = getattr(self.inner, attr)

        def record(values, *rest):
            self.calls.append((attr, len(values)))
            return fn(values, *rest)

        return record


def test_prove_routes_every_heavy_primitive_through_the_backend():
    c = mimc_preimage_circuit(1, rounds=4)
    pk = setup(c.r1cs, b"routing")
    w = c.witness({"preimage": 8})
    backend = RecordingBackend()
    proof = prove(pk, c.r1cs, w, 5, 6, backend=backend)
    n = pk.domain_size
    assert sorted(backend.calls) == sorted(
        [("intt", n)] * 3 + [("coset_ntt", n)] * 3
        + [("msm_g1", c.r1cs.n_vars)] * 2 + [("msm_g2", c.r1cs.n_vars)]
        + [("msm_g1", c.r1cs.n_vars - c.r1cs.n_public - 1), ("msm_g1", n)]
    )
    assert g1_to_affine(proof.c) == g1_to_affine(prove(pk, c.r1cs, w, 5, 6).c)


@pytest.mark.slow
@pytest.mark.parametrize("make, inputs", [
    (lambda: merkle_circuit(8), merkle_inputs([mimc_hash(i) for i in range(256)], 13)),
    (lambda: mimc_preimage_circuit(3), {"preimage": 1}),
])
def test_full_size_circuits_round_trip(make, inputs):
    circuit = make()
    witness = circuit.witness(inputs)
    pk = setup(circuit.r1cs, b"slow")
    proof = prove(pk, circuit.r1cs, witness, *blinding_from_seed(b"slow"))
    public = circuit.r1cs.public_signals(witness)
    assert verify(pk.vk, public, proof)
    assert not verify(pk.vk, [(public[0] + 1) % R], proof)


def test_qap_quotient_is_a_polynomial_of_degree_below_n_minus_1():
    from reference.zk.backend import ReferenceBackend
    from reference.zk.field import inv, root_of_unity
    from reference.zk.groth16 import domain_size_for, h_evaluations, qap_evaluations

    c = merkle_circuit(2, rounds=2)
    w = c.witness(merkle_inputs([5, 6, 7, 8], 2, rounds=2))
    n = domain_size_for(c.r1cs)
    b = ReferenceBackend()
    shift = root_of_unity(2 * n)
    z_on_coset = (pow(shift, n, R) - 1) % R  # Z(X) = X^n - 1 is constant (-2) on the odd coset
    h = b.coset_intt([v * inv(z_on_coset) % R for v in h_evaluations(c.r1cs, w, n, b)], shift)
    assert h[n - 1] == 0 and any(h)

    def at(coeffs, x):
        return sum(cf * pow(x, i, R) for i, cf in enumerate(coeffs)) % R

    a_p, b_p, c_p = (b.intt(v) for v in qap_evaluations(c.r1cs, w, n))
    x = 123456789
    assert at(a_p, x) * at(b_p, x) % R == (at(c_p, x) + at(h, x) * (pow(x, n, R) - 1)) % R
    broken = list(w)
    broken[-1] = (broken[-1] + 1) % R
    h_bad = b.coset_intt([v * inv(z_on_coset) % R for v in h_evaluations(c.r1cs, broken, n, b)], shift)
    a_p, b_p, c_p = (b.intt(v) for v in qap_evaluations(c.r1cs, broken, n))
    assert at(a_p, x) * at(b_p, x) % R != (at(c_p, x) + at(h_bad, x) * (pow(x, n, R) - 1)) % R
