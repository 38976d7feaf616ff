"""The small-key prover (``reference.fast.native_prover``, mcl's MSM and the QAP on ints): the proofs
of the reference prover and of the numba prover, bit for bit, and the same typed errors."""
from __future__ import annotations

import subprocess
import sys

import pytest

from reference.fast.native_prover import NativeProver, load_prover
from reference.zk import native
from reference.zk.backend import ReferenceBackend
from reference.zk.binfile import BinFormatError, write_r1cs, write_wtns
from reference.zk.circuits import cubic_circuit, mimc_preimage_circuit
from reference.zk.field import R
from reference.zk.groth16 import prove
from reference.zk.r1cs import CircuitError, UnsatisfiedConstraint
from reference.zk.snarkjs import proof_to_json

pytestmark = pytest.mark.skipif(not native.available(), reason="mclbn256 does not load on this platform")


@pytest.mark.parametrize("r, s", [(11, 13), (0, 0), (R - 1, 1), (2**250 + 3, R - 2)])
def test_native_prover_matches_the_reference_prover(mimc, r, s):
    circuit, pk, zkey, r1cs = mimc
    prover = NativeProver.load(zkey, r1cs=r1cs)
    for preimage in (0, 1, 2**200 + 7):
        witness = circuit.witness({"preimage": preimage})
        expected = prove(pk, circuit.r1cs, witness, r, s, backend=ReferenceBackend())
        proof, public = prover.prove(write_wtns(witness), r, s)
        assert proof_to_json(proof) == proof_to_json(expected)
        assert public == circuit.r1cs.public_signals(witness)


def test_native_prover_without_r1cs_matches_reference(small_key):
    circuit, inputs, pk, zkey = small_key
    witness = circuit.witness(inputs)
    expected = prove(pk, circuit.r1cs, witness, 11, 13, backend=ReferenceBackend())
    proof, _ = NativeProver.load(zkey).prove(witness, 11, 13)
    assert proof_to_json(proof) == proof_to_json(expected)


def test_load_prover_picks_by_domain_size(mimc):
    from reference.fast.cpu_prover import Prover

    circuit, _, zkey, r1cs = mimc
    small, large = load_prover(zkey, r1cs), load_prover(zkey, r1cs, native_below=2)
    assert isinstance(small, NativeProver) and isinstance(large, Prover)
    witness = write_wtns(circuit.witness({"preimage": 9}))
    assert proof_to_json(small.prove(witness, 5, 6)[0]) == proof_to_json(large.prove(witness, 5, 6)[0])


