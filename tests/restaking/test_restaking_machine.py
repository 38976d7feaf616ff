"""The cross-chain state machine: both chains and the bridge adversary, every invariant (I1-I11)
after every step; the default run must exercise every bridge fault."""
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from properties import crosschain
from properties.crosschain import COVERAGE, FAULTS, CrossChainMachine

SETTINGS = settings(
    max_examples=250,
    stateful_step_count=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


def test_cross_chain_machine_keeps_every_invariant_and_meets_every_fault():
    COVERAGE.clear()
    run_state_machine_as_test(CrossChainMachine, settings=SETTINGS)
    seen = dict(COVERAGE)
    for kind in FAULTS + ("deliver_message", "transmit_snapshot_part", "execute_slash", "veto_slash", "vault_withdraw", "vault_claim"):
        assert COVERAGE[kind] > 0, f"{kind} never happened: {seen}"
    for kind in ("RestakedStakeLocked", "DuplicateIgnored", "resolved EXECUTED", "resolved VETOED"):
        assert COVERAGE[kind] > 0, f"{kind} never happened: {seen}"
    assert crosschain.CrossChainMachine.last is not None


@pytest.mark.slow
def test_cross_chain_machine_long_run():
    run_state_machine_as_test(CrossChainMachine, settings=settings(SETTINGS, max_examples=3_000, stateful_step_count=100, derandomize=False))
