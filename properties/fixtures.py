"""What tests, vectors, proofs, benchmarks and the simulator share: named accounts, engine and
enclave secrets, the modelled TEE vendor, the restaking test parameters and the operations that
need an ask in a given state. Plain values only (no Hypothesis, nothing from `reference`), so
every layer above `spec` may import them.
"""
from __future__ import annotations

import hashlib

from spec.containers import Config
from spec.restaking_state import RestakingParams
from spec.signing import attestation_message, public_key, sign
from spec.types import AskState

# --- named accounts -------------------------------------------------------------------------------

REQUESTERS = ("alice", "carol")
ALICE, CAROL = REQUESTERS
PROVERS = ("p0", "p1", "p2")
P0, P1, P2 = PROVERS
MALLORY = "mallory"
ACCOUNTS = REQUESTERS + PROVERS + (MALLORY,)
CURATOR, RESOLVER, STAKER, TRANSMITTER, GOVERNOR = "curator", "resolver", "staker", "transmitter", "governor"
VAULTS = ("v0", "v1", "v2")
STAKERS = ("s0", "s1")
OPERATORS = PROVERS + ("stranger",)
PUBLIC_INPUTS = (b"", b"\x01", b"x^3+x+5=35")

# --- engine secrets -------------------------------------------------------------------------------

ENGINE_SECRETS = (bytes([1]) * 32, bytes([2]) * 32)
ENGINE_SECRET, OTHER_SECRET = ENGINE_SECRETS
WRONG_SECRET = bytes([3]) * 32
ENGINE_KEYS = tuple(public_key(s) for s in ENGINE_SECRETS)
ENGINE_KEY, OTHER_KEY = ENGINE_KEYS
SECRET_OF_KEY = {public_key(s): s for s in ENGINE_SECRETS + (WRONG_SECRET,)}

# --- the modelled TEE vendor and the matching engine's enclave -----------------------------------

MODEL_ROOT_SECRET = hashlib.sha256(b"kalypso/v1/model-tee-vendor-root").digest()
"""The TEE vendor root key, public so tests can play the vendor; its public key is
`spec.env.MODEL_ATTESTATION_ROOT`."""


def measurement_of(image: bytes) -> bytes:
    """The enclave measurement of an engine image: its SHA-256."""
    return hashlib.sha256(image).digest()


def attest(measurement: bytes, engine_key: str, root_secret: bytes = MODEL_ROOT_SECRET) -> bytes:
    """The modelled vendor root's attestation that `engine_key` lives in an enclave measuring `measurement`."""
    return sign(root_secret, attestation_message(measurement, engine_key))


MEASUREMENT = bytes(range(32))
ENCLAVE_SECRET = hashlib.sha256(b"kalypso/v1/test-engine").digest()
ENCLAVE_MEASUREMENT = measurement_of(b"kalypso matching engine v1")


def prover_secret(name: str) -> bytes:
    """The encryption secret of prover `name` (its public key is what RegisterProverKey registers)."""
    return hashlib.sha256(b"kalypso/v1/prover-key/" + name.encode()).digest()


def ephemeral_secret(label: str) -> bytes:
    """A requester's ECIES ephemeral secret, named by `label`."""
    return hashlib.sha256(b"kalypso/v1/test-ephemeral/" + label.encode()).digest()


# --- restaking test parameters --------------------------------------------------------------------

RESTAKING_PARAMS = RestakingParams(epoch_length=100, offset=50, epoch_duration=1_000, veto_duration=200, bridge_delay_max=150)
"""Short restaking epochs (restaked stake can back proof times up to 599)."""

RESTAKING_ARGS = {name: getattr(RESTAKING_PARAMS, name) for name in ("epoch_length", "offset", "epoch_duration", "veto_duration", "bridge_delay_max")}
"""The fields of `RESTAKING_PARAMS` that SetRestakingParameters sets, as keyword arguments."""


def restaking_config(**params) -> Config:
    """A default Config with `RESTAKING_PARAMS`, fields overridden by `params`."""
    return Config(restaking=RestakingParams(**{**RESTAKING_ARGS, **params}))


# --- operations that act on an ask ----------------------------------------------------------------

NEEDS_ASK_IN = {
    "cancel_ask": AskState.UNASSIGNED, "expire_ask": AskState.UNASSIGNED, "assign_task": AskState.UNASSIGNED,
    "submit_proof": AskState.ASSIGNED, "submit_invalid_inputs": AskState.ASSIGNED,
    "slash_missed_deadline": AskState.ASSIGNED, "discard_task": AskState.ASSIGNED,
}
"""Operations worth drawing only while some ask is in the given state."""


def enabled(state, names) -> list[str]:
    """Those of `names` worth drawing in `state` (see `NEEDS_ASK_IN`)."""
    present = {a.state for a in state.asks.values()}
    return [n for n in names if n not in NEEDS_ASK_IN or NEEDS_ASK_IN[n] in present]
