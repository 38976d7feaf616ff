"""A Hypothesis state machine over the deployed_native fork: random action lists (the abstract
actions of `deployed_native_search`) from genesis, every invariant checked after every step.
An invariant in `VIOLATED` (a committed, bytecode-replayed finding) is recorded when seen; any
other violation fails the run. Nothing is weakened: the violated ones are the result."""
from __future__ import annotations

from hypothesis import event
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from properties.deployed_native import STATE_INVARIANTS, TRACE_INVARIANTS, TRANSITION_INVARIANTS, VIOLATED
from properties.deployed_native_search import ACTIONS, expand
from spec.deployed_native.containers import genesis
from spec.deployed_native.transition import apply
from spec.env import DEFAULT_ENV
from spec.errors import SpecError


class DeployedNativeMachine(RuleBasedStateMachine):
    seen: dict = {}  # invariant -> how many runs showed it (class-wide, read by the audit)

    def __init__(self):
        super().__init__()
        self.state = genesis()
        self.steps: list = []

    def _report(self, key: str, found: list) -> None:
        if not found:
            return
        if key in VIOLATED:
            type(self).seen[key] = type(self).seen.get(key, 0) + 1
            event(f"finding {key}")
            return
        raise AssertionError(f"{key} violated: {found[:3]}")

    @rule(action=ACTIONS)
    def act(self, action):
        for op in expand(self.state, action):
            pre = self.state
            try:
                post, events = apply(pre, op, DEFAULT_ENV)
            except SpecError as error:
                event(f"rejected {error.code}")
                assert self.state is pre
                continue
            self.state = post
            self.steps.append((pre, op, post, events))
            for inv in TRANSITION_INVARIANTS:
                self._report(f"{inv.id} {inv.name}", inv.check(pre, op, post, events))

    @invariant()
    def state_invariants(self):
        for inv in STATE_INVARIANTS:
            self._report(f"{inv.id} {inv.name}", inv.check(self.state))

    def teardown(self):
        for inv in TRACE_INVARIANTS:
            self._report(f"{inv.id} {inv.name}", inv.check(self.steps))
