"""snarkjs JSON formats: verification_key.json, proof.json, public.json (Groth16, curve bn128).

Points are affine decimal strings with a trailing projective "1" (G1: [x, y, "1"];
G2: [[x0, x1], [y0, y1], ["1", "0"]] for x = x0 + x1*u); infinity is written ["0", "1", "0"]
(G1) / [["0","0"],["1","0"],["0","0"]] (G2), as snarkjs does.
"""
from __future__ import annotations

from typing import Any, Sequence

from reference.zk.curve import (
    CurveError, g1_from_affine, g1_to_affine, g2_from_affine, g2_to_affine, is_infinity, Z1, Z2,
)
from reference.zk.field import check_scalar
from reference.zk.groth16 import Proof, VerifyingKey


CURVE_NAMES = ("bn128", "bn254", "altbn128")


class SnarkjsFormatError(ValueError):
    """A snarkjs JSON document is malformed."""


def _int(name: str, value: Any) -> int:
    if not isinstance(value, str) or not value.isdigit():
        raise SnarkjsFormatError(f"{name}: expected a decimal string, got {value!r}")
    return int(value)


def g1_to_json(point) -> list[str]:
    if is_infinity(point):
        return ["0", "1", "0"]
    x, y = g1_to_affine(point)
    return [str(x), str(y), "1"]


def g2_to_json(point) -> list[list[str]]:
    if is_infinity(point):
        return [["0", "0"], ["1", "0"], ["0", "0"]]
    (x0, x1), (y0, y1) = g2_to_affine(point)
    return [[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]]


def g1_from_json(name: str, value: Any):
    if not isinstance(value, list) or len(value) != 3:
        raise SnarkjsFormatError(f"{name}: expected [x, y, z]")
    x, y, z = (_int(f"{name}[{i}]", v) for i, v in enumerate(value))
    if z == 0:
        return Z1
    if z != 1:
        raise SnarkjsFormatError(f"{name}: z must be 0 or 1 (affine)")
    try:
        return g1_from_affine(x, y, name)
    except CurveError as exc:
        raise SnarkjsFormatError(str(exc)) from exc


def g2_from_json(name: str, value: Any):
    if not isinstance(value, list) or len(value) != 3 or not all(isinstance(c, list) and len(c) == 2 for c in value):
        raise SnarkjsFormatError(f"{name}: expected [[x0, x1], [y0, y1], [z0, z1]]")
    (x0, x1), (y0, y1), (z0, z1) = ((_int(f"{name}[{i}][{j}]", v) for j, v in enumerate(c)) for i, c in enumerate(value))
    if (z0, z1) == (0, 0):
        return Z2
    if (z0, z1) != (1, 0):
        raise SnarkjsFormatError(f"{name}: z must be [0, 0] or [1, 0] (affine)")
    try:
        return g2_from_affine((x0, x1), (y0, y1), name)
    except CurveError as exc:
        raise SnarkjsFormatError(str(exc)) from exc


def vk_to_json(vk: VerifyingKey) -> dict:
    return {
        "protocol": "groth16",
        "curve": "bn128",
        "nPublic": vk.n_public,
        "vk_alpha_1": g1_to_json(vk.alpha1),
        "vk_beta_2": g2_to_json(vk.beta2),
        "vk_gamma_2": g2_to_json(vk.gamma2),
        "vk_delta_2": g2_to_json(vk.delta2),
        "IC": [g1_to_json(p) for p in vk.ic],
    }


def _check_header(doc: Any, what: str) -> None:
    if not isinstance(doc, dict):
        raise SnarkjsFormatError(f"{what}: expected a JSON object")
    if doc.get("protocol") != "groth16":
        raise SnarkjsFormatError(f"{what}.protocol: expected 'groth16', got {doc.get('protocol')!r}")
    if doc.get("curve") not in CURVE_NAMES:
        raise SnarkjsFormatError(f"{what}.curve: expected one of {', '.join(CURVE_NAMES)}, got {doc.get('curve')!r}")


def vk_from_json(doc: Any) -> VerifyingKey:
    _check_header(doc, "verification_key")
    ic = doc.get("IC")
    if not isinstance(ic, list) or not ic:
        raise SnarkjsFormatError("verification_key.IC: expected a non-empty list")
    if doc.get("nPublic") != len(ic) - 1:
        raise SnarkjsFormatError(f"verification_key.nPublic: {doc.get('nPublic')!r} but IC has {len(ic)} points")
    return VerifyingKey(
        alpha1=g1_from_json("vk_alpha_1", doc.get("vk_alpha_1")),
        beta2=g2_from_json("vk_beta_2", doc.get("vk_beta_2")),
        gamma2=g2_from_json("vk_gamma_2", doc.get("vk_gamma_2")),
        delta2=g2_from_json("vk_delta_2", doc.get("vk_delta_2")),
        ic=tuple(g1_from_json(f"IC[{i}]", p) for i, p in enumerate(ic)),
    )


def proof_to_json(proof: Proof) -> dict:
    return {
        "pi_a": g1_to_json(proof.a),
        "pi_b": g2_to_json(proof.b),
        "pi_c": g1_to_json(proof.c),
        "protocol": "groth16",
        "curve": "bn128",
    }


def proof_from_json(doc: Any) -> Proof:
    _check_header(doc, "proof")
    return Proof(
        a=g1_from_json("pi_a", doc.get("pi_a")),
        b=g2_from_json("pi_b", doc.get("pi_b")),
        c=g1_from_json("pi_c", doc.get("pi_c")),
    )


def public_to_json(public: Sequence[int]) -> list[str]:
    return [str(check_scalar(f"public[{i}]", x)) for i, x in enumerate(public)]


def public_from_json(doc: Any) -> list[int]:
    if not isinstance(doc, list):
        raise SnarkjsFormatError("public: expected a list of decimal strings")
    out = []
    for i, v in enumerate(doc):
        x = _int(f"public[{i}]", v)
        try:
            out.append(check_scalar(f"public[{i}]", x))
        except ValueError as exc:
            raise SnarkjsFormatError(str(exc)) from exc
    return out
