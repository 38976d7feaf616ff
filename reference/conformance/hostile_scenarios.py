"""Scenario vectors for rules that bad or adversarial input exercises: an engine key rotated
under in-flight private inputs (I12), the low-s signature rule, canonical (lower-case) keys and
names that are not Unicode scalar values. Registered into `scenarios.SCENARIOS` like the rest."""
from __future__ import annotations

from reference.conformance.scenarios import MEASUREMENT, POND, _ask, _assign, _attestation, _attested_market, scenario
from reference.conformance.world import (
    ALICE, KEY, MALLORY, OTHER_KEY, OTHER_SECRET, P0, STAND_IN_VERIFIER_ID, assigned_task, assignment_signature,
    invalid_inputs_signature, open_market,
)
from spec import operations as ops
from spec.signing import high_s

PRIVATE = b"\xca\xfe"
KEYED = ("attest_engine", "register_prover_key", "update_market")


def _private_ask_rotated():
    """An attested market with a private-input ask (p0 has an encryption key), whose owner then
    rotates the engine key to one that is not attested."""
    w = _attested_market().do(ops.RegisterProverKey(P0, OTHER_KEY), _ask(private=PRIVATE))
    return w.do(ops.UpdateMarket(ALICE, 0, POND(100), OTHER_KEY, 10))


@scenario("assign_task", "ENGINE_NOT_ATTESTED", requires=KEYED)
def assign_task_private_inputs_after_key_rotation():
    """After a key rotation the new, unattested key cannot assign an ask with private inputs."""
    return _private_ask_rotated().state, [_assign(secret=OTHER_SECRET)]


@scenario("assign_task", requires=KEYED)
def assign_task_private_inputs_after_key_rotation_and_attestation():
    """Once the TEE root attested the new key, it assigns the ask with private inputs."""
    w = _private_ask_rotated().do(ops.AttestEngine(ALICE, 0, MEASUREMENT, _attestation(engine_key=OTHER_KEY)))
    return w.state, [_assign(secret=OTHER_SECRET)]


@scenario("assign_task", requires=KEYED)
def assign_task_public_inputs_after_key_rotation():
    """Asks without private inputs need no attestation: the new key assigns them."""
    w = _attested_market().do(_ask(), ops.UpdateMarket(ALICE, 0, POND(100), OTHER_KEY, 10))
    return w.state, [_assign(secret=OTHER_SECRET)]


def _private_task_rotated():
    w = _attested_market().do(ops.RegisterProverKey(P0, OTHER_KEY), _ask(private=PRIVATE), _assign())
    return w.do(ops.UpdateMarket(ALICE, 0, POND(100), OTHER_KEY, 10))


@scenario("submit_invalid_inputs", "ENGINE_NOT_ATTESTED", requires=KEYED)
def submit_invalid_inputs_private_inputs_after_key_rotation():
    """The unattested new key cannot declare a private-input task's inputs invalid (the prover
    would be paid from the requester's escrow without a proof)."""
    return _private_task_rotated().state, [ops.SubmitInvalidInputs(P0, 0, invalid_inputs_signature(0, 0, P0, OTHER_SECRET))]


@scenario("submit_invalid_inputs", requires=KEYED)
def submit_invalid_inputs_private_inputs_attested():
    """The attested engine declares a private-input task's inputs invalid."""
    w = _attested_market().do(ops.RegisterProverKey(P0, OTHER_KEY), _ask(private=PRIVATE), _assign())
    return w.state, [ops.SubmitInvalidInputs(P0, 0, invalid_inputs_signature(0, 0, P0))]


# --- low-s signatures (Ethereum's rule; OpenZeppelin ECDSA refuses high-s too) ------------------

@scenario("assign_task", "BAD_ENGINE_SIGNATURE")
def assign_task_high_s_signature():
    """The high-s form of a valid engine signature (same r, s -> n - s) is refused."""
    w = open_market().do(_ask())
    return w.state, [ops.AssignTask(MALLORY, 0, P0, 100, high_s(assignment_signature(0, 0, P0, 100)))]


@scenario("assign_task")
def assign_task_low_s_signature():
    """The low-s form of the same signature assigns."""
    w = open_market().do(_ask())
    return w.state, [ops.AssignTask(MALLORY, 0, P0, 100, assignment_signature(0, 0, P0, 100))]


@scenario("submit_invalid_inputs", "BAD_ENGINE_SIGNATURE")
def submit_invalid_inputs_high_s_signature():
    """A high-s invalid-inputs statement is refused."""
    return assigned_task().state, [ops.SubmitInvalidInputs(P0, 0, high_s(invalid_inputs_signature(0, 0, P0)))]


@scenario("attest_engine", "BAD_ATTESTATION")
def attest_engine_high_s_attestation():
    """A high-s TEE root signature does not attest."""
    return open_market().state, [ops.AttestEngine(ALICE, 0, MEASUREMENT, high_s(_attestation()))]


# --- canonical keys and names -----------------------------------------------------------------

@scenario("create_market", "INVALID_MARKET_PARAMETER")
def create_market_upper_case_engine_key():
    """An engine key is lower-case hex: an upper-case spelling would never match a signer."""
    return open_market().state, [ops.CreateMarket(ALICE, STAND_IN_VERIFIER_ID, "orderbook", POND(100), KEY.upper(), 0)]


@scenario("register_prover_key", "INVALID_PROVER_KEY")
def register_prover_key_upper_case():
    """A prover's encryption key is lower-case hex too."""
    return open_market().state, [ops.RegisterProverKey(P0, KEY.upper())]


@scenario("mint", "MALFORMED_OPERATION")
def mint_lone_surrogate_account():
    """A name is Unicode scalar values: a lone surrogate (which JSON can carry) is malformed."""
    return open_market().state, [{"op": "mint", "args": {"account": "\ud800", "token": "USDC", "amount": "1"}}]


@scenario("assign_task", "MALFORMED_OPERATION")
def assign_task_control_character_prover():
    """A name has no control characters."""
    w = open_market().do(_ask())
    return w.state, [{"op": "assign_task", "args": {"sender": MALLORY, "ask_id": "0", "prover": "p0\n", "price": "100",
                                                     "signature": "0x" + assignment_signature(0, 0, P0, 100).hex()}}]
