"""Scenarios of markets, provers, bids, assignments, proofs and refunds in deployed_restaking."""
from __future__ import annotations

from reference.conformance.scenarios.deployed_restaking.registry import scenario
from reference.conformance.scenarios.deployed_restaking.world import (
    ALICE, BOB, CAROL, DAVE, ENGINE, INPUTS, MALLORY, PRICE, REWARD, World, proof_of,
)
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.bids import bid_state
from spec.deployed_restaking.containers import MARKETPLACE, NATIVE, BidState
from spec.env import STAND_IN_VERIFIER_ID


@scenario("create_market")
def create_market_ok():
    """Markets start at id 1 (0 is the placeholder); the creation cost goes to the treasury."""
    w = World()
    assert w.market() == 1
    assert w.state.balances[("treasury", "USDC")] == 1_000
    return w


@scenario("create_market", "CannotBeZero")
def create_market_no_metadata():
    """Metadata must be non-empty."""
    w = World().fund(ALICE, "USDC", 1_000)
    w.do(ops.CreateMarket(ALICE, b"", STAND_IN_VERIFIER_ID, "public", "ivs-image"), "CannotBeZero")
    return w


@scenario("join_market", "InvalidMarket")
def join_market_placeholder():
    """Market 0 is the placeholder `initialize` pushes: joining it is InvalidMarket."""
    w = World()
    w.do(ops.RegisterProver(BOB, BOB, 10, b"p"))
    w.do(ops.JoinMarket(BOB, 0, 2, PRICE, 60), "InvalidMarket")
    return w


@scenario("join_market", "InvalidProverProposedTime")
def join_market_zero_time():
    """A proposed time is in [1 s, 1 day]."""
    w = World()
    w.market()
    w.do(ops.RegisterProver(BOB, BOB, 10, b"p"))
    w.do(ops.JoinMarket(BOB, 1, 2, PRICE, 0), "InvalidProverProposedTime")
    return w


@scenario("register_prover", "ProverAlreadyExists")
def register_prover_twice():
    """A prover registers once."""
    w = World()
    w.do(ops.RegisterProver(BOB, BOB, 10, b"p"))
    w.do(ops.RegisterProver(BOB, BOB, 10, b"p"), "ProverAlreadyExists")
    return w


@scenario("create_bid")
def create_bid_ok():
    """The reward is escrowed in the marketplace; no fee while no per-byte cost is set."""
    w = World()
    w.market()
    w.bid()
    assert w.state.balances[(MARKETPLACE, "USDC")] == REWARD
    return w


@scenario("create_bid", "ExceedsMaximumMatchtime")
def create_bid_expiry_too_far():
    """Expiry at most one day (86 400 s) ahead: time is in seconds."""
    w = World()
    w.market()
    w.fund(CAROL, "USDC", REWARD)
    w.do(ops.CreateBid(CAROL, 1, REWARD, w.state.now + 86_401, 60, CAROL, INPUTS), "ExceedsMaximumMatchtime")
    return w


@scenario("create_bid", "InvalidTimeForProofGeneration")
def create_bid_proof_time_zero():
    """A proof time is at least one second."""
    w = World()
    w.market()
    w.fund(CAROL, "USDC", REWARD)
    w.do(ops.CreateBid(CAROL, 1, REWARD, w.state.now + 60, 0, CAROL, INPUTS), "InvalidTimeForProofGeneration")
    return w


@scenario("cancel_bid")
def cancel_bid_after_expiry():
    """An expired unassigned bid is cancelled by anyone; the reward goes back."""
    w = World()
    w.market()
    bid_id = w.bid(expiry_in=10)
    w.do(ops.AdvanceTime(20))
    w.do(ops.CancelBid(MALLORY, bid_id))
    assert w.state.balances[(CAROL, "USDC")] == REWARD
    return w


@scenario("cancel_bid", "OnlyExpiredBidsCanBeCancelled")
def cancel_bid_before_expiry():
    """A live bid cannot be cancelled."""
    w = World()
    w.market()
    bid_id = w.bid()
    w.do(ops.CancelBid(CAROL, bid_id), "OnlyExpiredBidsCanBeCancelled")
    return w


@scenario("assign_task")
def assign_task_locks_both_pools():
    """Assignment locks the native amount in NativeStaking and the symbiotic amount against the
    latest confirmed snapshot; the deadline is now + proof time (seconds)."""
    w = World()
    bid_id = w.task()
    assert w.state.native.locks[bid_id].amount == 100 and w.state.symbiotic.locks[bid_id].amount == 500
    assert w.state.bids[bid_id].deadline == w.state.time + 60
    return w


