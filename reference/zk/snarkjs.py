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
from reference.zk.errors import SnarkjsFormatError
from reference.zk.field import check_scalar
from reference.zk.snarkjs_format import g1_json, g2_json, proof_parts, public_json, vk_parts
from reference.zk.groth16 import Proof, VerifyingKey


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
    xy = g1_json(name, value)
    if xy is None:
        return Z1
    try:
        return g1_from_affine(xy[0], xy[1], name)
    except CurveError as exc:
        raise SnarkjsFormatError(str(exc)) from exc


def g2_from_json(name: str, value: Any):
    xy = g2_json(name, value)
    if xy is None:
        return Z2
    try:
        return g2_from_affine(xy[0], xy[1], name)
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


def vk_from_json(doc: Any) -> VerifyingKey:
    return VerifyingKey(**vk_parts(doc, g1_from_json, g2_from_json))


def proof_to_json(proof: Proof) -> dict:
    return {
        "pi_a": g1_to_json(proof.a),
        "pi_b": g2_to_json(proof.b),
        "pi_c": g1_to_json(proof.c),
        "protocol": "groth16",
        "curve": "bn128",
    }


def proof_from_json(doc: Any) -> Proof:
    return Proof(**proof_parts(doc, g1_from_json, g2_from_json))


def public_to_json(public: Sequence[int]) -> list[str]:
    return [str(check_scalar(f"public[{i}]", x)) for i, x in enumerate(public)]


def public_from_json(doc: Any) -> list[int]:
    return public_json(doc)
