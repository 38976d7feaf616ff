"""The matching engine's identity on chain: each market's engine key with its attested enclave
measurement, and the provers' encryption keys the engine re-encrypts private inputs to."""
from __future__ import annotations

import attrs

from spec.containers import State
from spec.env import Env
from spec.errors import BadAttestation, InvalidProverKey, NotMarketOwner, require
from spec.events import event
from spec.markets import get_market
from spec.operations import AttestEngine, RegisterProverKey
from spec.provers import get_prover
from spec.signing import attestation_message, is_public_key, verify_signature

MEASUREMENT_BYTES = 32


def process_attest_engine(state: State, op: AttestEngine, env: Env):
    """The market's owner records the measurement (32 bytes) of the enclave holding the market's
    engine key; `attestation` must be the TEE root's (`env.attestation_root`) signature over
    `attestation_message(measurement, engine_key)`."""
    market = get_market(state, op.market_id)
    require(op.sender == market.owner, NotMarketOwner, "sender", f"only {market.owner} may attest market {market.id}'s engine")
    require(len(op.measurement) == MEASUREMENT_BYTES, BadAttestation, "measurement", f"must be {MEASUREMENT_BYTES} bytes")
    message = attestation_message(op.measurement, market.engine_key)
    require(verify_signature(env.attestation_root, message, op.attestation), BadAttestation, "attestation", "not signed by the TEE root for this measurement and engine key")
    updated = attrs.evolve(market, engine_measurement=op.measurement)
    new = attrs.evolve(state, markets=state.markets.set(market.id, updated))
    return new, [event("EngineAttested", market_id=market.id, engine_key=market.engine_key, measurement=op.measurement)]


def process_register_prover_key(state: State, op: RegisterProverKey, env: Env):
    """A registered prover sets (or rotates) its encryption key, a compressed secp256k1 public key."""
    prover = get_prover(state, op.sender)
    require(is_public_key(op.encryption_key), InvalidProverKey, "encryption_key", "must be a compressed secp256k1 public key: 66 lower-case hex digits")
    updated = attrs.evolve(prover, encryption_key=op.encryption_key)
    new = attrs.evolve(state, provers=state.provers.set(op.sender, updated))
    return new, [event("ProverKeyRegistered", prover=op.sender, encryption_key=op.encryption_key)]
