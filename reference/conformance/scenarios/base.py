"""Scenarios: a fork's hand-written cases, each the unit test of its rule. A scenario builder
returns `(pre_state, operations)`; the same function yields the vector (`kalypso vectors
generate`) and is run by pytest (`tests/vectors/test_scenarios.py`), which asserts that its last
operation ends in `expect` ("ok" or an error code), that rejected operations leave the state as
it was, and the scenario's own `check(pre_state, post_state)` where it has one (a predicate
stating what else the rule promises: balances, locks, statuses).

An operation may be given as a raw JSON dict (`{"op": ..., "args": ...}`) to test decoding errors.
`requires` names further operations a scenario uses; a scenario whose operations the spec does
not (yet) have is skipped, and the generator says so.
"""
from __future__ import annotations

import inspect
from typing import Callable, Optional

import attrs

UNKNOWN = "unknown"


@attrs.frozen
class Scenario:
    operation: str
    name: str
    expect: str
    description: str
    build: Callable
    requires: tuple = ()
    check: Optional[Callable] = None

    def available(self, operations) -> bool:
        """The spec has every operation the scenario uses."""
        return all(op in operations for op in self.requires + ((self.operation,) if self.operation != UNKNOWN else ()))


class Registry:
    """The scenarios of one fork, in registration order."""

    def __init__(self, fork: str):
        self.fork = fork
        self.scenarios: list[Scenario] = []

    def scenario(self, operation: str, expect: str = "ok", requires: tuple = (), check: Optional[Callable] = None):
        """Register the decorated builder as a case of `operation` whose last step should end in
        `expect`; `check(pre_state, post_state)` is true when the rest of what the rule promises holds."""

        def wrap(build):
            name = build.__name__.removeprefix(operation + "_").strip("_") or "ok"
            self.scenarios.append(Scenario(operation, name, expect, inspect.getdoc(build) or name, build, tuple(requires), check))
            return build

        return wrap