@scenario("assign_task", "NoStakeTokenAvailableToLock")
def assign_task_no_snapshot():
    """Without a confirmed snapshot the symbiotic pool has nothing to lock: the whole
    assignment reverts, native stake or not."""
    w = World()
    w.market()
    w.prover()
    bid_id = w.bid()
    w.do(ops.AssignTask(ENGINE, bid_id, BOB), "NoStakeTokenAvailableToLock")
    return w


@scenario("assign_task", "NoStakeTokenAvailableToLock")
def assign_task_native_short():
    """Native stake below the lock amount: the native pool finds no token."""
    w = World()
    w.market()
    w.prover(native=99)
    w.snapshot([(BOB, "vault-1", "POND", 5_000)])
    bid_id = w.bid()
    w.do(ops.AssignTask(ENGINE, bid_id, BOB), "NoStakeTokenAvailableToLock")
    return w


@scenario("assign_task", "AttestationAutherKeyNotVerified")
def assign_task_not_engine():
    """Only a verified matching-engine key assigns."""
    w = World().ready()
    bid_id = w.bid()
    w.do(ops.AssignTask(MALLORY, bid_id, BOB), "AttestationAutherKeyNotVerified")
    return w


@scenario("assign_task", "ProofPriceMismatch")
def assign_task_price():
    """A reward below the prover's price is not assigned."""
    w = World()
    w.market()
    w.prover(price=REWARD + 1)
    w.snapshot([(BOB, "vault-1", "POND", 5_000)])
    bid_id = w.bid()
    w.do(ops.AssignTask(ENGINE, bid_id, BOB), "ProofPriceMismatch")
    return w


@scenario("assign_task", "AssignOnlyToIdleProvers")
def assign_task_not_member():
    """A prover that has not joined the market is NULL there."""
    w = World().ready()
    bid_id = w.bid()
    w.do(ops.AssignTask(ENGINE, bid_id, DAVE), "AssignOnlyToIdleProvers")
    return w


@scenario("submit_proof")
def submit_proof_ok():
    """A valid proof in time: the price becomes the prover's claimable fee, the rest goes back,
    both locks are released."""
    w = World()
    bid_id = w.task()
    w.do(ops.SubmitProof(BOB, bid_id, proof_of()))
    assert w.state.prover_fees[BOB] == PRICE and w.state.balances[(CAROL, "USDC")] == REWARD - PRICE
    assert bid_id not in w.state.native.locks and bid_id not in w.state.symbiotic.locks
    return w


@scenario("submit_proof", "InvalidProof")
def submit_proof_invalid():
    """The market's verifier rejects a wrong proof."""
    w = World()
    bid_id = w.task()
    w.do(ops.SubmitProof(BOB, bid_id, b"\x00" * 32), "InvalidProof")
    return w


@scenario("submit_proof", "OnlyAssignedBidsCanBeProved")
def submit_proof_late():
    """Past the deadline the bid is DEADLINE_CROSSED: no proof."""
    w = World()
    bid_id = w.task()
    w.do(ops.AdvanceTime(61))
    w.do(ops.SubmitProof(BOB, bid_id, proof_of()), "OnlyAssignedBidsCanBeProved")
    return w


@scenario("claim_prover_fee_reward")
def claim_prover_fee_reward_ok():
    """Anyone pays out a reward address's fees."""
    w = World()
    bid_id = w.task()
    w.do(ops.SubmitProof(BOB, bid_id, proof_of()))
    w.do(ops.ClaimProverFeeReward(MALLORY, BOB))
    assert w.state.balances[(BOB, "USDC")] == PRICE
    return w


@scenario("refund_fees")
def refund_fees_releases_locks():
    """refundFees, callable by anyone past the deadline, refunds the requester AND releases both
    locks: the prover's native stake is free again."""
    w = World()
    bid_id = w.task()
    w.do(ops.AdvanceTime(61))
    w.do(ops.RefundFees(MALLORY, [bid_id]))
    assert w.state.balances[(CAROL, "USDC")] == REWARD
    assert bid_id not in w.state.native.locks and w.state.native.locked.get(("POND", BOB), 0) == 0
    assert bid_state(w.state, bid_id) == BidState.COMPLETED and w.state.balances[(NATIVE, "POND")] == 1_000
    return w


@scenario("refund_fees", "NotSlashableBidId")
def refund_fees_in_time():
    """A bid still within its deadline is not refundable."""
    w = World()
    bid_id = w.task()
    w.do(ops.RefundFees(MALLORY, [bid_id]), "NotSlashableBidId")
    return w
