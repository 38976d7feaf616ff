"""The persistent prover (``reference.fast.cpu_prover.Prover``): same proofs as the reference prover,
one key for many witnesses, and typed errors for keys, circuits and witnesses that do not fit."""
from __future__ import annotations

import pytest

from reference.fast.cpu_keys import read_zkey_arrays
from reference.fast.cpu_prover import Prover
from reference.zk.backend import ReferenceBackend
from reference.zk.binfile import BinFormatError, write_r1cs, write_wtns, write_zkey
from reference.zk.circuits import cubic_circuit, merkle_circuit, mimc_preimage_circuit
from reference.zk.field import R
from reference.zk.groth16 import blinding_from_seed, prove, setup
from reference.zk.r1cs import CircuitError, UnsatisfiedConstraint
from reference.zk.snarkjs import proof_to_json


def test_persistent_prover_matches_the_reference_prover_for_many_witnesses(mimc):
    circuit, pk, zkey, r1cs = mimc
    prover = Prover.load(zkey, r1cs=r1cs)
    for i, preimage in enumerate((0, 1, 2**200 + 7)):
        witness = circuit.witness({"preimage": preimage})
        r, s = blinding_from_seed(b"persistent/%d" % i)
        expected = prove(pk, circuit.r1cs, witness, r, s, backend=ReferenceBackend())
        proof, public = prover.prove(write_wtns(witness), r, s)
        assert proof_to_json(proof) == proof_to_json(expected)
        assert public == circuit.r1cs.public_signals(witness)


