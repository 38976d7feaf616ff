"""Deterministic prover test vectors: ``python -m reference.zk.vectors [OUTDIR]`` (default vectors/zk).

Files: field.json, ntt.json, msm.json, pairing.json, groth16.json, and schema.json (the JSON
Schema of each file, under ``files``). Each vector file is
``{format_version, spec_version, description, ...}`` with big integers as decimal strings, G1 points
as affine ``[x, y]``, G2 points as ``[[x0, x1], [y0, y1]]`` (x = x0 + x1*u), infinity as zeros,
sorted keys. Every expected value is computed by this package when the file is generated.
"""
from __future__ import annotations

import json
import random
import sys
from importlib.metadata import version
from pathlib import Path

from reference.zk.backend import ReferenceBackend
from reference.zk.circuits import (
    MIMC_ROUNDS, cubic_circuit, merkle_circuit, merkle_inputs, mimc_hash, mimc_preimage_circuit,
)
from reference.zk.curve import G1, G2, Z1, Z2, add, g1_to_affine, g2_to_affine, multiply, neg, pairing_check
from reference.zk.field import GENERATOR, R, TWO_ADICITY, inv, root_of_unity
from reference.zk.groth16 import Proof, blinding_from_seed, prove, setup, verify
from reference.zk.market import encode_proof, encode_public_inputs, encode_verifying_key
from reference.zk.ntt import coset_intt, coset_ntt, intt, ntt
from reference.zk.r1cs import circuit_to_json
from reference.zk.snarkjs import proof_to_json, public_to_json, vk_to_json

FORMAT_VERSION = 1
DEFAULT_OUTDIR = Path(__file__).resolve().parents[2] / "vectors" / "zk"


def _s(values):
    return [str(v) for v in values]


def _g1(point):
    return _s(g1_to_affine(point))


def _g2(point):
    (x0, x1), (y0, y1) = g2_to_affine(point)
    return [_s((x0, x1)), _s((y0, y1))]


def _doc(description: str, **body) -> dict:
    return {"format_version": FORMAT_VERSION, "spec_version": version("kalypso-spec"), "description": description, **body}


