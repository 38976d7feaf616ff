"""The fork's state machine: every invariant not in VIOLATED holds on random traces; the
violated ones are exactly the committed findings."""
from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from properties.deployed_native import ALL, VIOLATED
from properties.deployed_native_machine import DeployedNativeMachine
from reference.conformance.deployed_native.findings import FINDINGS


def test_machine_holds_every_other_invariant():
    DeployedNativeMachine.seen = {}
    run_state_machine_as_test(DeployedNativeMachine, settings=settings(
        max_examples=150, stateful_step_count=12, derandomize=True, database=None, deadline=None,
        suppress_health_check=list(HealthCheck)))
    assert set(DeployedNativeMachine.seen) <= VIOLATED
    assert {"I9 withdrawal", "D1 parallel_limit"} <= set(DeployedNativeMachine.seen)  # traces reach real activity


def test_violated_set_is_the_findings():
    assert VIOLATED == {f.invariant for f in FINDINGS}
    assert VIOLATED < {f"{i.id} {i.name}" for i in ALL}
