"""The lean verifier (``reference.zk.verifier``) on arkworks and on mcl against the py_ecc path
(``reference.zk.snarkjs`` + ``reference.zk.groth16.verify``): the same verdict, or the same typed error and
message, on valid and tampered proofs and on every kind of malformed document; the EIP-197 pairing vectors
through its point checks; and a ``kalypso zk verify`` process that imports neither py_ecc, numpy, attrs,
numba nor (on arkworks) mcl."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
from py_ecc.optimized_bn128 import G1, G2, b2, normalize

from reference.zk import arkworks, native, verifier
from reference.zk.circuits import cubic_circuit
from reference.zk.eip197 import DEFAULT_OUTDIR, Malformed, _pairs
from reference.zk.field import Q, R
from reference.zk.groth16 import blinding_from_seed, prove, setup
from reference.zk.groth16 import verify as verify_reference
from reference.zk.snarkjs import proof_from_json, proof_to_json, public_from_json, public_to_json, vk_from_json, vk_to_json
from tests.zk.test_zk_native import _twist_point_outside_subgroup

pytestmark = pytest.mark.skipif(not native.available(), reason="mclbn256 does not load on this machine")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def docs():
    circuit = cubic_circuit(2)
    pk = setup(circuit.r1cs, b"lean-verifier")
    w = circuit.witness({"x": 3})
    r, s = blinding_from_seed(b"lean")
    proof = prove(pk, circuit.r1cs, w, r, s)
    public = w[1 : 1 + pk.vk.n_public]
    return vk_to_json(pk.vk), public_to_json(public), proof_to_json(proof)


def _outcome(fn):
    try:
        return fn()
    except ValueError as exc:
        return type(exc).__name__, str(exc)


def _lean(vk, public, proof, backend="mcl"):
    return _outcome(lambda: verifier.Verifier(vk, backend)(public, proof))


def _arkworks(vk, public, proof):
    return _lean(vk, public, proof, "arkworks")


def _reference(vk, public, proof):
    return _outcome(lambda: verify_reference(vk_from_json(vk), public_from_json(public), proof_from_json(proof)))


def test_constants_are_py_eccs():
    x, y = normalize(G2)
    assert native.G2_GENERATOR == ((int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1])))
    assert native.G1_GENERATOR == tuple(int(v) for v in normalize(G1))
    assert verifier.G2_B == tuple(int(c) for c in b2.coeffs)


def test_valid_and_tampered_proofs_agree(docs):
    vk, public, proof = docs
    assert verifier.Verifier(vk, "mcl").lean and verifier.Verifier(vk, "mcl").backend == "mcl"
    wrong = [str((int(public[0]) + 1) % R)]
    swapped = dict(proof, pi_a=proof["pi_c"], pi_c=proof["pi_a"])
    infinity = dict(proof, pi_a=["0", "1", "0"])
    for docs_, expected in (((vk, public, proof), True), ((vk, wrong, proof), False), ((vk, public, swapped), False),
                            ((vk, public, infinity), False)):
        assert _lean(*docs_) is expected and _reference(*docs_) is expected
        if arkworks.available():
            assert _arkworks(*docs_) is expected


needs_arkworks = pytest.mark.skipif(not arkworks.available(), reason="groth16py (arkworks) does not import here")


@needs_arkworks
def test_auto_picks_arkworks_and_judges_keys_with_an_infinity_on_mcl(docs):
    vk, public, proof = docs
    assert verifier.Verifier(vk).backend == "arkworks"
    assert verifier.Verifier(dict(vk, vk_alpha_1=["0", "1", "0"])).backend == "mcl"
    with pytest.raises(ValueError, match="backend: 'gnark' is not one of"):
        verifier.Verifier(vk, "gnark")


@needs_arkworks
def test_arkworks_decides_the_pairing_equation_alone(docs):
    """Not a fallback in disguise: every point of a valid proof moved to another valid point of its group,
    and arkworks itself (``ArkworksVerifier``, no mcl) says False; the original, True."""
    vk, public, proof = docs
    checked_vk = verifier.vk_parts(vk, verifier.g1_point, verifier.g2_on_twist)
    parts = verifier.proof_parts(proof, verifier.g1_point, verifier.g2_on_twist)
    fast = arkworks.ArkworksVerifier(checked_vk)
    ints = [int(v) for v in public]
    assert fast(ints, parts) is True
    g1 = tuple(int(v) for v in normalize(G1))
    x, y = normalize(G2)
    g2 = ((int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1])))
    for key, other in (("a", g1), ("b", g2), ("c", g1)):
        assert fast(ints, dict(parts, **{key: other})) is False, key
    assert fast([(ints[0] + 1) % R], parts) is False
    bad_x, bad_y = _twist_point_outside_subgroup()
    with pytest.raises(arkworks.Refused, match="subgroup"):
        fast(ints, dict(parts, b=(bad_x, bad_y)))
    with pytest.raises(arkworks.Refused, match="subgroup"):
        arkworks.ArkworksVerifier(dict(checked_vk, gamma2=(bad_x, bad_y)))


def _mutations(vk, public, proof):
    """(name, vk, public, proof) for each way a document can be wrong."""
    bad_x, bad_y = _twist_point_outside_subgroup()
    outside = [[str(bad_x[0]), str(bad_x[1])], [str(bad_y[0]), str(bad_y[1])], ["1", "0"]]
    ax, ay = int(proof["pi_a"][0]), int(proof["pi_a"][1])
    cases = {
        "proof not an object": (vk, public, []),
        "proof protocol": (vk, public, dict(proof, protocol="plonk")),
        "proof curve": (vk, public, dict(proof, curve="bls12381")),
        "pi_a shape": (vk, public, dict(proof, pi_a=["1", "2"])),
        "pi_a not decimal": (vk, public, dict(proof, pi_a=["0x1", "2", "1"])),
        "pi_a z = 2": (vk, public, dict(proof, pi_a=["1", "2", "2"])),
        "pi_a x >= q": (vk, public, dict(proof, pi_a=[str(ax + Q), str(ay), "1"])),
        "pi_a y >= q": (vk, public, dict(proof, pi_a=[str(ax), str(Q), "1"])),
        "pi_a off the curve": (vk, public, dict(proof, pi_a=[str(ax), str((ay + 1) % Q), "1"])),
        "pi_a (0, 0) affine": (vk, public, dict(proof, pi_a=["0", "0", "1"])),
        "pi_b shape": (vk, public, dict(proof, pi_b=[["1", "2"], ["3"], ["1", "0"]])),
        "pi_b z": (vk, public, dict(proof, pi_b=[proof["pi_b"][0], proof["pi_b"][1], ["0", "1"]])),
        "pi_b x1 >= q": (vk, public, dict(proof, pi_b=[[proof["pi_b"][0][0], str(Q)], proof["pi_b"][1], ["1", "0"]])),
        "pi_b off the twist": (vk, public, dict(proof, pi_b=[proof["pi_b"][0], [proof["pi_b"][1][0], "5"], ["1", "0"]])),
        "pi_b outside the subgroup": (vk, public, dict(proof, pi_b=outside)),
        "pi_b infinity": (vk, public, dict(proof, pi_b=[["0", "0"], ["1", "0"], ["0", "0"]])),
        "public not a list": (vk, {"0": public[0]}, proof),
        "public >= r": (vk, [str(R)], proof),
        "public negative": (vk, ["-1"], proof),
        "public too many": (vk, public + ["1"], proof),
        "public too few": (vk, [], proof),
        "vk protocol": (dict(vk, protocol="groth"), public, proof),
        "vk IC empty": (dict(vk, IC=[]), public, proof),
        "vk nPublic": (dict(vk, nPublic=2), public, proof),
        "vk gamma outside the subgroup": (dict(vk, vk_gamma_2=outside), public, proof),
        "vk delta off the twist": (dict(vk, vk_delta_2=[vk["vk_delta_2"][0], ["1", "1"], ["1", "0"]]), public, proof),
        "vk IC off the curve": (dict(vk, IC=[vk["IC"][0], ["1", "3", "1"]]), public, proof),
        "vk alpha infinity": (dict(vk, vk_alpha_1=["0", "1", "0"]), public, proof),
    }
    return [(name, *copy.deepcopy(args)) for name, args in cases.items()]


def test_malformed_documents_give_the_same_typed_errors(docs):
    seen = set()
    for name, vk, public, proof in _mutations(*docs):
        lean, reference = _lean(vk, public, proof), _reference(vk, public, proof)
        assert lean == reference, name
        if arkworks.available():
            assert _arkworks(vk, public, proof) == reference, name
        seen.add(lean if isinstance(lean, bool) else lean[0])
    assert seen == {False, "SnarkjsFormatError", "Groth16Error"}


def _json_pairs(data: bytes):
    return [([str(x), str(y), "1"], [[str(q[0][0]), str(q[0][1])], [str(q[1][0]), str(q[1][1])], ["1", "0"]])
            for (x, y), q in _pairs(data)]


@pytest.mark.parametrize("v", json.loads((DEFAULT_OUTDIR / "ecpairing.json").read_text())["vectors"], ids=lambda v: v["name"])
def test_eip197_pairing_vectors_through_the_lean_point_checks(v):
    """Each pair as snarkjs JSON through ``g1_point``/``g2_point``, then mcl's product: revm's result."""
    try:
        pairs = [(verifier.g1_point("p", p), verifier.g2_point("q", q)) for p, q in _json_pairs(bytes.fromhex(v["input"]))]
    except (Malformed, verifier.SnarkjsFormatError):
        got = (False, b"")
    else:
        got = (True, int(native.pairing_check(pairs)).to_bytes(32, "big"))
    assert got == (v["success"], bytes.fromhex(v["output"]))


def test_cli_verify_imports_only_what_verification_needs(docs, tmp_path):
    for name, doc in zip(("vk", "public", "proof"), docs):
        (tmp_path / f"{name}.json").write_text(json.dumps(doc))
    code = (
        "import sys\nfrom kalypso.cli import main\n"
        f"rc = main(['zk', 'verify', '--vk', {str(tmp_path / 'vk.json')!r}, '--public', {str(tmp_path / 'public.json')!r},"
        f" '--proof', {str(tmp_path / 'proof.json')!r}])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'py_ecc', 'numpy', 'numba', 'attr', 'attrs', 'rich', 'mclbn256'})\n"
        "print(rc, heavy, 'reference.zk.native' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.stdout.splitlines() == ["valid", f"0 [] {not arkworks.available()}"], out.stderr
    (tmp_path / "public.json").write_text(json.dumps([str(R)]))
    out = subprocess.run([sys.executable, "-m", "kalypso", "zk", "verify", "--vk", str(tmp_path / "vk.json"),
                          "--public", str(tmp_path / "public.json"), "--proof", str(tmp_path / "proof.json")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and out.stderr.startswith("error: SnarkjsFormatError [zk verify]: public[0]:"), out.stderr


def _g1_times(k: int) -> tuple[int, int]:
    from py_ecc.optimized_bn128 import curve_order, multiply

    return tuple(int(v) for v in normalize(multiply(G1, k % curve_order)))


def _as_groth16(pairs):
    """A product of 1, 2 or 4 pairings (or none) as a Groth16 instance with no public signal: the pairs padded to
    four with pairs whose product is 1, then A = -P1, B = Q1, (alpha, beta) = pair 2, (IC_0, gamma) = pair 3,
    (C, delta) = pair 4, so that arkworks' e(A, B) == e(alpha, beta) e(IC_0, gamma) e(C, delta) is the product == 1."""
    x, y = normalize(G2)
    g2 = ((int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1])))
    pad = {0: [1, 1, 1, -3], 1: [1, 1, -2], 2: [1, -1], 4: []}[len(pairs)]
    pairs = list(pairs) + [(_g1_times(k), g2) for k in pad]
    (p1x, p1y), q1 = pairs[0]
    vk = {"alpha1": pairs[1][0], "beta2": pairs[1][1], "ic": (pairs[2][0],), "gamma2": pairs[2][1], "delta2": pairs[3][1]}
    return vk, {"a": (p1x, (Q - p1y) % Q), "b": q1, "c": pairs[3][0]}


