"""Regressions of bad and adversarial input at the spec boundary (issue list, by number): each
fails on the code before its fix. The spec's answer to bad input is a typed `SpecError` naming
the field, with the state left as it was."""
import attrs
import pytest

import spec
from properties import invariants as inv
from properties.z3.model import Bounds
from properties.z3.proofs import prove_operation
from properties.fixtures import ALICE, ENGINE_KEY as KEY, MALLORY, MEASUREMENT, OTHER_KEY, OTHER_SECRET, P0
from properties.world import assignment_signature, invalid_inputs_signature, open_market
from reference.conformance.scenarios.design.common import attestation as _attestation
from reference.engine import ecies
from spec import operations as ops
from spec.bridge import enqueue
from spec.codec import decode_op, encode_state
from spec.errors import InvalidConfig, MalformedOperation, SpecError
from spec.restaking import snapshot_parts
from spec.restaking_state import RestakingParams, Route, SlashRequest
from spec.signing import SECP256K1_N, high_s, public_key, sign, verify_signature
from spec.types import AskState

PARAMS = RestakingParams(epoch_length=100, offset=50, epoch_duration=1_000, veto_duration=200, bridge_delay_max=150)


def run(state, *operations):
    events = []
    for op in operations:
        state, emitted = spec.apply(state, op)
        events += emitted
    return state, events


def rejects(state, op, code, field=None):
    before = encode_state(state)
    with pytest.raises(SpecError) as info:
        spec.apply(state, op)
    assert info.value.code == code, info.value
    assert field is None or info.value.field == field
    assert encode_state(state) == before


# --- 2: VaultClaim after the epoch's bucket was slashed to zero ---------------------------------

def _bucket_slashed_to_zero():
    """Stakers a (2 shares) and b (1 share) withdraw into epoch 1's bucket; a slash of the whole
    captured stake leaves the bucket 1; a's claim takes it (the zero entry is dropped)."""
    state = spec.genesis(spec.Config(restaking=PARAMS))
    state, _ = run(state, ops.RegisterProver("p0", "p0r", 8), ops.CreateVault("curator", "v0", 1_000, "instant", 0, "resolver", {"p0": 1}),
                   ops.VaultDeposit("a", "v0", 2), ops.VaultDeposit("b", "v0", 1), ops.AdvanceTime(150))
    for part in snapshot_parts(state, 100, 1):
        state, _ = run(state, ops.TransmitSnapshotPart("t", part.capture_ts, part.index, part.count, part.entries))
    for message in sorted(state.restaking.bridge.in_flight):
        state, _ = run(state, ops.DeliverMessage(message))
    state, _ = run(state, ops.VaultWithdraw("a", "v0", 2), ops.VaultWithdraw("b", "v0", 1))
    state, _ = enqueue(state, Route.TO_VAULT_CHAIN, SlashRequest(0, "v0", "p0", 100, 2))
    state, _ = run(state, ops.DeliverMessage(max(state.restaking.bridge.in_flight)), ops.AdvanceTime(2_000), ops.VaultClaim("a", "v0", 1))
    return state


def test_d02_vault_claim_of_an_emptied_bucket_clears_the_claim():
    state = _bucket_slashed_to_zero()
    vault = state.restaking.vault_chain.vaults["v0"]
    assert 1 not in vault.buckets and vault.claims == {("b", 1): 1}
    state, events = run(state, ops.VaultClaim("b", "v0", 1))
    assert events[-1].data["amount"] == 0 and state.restaking.vault_chain.vaults["v0"].claims == {}
    rejects(state, ops.VaultClaim("b", "v0", 1), "NOTHING_TO_CLAIM", "epoch")
    assert inv.state_violations(state) == []


# --- 4: names are Unicode scalar values without control characters ------------------------------