def field_vectors() -> dict:
    rng = random.Random(1)
    picks = [0, 1, 2, R - 1, R - 2, (R - 1) // 2] + [rng.randrange(R) for _ in range(6)]
    cases = []
    for i, a in enumerate(picks):
        b = picks[(i * 5 + 3) % len(picks)]
        cases += [
            {"op": "add", "a": str(a), "b": str(b), "expected": str((a + b) % R)},
            {"op": "sub", "a": str(a), "b": str(b), "expected": str((a - b) % R)},
            {"op": "mul", "a": str(a), "b": str(b), "expected": str(a * b % R)},
        ]
        if a:
            cases.append({"op": "inv", "a": str(a), "expected": str(inv(a))})
    roots = [{"log_n": k, "root": str(root_of_unity(1 << k))} for k in (0, 1, 2, 3, 10, 16, TWO_ADICITY)]
    return _doc(
        "BN254 scalar field Fr: add/sub/mul/inv, and the roots of unity w_n = 5^((r-1)/n)",
        modulus=str(R), generator=GENERATOR, two_adicity=TWO_ADICITY, cases=cases, roots_of_unity=roots,
    )


def ntt_vectors() -> dict:
    rng = random.Random(2)
    cases = []
    for log_n in (0, 1, 2, 4, 6):
        n = 1 << log_n
        values = [rng.randrange(R) for _ in range(n)]
        cases.append({"op": "ntt", "input": _s(values), "expected": _s(ntt(values))})
        cases.append({"op": "intt", "input": _s(values), "expected": _s(intt(values))})
        for shift in (GENERATOR, root_of_unity(2 * n)):
            cases.append({"op": "coset_ntt", "shift": str(shift), "input": _s(values), "expected": _s(coset_ntt(values, shift))})
            cases.append({"op": "coset_intt", "shift": str(shift), "input": _s(values), "expected": _s(coset_intt(values, shift))})
    return _doc("NTT over Fr on <w_n>, natural order; coset variants evaluate at shift * w_n^i", cases=cases)


def _msm_case(group: str, points, scalars, label: str) -> dict:
    backend = ReferenceBackend()
    enc = _g1 if group == "g1" else _g2
    result = backend.msm_g1(points, scalars) if group == "g1" else backend.msm_g2(points, scalars)
    return {"group": group, "label": label, "points": [enc(p) for p in points], "scalars": _s(scalars), "expected": enc(result)}


def msm_vectors() -> dict:
    rng = random.Random(3)
    cases = []
    for group, base, zero, medium in (("g1", G1, Z1, 64), ("g2", G2, Z2, 16)):
        p = [multiply(base, rng.randrange(1, R)) for _ in range(4)]
        cases += [
            _msm_case(group, [p[0]], [0], "zero scalar"),
            _msm_case(group, [zero], [rng.randrange(R)], "point at infinity"),
            _msm_case(group, [p[0]], [R - 1], "scalar r-1"),
            _msm_case(group, [p[0], p[0], p[0]], [1, 2, R - 3], "repeated point cancelling"),
            _msm_case(group, [p[1], p[1], p[2]], [rng.randrange(R) for _ in range(3)], "repeated points"),
            _msm_case(group, [], [], "empty"),
            _msm_case(group, p + [zero], [0, R - 1, 1, rng.randrange(R), 7], "mixed edge cases"),
        ]
        pts = [multiply(base, rng.randrange(1, R)) for _ in range(medium)]
        cases.append(_msm_case(group, pts, [rng.randrange(R) for _ in range(medium)], f"random {medium}"))
    return _doc("Multi-scalar multiplication sum s_i * P_i on BN254 G1 and G2 (affine, infinity = zeros)", cases=cases)


def pairing_vectors() -> dict:
    a, b = 123456789, 987654321
    pa, qb = multiply(G1, a), multiply(G2, b)
    sets = {
        "e(aG1, bG2) * e(-abG1, G2)": [(pa, qb), (neg(multiply(G1, a * b % R)), G2)],
        "e(aG1, bG2) * e(-(ab+1)G1, G2)": [(pa, qb), (neg(multiply(G1, (a * b + 1) % R)), G2)],
        "e(G1, G2)": [(G1, G2)],
        "e(G1, G2) * e(-G1, G2)": [(G1, G2), (neg(G1), G2)],
        "infinity pairs only": [(Z1, G2), (G1, Z2)],
        "empty product": [],
    }
    cases = [
        {"label": label, "pairs": [{"g1": _g1(p), "g2": _g2(q)} for p, q in pairs], "expected": pairing_check(pairs)}
        for label, pairs in sets.items()
    ]
    return _doc("Pairing product checks: prod e(P_i, Q_i) == 1 (Ethereum precompile semantics)", cases=cases)


PROOF_CASES = (
    ("cubic", lambda: cubic_circuit(1), {"x": 3}),
    ("mimc", lambda: mimc_preimage_circuit(1, MIMC_ROUNDS), {"preimage": 31337}),
    ("merkle", lambda: merkle_circuit(8, rounds=2), merkle_inputs([mimc_hash(i, 2) for i in range(256)], 200, rounds=2)),
)


def groth16_vectors() -> dict:
    cases = []
    for name, make, inputs in PROOF_CASES:
        circuit = make()
        witness = circuit.witness(inputs)
        setup_seed = f"kalypso-vectors/{name}".encode()
        blind_seed = f"kalypso-vectors/{name}/blind".encode()
        pk = setup(circuit.r1cs, setup_seed)
        r, s = blinding_from_seed(blind_seed)
        proof = prove(pk, circuit.r1cs, witness, r, s)
        public = circuit.r1cs.public_signals(witness)
        tampered_proof = Proof(a=add(proof.a, G1), b=proof.b, c=proof.c)
        tampered_public = [(public[0] + 1) % R] + public[1:]
        checks = [
            {"label": "valid", "public": _s(public), "proof": proof_to_json(proof), "expected": verify(pk.vk, public, proof)},
            {"label": "pi_a + G1", "public": _s(public), "proof": proof_to_json(tampered_proof),
             "expected": verify(pk.vk, public, tampered_proof)},
            {"label": "public[0] + 1", "public": _s(tampered_public), "proof": proof_to_json(proof),
             "expected": verify(pk.vk, tampered_public, proof)},
        ]
        cases.append({
            "name": name,
            "circuit": circuit_to_json(circuit),
            "inputs": {k: str(v) for k, v in sorted(inputs.items())},
            "witness": _s(witness),
            "setup_seed_hex": setup_seed.hex(),
            "blinding_seed_hex": blind_seed.hex(),
            "r": str(r),
            "s": str(s),
            "domain_size": pk.domain_size,
            "verification_key": vk_to_json(pk.vk),
            "public": public_to_json(public),
            "proof": proof_to_json(proof),
            "market": {
                "public_inputs_hex": encode_public_inputs(public).hex(),
                "proof_hex": encode_proof(proof).hex(),
                "verifying_key_hex": encode_verifying_key(pk.vk).hex(),
            },
            "verify": checks,
        })
    return _doc(
        "Groth16 proofs: circuit (kalypso.circuit JSON), inputs, witness, INSECURE seeded setup, "
        "seeded blinding, proof in snarkjs JSON and market bytes, and verification results",
        cases=cases,
    )


_DEC = {"type": "string", "pattern": "^[0-9]+$"}
_DECS = {"type": "array", "items": _DEC}
_G1 = {"type": "array", "items": _DEC, "minItems": 2, "maxItems": 2}
_G2 = {"type": "array", "items": _G1, "minItems": 2, "maxItems": 2}
_HEADER = {
    "format_version": {"const": FORMAT_VERSION},
    "spec_version": {"type": "string"},
    "description": {"type": "string"},
}


def _file_schema(cases_item: dict, **extra) -> dict:
    return {
        "type": "object",
        "required": ["format_version", "spec_version", "description", "cases", *extra],
        "properties": {**_HEADER, "cases": {"type": "array", "items": cases_item}, **extra},
    }


def _case(required: list[str], **props) -> dict:
    return {"type": "object", "required": required, "properties": props}


SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Kalypso prover vectors (vectors/zk)",
    "description": "One sub-schema per file name; big integers are decimal strings.",
    "files": {
        "field.json": _file_schema(
            _case(["op", "a", "expected"], op={"enum": ["add", "sub", "mul", "inv"]}, a=_DEC, b=_DEC, expected=_DEC),
            modulus=_DEC, generator={"type": "integer"}, two_adicity={"type": "integer"},
            roots_of_unity={"type": "array", "items": _case(["log_n", "root"], log_n={"type": "integer"}, root=_DEC)},
        ),
        "ntt.json": _file_schema(_case(
            ["op", "input", "expected"], op={"enum": ["ntt", "intt", "coset_ntt", "coset_intt"]},
            shift=_DEC, input=_DECS, expected=_DECS)),
        "msm.json": _file_schema({"oneOf": [
            _case(["group", "label", "points", "scalars", "expected"], group={"const": "g1"}, label={"type": "string"},
                  points={"type": "array", "items": _G1}, scalars=_DECS, expected=_G1),
            _case(["group", "label", "points", "scalars", "expected"], group={"const": "g2"}, label={"type": "string"},
                  points={"type": "array", "items": _G2}, scalars=_DECS, expected=_G2),
        ]}),
        "pairing.json": _file_schema(_case(
            ["label", "pairs", "expected"], label={"type": "string"}, expected={"type": "boolean"},
            pairs={"type": "array", "items": _case(["g1", "g2"], g1=_G1, g2=_G2)})),
        "groth16.json": _file_schema(_case(
            ["name", "circuit", "inputs", "witness", "setup_seed_hex", "blinding_seed_hex", "r", "s",
             "domain_size", "verification_key", "public", "proof", "market", "verify"],
            name={"type": "string"}, circuit=_case(["kind", "format_version", "constraints", "program"]),
            inputs={"type": "object", "additionalProperties": _DEC}, witness=_DECS,
            setup_seed_hex={"type": "string"}, blinding_seed_hex={"type": "string"}, r=_DEC, s=_DEC,
            domain_size={"type": "integer"}, verification_key={"type": "object"}, public=_DECS,
            proof=_case(["pi_a", "pi_b", "pi_c", "protocol", "curve"]),
            market=_case(["public_inputs_hex", "proof_hex", "verifying_key_hex"]),
            verify={"type": "array", "items": _case(["label", "public", "proof", "expected"], expected={"type": "boolean"})},
        )),
    },
}


def schema_document() -> dict:
    return SCHEMA


GENERATORS = {
    "field.json": field_vectors,
    "ntt.json": ntt_vectors,
    "msm.json": msm_vectors,
    "pairing.json": pairing_vectors,
    "groth16.json": groth16_vectors,
    "schema.json": schema_document,
}


def render(doc: dict) -> str:
    return json.dumps(doc, sort_keys=True, indent=1) + "\n"


def generate_zk_vectors(outdir: Path | str = DEFAULT_OUTDIR) -> list[Path]:
    """Write every vector file into ``outdir``; return the paths written."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, make in GENERATORS.items():
        path = outdir / filename
        path.write_text(render(make()))
        written.append(path)
    return written


if __name__ == "__main__":
    for p in generate_zk_vectors(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUTDIR):
        print(p)
