"""Scenarios of the pools (native stake, snapshots, slash results, emergency withdrawal) in
deployed_restaking."""
from __future__ import annotations

from reference.conformance.scenarios.deployed_restaking.registry import scenario
from reference.conformance.scenarios.deployed_restaking.world import (
    ADMIN, BOB, CAROL, DAVE, ENGINE, MALLORY, REWARD, TRANSMITTER, VAULT, World,
)
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.pools import latest_timestamp, symbiotic_active
from spec.deployed_restaking.containers import Config, NATIVE
from spec.operations import Mint


@scenario("stake")
def stake_ok():
    """A prover stakes a supported token for itself; NativeStaking holds it."""
    w = World().fund(BOB, "POND", 500)
    w.do(ops.Stake(BOB, "POND", BOB, 500))
    assert w.state.balances[(NATIVE, "POND")] == 500
    return w


@scenario("stake", "OnlyProverCanStake")
def stake_for_another():
    """Nobody stakes for someone else."""
    w = World().fund(DAVE, "POND", 500)
    w.do(ops.Stake(DAVE, "POND", BOB, 500), "OnlyProverCanStake")
    return w


@scenario("stake", "TokenNotSupported")
def stake_payment_token():
    """Only the pool's stake tokens."""
    w = World().fund(BOB, "USDC", 500)
    w.do(ops.Stake(BOB, "USDC", BOB, 500), "TokenNotSupported")
    return w


@scenario("withdraw_stake")
def withdraw_stake_after_duration():
    """A withdrawal request matures after `withdrawalDuration` seconds."""
    w = World().fund(BOB, "POND", 500)
    w.do(ops.Stake(BOB, "POND", BOB, 500))
    w.do(ops.RequestStakeWithdrawal(BOB, BOB, "POND", 200))
    w.do(ops.AdvanceTime(3_600))
    w.do(ops.WithdrawStake(BOB, BOB, [0]))
    assert w.state.balances[(BOB, "POND")] == 200
    return w


@scenario("withdraw_stake", "WithdrawalTimeNotReached")
def withdraw_stake_early():
    """Not before the request matures."""
    w = World().fund(BOB, "POND", 500)
    w.do(ops.Stake(BOB, "POND", BOB, 500))
    w.do(ops.RequestStakeWithdrawal(BOB, BOB, "POND", 200))
    w.do(ops.WithdrawStake(BOB, BOB, [0]), "WithdrawalTimeNotReached")
    return w


@scenario("request_stake_withdrawal", "InsufficientStakeAmount")
def request_stake_withdrawal_locked():
    """Locked stake cannot be requested out."""
    w = World()
    w.task()
    w.do(ops.RequestStakeWithdrawal(BOB, BOB, "POND", 901), "InsufficientStakeAmount")
    return w


@scenario("submit_vault_snapshot")
def submit_vault_snapshot_confirms_with_slash_result():
    """A capture is confirmed once its snapshot and its slash result are both complete from the
    same transmitter; the prover's restaked stake is then what the snapshot says."""
    w = World()
    ts = w.snapshot([(BOB, VAULT, "POND", 5_000)])
    assert latest_timestamp(w.state) == ts and symbiotic_active(w.state, "POND", BOB) == 5_000
    return w


@scenario("submit_vault_snapshot", "NotIdxToSubmit")
def submit_vault_snapshot_out_of_order():
    """Parts are taken in strict index order: part 1 before part 0 is refused."""
    w = World()
    w.do(ops.SubmitVaultSnapshot(TRANSMITTER, 1, 2, w.state.now, [BOB], [VAULT], ["POND"], [5_000]), "NotIdxToSubmit")
    return w


@scenario("submit_vault_snapshot", "NotRegisteredTransmitter")
def submit_vault_snapshot_other_transmitter():
    """The first transmitter of a capture owns it."""
    w = World()
    ts = w.state.now
    w.do(ops.SubmitVaultSnapshot(TRANSMITTER, 0, 2, ts, [BOB], [VAULT], ["POND"], [5_000]))
    w.do(ops.SubmitVaultSnapshot(MALLORY, 1, 2, ts, [BOB], ["vault-2"], ["POND"], [1]), "NotRegisteredTransmitter")
    return w