@pytest.mark.parametrize("name", ["\ud800", "a\udfffb", "p0\n", "\x00", "\x7f", "", "x" * 257])
def test_d04_bad_names_are_malformed_operations(name):
    state = open_market().state
    with pytest.raises(MalformedOperation) as info:
        ops.Mint(name, "USDC", 1)
    assert info.value.field == "account"
    with pytest.raises(MalformedOperation):
        decode_op({"op": "assign_task", "args": {"sender": "m", "ask_id": "0", "prover": name, "price": "1", "signature": "0x00"}})
    with pytest.raises(MalformedOperation):
        ops.CreateMarket(ALICE, "v", "orderbook", {name: 1}, KEY, 0)
    with pytest.raises(MalformedOperation):
        ops.TransmitSnapshotPart("t", 0, 0, 1, ((name, "v0", 1),))
    assert encode_state(state) == encode_state(open_market().state)


def test_d04_unicode_names_that_are_scalar_values_are_fine():
    state, events = run(open_market().state, ops.Mint("ünïcødé 😀", "USDC", 1))
    assert events[0].data["account"] == "ünïcødé 😀"


def test_d04_amount_maps_are_bounded():
    with pytest.raises(MalformedOperation):
        ops.CreateMarket(ALICE, "v", "orderbook", {"POND": 2**300}, KEY, 0)
    with pytest.raises(MalformedOperation):
        ops.CreateVault("c", "v", 10, "instant", 0, "r", {"p0": True})


# --- 10: engine key rotation under in-flight private inputs (I12) -------------------------------

def _private_ask_then_rotate(assign_first: bool):
    w = open_market().do(ops.AttestEngine(ALICE, 0, MEASUREMENT, _attestation()), ops.RegisterProverKey(P0, OTHER_KEY),
                         ops.CreateAsk(ALICE, 0, 200, 1_300, 100, 5_000, b"\x01", b"\xca\xfe"))
    if assign_first:
        w.do(ops.AssignTask(MALLORY, 0, P0, 100, assignment_signature(0, 0, P0, 100)))
    return w.do(ops.UpdateMarket(ALICE, 0, {"POND": 100}, OTHER_KEY, 10)).state


def test_d10_a_rotated_unattested_key_cannot_assign_private_inputs():
    state = _private_ask_then_rotate(assign_first=False)
    assert state.markets[0].engine_measurement is None
    rejects(state, ops.AssignTask(MALLORY, 0, P0, 100, assignment_signature(0, 0, P0, 100, OTHER_SECRET)), "ENGINE_NOT_ATTESTED", "ask_id")


def test_d10_a_rotated_unattested_key_cannot_declare_private_inputs_invalid():
    state = _private_ask_then_rotate(assign_first=True)
    escrow = state.asks[0].escrow
    rejects(state, ops.SubmitInvalidInputs(P0, 0, invalid_inputs_signature(0, 0, P0, OTHER_SECRET)), "ENGINE_NOT_ATTESTED", "ask_id")
    assert state.asks[0].state == AskState.ASSIGNED and state.asks[0].escrow == escrow
    attested = attrs.evolve(state.markets[0], engine_measurement=MEASUREMENT)
    state, _ = run(state, ops.AttestEngine(ALICE, 0, MEASUREMENT, _attestation(engine_key=OTHER_KEY)))
    assert state.markets[0] == attested
    state, events = run(state, ops.SubmitInvalidInputs(P0, 0, invalid_inputs_signature(0, 0, P0, OTHER_SECRET)))
    assert events[-1].kind == "InvalidInputsAccepted"


def test_d10_invariant_i12_flags_the_old_rule():
    """The oracle reads the pre-state's market only: the attack step of the old rule (an
    unattested key moves a private ask to INVALID_INPUTS) is a violation; the honest step is not."""
    pre = _private_ask_then_rotate(assign_first=True)
    ask = pre.asks[0]
    post = attrs.evolve(pre, asks=pre.asks.set(0, attrs.evolve(ask, state=AskState.INVALID_INPUTS, escrow=0)))
    op = ops.SubmitInvalidInputs(P0, 0, invalid_inputs_signature(0, 0, P0, OTHER_SECRET))
    assert inv.attested_private_inputs_step(pre, op, post, []) != []
    attested_pre = attrs.evolve(pre, markets=pre.markets.set(0, attrs.evolve(pre.markets[0], engine_measurement=MEASUREMENT)))
    assert inv.attested_private_inputs_step(attested_pre, op, post, []) == []


