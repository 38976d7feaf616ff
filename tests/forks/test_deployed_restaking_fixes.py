"""The deployed_restaking fixes (spec/deployed_restaking/fixes.py) at their bounds: S1's refund
keeps the locks and frees only the compute, I8's assignment bound `deadline + 1 + cooldown <=
capture + vault epoch` (and the rejected deadline-only bound) at equality and one past, I7's
emergency withdrawal takes only what no stake or pending withdrawal is owed, and `apply_with`
is one transaction per accepted operation as the fork's `apply`."""
from __future__ import annotations

import pytest

from reference.conformance.scenarios.deployed_restaking.world import (
    BOB, CAROL, ENGINE, MALLORY, PRICE, REWARD, TRANSMITTER, VAULT, World,
)
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.containers import NATIVE, BidState, Config, Lock
from spec.deployed_restaking.fixes import KEY_SAFETY_BOUND, apply_with
from spec.deployed_restaking.pools import latest_timestamp
from spec.errors import SpecError
from spec.operations import Mint

EPOCH = 7 * 86_400  # the vault epoch the two-chain harness deploys (reference/evm/restaking/l1.py L1Config)


def _code(apply, state, op) -> str:
    try:
        apply(state, op)
    except SpecError as err:
        return err.code
    return "ok"


def _crossed(reward: int = REWARD, price: int = PRICE, symbiotic_lock: int = 500) -> tuple[World, int]:
    w = World(config=Config(symbiotic_lock=(symbiotic_lock,)))
    w.market()
    w.prover(price=price)
    w.snapshot([(BOB, VAULT, "POND", 5_000)])
    bid_id = w.bid(reward=reward)
    w.do(ops.AssignTask(ENGINE, bid_id, BOB))
    w.do(ops.AdvanceTime(61))
    return w, bid_id


@pytest.mark.parametrize("reward", (REWARD, 1))
def test_s1_refund_keeps_locks_and_frees_compute(reward):
    w, bid_id = _crossed(reward, price=min(PRICE, reward))
    before = w.state
    state, events = apply_with("S1")(before, ops.RefundFees(MALLORY, [bid_id]))
    assert state.balances[(CAROL, "USDC")] == reward and state.bids[bid_id].reward == 0
    assert state.bids[bid_id].stored_state == BidState.COMPLETED
    assert state.native.locks == before.native.locks and state.symbiotic.locks == before.symbiotic.locks
    assert state.provers[BOB].compute_consumed == 0 and state.memberships[(1, BOB)].active_requests == 0
    assert [e.kind for e in events] == ["ComputeReleased", "ProofNotGenerated"]
    again, events = apply_with("S1")(state, ops.RefundFees(MALLORY, [bid_id]))  # COMPLETED: nothing more
    assert events == [] and again.balances == state.balances


def test_s1_refund_refuses_live_and_unknown_bids():
    w, bid_id = _crossed()
    live = w.bid()
    w.do(ops.AssignTask(ENGINE, live, BOB))
    assert _code(apply_with("S1"), w.state, ops.RefundFees(MALLORY, [live])) == "NotSlashableBidId"
    assert _code(apply_with("S1"), w.state, ops.RefundFees(MALLORY, [bid_id, 99])) == "PANIC_0x32"



@pytest.mark.parametrize("lock", (500, 1, 0))
def test_s1_slash_result_takes_the_locks_refund_left(lock):
    """Under S1 the slash result's own refundFees keeps the locks, so each pool's slash finds
    them: NativeStaking sends its 100 POND to the reward address, SymbioticStaking releases a
    non-zero lock (TaskSlashed, no tokens move on L2) and skips a zero one, as both skip
    `lock.amount == 0` (NativeStaking.sol:189, SymbioticStaking.sol:340)."""
    w, bid_id = _crossed(symbiotic_lock=lock)
    w.do(ops.AdvanceTime(600))
    fixed, ts = apply_with("S1"), w.state.now
    state, _ = fixed(w.state, ops.SubmitVaultSnapshot(TRANSMITTER, 0, 1, ts, [BOB], [VAULT], ["POND"], [5_000]))
    state, events = fixed(state, ops.SubmitSlashResult(TRANSMITTER, 0, 1, ts, 2_000, [bid_id], [BOB], [CAROL]))
    slashed = [(e.data["token"], e.data["amount"]) for e in events if e.kind == "TaskSlashed"]
    assert slashed == [("POND", 100)] + ([("POND", lock)] if lock else [])
    assert state.balances[(CAROL, "POND")] == 100 and bid_id not in state.native.locks
    assert dict(state.symbiotic.locks) == ({} if lock else {bid_id: Lock("POND", 0)})
    assert state.symbiotic.locked.get(("POND", BOB), 0) == 0

