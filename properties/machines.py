"""Hypothesis state machines that drive random protocol traces and check every invariant
after every step."""
from __future__ import annotations

from hypothesis import event, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import spec
from properties import invariants as inv
from properties import strategies as strat
from spec import operations as ops
from spec.errors import SpecError
from spec.types import AskState


def _has_ask(*states):
    return lambda machine: any(a.state in states for a in machine.state.asks.values())


def _check(violations: list[str], invariant_id: str = "") -> None:
    assert not violations, "\n".join(f"{invariant_id} {v}".strip() for v in violations)


class LifecycleMachine(RuleBasedStateMachine):
    """Random traces of the market lifecycle. `apply` is a class attribute so a test can run the
    same machine against a mutant transition function."""

    apply = staticmethod(spec.apply)
    env = spec.DEFAULT_ENV

    def __init__(self):
        super().__init__()
        self.state = spec.genesis()
        self.trace: list = []

    def execute(self, op) -> None:
        pre = self.state
        before = inv.snapshot(pre)
        try:
            post, events = type(self).apply(pre, op, self.env)
        except SpecError as error:
            event(f"rejected {op.name}: {error.code}")
            _check(inv.atomicity(before, pre), "I10")
            return
        event(f"accepted {op.name}")
        _check(inv.transition_violations(pre, op, post, events))
        self.trace.append(op)
        self.state = post

    @initialize(config=strat.configs(), amount=st.integers(1_000, 5_000), data=st.data())
    def open_markets(self, config, amount, data):
        self.state = spec.genesis(config)
        for account in strat.ACCOUNTS:
            for token in self.state.config.tokens:
                self.execute(ops.Mint(account, token, amount))
        for op in data.draw(strat.bootstrap(self.state), label="bootstrap"):
            self.execute(op)

    def _step(self, name, data):
        self.execute(data.draw(strat.OPERATION_STRATEGIES[name](self.state), label=name))

    @rule(data=st.data())
    def mint(self, data):
        self._step("mint", data)

    @rule(data=st.data())
    def advance_time(self, data):
        self._step("advance_time", data)

    @rule(data=st.data())
    def create_market(self, data):
        self._step("create_market", data)

    @rule(data=st.data())
    def update_market(self, data):
        self._step("update_market", data)

    @rule(data=st.data())
    def attest_engine(self, data):
        self._step("attest_engine", data)

    @rule(data=st.data())
    def register_prover_key(self, data):
        self._step("register_prover_key", data)

    @rule(data=st.data())
    def register_prover(self, data):
        self._step("register_prover", data)

    @rule(data=st.data())
    def deposit_stake(self, data):
        self._step("deposit_stake", data)

    @rule(data=st.data())
    def request_stake_withdrawal(self, data):
        self._step("request_stake_withdrawal", data)

    @rule(data=st.data())
    def withdraw_stake(self, data):
        self._step("withdraw_stake", data)

    @rule(data=st.data())
    def join_market(self, data):
        self._step("join_market", data)

    @rule(data=st.data())
    def update_quote(self, data):
        self._step("update_quote", data)

    @rule(data=st.data())
    def request_market_exit(self, data):
        self._step("request_market_exit", data)

    @rule(data=st.data())
    def leave_market(self, data):
        self._step("leave_market", data)

    @rule(data=st.data())
    def create_ask(self, data):
        self._step("create_ask", data)

    @precondition(_has_ask(AskState.UNASSIGNED))
    @rule(data=st.data())
    def cancel_ask(self, data):
        self._step("cancel_ask", data)

    @precondition(_has_ask(AskState.UNASSIGNED))
    @rule(data=st.data())
    def expire_ask(self, data):
        self._step("expire_ask", data)

    @precondition(_has_ask(AskState.UNASSIGNED))
    @rule(data=st.data())
    def assign_task(self, data):
        self._step("assign_task", data)

    @precondition(_has_ask(AskState.ASSIGNED))
    @rule(data=st.data())
    def submit_proof(self, data):
        self._step("submit_proof", data)

    @precondition(_has_ask(AskState.ASSIGNED))
    @rule(data=st.data())
    def submit_invalid_inputs(self, data):
        self._step("submit_invalid_inputs", data)

    @precondition(_has_ask(AskState.ASSIGNED))
    @rule(data=st.data())
    def slash_missed_deadline(self, data):
        self._step("slash_missed_deadline", data)

    @precondition(_has_ask(AskState.ASSIGNED))
    @rule(data=st.data())
    def discard_task(self, data):
        self._step("discard_task", data)

    @rule(data=st.data())
    def any_operation(self, data):
        self.execute(data.draw(strat.operations(self.state), label="any_operation"))

    @invariant()
    def i1_conservation(self):
        _check(inv.conservation(self.state), "I1")

    @invariant()
    def i2_single_assignment(self):
        _check(inv.single_assignment(self.state), "I2")

    @invariant()
    def i3_capacity(self):
        _check(inv.capacity(self.state), "I3")

    @invariant()
    def i4_escrow(self):
        _check(inv.escrow(self.state), "I4")

    @invariant()
    def i7_stake_backing(self):
        _check(inv.stake_backing(self.state), "I7")

    @invariant()
    def i9_withdrawal(self):
        _check(inv.withdrawal(self.state), "I9")

    @invariant()
    def restaking_invariants(self):
        _check(inv.restaked_backing(self.state) + inv.vault_conservation(self.state) + inv.cross_chain_safety(self.state), "I7/I8")

    @invariant()
    def i11_bounded_liveness(self):
        _check(inv.bounded_liveness(self.state), "I11")
