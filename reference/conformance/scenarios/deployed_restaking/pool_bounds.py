"""Boundary scenarios of the two pools in deployed_restaking: native stake requested out to the
last unit, withdrawal requests at maturity, spent, past the list and none, the restaked stake
a lock reads (absent, covering one lock, not two), a zero-weight token, a zero lock amount and
an emergency withdrawal of nothing: the edges the generated mutants of
spec.deployed_restaking.pools showed no vector pinned."""
from __future__ import annotations

from reference.conformance.scenarios.deployed_restaking.registry import scenario
from reference.conformance.scenarios.deployed_restaking.world import ADMIN, BOB, DAVE, ENGINE, VAULT, World, proof_of
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.containers import NATIVE, Config


def _staked(amount: int = 500) -> World:
    w = World().fund(BOB, "POND", amount)
    w.do(ops.Stake(BOB, "POND", BOB, amount))
    return w


# ---- NativeStaking: requestStakeWithdrawal, withdrawStake ---------------------------------------

@scenario("request_stake_withdrawal")
def request_stake_withdrawal_last_unit():
    """The active stake bounds a request inclusively: 499 of 500 leaves 1 staked, and a request
    of exactly that 1 is accepted; nothing is left staked."""
    w = _staked()
    w.do(ops.RequestStakeWithdrawal(BOB, BOB, "POND", 499))
    assert w.state.native.prover_stake[("POND", BOB)] == 1
    w.do(ops.RequestStakeWithdrawal(BOB, BOB, "POND", 1))
    assert w.state.native.prover_stake.get(("POND", BOB), 0) == 0
    return w


@scenario("request_stake_withdrawal", "ZeroAmount")
def request_stake_withdrawal_zero():
    """A request is for at least 1 (ZeroAmount after the active-stake check, which 0 passes)."""
    w = _staked()
    w.do(ops.RequestStakeWithdrawal(BOB, BOB, "POND", 0), "ZeroAmount")
    return w


@scenario("request_stake_withdrawal", "InsufficientStakeAmount")
def request_stake_withdrawal_nothing_staked():
    """A prover that never staked has no active stake: even 1 is refused."""
    w = World()
    w.do(ops.RequestStakeWithdrawal(BOB, BOB, "POND", 1), "InsufficientStakeAmount")
    return w


@scenario("withdraw_stake")
def withdraw_stake_at_maturity():
    """A request matures at its `withdrawalTime` itself (request.time <= block.timestamp): the
    withdrawal in that very second is paid."""
    w = _staked()
    w.do(ops.RequestStakeWithdrawal(BOB, BOB, "POND", 200))
    matures = w.state.native.withdrawals[(BOB, BOB)][0].time
    w.do(ops.AdvanceTime(matures - w.state.now))
    assert w.state.now == matures
    w.do(ops.WithdrawStake(BOB, BOB, [0]))
    assert w.state.balances[(BOB, "POND")] == 200
    return w


@scenario("withdraw_stake")
def withdraw_stake_two_requests():
    """Two requests (499 and 1) withdrawn in one call: each index is zeroed in place, the other
    requests keep their positions, and a request of 1 is paid."""
    w = _staked()
    w.do(ops.RequestStakeWithdrawal(BOB, BOB, "POND", 499))
    w.do(ops.RequestStakeWithdrawal(BOB, BOB, "POND", 1))
    w.do(ops.AdvanceTime(3_600))
    w.do(ops.WithdrawStake(BOB, BOB, [1, 0]))
    assert w.state.balances[(BOB, "POND")] == 500 and w.state.balances.get((NATIVE, "POND"), 0) == 0
    assert [r.amount for r in w.state.native.withdrawals[(BOB, BOB)]] == [0, 0]
    return w


