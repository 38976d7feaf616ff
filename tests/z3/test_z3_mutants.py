"""Seeded bugs: the same bug put into an encoded transition (a test-local encoder) and into the
spec (a test-local wrapper of `spec.apply`) makes the proof fail, and the counterexample trace
replays against the spec mutant with the same invariant violated; against the real spec it does not."""
import attrs

import spec
from properties.invariants import state_violations
from properties.z3.model import ASSIGNED, Bounds, get_at
from properties.z3.proofs import bmc, prove_operation
from properties.z3.transitions import ENCODERS, Checks, Encoded, ask_exists, slash_task
from spec import operations as ops
from spec.codec import decode_op, decode_state
from spec.errors import AskNotAssigned, DeadlineNotPassed, UnknownAsk

BOUNDS = Bounds(accounts=3, markets=2, asks=2, stake_tokens=1)


def encode_slash_at_deadline(state, op, bounds):
    """Bug: slashing allowed at the deadline itself (>= instead of >)."""
    checks = Checks()
    checks.require(ask_exists(state, op.ask_id), UnknownAsk)
    ask = get_at(state.asks, op.ask_id)
    checks.require(ask.state == ASSIGNED, AskNotAssigned)
    checks.require(state.time >= ask.assignment.deadline, DeadlineNotPassed)
    return Encoded(checks, slash_task(state, bounds, op.ask_id, ask))


def apply_slash_at_deadline(state, op, env=spec.DEFAULT_ENV):
    """The same bug in the spec: at the deadline, slash as if a second later."""
    if isinstance(op, ops.SlashMissedDeadline) and op.ask_id in state.asks:
        ask = state.asks[op.ask_id]
        if ask.assignment is not None and state.time == ask.assignment.deadline:
            post, events = spec.apply(attrs.evolve(state, time=state.time + 1), op, env)
            return attrs.evolve(post, time=state.time), events
    return spec.apply(state, op, env)


def encode_submit_proof_without_fee(state, op, bounds):
    """Bug: the platform fee leaves the escrow but never reaches the treasury."""
    encoded = ENCODERS["submit_proof"](state, op, bounds)
    return attrs.evolve(encoded, effect=attrs.evolve(encoded.effect, treasury=state.treasury))


def apply_submit_proof_without_fee(state, op, env=spec.DEFAULT_ENV):
    post, events = spec.apply(state, op, env)
    if isinstance(op, ops.SubmitProof):
        post = attrs.evolve(post, treasury=state.treasury)
    return post, events


def encode_mint_without_supply(state, op, bounds):
    encoded = ENCODERS["mint"](state, op, bounds)
    return attrs.evolve(encoded, effect=attrs.evolve(encoded.effect, supply=state.supply))


def apply_mint_without_supply(state, op, env=spec.DEFAULT_ENV):
    post, events = spec.apply(state, op, env)
    return (attrs.evolve(post, supply=state.supply), events) if isinstance(op, ops.Mint) else (post, events)


def _counterexample(results, invariant):
    failed = [r for r in results if r.invariant == invariant and r.result == "counterexample"]
    assert failed, [(r.invariant, r.result) for r in results]
    assert failed[0].trace is not None, failed[0].detail
    return failed[0].trace


def test_slash_at_the_deadline_breaks_i5_and_replays():
    encoders = {**ENCODERS, "slash_missed_deadline": encode_slash_at_deadline}
    results = prove_operation("slash_missed_deadline", ["I5", "I1"], BOUNDS, encoders)
    assert [r.result for r in results if r.invariant == "I1"] == ["proved"]
    trace = _counterexample(results, "I5")
    assert [r.detail.startswith("from a state satisfying every invariant") for r in results if r.invariant == "I5"] == [True]
    assert trace.expected == [None]
    mutant = trace.replay(apply_slash_at_deadline)
    assert mutant.outcomes == [None]
    assert any(v.startswith("I5 deadline") for v in mutant.violations), mutant.violations
    real = trace.replay()
    assert real.outcomes == [DeadlineNotPassed.code] and real.violations == []


def test_forgotten_fee_breaks_conservation_and_replays_from_json():
    encoders = {**ENCODERS, "submit_proof": encode_submit_proof_without_fee}
    trace = _counterexample(prove_operation("submit_proof", ["I1"], BOUNDS, encoders), "I1")
    vector = trace.as_vector()
    assert vector["operations"][0]["op"] == "submit_proof" and vector["operations"][0]["expect"]["accepted"]
    state = decode_state(vector["pre_state"])
    op = decode_op({"op": vector["operations"][0]["op"], "args": vector["operations"][0]["args"]})
    post, _ = apply_submit_proof_without_fee(state, op)
    assert any(v.startswith("I1 conservation") for v in state_violations(post))
    real, _ = spec.apply(state, op)
    assert state_violations(real) == []


def test_bmc_finds_a_trace_from_genesis_for_a_mint_bug():
    encoders = {**ENCODERS, "mint": encode_mint_without_supply}
    results = bmc(1, ["I1"], Bounds(accounts=2, markets=1, asks=1, stake_tokens=1), encoders)
    trace = _counterexample(results, "I1")
    assert trace.pre_state == spec.genesis(trace.pre_state.config, trace.pre_state.time)
    assert [type(op) for op in trace.operations] == [ops.Mint]
    assert any(v.startswith("I1 conservation") for v in trace.replay(apply_mint_without_supply).violations)
    assert trace.replay().violations == []
