"""Boundary scenarios of the pools and the bridge in deployed_restaking: the edges the generated
mutants of spec.deployed_restaking.pools/bridge/containers showed no vector pinned."""
from __future__ import annotations

from reference.conformance.scenarios.deployed_restaking.registry import scenario
from reference.conformance.scenarios.deployed_restaking.world import BOB, DAVE, World
from spec.deployed_restaking import operations as ops


@scenario("request_stake_withdrawal", "PANIC_0x11")
def request_stake_withdrawal_not_a_staker():
    """The prover's active stake covers the amount, but the request takes it from the SENDER's
    own stake (`stakes[token][msg.sender][prover] -= amount`): a sender with none underflows,
    even for 1."""
    w = World().fund(BOB, "POND", 500)
    w.do(ops.Stake(BOB, "POND", BOB, 500))
    w.do(ops.RequestStakeWithdrawal(DAVE, BOB, "POND", 1), "PANIC_0x11")
    return w
