"""Boundary scenarios of the pools and the bridge in deployed_restaking: the edges the generated
mutants of spec.deployed_restaking.pools/bridge/containers showed no vector pinned."""
from __future__ import annotations

from reference.conformance.scenarios.deployed_restaking.registry import scenario
from reference.conformance.scenarios.deployed_restaking.world import BOB, DAVE, TRANSMITTER, VAULT, World
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.pools import latest_block, latest_timestamp


@scenario("request_stake_withdrawal", "PANIC_0x11")
def request_stake_withdrawal_not_a_staker():
    """The prover's active stake covers the amount, but the request takes it from the SENDER's
    own stake (`stakes[token][msg.sender][prover] -= amount`): a sender with none underflows,
    even for 1."""
    w = World().fund(BOB, "POND", 500)
    w.do(ops.Stake(BOB, "POND", BOB, 500))
    w.do(ops.RequestStakeWithdrawal(DAVE, BOB, "POND", 1), "PANIC_0x11")
    return w


@scenario("submit_vault_snapshot", "InvalidIndex")
def submit_vault_snapshot_index_past_count():
    """A part's index is below the part count: index 1 of a one-part snapshot is refused."""
    w = World()
    w.do(ops.SubmitVaultSnapshot(TRANSMITTER, 1, 1, w.state.now, [BOB], [VAULT], ["POND"], [1]), "InvalidIndex")
    return w


@scenario("submit_vault_snapshot")
def submit_vault_snapshot_at_cooldown():
    """A capture exactly `submissionCooldown` (600 s) after the latest confirmed one is accepted."""
    w = World()
    ts = w.snapshot([(BOB, VAULT, "POND", 5_000)])
    w.do(ops.AdvanceTime(700))
    w.do(ops.SubmitVaultSnapshot(TRANSMITTER, 0, 1, ts + 600, [BOB], [VAULT], ["POND"], [1]))
    return w


@scenario("submit_slash_result", "CannotBeZero")
def submit_slash_result_zero_block():
    """A slash result names a non-zero L1 block."""
    w = World()
    w.do(ops.SubmitSlashResult(TRANSMITTER, 0, 1, w.state.now, 0, [], [], []), "CannotBeZero")
    return w


@scenario("submit_vault_snapshot")
def submit_vault_snapshot_after_slash_result():
    """The two kinds complete in either order: a slash result first (L1 block 1, the lowest) does
    not confirm the capture; the vault snapshot that follows does."""
    w = World()
    ts = w.state.now
    w.do(ops.SubmitSlashResult(TRANSMITTER, 0, 1, ts, 1, [], [], []))
    assert latest_timestamp(w.state) == 0
    w.do(ops.SubmitVaultSnapshot(TRANSMITTER, 0, 1, ts, [BOB], [VAULT], ["POND"], [5_000]))
    assert latest_timestamp(w.state) == ts and latest_block(w.state) == 1
    return w


@scenario("advance_time", "INVALID_TIME_STEP")
def advance_time_zero():
    """The clock moves by at least one second."""
    w = World()
    w.do(ops.AdvanceTime(0), "INVALID_TIME_STEP")
    return w


@scenario("advance_time", "INVALID_TIME_STEP")
def advance_time_past_bound():
    """One step moves the clock by at most 2^32 s: 2^32 is taken, 2^32 + 1 is refused."""
    w = World()
    w.do(ops.AdvanceTime(2**32))
    w.do(ops.AdvanceTime(2**32 + 1), "INVALID_TIME_STEP")
    return w