@scenario("submit_vault_snapshot", "CooldownPeriodNotPassed")
def submit_vault_snapshot_cooldown():
    """The next capture is at least `submissionCooldown` seconds after the latest confirmed one."""
    w = World()
    ts = w.snapshot([(BOB, VAULT, "POND", 5_000)])
    w.do(ops.AdvanceTime(700))
    w.do(ops.SubmitVaultSnapshot(TRANSMITTER, 0, 1, ts + 599, [BOB], [VAULT], ["POND"], [1]), "CooldownPeriodNotPassed")
    return w


@scenario("submit_vault_snapshot", "InvalidCaptureTimestamp")
def submit_vault_snapshot_future():
    """A capture is not in the future."""
    w = World()
    w.do(ops.SubmitVaultSnapshot(TRANSMITTER, 0, 1, w.state.now + 1, [BOB], [VAULT], ["POND"], [1]), "InvalidCaptureTimestamp")
    return w


@scenario("submit_vault_snapshot", "ImageNotFound")
def submit_vault_snapshot_unknown_image():
    """The payload's enclave image must be a registered bridge image."""
    w = World()
    w.do(ops.SubmitVaultSnapshot(TRANSMITTER, 0, 1, w.state.now, [BOB], [VAULT], ["POND"], [1], "bridge-key", "rogue-image"),
         "ImageNotFound")
    return w


@scenario("submit_vault_snapshot")
def submit_vault_snapshot_two_parts():
    """A two-part snapshot: stake from both parts adds up for the prover."""
    w = World()
    ts = w.state.now
    w.do(ops.SubmitVaultSnapshot(TRANSMITTER, 0, 2, ts, [BOB], [VAULT], ["POND"], [3_000]))
    w.do(ops.SubmitVaultSnapshot(TRANSMITTER, 1, 2, ts, [BOB], ["vault-2"], ["POND"], [2_000]))
    w.do(ops.SubmitSlashResult(TRANSMITTER, 0, 1, ts, 1_000, [], [], []))
    assert symbiotic_active(w.state, "POND", BOB) == 5_000
    return w


@scenario("submit_slash_result", "InvalidLastBlockNumber")
def submit_slash_result_old_block():
    """A slash result covers blocks past the latest confirmed capture's L1 block."""
    w = World()
    w.snapshot([(BOB, VAULT, "POND", 5_000)], last_block=1_000)
    w.do(ops.AdvanceTime(600))
    w.do(ops.SubmitSlashResult(TRANSMITTER, 0, 1, w.state.now, 1_000, [], [], []), "InvalidLastBlockNumber")
    return w


@scenario("submit_slash_result")
def submit_slash_result_refunds_first():
    """A slash result for a missed deadline: StakingManager calls refundFees FIRST, which refunds
    the requester and releases both locks; the pools' slash then finds no lock: the prover
    keeps every native token, the reward address gets nothing."""
    w = World()
    bid_id = w.task()
    w.do(ops.AdvanceTime(600))
    w.snapshot([(BOB, VAULT, "POND", 5_000)], slashed=[(bid_id, BOB, CAROL)])
    assert w.state.balances.get((CAROL, "POND"), 0) == 0 and w.state.balances[(NATIVE, "POND")] == 1_000
    assert w.state.balances[(CAROL, "USDC")] == REWARD
    return w


@scenario("submit_slash_result", "NotSlashableBidId")
def submit_slash_result_live_task():
    """Naming a bid still within its deadline reverts the whole part (refundFees)."""
    w = World()
    bid_id = w.task()
    w.do(ops.AdvanceTime(600))
    ts = w.state.now
    w.do(ops.SubmitVaultSnapshot(TRANSMITTER, 0, 1, ts, [BOB], [VAULT], ["POND"], [5_000]))
    bid2 = w.bid()
    w.do(ops.SubmitSlashResult(TRANSMITTER, 0, 1, ts, 2_000, [bid2], [BOB], [CAROL]), "NotSlashableBidId")
    return w


@scenario("emergency_withdraw")
def emergency_withdraw_takes_stake():
    """The admin takes NativeStaking's whole balance, staked tokens included; the stake
    accounting is unchanged."""
    w = World().fund(BOB, "POND", 500)
    w.do(ops.Stake(BOB, "POND", BOB, 500))
    w.do(ops.EmergencyWithdraw(ADMIN, "native_staking", "POND", ADMIN))
    assert w.state.balances[(ADMIN, "POND")] == 500 and w.state.native.prover_stake[("POND", BOB)] == 500
    return w


