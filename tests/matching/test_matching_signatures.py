"""Engine identity: attestation, signed assignments (wrong key, altered field, replay) and
engine-signed invalid-inputs statements; every rejection leaves the state unchanged (I10)."""
import attrs
import pytest

import spec
from properties.invariants import snapshot
from properties.fixtures import MODEL_ROOT_SECRET, attest, measurement_of
from reference.engine.tee import Engine, EngineRefusal
from reference.engine.worlds import ENGINE, OWNER, AskPlan, MarketPlan, ProverPlan, build
from spec import operations as ops
from spec.errors import (
    AskNotUnassigned, BadAttestation, BadEngineSignature, EngineNotAttested, InvalidProverKey, NotMarketOwner, SpecError,
)
from spec.matching import orderbook
from spec.signing import assignment_message, encode_statement, invalid_inputs_message, sign
from spec.types import AskState, MatchingProtocol

OB = MatchingProtocol.ORDERBOOK.value
IMPOSTOR = Engine(secret=b"\x07" * 32, measurement=ENGINE.measurement)
STAKE = (("POND", 100),)


def world(attested=True, private=None):
    plans = [ProverPlan("p0", 4, STAKE, ((0, 30, 20, 1),)), ProverPlan("p1", 4, STAKE, ((0, 40, 20, 1),))]
    return build([MarketPlan(OB, attested=attested)], plans, [AskPlan(0, 100, 50, 100, 10_000, private), AskPlan(0, 100, 50, 100, 10_000)])


def rejected(state, op, error):
    before = snapshot(state)
    with pytest.raises(error) as caught:
        spec.apply(state, op)
    assert state == before
    return caught.value


# --- attestation -----------------------------------------------------------------------------

def test_attestation_records_measurement_and_key_rotation_clears_it():
    state = world(attested=False)
    assert state.markets[0].engine_measurement is None
    state, events = spec.apply(state, ENGINE.attest_op(OWNER, 0))
    assert state.markets[0].engine_measurement == ENGINE.measurement == measurement_of(b"kalypso matching engine v1")
    assert events[0].kind == "EngineAttested" and events[0].data["engine_key"] == ENGINE.key
    rotated, _ = spec.apply(state, ops.UpdateMarket(OWNER, 0, {"POND": 10}, IMPOSTOR.key, 0))
    assert rotated.markets[0].engine_measurement is None
    same, _ = spec.apply(state, ops.UpdateMarket(OWNER, 0, {"POND": 20}, ENGINE.key, 0))
    assert same.markets[0].engine_measurement == ENGINE.measurement


@pytest.mark.parametrize("case", ["wrong_root", "other_key", "other_measurement", "short_measurement", "not_owner"])
def test_bad_attestations_are_rejected(case):
    state = world(attested=False)
    good = ENGINE.attest_op(OWNER, 0)
    op, error = {
        "wrong_root": (ENGINE.attest_op(OWNER, 0, root_secret=b"\x09" * 32), BadAttestation),
        "other_key": (attrs.evolve(good, attestation=attest(ENGINE.measurement, IMPOSTOR.key)), BadAttestation),
        "other_measurement": (attrs.evolve(good, measurement=measurement_of(b"evil image")), BadAttestation),
        "short_measurement": (attrs.evolve(good, measurement=ENGINE.measurement[:31]), BadAttestation),
        "not_owner": (attrs.evolve(good, sender="mallory"), NotMarketOwner),
    }[case]
    error_value = rejected(state, op, error)
    assert error_value.field in {"attestation", "measurement", "sender"}


def test_private_inputs_need_an_attested_engine_and_provers_a_valid_key():
    state = world(attested=False)
    rejected(state, ops.CreateAsk("requester", 0, 10, state.time + 5, 10, 0, b"", b"ciphertext"), EngineNotAttested)
    rejected(state, ops.RegisterProverKey("p0", "02" + "00" * 32), InvalidProverKey)


# --- assignments -----------------------------------------------------------------------------

def test_engine_signed_assignment_is_accepted():
    state = world()
    match = orderbook(state)[0]
    op = ENGINE.assign_op(state, match)
    assert op.signature == sign(ENGINE.secret, assignment_message(0, match.ask_id, match.prover, match.price))
    after, _ = spec.apply(state, op)
    assert after.asks[match.ask_id].assignment.prover == match.prover


def test_wrong_signer_is_rejected_state_unchanged():
    state = world()
    match = orderbook(state)[0]
    good = ENGINE.assign_op(state, match)
    forged = attrs.evolve(good, signature=sign(IMPOSTOR.secret, assignment_message(0, match.ask_id, match.prover, match.price)))
    assert rejected(state, forged, BadEngineSignature).field == "signature"
    with pytest.raises(EngineRefusal):
        IMPOSTOR.assign_op(state, match)


@pytest.mark.parametrize("field, value", [("prover", "p1"), ("price", 31), ("price", 99), ("ask_id", 1)])
def test_altered_assignment_field_is_rejected_state_unchanged(field, value):
    state = world()
    good = ENGINE.assign_op(state, orderbook(state)[0])
    rejected(state, attrs.evolve(good, **{field: value}), BadEngineSignature)


@pytest.mark.parametrize("signature", [b"", b"\x00" * 65, "truncate", "other_domain"])
def test_malformed_signatures_are_rejected(signature):
    state = world()
    match = orderbook(state)[0]
    good = ENGINE.assign_op(state, match)
    if signature == "truncate":
        signature = good.signature[:-1]
    elif signature == "other_domain":
        signature = sign(ENGINE.secret, encode_statement("invalid_inputs", 0, match.ask_id, match.prover))
    rejected(state, attrs.evolve(good, signature=signature), BadEngineSignature)


