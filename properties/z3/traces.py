"""Counterexample traces: a model of a failed check as protocol operations with concrete values,
in the shape of a test vector (`pre_state` + `operations` in `spec.codec` JSON), replayable
against the executable spec."""
from __future__ import annotations

import json

import attrs

import spec
from properties import invariants as inv
from properties.z3.concrete import Universe, to_spec_op, to_spec_state
from properties.z3.model import Bounds, SState, as_python, leaves, rebuild
from properties.z3.transitions import ERRORS, OK
from spec.codec import dumps, encode_op, encode_state
from spec.errors import SpecError


@attrs.frozen
class Replay:
    """What the spec did with each operation: its error code (None when accepted), and the
    state and invariant violations at the end."""

    outcomes: list
    state: spec.State
    violations: list


@attrs.frozen
class Trace:
    description: str
    pre_state: spec.State
    operations: list
    expected: list

    @classmethod
    def from_model(cls, model, pre: SState, steps, bounds: Bounds, universe: Universe, description: str) -> "Trace":
        def values(structure):
            return rebuild(structure, [as_python(model.eval(leaf, model_completion=True)) for leaf in leaves(structure)])

        pre_state = to_spec_state(values(pre), universe, bounds)
        current, operations, expected = pre_state, [], []
        for op, st in steps:
            operations.append(to_spec_op(values(op), current, universe))
            code = as_python(model.eval(st.error, model_completion=True))
            expected.append(None if code == OK else ERRORS[code].code)
            current = to_spec_state(values(st.post), universe, bounds)
        return cls(description, pre_state, operations, expected)

    def as_vector(self) -> dict:
        """The trace as a test-vector case."""
        return {
            "version": 1,
            "description": self.description,
            "pre_state": encode_state(self.pre_state),
            "operations": [
                {**encode_op(op), "expect": {"accepted": code is None, "error": code}}
                for op, code in zip(self.operations, self.expected)
            ],
        }

    def describe(self) -> str:
        lines = [self.description, "operations:"]
        for op, code in zip(self.operations, self.expected):
            lines.append(f"  {json.dumps(encode_op(op), sort_keys=True)} -> {'accepted' if code is None else code}")
        lines.append("pre_state: " + dumps(encode_state(self.pre_state)).rstrip())
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe()

    def replay(self, apply=spec.apply, env=spec.DEFAULT_ENV) -> Replay:
        """Apply the operations to the pre-state with `apply`; collect outcomes and every
        invariant violation (state invariants at each state, step invariants at each step). A
        pre-state outside the spec's reachable states may make the spec or a checker raise: that
        is recorded as an outcome or a violation naming the exception."""
        state, outcomes = self.pre_state, []
        violations = _checked(inv.state_violations, state)
        for op in self.operations:
            before = inv.snapshot(state)
            try:
                post, events = apply(state, op, env)
            except SpecError as error:
                outcomes.append(error.code)
                violations += inv.atomicity(before, state)
                continue
            except Exception as crash:  # noqa: BLE001 - an unreachable pre-state may break the spec
                outcomes.append(f"CRASH {type(crash).__name__}")
                break
            outcomes.append(None)
            violations += _checked(inv.transition_violations, state, op, post, events) + _checked(inv.state_violations, post)
            state = post
        return Replay(outcomes, state, violations)


def _checked(check, *args) -> list:
    try:
        return check(*args)
    except Exception as crash:  # noqa: BLE001
        return [f"{check.__name__} raised {type(crash).__name__}: {crash}"]
