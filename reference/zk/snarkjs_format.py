"""snarkjs JSON format rules (Groth16, curve bn128), without curve arithmetic: the one home of the rules that
both ``reference.zk.snarkjs`` (py_ecc points) and ``reference.zk.verifier`` (affine ints, mcl) apply.

Points are ``[x, y, z]`` (G1) or ``[[x0, x1], [y0, y1], [z0, z1]]`` (G2) of decimal strings, z 0 (infinity)
or 1 (affine); the point constructors passed to ``vk_parts``/``proof_parts`` check the curve.
"""
from __future__ import annotations

from collections.abc import Callable

from reference.zk.errors import SnarkjsFormatError
from reference.zk.field import R

CURVE_NAMES = ("bn128", "bn254", "altbn128")


def json_int(name: str, value: object) -> int:
    """A decimal string as an int."""
    if not isinstance(value, str) or not value.isdigit():
        raise SnarkjsFormatError(f"{name}: expected a decimal string, got {value!r}")
    return int(value)


def check_header(doc: object, what: str) -> None:
    if not isinstance(doc, dict):
        raise SnarkjsFormatError(f"{what}: expected a JSON object")
    if doc.get("protocol") != "groth16":
        raise SnarkjsFormatError(f"{what}.protocol: expected 'groth16', got {doc.get('protocol')!r}")
    if doc.get("curve") not in CURVE_NAMES:
        raise SnarkjsFormatError(f"{what}.curve: expected one of {', '.join(CURVE_NAMES)}, got {doc.get('curve')!r}")


def g1_json(name: str, value: object) -> tuple[int, int] | None:
    """``[x, y, z]``: the affine ints (x, y) for z = 1, None for z = 0 (infinity); not yet checked on the curve."""
    if not isinstance(value, list) or len(value) != 3:
        raise SnarkjsFormatError(f"{name}: expected [x, y, z]")
    x, y, z = (json_int(f"{name}[{i}]", v) for i, v in enumerate(value))
    if z == 0:
        return None
    if z != 1:
        raise SnarkjsFormatError(f"{name}: z must be 0 or 1 (affine)")
    return x, y


def g2_json(name: str, value: object) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """``[[x0, x1], [y0, y1], [z0, z1]]``: ((x0, x1), (y0, y1)) for z = 1, None for z = 0 (infinity)."""
    if not isinstance(value, list) or len(value) != 3 or not all(isinstance(c, list) and len(c) == 2 for c in value):
        raise SnarkjsFormatError(f"{name}: expected [[x0, x1], [y0, y1], [z0, z1]]")
    (x0, x1), (y0, y1), (z0, z1) = ((json_int(f"{name}[{i}][{j}]", v) for j, v in enumerate(c)) for i, c in enumerate(value))
    if (z0, z1) == (0, 0):
        return None
    if (z0, z1) != (1, 0):
        raise SnarkjsFormatError(f"{name}: z must be [0, 0] or [1, 0] (affine)")
    return (x0, x1), (y0, y1)


def vk_parts(doc: object, g1: Callable, g2: Callable) -> dict:
    """The verification key's points, built by ``g1(name, json)`` / ``g2(name, json)``, as keyword arguments
    of ``reference.zk.groth16.VerifyingKey``."""
    check_header(doc, "verification_key")
    ic = doc.get("IC")
    if not isinstance(ic, list) or not ic:
        raise SnarkjsFormatError("verification_key.IC: expected a non-empty list")
    if doc.get("nPublic") != len(ic) - 1:
        raise SnarkjsFormatError(f"verification_key.nPublic: {doc.get('nPublic')!r} but IC has {len(ic)} points")
    return {
        "alpha1": g1("vk_alpha_1", doc.get("vk_alpha_1")),
        "beta2": g2("vk_beta_2", doc.get("vk_beta_2")),
        "gamma2": g2("vk_gamma_2", doc.get("vk_gamma_2")),
        "delta2": g2("vk_delta_2", doc.get("vk_delta_2")),
        "ic": tuple(g1(f"IC[{i}]", p) for i, p in enumerate(ic)),
    }


def proof_parts(doc: object, g1: Callable, g2: Callable) -> dict:
    """The proof's points as keyword arguments of ``reference.zk.groth16.Proof``."""
    check_header(doc, "proof")
    return {"a": g1("pi_a", doc.get("pi_a")), "b": g2("pi_b", doc.get("pi_b")), "c": g1("pi_c", doc.get("pi_c"))}


def public_json(doc: object) -> list[int]:
    """public.json: a list of decimal strings, each below r."""
    if not isinstance(doc, list):
        raise SnarkjsFormatError("public: expected a list of decimal strings")
    out = []
    for i, v in enumerate(doc):
        x = json_int(f"public[{i}]", v)
        if x >= R:
            raise SnarkjsFormatError(f"public[{i}]: {x} is not in [0, r)")
        out.append(x)
    return out
