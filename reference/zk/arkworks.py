"""Groth16 verification on arkworks (PyPI ``groth16py``, arkworks' BN254 pairing behind Python bindings): the
fast path of ``kalypso zk verify``, about 5 ms in all where mcl's start-up alone costs 36 ms of CPU.

It is given only points that ``reference.zk.verifier`` has already read and checked (decimal strings, below q,
on the curve or the twist, none at infinity) and a public-signal count that matches the key, written back as
canonical snarkjs JSON; arkworks then checks the G2 points' subgroup and decides
``e(A, B) == e(alpha, beta) * e(IC_0 + sum x_i IC_i, gamma) * e(C, delta)``. Anything it refuses
(``groth16py.EncodingError``) goes back to the caller as ``Refused``, and the caller judges the document on mcl,
which names the point and the rule. ``available()`` is False where the bindings do not import.
Differential tests against mcl and py_ecc: ``tests/zk/test_zk_verifier.py``.
"""
from __future__ import annotations

import json
from functools import lru_cache


class Refused(Exception):
    """arkworks refused a document the caller's checks had accepted (a G2 point outside the subgroup)."""


@lru_cache(maxsize=1)
def _bindings():
    try:
        import groth16py
    except ImportError:
        return None
    return groth16py


def available() -> bool:
    return _bindings() is not None


def _g1(p: tuple[int, int]) -> list[str]:
    return [str(p[0]), str(p[1]), "1"]


def _g2(p: tuple[tuple[int, int], tuple[int, int]]) -> list[list[str]]:
    (x0, x1), (y0, y1) = p
    return [[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]]


class ArkworksVerifier:
    """``ArkworksVerifier(vk)(public, proof) -> bool`` for checked affine points (``vk_parts`` / ``proof_parts``
    keyword dicts) and public signals as ints; raises ``Refused`` where arkworks refuses a point."""

    def __init__(self, vk: dict):
        lib = _bindings()
        doc = {
            "protocol": "groth16", "curve": "bn128", "nPublic": len(vk["ic"]) - 1,
            "vk_alpha_1": _g1(vk["alpha1"]), "vk_beta_2": _g2(vk["beta2"]),
            "vk_gamma_2": _g2(vk["gamma2"]), "vk_delta_2": _g2(vk["delta2"]),
            "IC": [_g1(p) for p in vk["ic"]],
        }
        self._errors = (lib.EncodingError, lib.VerificationError)
        try:
            self._verifier = lib.Verifier(lib.VerifyingKey.from_snarkjs(json.dumps(doc)))
        except self._errors as exc:
            raise Refused(str(exc)) from None

    def __call__(self, public: list[int], proof: dict) -> bool:
        doc = {"protocol": "groth16", "curve": "bn128", "pi_a": _g1(proof["a"]), "pi_b": _g2(proof["b"]), "pi_c": _g1(proof["c"])}
        try:
            return bool(self._verifier.verify_snarkjs(json.dumps(doc), json.dumps([str(v) for v in public])))
        except self._errors as exc:
            raise Refused(str(exc)) from None