def _aged(age: int) -> World:
    """A ready world whose latest confirmed capture is `age` seconds old at the next transaction,
    with two fresh bids of proof time 60 and 61."""
    w = World().ready()
    w.do(ops.AdvanceTime(age - (w.state.now - latest_timestamp(w.state)) - 4))  # the two bids take 4 transactions (mint, create)
    w.bid(proof_time=60)
    w.bid(proof_time=61)
    assert w.state.now - latest_timestamp(w.state) == age
    return w


def test_i8_bound_at_equality_and_one_past():
    assert KEY_SAFETY_BOUND == EPOCH
    # deadline = now + proof time; allowed while now + proof + 1 + cooldown <= capture + bound
    w = _aged(EPOCH - 60 - 1 - 600)
    first, second = len(w.state.bids) - 2, len(w.state.bids) - 1
    assert _code(apply_with("I8"), w.state, ops.AssignTask(ENGINE, first, BOB)) == "ok"
    assert _code(apply_with("I8"), w.state, ops.AssignTask(ENGINE, second, BOB)) == "StaleCapture"
    assert _code(apply_with("I8-deadline-only"), w.state, ops.AssignTask(ENGINE, second, BOB)) == "ok"


def test_deadline_only_bound_at_equality_and_one_past():
    w = _aged(EPOCH - 60)
    first, second = len(w.state.bids) - 2, len(w.state.bids) - 1
    assert _code(apply_with("I8-deadline-only"), w.state, ops.AssignTask(ENGINE, first, BOB)) == "ok"
    assert _code(apply_with("I8-deadline-only"), w.state, ops.AssignTask(ENGINE, second, BOB)) == "StaleCapture"


def _staked() -> World:
    config = Config(native_tokens=("POND", "WETH"), native_weights=(1, 1), native_lock=(100, 100))
    w = World(config=config).fund(BOB, "POND", 1_000).fund(BOB, "WETH", 300)
    w.do(ops.Stake(BOB, "POND", BOB, 1_000))
    w.do(ops.Stake(BOB, "WETH", BOB, 300))
    w.do(ops.RequestStakeWithdrawal(BOB, BOB, "POND", 200))
    w.do(Mint(NATIVE, "POND", 50))  # a stray transfer to NativeStaking: the only free tokens
    return w


def test_i7_takes_only_the_unowed_balance():
    w = _staked()
    fixed = apply_with("I7")
    state, _ = fixed(w.state, ops.EmergencyWithdraw("admin", "native_staking", "POND", "admin"))
    assert state.balances[(NATIVE, "POND")] == 1_000 and state.balances[("admin", "POND")] == 50
    state, _ = fixed(w.state, ops.EmergencyWithdraw("admin", "native_staking", "WETH", "admin"))
    assert state.balances[(NATIVE, "WETH")] == 300 and state.balances.get(("admin", "WETH"), 0) == 0
    state, _ = fixed(w.state, ops.EmergencyWithdraw("admin", "native_staking", "USDC", "admin"))  # never held
    assert state.balances.get((NATIVE, "USDC"), 0) == 0 and state.balances.get(("admin", "USDC"), 0) == 0
    assert _code(fixed, w.state, ops.EmergencyWithdraw(MALLORY, "native_staking", "POND", MALLORY)) == "AccessControlUnauthorizedAccount"


def test_i7_after_a_drain_takes_nothing_and_other_contracts_keep_the_deployed_rule():
    w = _staked()
    w.do(ops.EmergencyWithdraw("admin", "native_staking", "POND", "admin"))  # the deployed rule drains it
    state, _ = apply_with("I7")(w.state, ops.EmergencyWithdraw("admin", "native_staking", "POND", "admin"))
    assert state.balances == w.state.balances
    w.do(Mint("@staking_manager", "POND", 7))
    state, _ = apply_with("I7")(w.state, ops.EmergencyWithdraw("admin", "staking_manager", "POND", "admin"))
    assert state.balances.get(("@staking_manager", "POND"), 0) == 0


def test_apply_with_is_one_transaction_per_accepted_operation():
    w = World()
    s = w.state
    for fix in ("S1", "I7"):
        after, _ = apply_with(fix)(s, Mint(BOB, "USDC", 1))
        assert (after.block, after.time) == (s.block + 1, s.time + 1)
        after, _ = apply_with(fix)(s, ops.AdvanceTime(10))
        assert (after.block, after.time) == (s.block, s.time + 10)
