"""Atomicity over thousands of random operations, a mutant the state machine must catch,
codec round trips, and the spec's import hygiene."""
import ast
import pathlib
from unittest import mock

import attrs
import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from hypothesis.stateful import run_state_machine_as_test

import spec
from properties import invariants as inv
from properties import strategies as strat
from properties.machines import LifecycleMachine
from spec import codec, tasks
from spec.errors import SpecError
from properties.world import assigned_task


REJECTED = []


@settings(max_examples=250, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(strat.reachable_states(max_steps=8), st.data())
def test_i10_rejected_operations_leave_the_state_unchanged(state, data):
    """Twenty arbitrary operations against each reachable state: thousands in all."""
    before = inv.snapshot(state)
    for _ in range(20):
        op = data.draw(strat.operations(state))
        try:
            post, _ = spec.apply(state, op)
        except SpecError as error:
            assert error.code in spec.ERROR_BY_CODE
            assert not inv.atomicity(before, state)
            REJECTED.append(error.code)
            continue
        assert not inv.state_violations(post)


def test_i10_ran_over_thousands_of_rejected_operations():
    if not REJECTED:
        test_i10_rejected_operations_leave_the_state_unchanged()
    assert len(REJECTED) >= 2_000 and len(set(REJECTED)) >= 20


def test_state_machine_catches_a_transition_that_forgets_to_unlock_stake():
    def pay_without_unlocking(state, ask, outcome):
        assignment = ask.assignment
        token = state.config.payment_token
        balances = spec.tokens.credit(state.balances, state.provers[assignment.prover].reward_address, token, assignment.price)
        balances = spec.tokens.credit(balances, ask.requester, token, ask.max_price - assignment.price)
        return attrs.evolve(
            state,
            balances=balances,
            treasury=spec.tokens.add_to(state.treasury, token, ask.fee),
            asks=state.asks.set(ask.id, attrs.evolve(ask, escrow=0, state=outcome)),
        )

    with mock.patch.object(tasks, "pay_prover", pay_without_unlocking), pytest.raises(AssertionError) as info:
        run_state_machine_as_test(
            LifecycleMachine,
            settings=settings(max_examples=300, stateful_step_count=50, deadline=None, derandomize=True, database=None,
                              phases=[Phase.generate], suppress_health_check=list(HealthCheck)),
        )
    assert any(f"{i} " in str(info.value) for i in ("I2", "I3", "I7")), str(info.value)


def test_codec_round_trips_a_busy_state():
    w = assigned_task()
    w.do(spec.operations.RequestStakeWithdrawal("p0", "POND", 5))
    data = codec.encode_state(w.state)
    assert codec.decode_state(data) == w.state
    assert codec.dumps(codec.encode_state(codec.decode_state(data))) == codec.dumps(data)


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(strat.states_and_operations())
def test_codec_round_trips_states_and_operations(case):
    state, op = case
    assert codec.decode_state(codec.encode_state(state)) == state
    assert codec.decode_op(codec.encode_op(op)) == op


def test_decode_op_names_the_bad_field():
    with pytest.raises(SpecError) as info:
        codec.decode_op({"op": "mint", "args": {"account": "a", "token": "USDC", "amount": "ten"}})
    assert info.value.code == "MALFORMED_OPERATION" and info.value.field == "amount"
    with pytest.raises(SpecError) as info:
        codec.decode_op({"op": "teleport", "args": {}})
    assert info.value.code == "UNKNOWN_OPERATION"


def test_spec_imports_nothing_from_the_rest_of_the_project():
    forbidden = {"properties", "reference", "kalypso", "tests"}
    for path in pathlib.Path(spec.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                assert name.split(".")[0] not in forbidden, f"{path} imports {name}"


@pytest.mark.parametrize("amount", ["\u0663", "007", "+7", "-0", " 7", "7.0", "1e3"])
def test_decode_op_accepts_only_canonical_decimal_strings(amount):
    with pytest.raises(SpecError) as info:
        codec.decode_op({"op": "mint", "args": {"account": "a", "token": "USDC", "amount": amount}})
    assert info.value.code == "MALFORMED_OPERATION" and info.value.field == "amount"