def test_replayed_assignment_is_rejected_state_unchanged():
    state = world()
    op = ENGINE.assign_op(state, orderbook(state)[0])
    after, _ = spec.apply(state, op)
    rejected(after, op, AskNotUnassigned)
    done, _ = spec.apply(after, ops.DiscardTask(op.prover, op.ask_id))
    assert done.asks[op.ask_id].state == AskState.DEADLINE_CROSSED
    rejected(done, op, AskNotUnassigned)


def test_assignment_signed_for_another_market_is_rejected():
    state = world()
    state, _ = spec.apply(state, ops.CreateMarket(OWNER, spec.STAND_IN_VERIFIER_ID, OB, {"POND": 10}, ENGINE.key, 0))
    match = orderbook(state)[0]
    other_market = sign(ENGINE.secret, assignment_message(1, match.ask_id, match.prover, match.price))
    rejected(state, ops.AssignTask("engine", match.ask_id, match.prover, match.price, other_market), BadEngineSignature)


# --- invalid inputs ------------------------------------------------------------------------------

def assigned_world(private=b"x = 0, divide by x"):
    state = world(private=private)
    return spec.apply(state, ENGINE.assign_op(state, orderbook(state)[0]))[0]


def unprovable(public, private):
    return not (private or b"").endswith(b"divide by x")


def test_engine_signs_invalid_inputs_after_decrypting_and_the_prover_is_paid():
    state = assigned_world()
    op = ENGINE.invalid_inputs_op(state, 0, unprovable)
    after, events = spec.apply(state, op)
    assert after.asks[0].state == AskState.INVALID_INPUTS and events[0].kind == "InvalidInputsAccepted"


def test_engine_refuses_to_call_provable_inputs_invalid():
    state = assigned_world(private=b"x = 3")
    with pytest.raises(EngineRefusal) as refusal:
        ENGINE.invalid_inputs_op(state, 0, unprovable)
    assert refusal.value.field == "ask_id"


@pytest.mark.parametrize("forgery", ["wrong_key", "other_ask", "other_prover", "assignment_statement"])
def test_forged_invalid_inputs_statement_is_rejected_state_unchanged(forgery):
    state = assigned_world()
    prover = state.asks[0].assignment.prover
    message = {
        "wrong_key": invalid_inputs_message(0, 0, prover),
        "other_ask": invalid_inputs_message(0, 1, prover),
        "other_prover": invalid_inputs_message(0, 0, "p1" if prover == "p0" else "p0"),
        "assignment_statement": assignment_message(0, 0, prover, state.asks[0].assignment.price),
    }[forgery]
    secret = IMPOSTOR.secret if forgery == "wrong_key" else ENGINE.secret
    rejected(state, ops.SubmitInvalidInputs(prover, 0, sign(secret, message)), BadEngineSignature)


def test_model_root_is_the_default_attestation_root():
    assert spec.DEFAULT_ENV.attestation_root == spec.signing.public_key(MODEL_ROOT_SECRET)
    assert issubclass(BadAttestation, SpecError) and BadAttestation.code == "BAD_ATTESTATION"


def test_codec_round_trips_attested_markets_prover_keys_and_the_new_operations():
    from spec.codec import decode_op, decode_state, encode_op, encode_state
    state = world(private=b"p")
    assert decode_state(encode_state(state)) == state
    assert encode_state(state)["markets"]["0"]["engine_measurement"] == "0x" + ENGINE.measurement.hex()
    for op in (ENGINE.attest_op(OWNER, 0), ops.RegisterProverKey("p0", ENGINE.key)):
        assert decode_op(encode_op(op)) == op


def test_engine_operations_keep_every_invariant_and_rejections_change_nothing():
    from hypothesis import HealthCheck, given, settings, strategies as st

    from properties.invariants import state_violations, transition_violations
    from reference.engine.worlds import worlds

    def op_strategy(state):
        markets = sorted(state.markets) or [0]
        return st.one_of(
            st.builds(lambda m, root: ENGINE.attest_op(OWNER, m, root_secret=root), st.sampled_from(markets + [99]), st.sampled_from((MODEL_ROOT_SECRET, b"\x09" * 32))),
            st.builds(lambda s, m: IMPOSTOR.attest_op(s, m), st.sampled_from((OWNER, "mallory")), st.sampled_from(markets)),
            st.builds(ops.RegisterProverKey, st.sampled_from(sorted(state.provers) + ["nobody"]), st.sampled_from((ENGINE.key, IMPOSTOR.key, "02" + "00" * 32, "zz"))),
            st.builds(ops.CreateAsk, st.just("requester"), st.sampled_from(markets), st.integers(1, 50), st.just(state.time + 30), st.just(40), st.just(0), st.just(b""), st.sampled_from((None, b"c" * 50))),
            st.builds(lambda m: ops.UpdateMarket(OWNER, m, {"POND": 5}, IMPOSTOR.key, 0), st.sampled_from(markets)),
        )

    @settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(worlds(), st.data())
    def run(state, data):
        state = spec.apply(state, ops.Mint("requester", "USDC", 500))[0]
        for _ in range(6):
            op = data.draw(op_strategy(state))
            before = snapshot(state)
            try:
                post, events = spec.apply(state, op)
            except SpecError:
                assert state == before
                continue
            assert not transition_violations(state, op, post, events)
            state = post
            served = [m for m in orderbook(state) if state.markets[state.asks[m.ask_id].market_id].engine_key == ENGINE.key]
            for match in served:
                state = spec.apply(state, ENGINE.assign_op(state, match))[0]
            assert not state_violations(state)

    run()
