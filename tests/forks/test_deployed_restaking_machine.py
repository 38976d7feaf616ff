"""The deployed_restaking state machine: every invariant after every step; only the committed
findings' invariants may break, and the seeded run meets them."""
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from properties.deployed_restaking import VIOLATED
from properties.deployed_restaking_machine import DeployedRestakingMachine


def test_machine_holds_but_for_the_findings():
    DeployedRestakingMachine.seen = {}
    run_state_machine_as_test(DeployedRestakingMachine, settings=settings(max_examples=60, stateful_step_count=30,
                                                                          deadline=None, derandomize=True, database=None))
    assert set(DeployedRestakingMachine.seen) <= VIOLATED
    assert DeployedRestakingMachine.seen, "the seeded run met no finding: the machine is not reaching the slash paths"