def test_native_prover_refuses_what_the_numba_prover_refuses(mimc):
    circuit, _, zkey, r1cs = mimc
    with pytest.raises(BinFormatError, match="QAP coefficients differ|signals"):
        NativeProver.load(zkey, r1cs=write_r1cs(mimc_preimage_circuit(2, rounds=5).r1cs, n_outputs=1))
    prover = NativeProver.load(zkey, r1cs=r1cs)
    with pytest.raises(CircuitError, match="another circuit"):
        prover.prove(write_wtns(cubic_circuit(1).witness({"x": 2})), 1, 2)
    witness = circuit.witness({"preimage": 5})
    witness[3] = (witness[3] + 1) % R
    with pytest.raises(UnsatisfiedConstraint):
        prover.prove(witness, 1, 2)
    with pytest.raises(CircuitError, match="constant"):
        prover.prove([0] + witness[1:], 1, 2)
    for cut in (3, 100, len(zkey) // 2, len(zkey) - 1):
        with pytest.raises(BinFormatError):
            NativeProver.load(zkey[:cut])


@pytest.mark.parametrize("query, degree", [("a", 1), ("b2", 2), ("h", 1)])
def test_off_curve_points_are_found_on_ints(mimc, query, degree, monkeypatch):
    """A flipped bit in a query point: the Python check names it as the numba kernel does."""
    from reference.fast import cpu_keys

    _, _, zkey, _ = mimc
    monkeypatch.setenv("KALYPSO_CACHE", "off")
    monkeypatch.setattr(cpu_keys, "_VALIDATED", set())
    rows = getattr(cpu_keys.parse_zkey_arrays(zkey), query)
    i = next(i for i in range(1, rows.shape[0]) if rows[i].any())  # not infinity (zeros are everywhere)
    at = bytes(zkey).index(rows[i].tobytes())
    bad = bytearray(zkey)
    bad[at] ^= 1
    name = {"a": "A", "b2": "B2", "h": "H"}[query]
    twist = "G1 curve" if degree == 1 else "G2 twist"
    with pytest.raises(BinFormatError, match=f"{name}\\[{i}\\] is not on the BN254 {twist}"):
        NativeProver.load(bytes(bad))
    with pytest.raises(BinFormatError, match=f"{name}\\[{i}\\] is not on the BN254 {twist}"):
        load_prover(bytes(bad), native_below=2)  # the numba kernel says the same


def test_small_prove_imports_no_numba(mimc, tmp_path):
    """The point of this prover: a small proof in a fresh process without importing numba."""
    circuit, _, zkey, r1cs = mimc
    (tmp_path / "k.zkey").write_bytes(zkey)
    (tmp_path / "c.r1cs").write_bytes(r1cs)
    (tmp_path / "w.wtns").write_bytes(write_wtns(circuit.witness({"preimage": 3})))
    code = ("import sys; from kalypso.cli import main\n"
            "code = main(['zk', 'prove', 'c.r1cs', '--zkey', 'k.zkey', '--wtns', 'w.wtns', '--backend', 'cpu', "
            "'--seed', 's', '--out', 'o'])\n"
            "print(code, 'numba' in sys.modules, 'numpy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "0 False True", done.stderr
    assert (tmp_path / "o" / "proof.json").is_file()


def test_verify_process_imports_neither_numpy_nor_the_state_machine(mimc, tmp_path):
    """`kalypso zk verify` is a short process: it imports what verification needs and no more."""
    import json

    from reference.zk.snarkjs import public_to_json, vk_to_json

    circuit, pk, zkey, r1cs = mimc
    witness = circuit.witness({"preimage": 4})
    proof, public = NativeProver.load(zkey, r1cs).prove(witness, 7, 8)
    (tmp_path / "vk.json").write_text(json.dumps(vk_to_json(pk.vk)))
    (tmp_path / "proof.json").write_text(json.dumps(proof_to_json(proof)))
    (tmp_path / "public.json").write_text(json.dumps(public_to_json(public)))
    code = ("import sys; from kalypso.cli import main\n"
            "code = main(['zk', 'verify', '--vk', 'vk.json', '--public', 'public.json', '--proof', 'proof.json'])\n"
            "print(code, *(m in sys.modules for m in ('numpy', 'numba', 'spec.transition', 'rich')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip().splitlines() == ["valid", "0 False False False False"], done.stderr


@pytest.mark.skipif(sys.platform != "linux", reason="the decoded library is cached on Linux only")
def test_mcl_library_is_cached_decoded_and_loads_from_the_cache(tmp_path):
    """The bindings' hex-encoded library is decoded once into $KALYPSO_CACHE; later processes load it
    from there and pass the same self-check (the generators' pairing) as through the bindings."""
    import os

    code = ("import sys; from reference.zk import native; lib = native._lib()\n"
            "print(native.available(), 'mclbn256.mclbn256' in sys.modules)")
    runs = []
    for cache in (str(tmp_path), str(tmp_path), "off"):
        env = dict(os.environ, KALYPSO_CACHE=cache)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
        runs.append(done.stdout.strip())
    assert runs == ["True True", "True False", "True True"]  # decoded once, then loaded without the bindings
    folders = list(tmp_path.glob("mcl-*"))
    assert len(folders) == 1 and (folders[0] / "complete").is_file() and (folders[0] / "libmclbn256.so").is_file()
