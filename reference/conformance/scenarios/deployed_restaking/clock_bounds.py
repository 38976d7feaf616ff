"""Boundary scenarios of the fork's clock (`advance_time`, the harness's step between blocks):
the smallest step is one second (0 is refused, staking_bounds.advance_time_zero)."""
from __future__ import annotations

from reference.conformance.scenarios.deployed_restaking.registry import scenario
from reference.conformance.scenarios.deployed_restaking.world import World
from spec.deployed_restaking import operations as ops


@scenario("advance_time")
def advance_time_one_second():
    """One second is the smallest step the clock takes: the next transaction runs one second
    later."""
    w = World()
    before = w.state.now
    w.do(ops.AdvanceTime(1))
    assert w.state.now == before + 1
    return w