def _g1_doc(p):
    return ["0", "1", "0"] if p == (0, 0) else [str(p[0]), str(p[1]), "1"]


def _g2_doc(q):
    if q == ((0, 0), (0, 0)):
        return [["0", "0"], ["1", "0"], ["0", "0"]]
    return [[str(q[0][0]), str(q[0][1])], [str(q[1][0]), str(q[1][1])], ["1", "0"]]


@needs_arkworks
@pytest.mark.parametrize("v", json.loads((DEFAULT_OUTDIR / "ecpairing.json").read_text())["vectors"], ids=lambda v: v["name"])
def test_eip197_pairing_vectors_through_arkworks(v):
    """Each pairing vector whose points pass the lean point checks, as a Groth16 equation: decided by arkworks
    alone where no point is at infinity, and by ``Verifier(.., "arkworks")`` on snarkjs JSON (which judges an
    infinity on mcl) for all: revm's result (a product of 1 is True, of another value False, a point outside
    the subgroup refused)."""
    try:
        pairs = [(verifier.g1_point("p", p), verifier.g2_on_twist("q", q)) for p, q in _json_pairs(bytes.fromhex(v["input"]))]
    except (Malformed, verifier.SnarkjsFormatError):
        assert not v["success"]
        return
    expected = (v["success"], bytes.fromhex(v["output"]))
    vk, proof = _as_groth16(pairs)
    if all(p != (0, 0) and q != ((0, 0), (0, 0)) for p, q in pairs):
        try:
            alone = (True, int(arkworks.ArkworksVerifier(vk)([], proof)).to_bytes(32, "big"))
        except arkworks.Refused:
            alone = (False, b"")
        assert alone == expected
    vk_doc = {"protocol": "groth16", "curve": "bn128", "nPublic": 0, "vk_alpha_1": _g1_doc(vk["alpha1"]),
              "vk_beta_2": _g2_doc(vk["beta2"]), "vk_gamma_2": _g2_doc(vk["gamma2"]), "vk_delta_2": _g2_doc(vk["delta2"]),
              "IC": [_g1_doc(vk["ic"][0])]}
    proof_doc = {"protocol": "groth16", "curve": "bn128", "pi_a": _g1_doc(proof["a"]), "pi_b": _g2_doc(proof["b"]),
                 "pi_c": _g1_doc(proof["c"])}
    try:
        full = (True, int(verifier.Verifier(vk_doc, "arkworks")([], proof_doc)).to_bytes(32, "big"))
    except verifier.SnarkjsFormatError:
        full = (False, b"")
    assert full == expected
