"""Hypothesis state machines that drive random protocol traces and check every invariant
after every step."""
from __future__ import annotations

from hypothesis import event, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

import spec
from properties import invariants as inv
from properties import strategies as strat
from properties.fixtures import NEEDS_ASK_IN
from spec import operations as ops
from spec.errors import SpecError


def _check(violations: list[str], invariant_id: str = "") -> None:
    assert not violations, "\n".join(f"{invariant_id} {v}".strip() for v in violations)


class LifecycleMachine(RuleBasedStateMachine):
    """Random traces of the market lifecycle: one rule per operation of
    `strategies.MARKET_STRATEGIES`, named after it (added below), plus `any_operation`. `apply` is
    a class attribute so a test can run the same machine against a mutant transition function."""

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


def _operation_rule(name: str):
    """The rule that draws operation `name` against the current state and executes it; an operation
    acting on an ask in a given state runs only while such an ask exists."""

    def step(self, data):
        self.execute(data.draw(strat.OPERATION_STRATEGIES[name](self.state), label=name))

    step.__name__, step.__qualname__ = name, f"{LifecycleMachine.__name__}.{name}"
    step = rule(data=st.data())(step)
    if name in NEEDS_ASK_IN:
        needed = NEEDS_ASK_IN[name]
        step = precondition(lambda machine: any(a.state == needed for a in machine.state.asks.values()))(step)
    return step


for _name in strat.MARKET_STRATEGIES:
    setattr(LifecycleMachine, _name, _operation_rule(_name))
