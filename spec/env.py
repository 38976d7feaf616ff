"""The environment a transition runs in: the proof verifiers markets may name and the root key
that attests matching engines.

Verifiers are pure functions `verify(public_inputs, proof) -> bool`; the Groth16 verifier of
`reference.zk` plugs in here. The default environment holds only the deterministic stand-in.
"""
from __future__ import annotations

import hashlib
from typing import Callable, Mapping

import attrs
from pyrsistent import PMap, pmap

Verifier = Callable[[bytes, bytes], bool]

STAND_IN_VERIFIER_ID = "stand-in/sha256"

MODEL_ATTESTATION_ROOT = "03878bfa1f09ba945baa2257044af129b0e84abc60dda7a478753a79ea2c687043"


def stand_in_proof(public_inputs: bytes) -> bytes:
    """The one proof the stand-in verifier accepts for `public_inputs`."""
    return hashlib.sha256(b"kalypso/stand-in-proof/v1" + public_inputs).digest()


def verify_stand_in(public_inputs: bytes, proof: bytes) -> bool:
    return proof == stand_in_proof(public_inputs)


def _verifiers(value: Mapping[str, Verifier]) -> PMap:
    return pmap(value)


@attrs.frozen
class Env:
    """`verifiers`: verifier_id -> verify. `attestation_root`: the public key of the (modelled)
    TEE vendor root that signs enclave attestations; the default is the model root of
    `reference.engine.tee`. `unsafe_skip_key_safety_rule`: UNSAFE, a test hook only: assignments
    skip the key safety rule for restaked backing, so a prover can escape a slash (the escape
    test turns it on; nothing else may)."""

    attestation_root: str = MODEL_ATTESTATION_ROOT
    verifiers: PMap = attrs.field(factory=lambda: pmap({STAND_IN_VERIFIER_ID: verify_stand_in}), converter=_verifiers)
    unsafe_skip_key_safety_rule: bool = False

    def with_verifier(self, verifier_id: str, verifier: Verifier) -> "Env":
        return attrs.evolve(self, verifiers=self.verifiers.set(verifier_id, verifier))


DEFAULT_ENV = Env()