@pytest.mark.parametrize("operation", ["assign_task", "submit_invalid_inputs", "update_market", "attest_engine"])
def test_d10_z3_proves_i12(operation):
    results = prove_operation(operation, ("I12",), Bounds(accounts=3, markets=2, asks=2, stake_tokens=1))
    assert [(r.invariant, r.result) for r in results] == [("I12", "proved")]


# --- 12: keys are canonical lower-case hex ------------------------------------------------------

def test_d12_upper_case_keys_are_refused():
    state = open_market().state
    rejects(state, ops.CreateMarket(ALICE, spec.STAND_IN_VERIFIER_ID, "orderbook", {"POND": 1}, KEY.upper(), 0), "INVALID_MARKET_PARAMETER", "engine_key")
    rejects(state, ops.UpdateMarket(ALICE, 0, {"POND": 1}, KEY.upper(), 0), "INVALID_MARKET_PARAMETER", "engine_key")
    rejects(state, ops.RegisterProverKey(P0, KEY.upper()), "INVALID_PROVER_KEY", "encryption_key")
    rejects(state, ops.RegisterProverKey(P0, " " + KEY[1:]), "INVALID_PROVER_KEY", "encryption_key")


# --- 14: genesis validates the restaking parameters ---------------------------------------------

@pytest.mark.parametrize("field,value", [("epoch_length", 0), ("epoch_duration", 0), ("bridge_delay_max", -1), ("offset", -1),
                                         ("veto_duration", -1), ("epoch_length", True), ("offset", "600"), ("governor", ""),
                                         ("stake_token", "\ud800")])
def test_d14_genesis_refuses_bad_restaking_parameters(field, value):
    with pytest.raises(InvalidConfig) as info:
        spec.Config(restaking=RestakingParams(**{field: value}))
    assert info.value.field == f"restaking.{field}"


# --- 16: low-s signatures only ------------------------------------------------------------------

def test_d16_high_s_is_refused_and_low_s_accepted():
    secret = bytes([7]) * 32
    message = b"statement"
    low = sign(secret, message)
    high = high_s(low)
    assert int.from_bytes(low[32:64], "big") <= SECP256K1_N // 2 < int.from_bytes(high[32:64], "big")
    assert verify_signature(public_key(secret), message, low)
    assert not verify_signature(public_key(secret), message, high)
    state = open_market().do(ops.CreateAsk(ALICE, 0, 200, 1_300, 100, 5_000, b"\x01")).state
    rejects(state, ops.AssignTask(MALLORY, 0, P0, 100, high_s(assignment_signature(0, 0, P0, 100))), "BAD_ENGINE_SIGNATURE", "signature")


# --- 18: ECIES blames an invalid secret key, not the ciphertext ----------------------------------

@pytest.mark.parametrize("secret", [bytes(32), SECP256K1_N.to_bytes(32, "big"), (SECP256K1_N + 1).to_bytes(32, "big"), b"\x01" * 31])
def test_d18_ecies_blames_the_secret_key(secret):
    blob = ecies.encrypt(public_key(bytes([3]) * 32), b"x", b"ctx", bytes([5]) * 32)
    with pytest.raises(ecies.InvalidKey) as info:
        ecies.decrypt(secret, blob, b"ctx")
    assert info.value.field == "secret"
    with pytest.raises(ecies.InvalidKey) as info:
        ecies.encrypt(public_key(bytes([3]) * 32), b"x", b"ctx", secret)
    assert info.value.field == "ephemeral_secret"
    with pytest.raises(ecies.InvalidKey) as info:
        ecies.encrypt("02" + "00" * 32, b"x", b"ctx", bytes([5]) * 32)
    assert info.value.field == "recipient_key"
