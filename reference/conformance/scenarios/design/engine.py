"""Scenarios of `spec.engine`: engine attestation and prover keys."""
from __future__ import annotations

from properties.fixtures import ALICE, CAROL, ENGINE_KEY, MEASUREMENT, OTHER_KEY, OTHER_SECRET, P0, P1
from properties.world import open_market
from reference.conformance.scenarios.design.common import attestation
from reference.conformance.scenarios.design.registry import scenario
from spec import operations as ops
from spec.signing import high_s


@scenario("attest_engine")
def attest_engine_ok():
    """The market's owner records the enclave measurement the TEE root signed with the engine key."""
    return open_market().state, [ops.AttestEngine(ALICE, 0, MEASUREMENT, attestation())]


@scenario("attest_engine", "BAD_ATTESTATION")
def attest_engine_short_measurement():
    """A measurement is 32 bytes."""
    return open_market().state, [ops.AttestEngine(ALICE, 0, MEASUREMENT[:31], attestation(MEASUREMENT[:31]))]


@scenario("attest_engine", "BAD_ATTESTATION")
def attest_engine_not_signed_by_root():
    """Only the TEE root's signature attests."""
    return open_market().state, [ops.AttestEngine(ALICE, 0, MEASUREMENT, attestation(root_secret=OTHER_SECRET))]


@scenario("attest_engine", "BAD_ATTESTATION")
def attest_engine_other_engine_key():
    """The attestation covers the market's engine key."""
    return open_market().state, [ops.AttestEngine(ALICE, 0, MEASUREMENT, attestation(engine_key=OTHER_KEY))]


@scenario("attest_engine", "NOT_MARKET_OWNER")
def attest_engine_not_owner():
    """Only the market's owner attests its engine."""
    return open_market().state, [ops.AttestEngine(CAROL, 0, MEASUREMENT, attestation())]


@scenario("attest_engine", "UNKNOWN_MARKET")
def attest_engine_unknown_market():
    """The market must exist."""
    return open_market().state, [ops.AttestEngine(ALICE, 3, MEASUREMENT, attestation())]


@scenario("register_prover_key")
def register_prover_key_ok():
    """A prover sets, then rotates, its encryption key."""
    return open_market().state, [ops.RegisterProverKey(P0, OTHER_KEY), ops.RegisterProverKey(P0, ENGINE_KEY)]


@scenario("register_prover_key", "INVALID_PROVER_KEY")
def register_prover_key_not_a_key():
    """The key is a compressed secp256k1 public key."""
    return open_market().state, [ops.RegisterProverKey(P0, ENGINE_KEY[:-2])]


@scenario("register_prover_key", "UNKNOWN_PROVER")
def register_prover_key_unregistered():
    """Only registered provers set a key."""
    return open_market().state, [ops.RegisterProverKey(P1, ENGINE_KEY)]


@scenario("attest_engine", "BAD_ATTESTATION")
def attest_engine_high_s_attestation():
    """A high-s TEE root signature does not attest (low-s only)."""
    return open_market().state, [ops.AttestEngine(ALICE, 0, MEASUREMENT, high_s(attestation()))]


@scenario("register_prover_key", "INVALID_PROVER_KEY")
def register_prover_key_upper_case():
    """A prover's encryption key is lower-case hex: an upper-case spelling is refused."""
    return open_market().state, [ops.RegisterProverKey(P0, ENGINE_KEY.upper())]