@scenario("withdraw_stake", "InvalidWithdrawalAmount")
def withdraw_stake_spent():
    """A request is paid once: the same index twice in one call reverts the whole call."""
    w = _staked()
    w.do(ops.RequestStakeWithdrawal(BOB, BOB, "POND", 200))
    w.do(ops.AdvanceTime(3_600))
    w.do(ops.WithdrawStake(BOB, BOB, [0, 0]), "InvalidWithdrawalAmount")
    return w


@scenario("withdraw_stake", "PANIC_0x32")
def withdraw_stake_past_last():
    """An index equal to the number of requests is out of bounds (panic 0x32)."""
    w = _staked()
    w.do(ops.RequestStakeWithdrawal(BOB, BOB, "POND", 200))
    w.do(ops.AdvanceTime(3_600))
    w.do(ops.WithdrawStake(BOB, BOB, [1]), "PANIC_0x32")
    return w


@scenario("withdraw_stake", "InvalidIndexLength")
def withdraw_stake_no_index():
    """A withdrawal names at least one request."""
    w = _staked()
    w.do(ops.WithdrawStake(BOB, BOB, []), "InvalidIndexLength")
    return w


@scenario("emergency_withdraw")
def emergency_withdraw_nothing_held():
    """An emergency withdrawal of a token the contract does not hold moves nothing and succeeds."""
    w = World()
    w.do(ops.EmergencyWithdraw(ADMIN, "native_staking", "POND", ADMIN))
    assert w.state.balances.get((ADMIN, "POND"), 0) == 0
    return w


# ---- the locks: what the selection reads ----------------------------------------------------

@scenario("assign_task", "NoStakeTokenAvailableToLock")
def assign_task_absent_from_capture():
    """A prover absent from the latest confirmed capture has no restaked stake: a symbiotic lock
    of 1 is not covered."""
    w = World(config=Config(symbiotic_lock=(1,)))
    w.market()
    w.prover()
    w.snapshot([(DAVE, VAULT, "POND", 5_000)])
    bid_id = w.bid()
    w.do(ops.AssignTask(ENGINE, bid_id, BOB), "NoStakeTokenAvailableToLock")
    return w


@scenario("assign_task", "NoStakeTokenAvailableToLock")
def assign_task_restaked_covers_one_lock():
    """The restaked stake a lock reads is the capture's minus what is already locked: 999
    covers one lock of 500, not a second (499 left)."""
    w = World().ready(restaked=999)
    first, second = w.bid(), w.bid()
    w.do(ops.AssignTask(ENGINE, first, BOB))
    w.do(ops.AssignTask(ENGINE, second, BOB), "NoStakeTokenAvailableToLock")
    return w


@scenario("assign_task", "NoStakeTokenAvailableToLock")
def assign_task_zero_weight_token():
    """A stake token of weight 0 is never a candidate, even when the prover's stake in it
    covers its lock amount: with its only weighted token uncovered, nothing is locked."""
    w = World(config=Config(native_tokens=("POND", "WETH"), native_weights=(1, 0), native_lock=(100, 100)))
    w.market()
    w.prover(native=0)
    w.fund(BOB, "WETH", 1_000)
    w.do(ops.Stake(BOB, "WETH", BOB, 1_000))
    w.snapshot([(BOB, VAULT, "POND", 5_000)])
    bid_id = w.bid()
    w.do(ops.AssignTask(ENGINE, bid_id, BOB), "NoStakeTokenAvailableToLock")
    return w


@scenario("submit_proof")
def submit_proof_zero_native_lock():
    """A native lock of amount 0 (amountToLock 0) is a lock NativeStaking's onTaskCompletion
    skips: no StakeUnlocked from it; SymbioticStaking still emits its own."""
    w = World(config=Config(native_lock=(0,)))
    bid_id = w.task()
    events = w.do(ops.SubmitProof(BOB, bid_id, proof_of()))
    assert [(e.kind, e.data["amount"]) for e in events if e.kind == "StakeUnlocked"] == [("StakeUnlocked", 500)]
    return w
