"""Groth16 as a market verifier: byte encodings and ``groth16_verifier(vk)``.

Encodings (all integers 32-byte big-endian, as in the Ethereum BN254 precompiles):

- public inputs: the public signals concatenated, 32 bytes each, each < r (empty for none);
- proof (256 bytes): A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y, where B.x = c0 + c1*u
  (imaginary part first, the precompile's order); infinity is all zeros;
- verifying key: alpha1 (64), beta2 (128), gamma2 (128), delta2 (128), then u32 big-endian count
  of IC points and the IC points (64 each).

The verifier returns False for any malformed input (bad length, coordinate >= q, point off the
curve or outside the order-r subgroup, public input >= r, wrong number of public inputs).
"""
from __future__ import annotations

from typing import Callable, Sequence

import attrs

from reference.zk.curve import CurveError, g1_from_affine, g1_to_affine, g2_from_affine, g2_to_affine
from reference.zk.field import FieldError, R, check_scalar
from reference.zk.groth16 import Groth16Error, Proof, VerifyingKey, verify

PROOF_BYTES = 256


class EncodingError(ValueError):
    """Bytes do not decode to public inputs, a proof or a verifying key."""


def _words(data: bytes, what: str) -> list[int]:
    if not isinstance(data, (bytes, bytearray)) or len(data) % 32:
        raise EncodingError(f"{what}: length must be a multiple of 32 bytes")
    return [int.from_bytes(data[i : i + 32], "big") for i in range(0, len(data), 32)]


def _g1_bytes(point) -> bytes:
    x, y = g1_to_affine(point)
    return x.to_bytes(32, "big") + y.to_bytes(32, "big")


def _g2_bytes(point) -> bytes:
    (x0, x1), (y0, y1) = g2_to_affine(point)
    return b"".join(v.to_bytes(32, "big") for v in (x1, x0, y1, y0))


def _g1_from(words: list[int], name: str):
    try:
        return g1_from_affine(words[0], words[1], name)
    except CurveError as exc:
        raise EncodingError(str(exc)) from exc


def _g2_from(words: list[int], name: str):
    try:
        return g2_from_affine((words[1], words[0]), (words[3], words[2]), name)
    except CurveError as exc:
        raise EncodingError(str(exc)) from exc


def encode_public_inputs(public: Sequence[int]) -> bytes:
    return b"".join(check_scalar(f"public[{i}]", x).to_bytes(32, "big") for i, x in enumerate(public))


def decode_public_inputs(data: bytes) -> list[int]:
    words = _words(data, "public_inputs")
    for i, x in enumerate(words):
        if x >= R:
            raise EncodingError(f"public_inputs[{i}]: not < r")
    return words


def encode_proof(proof: Proof) -> bytes:
    return _g1_bytes(proof.a) + _g2_bytes(proof.b) + _g1_bytes(proof.c)


def decode_proof(data: bytes) -> Proof:
    words = _words(data, "proof")
    if len(words) != 8:
        raise EncodingError(f"proof: must be {PROOF_BYTES} bytes, got {len(data)}")
    return Proof(a=_g1_from(words[0:2], "proof.a"), b=_g2_from(words[2:6], "proof.b"), c=_g1_from(words[6:8], "proof.c"))


def encode_verifying_key(vk: VerifyingKey) -> bytes:
    return (
        _g1_bytes(vk.alpha1) + _g2_bytes(vk.beta2) + _g2_bytes(vk.gamma2) + _g2_bytes(vk.delta2)
        + len(vk.ic).to_bytes(4, "big") + b"".join(_g1_bytes(p) for p in vk.ic)
    )


def decode_verifying_key(data: bytes) -> VerifyingKey:
    fixed = 64 + 3 * 128
    if len(data) < fixed + 4:
        raise EncodingError("verifying_key: too short")
    count = int.from_bytes(data[fixed : fixed + 4], "big")
    if count < 1 or len(data) != fixed + 4 + 64 * count:
        raise EncodingError(f"verifying_key: IC count {count} does not match the length")
    head = _words(data[:fixed], "verifying_key")
    ic_words = _words(data[fixed + 4 :], "verifying_key.ic")
    return VerifyingKey(
        alpha1=_g1_from(head[0:2], "vk.alpha1"),
        beta2=_g2_from(head[2:6], "vk.beta2"),
        gamma2=_g2_from(head[6:10], "vk.gamma2"),
        delta2=_g2_from(head[10:14], "vk.delta2"),
        ic=tuple(_g1_from(ic_words[2 * i : 2 * i + 2], f"vk.ic[{i}]") for i in range(count)),
    )


@attrs.frozen
class Groth16Verifier:
    """A market verifier: ``verifier(public_inputs, proof) -> bool`` for one verifying key.
    Malformed bytes verify as False."""

    vk: VerifyingKey

    def __call__(self, public_inputs: bytes, proof: bytes) -> bool:
        try:
            public = decode_public_inputs(public_inputs)
            if len(public) != self.vk.n_public:
                return False
            return verify(self.vk, public, decode_proof(proof))
        except (EncodingError, Groth16Error, FieldError):
            return False


def groth16_verifier(vk: VerifyingKey) -> Callable[[bytes, bytes], bool]:
    """The market verifier for ``vk`` (for ``spec.Env.verifiers``)."""
    return Groth16Verifier(vk)