@pytest.mark.parametrize("budget", [2**40, 1])
def test_precomputed_tables_give_the_reference_prover_s_proofs(mimc, budget):
    """With every MSM's table 2^(c*w) * P_i built at load (and with none: a budget of one byte), the
    proofs, one at a time and in a stream, are the reference prover's; infinity bases stay out."""
    circuit, pk, zkey, r1cs = mimc
    prover = Prover.load(zkey, r1cs=r1cs, precompute=budget)
    assert set(prover.tables) == ({"a_bases", "b1_bases", "c_bases", "b2_bases"} if budget > 1 else set())
    for name, (table, c) in prover.tables.items():
        bases = getattr(prover, name)
        assert table.shape[0] == bases.shape[0] * (254 // c + 1) and (table[: bases.shape[0]] == bases).all()
    jobs, expected = [], []
    for i, preimage in enumerate((0, 5, 2**200 + 7)):
        witness = circuit.witness({"preimage": preimage})
        r, s = blinding_from_seed(b"precomputed/%d" % i)
        jobs.append((write_wtns(witness), r, s))
        expected.append(proof_to_json(prove(pk, circuit.r1cs, witness, r, s, backend=ReferenceBackend())))
    assert [proof_to_json(prover.prove(*job)[0]) for job in jobs] == expected
    assert [proof_to_json(out[0]) for out, error in prover.prove_stream(jobs, workers=2)] == expected


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_prove_stream_gives_prove_s_proofs_in_order_and_each_error_in_its_place(mimc, workers):
    """Concurrent proofs (kernels without the GIL, one thread each) equal sequential ones, in input order;
    a bad witness is handed back at its position and the stream goes on; the jobs are read lazily."""
    circuit, pk, zkey, r1cs = mimc
    prover = Prover.load(zkey, r1cs=r1cs)
    witnesses = [write_wtns(circuit.witness({"preimage": x})) for x in (3, 4, 5, 6, 7)]
    witnesses[2] = write_wtns([1, 2, 3])
    jobs = [(w, *blinding_from_seed(b"stream/%d" % i)) for i, w in enumerate(witnesses)]
    read = []

    def lazily():
        for job in jobs:
            read.append(job)
            yield job

    stream = prover.prove_stream(lazily(), workers=workers)
    first = next(stream)
    assert len(read) <= 2 * workers
    results = [first, *stream]
    assert len(results) == 5
    for i, ((result, error), job) in enumerate(zip(results, jobs)):
        if i == 2:
            assert result is None and isinstance(error, CircuitError)
            continue
        assert error is None
        proof, public = prover.prove(*job)
        assert proof_to_json(result[0]) == proof_to_json(proof) and result[1] == public


def test_persistent_prover_without_r1cs_matches_reference(small_key):
    circuit, inputs, pk, zkey = small_key
    witness = circuit.witness(inputs)
    expected = prove(pk, circuit.r1cs, witness, 11, 13, backend=ReferenceBackend())
    proof, _ = Prover.load(zkey).prove(witness, 11, 13)
    assert proof_to_json(proof) == proof_to_json(expected)


def test_zkey_for_another_circuit_is_refused(mimc):
    _, _, zkey, _ = mimc
    other = mimc_preimage_circuit(2, rounds=5)
    with pytest.raises(BinFormatError, match="QAP coefficients differ|signals"):
        Prover.load(zkey, r1cs=write_r1cs(other.r1cs, n_outputs=1))
    same_shape = cubic_circuit(2)
    with pytest.raises(BinFormatError):
        Prover.load(zkey, r1cs=write_r1cs(same_shape.r1cs, n_outputs=1))


def test_witness_for_another_circuit_is_refused(mimc):
    circuit, _, zkey, r1cs = mimc
    prover = Prover.load(zkey, r1cs=r1cs)
    with pytest.raises(CircuitError, match="another circuit"):
        prover.prove(write_wtns(cubic_circuit(1).witness({"x": 2})), 1, 2)
    witness = circuit.witness({"preimage": 5})
    witness[3] = (witness[3] + 1) % R
    with pytest.raises(UnsatisfiedConstraint):
        prover.prove(witness, 1, 2)
    with pytest.raises(CircuitError, match="constant"):
        prover.prove([0] + witness[1:], 1, 2)


def test_malformed_zkeys_are_typed_errors(mimc):
    _, _, zkey, _ = mimc
    for cut in (3, 100, len(zkey) // 2, len(zkey) - 1):
        with pytest.raises(BinFormatError):
            read_zkey_arrays(zkey[:cut])
    arrays = read_zkey_arrays(zkey)
    # flip one byte inside the first A point's x coordinate (section 5): off the curve
    a_bytes = arrays.a[1].tobytes()
    at = bytes(zkey).index(a_bytes)
    bad = bytearray(zkey)
    bad[at] ^= 1
    with pytest.raises(BinFormatError, match="A\\[1\\] is not on"):
        read_zkey_arrays(bytes(bad))


@pytest.mark.parametrize("circuit", [cubic_circuit(3), merkle_circuit(2, rounds=3)])
def test_array_setup_writes_the_reference_setup_zkey_byte_for_byte(circuit):
    from reference.fast.cpu_setup import setup_zkey
    from reference.zk.binfile import read_r1cs_arrays

    arrays = read_r1cs_arrays(write_r1cs(circuit.r1cs, n_outputs=len(circuit.outputs)))
    assert setup_zkey(circuit.r1cs, arrays, b"array-setup") == write_zkey(setup(circuit.r1cs, b"array-setup"), circuit.r1cs)


def test_generator_multiples_edge_scalars():
    from py_ecc.optimized_bn128 import G1, G2, multiply

    from reference.fast.cpu_setup import generator_multiples
    from reference.fast.limbs import convert_bases

    scalars = [0, 1, 2, R - 1, 2**253 + 12345, 1 << 128]
    for degree, g in ((1, G1), (2, G2)):
        expected = convert_bases([multiply(g, s) for s in scalars], degree).rows
        assert (generator_multiples(scalars, degree) == expected).all()


def test_validated_keys_are_remembered_by_digest_on_disk(mimc, tmp_path, monkeypatch):
    from reference.fast import cpu_keys

    _, _, zkey, _ = mimc
    monkeypatch.setenv("KALYPSO_CACHE", str(tmp_path))
    monkeypatch.setattr(cpu_keys, "_VALIDATED", set())
    digest = read_zkey_arrays(zkey).digest
    assert (tmp_path / digest.hex()).is_file()
    monkeypatch.setattr(cpu_keys, "_VALIDATED", set())
    calls = []
    monkeypatch.setattr(cpu_keys, "_validate_points", lambda *a: calls.append(a))
    read_zkey_arrays(zkey)
    assert calls == []  # known valid: the curve checks are skipped
    monkeypatch.setenv("KALYPSO_CACHE", "off")
    read_zkey_arrays(zkey)
    assert len(calls) == 7  # beta1, delta1 and the five queries; the verifying key's points are checked as it is built