@scenario("emergency_withdraw", "AccessControlUnauthorizedAccount")
def emergency_withdraw_not_admin():
    """Only DEFAULT_ADMIN_ROLE."""
    w = World()
    w.do(ops.EmergencyWithdraw(MALLORY, "native_staking", "POND", MALLORY), "AccessControlUnauthorizedAccount")
    return w


@scenario("assign_task")
def assign_task_token_by_stake():
    """Two native tokens of equal weight: whatever the draw, the token the prover has stake in
    is the one locked (the selection drops tokens whose active stake is short)."""
    w = World(config=Config(native_tokens=("POND", "WETH"), native_weights=(1, 1), native_lock=(100, 100)))
    w.task()
    assert w.state.native.locks[0].token == "POND"
    return w


@scenario("mint")
def mint_stake_token():
    """The faucet knows every stake token of the config."""
    w = World(config=Config(native_tokens=("POND", "WETH"), native_weights=(1, 1), native_lock=(100, 100)))
    w.do(Mint(BOB, "WETH", 7))
    return w


# ---- bridge faults as the transmitter's choices ------------------------------------------------

@scenario("submit_vault_snapshot", "NotIdxToSubmit")
def submit_vault_snapshot_duplicate_part():
    """A duplicated part (index 0 twice) is refused: each part is taken once, in order."""
    w = World()
    ts = w.state.now
    w.do(ops.SubmitVaultSnapshot(TRANSMITTER, 0, 2, ts, [BOB], [VAULT], ["POND"], [3_000]))
    w.do(ops.SubmitVaultSnapshot(TRANSMITTER, 0, 2, ts, [BOB], [VAULT], ["POND"], [3_000]), "NotIdxToSubmit")
    return w


@scenario("submit_vault_snapshot", "InvalidNumOfTxs")
def submit_vault_snapshot_changed_part_count():
    """The part count is fixed by the first part."""
    w = World()
    ts = w.state.now
    w.do(ops.SubmitVaultSnapshot(TRANSMITTER, 0, 3, ts, [BOB], [VAULT], ["POND"], [3_000]))
    w.do(ops.SubmitVaultSnapshot(TRANSMITTER, 1, 2, ts, [BOB], ["vault-2"], ["POND"], [2_000]), "InvalidNumOfTxs")
    return w


@scenario("submit_vault_snapshot", "SubmissionAlreadyCompleted")
def submit_vault_snapshot_retransmitted():
    """A retransmission of a completed capture is refused."""
    w = World()
    ts = w.snapshot([(BOB, VAULT, "POND", 5_000)])
    w.do(ops.SubmitVaultSnapshot(TRANSMITTER, 0, 1, ts, [BOB], [VAULT], ["POND"], [5_000]), "SubmissionAlreadyCompleted")
    return w


@scenario("submit_slash_result", "InvalidLastBlockNumber")
def submit_slash_result_retransmitted():
    """A retransmitted slash result of the confirmed capture is refused: its L1 block is not past
    the latest confirmed one."""
    w = World()
    ts = w.snapshot([(BOB, VAULT, "POND", 5_000)])
    w.do(ops.SubmitSlashResult(TRANSMITTER, 0, 1, ts, 1_000, [], [], []), "InvalidLastBlockNumber")
    return w


@scenario("submit_vault_snapshot")
def submit_vault_snapshot_delayed_capture():
    """A delayed capture (taken an hour before it is submitted) is accepted as it is: the stake
    it reports is an hour old when locks start reading it."""
    w = World()
    w.do(ops.AdvanceTime(7_200))
    ts = w.snapshot([(BOB, VAULT, "POND", 5_000)], capture_in=3_600)
    assert latest_timestamp(w.state) == ts == w.state.time - 3_600 - 1
    return w


@scenario("assign_task")
def assign_task_after_dropped_slash_result():
    """A capture whose slash result is dropped is never confirmed: locks keep reading the
    previous capture (here the only one, with 5000 POND), whatever the new snapshot said."""
    w = World().ready()
    w.do(ops.AdvanceTime(600))
    w.do(ops.SubmitVaultSnapshot(TRANSMITTER, 0, 1, w.state.now, [BOB], [VAULT], ["POND"], [0]))
    bid_id = w.bid()
    w.do(ops.AssignTask(ENGINE, bid_id, BOB))
    assert w.state.symbiotic.locks[bid_id].amount == 500
    return w
