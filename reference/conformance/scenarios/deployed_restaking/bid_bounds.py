"""Boundary scenarios of provers, markets and bids in deployed_restaking: each range's ends and
the first value past them, each non-zero rule at 0 and 1, so an off-by-one in a rule changes a
vector (the generated mutants of spec.deployed_restaking.bids)."""
from __future__ import annotations

from reference.conformance.scenarios.deployed_restaking.registry import scenario
from reference.conformance.scenarios.deployed_restaking.world import (
    BOB, CAROL, ENGINE, INPUTS, MALLORY, PRICE, REWARD, VAULT, World, proof_of,
)
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.bids import bid_state
from spec.deployed_restaking.containers import EXPONENT, MARKETPLACE, BidState, Config


@scenario("register_prover", "CannotBeZero")
def register_prover_no_data():
    """Prover data must be non-empty, whatever the other fields."""
    w = World()
    w.do(ops.RegisterProver(BOB, BOB, 10, b""), "CannotBeZero")
    return w


@scenario("register_prover", "CannotBeZero")
def register_prover_zero_compute():
    """Declared compute must be non-zero."""
    w = World()
    w.do(ops.RegisterProver(BOB, BOB, 0, b"p"), "CannotBeZero")
    return w


@scenario("register_prover")
def register_prover_one_unit():
    """One unit of declared compute and one byte of data are enough."""
    w = World()
    w.do(ops.RegisterProver(BOB, BOB, 1, b"p"))
    assert w.state.provers[BOB].declared_compute == 1
    return w


@scenario("join_market")
def join_market_lowest_bounds():
    """The smallest accepted membership: compute per request 1, proposed time 1 s, commission 0."""
    w = World()
    w.market()
    w.do(ops.RegisterProver(BOB, BOB, 10, b"p"))
    w.do(ops.JoinMarket(BOB, 1, 1, PRICE, 1, 0))
    assert w.state.memberships[(1, BOB)].proposed_time == 1
    return w


@scenario("join_market")
def join_market_highest_bounds():
    """The largest accepted membership: the whole declared compute per request, a proposed time
    of one day (86 400 s) and a commission of 1e18; one past each is refused first."""
    w = World()
    w.market()
    w.do(ops.RegisterProver(BOB, BOB, 10, b"p"))
    w.do(ops.JoinMarket(BOB, 1, 11, PRICE, 86_400, EXPONENT), "CannotBeMoreThanDeclaredCompute")
    w.do(ops.JoinMarket(BOB, 1, 10, PRICE, 86_401, EXPONENT), "InvalidProverProposedTime")
    w.do(ops.JoinMarket(BOB, 1, 10, PRICE, 86_400, EXPONENT + 1), "InvalidProverCommission")
    w.do(ops.JoinMarket(BOB, 1, 10, PRICE, 86_400, EXPONENT))
    assert w.state.provers[BOB].sum_of_compute_allocations == 10
    return w


@scenario("assign_task", "AssignOnlyToIdleProvers")
def assign_task_prover_busy():
    """A prover whose whole compute is in use (one request of all its compute in flight) is
    NO_COMPUTE_AVAILABLE: the next assignment is refused as not idle."""
    w = World()
    w.market()
    w.prover(compute=2, per_request=2)
    w.snapshot([(BOB, VAULT, "POND", 5_000)])
    first = w.bid()
    w.do(ops.AssignTask(ENGINE, first, BOB))
    second = w.bid()
    w.do(ops.AssignTask(ENGINE, second, BOB), "AssignOnlyToIdleProvers")
    return w


def _until(w: World, t: int) -> None:
    """Advance the clock so that the next transaction runs at timestamp `t`."""
    if t > w.state.now:
        w.do(ops.AdvanceTime(t - w.state.now))
    assert w.state.now == t


@scenario("assign_task")
def assign_task_last_idle_compute():
    """A request that needs exactly the prover's idle compute is assigned (idle >= per request),
    and a reward equal to the prover's price is enough."""
    w = World()
    w.market()
    w.prover(compute=4, per_request=2, price=REWARD)
    w.snapshot([(BOB, VAULT, "POND", 5_000)])
    first = w.bid()
    w.do(ops.AssignTask(ENGINE, first, BOB))
    second = w.bid()
    w.do(ops.AssignTask(ENGINE, second, BOB))
    assert w.state.provers[BOB].compute_consumed == 4
    return w


@scenario("create_bid", "CannotBeZero")
def create_bid_zero_reward():
    """A reward of 0 is refused."""
    w = World()
    w.market()
    w.do(ops.CreateBid(CAROL, 1, 0, w.state.now + 60, 60, CAROL, INPUTS), "CannotBeZero")
    return w


@scenario("create_bid", "CannotBeZero")
def create_bid_no_inputs():
    """Empty prover data is refused."""
    w = World()
    w.market()
    w.fund(CAROL, "USDC", REWARD)
    w.do(ops.CreateBid(CAROL, 1, REWARD, w.state.now + 60, 60, CAROL, b""), "CannotBeZero")
    return w


@scenario("create_bid", "CannotAssignExpiredTasks")
def create_bid_expiry_now():
    """An expiry equal to the block's timestamp is already expired."""
    w = World()
    w.market()
    w.fund(CAROL, "USDC", REWARD)
    w.do(ops.CreateBid(CAROL, 1, REWARD, w.state.now, 60, CAROL, INPUTS), "CannotAssignExpiredTasks")
    return w


@scenario("create_bid", "InvalidMarket")
def create_bid_placeholder_market():
    """Market 0 is the placeholder: no bid goes there."""
    w = World()
    w.market()
    w.fund(CAROL, "USDC", REWARD)
    w.do(ops.CreateBid(CAROL, 0, REWARD, w.state.now + 60, 60, CAROL, INPUTS), "InvalidMarket")
    return w


@scenario("create_bid")
def create_bid_widest_bounds():
    """A reward of 1, an expiry exactly one day ahead and a proof time of one day are accepted."""
    w = World()
    w.market()
    w.fund(CAROL, "USDC", 1)
    w.do(ops.CreateBid(CAROL, 1, 1, w.state.now + 86_400, 86_400, CAROL, INPUTS))
    assert w.state.balances[(MARKETPLACE, "USDC")] == 1
    return w


@scenario("create_bid")
def create_bid_shortest_proof_time():
    """A proof time of one second is accepted."""
    w = World()
    w.market()
    w.fund(CAROL, "USDC", REWARD)
    w.do(ops.CreateBid(CAROL, 1, REWARD, w.state.now + 1, 1, CAROL, INPUTS))
    assert w.state.bids[0].proof_time == 1
    return w


@scenario("cancel_bid")
def cancel_bid_at_expiry():
    """At the expiry's own timestamp a bid is no longer CREATED (expiry > now fails): it is
    UNASSIGNED and cancellable."""
    w = World()
    w.market()
    bid_id = w.bid(expiry_in=10)
    _until(w, w.state.bids[bid_id].expiry)
    w.do(ops.CancelBid(MALLORY, bid_id))
    assert w.state.balances[(CAROL, "USDC")] == REWARD
    return w


@scenario("submit_proof")
def submit_proof_at_deadline():
    """At the deadline's own timestamp the bid is still ASSIGNED (deadline < now fails): the
    proof is accepted."""
    w = World()
    bid_id = w.task()
    _until(w, w.state.bids[bid_id].deadline)
    w.do(ops.SubmitProof(BOB, bid_id, proof_of()))
    assert bid_state(w.state, bid_id) == BidState.COMPLETED
    return w


@scenario("refund_fees")
def refund_fees_reward_one():
    """A deadline-crossed bid with the smallest reward (1) is refunded like any other: the unit
    goes back and both locks are released."""
    w = World()
    w.market()
    w.prover(price=1)
    w.snapshot([(BOB, VAULT, "POND", 5_000)])
    bid_id = w.bid(reward=1)
    w.do(ops.AssignTask(ENGINE, bid_id, BOB))
    _until(w, w.state.bids[bid_id].deadline + 1)
    w.do(ops.RefundFees(MALLORY, [bid_id]))
    assert w.state.balances[(CAROL, "USDC")] == 1 and bid_id not in w.state.symbiotic.locks
    return w


@scenario("assign_task", "MaxParallelRequestsPerMarketExceeded")
def assign_task_parallel_limit():
    """ProverManager.sol:45 bounds a prover's tasks in flight per market with `activeRequests <=
    100` checked BEFORE the count moves on: the 101st assignment passes, the 102nd is refused
    (lock amounts of 1 so the stake covers them all)."""
    w = World(config=Config(native_lock=(1,), symbiotic_lock=(1,)))
    w.market()
    w.prover(compute=1_000, per_request=1)
    w.snapshot([(BOB, VAULT, "POND", 5_000)])
    for _ in range(101):
        w.do(ops.AssignTask(ENGINE, w.bid(), BOB))
    assert w.state.memberships[(1, BOB)].active_requests == 101
    w.do(ops.AssignTask(ENGINE, w.bid(), BOB), "MaxParallelRequestsPerMarketExceeded")
    return w


@scenario("claim_prover_fee_reward", "NoRewardToClaim")
def claim_prover_fee_reward_twice():
    """ProofMarketplace.sol:611 claimProverFeeReward deletes the fee it pays: a second claim
    finds nothing (NoRewardToClaim) even while the marketplace still escrows another bid's
    reward."""
    w = World()
    bid_id = w.task()
    w.do(ops.SubmitProof(BOB, bid_id, proof_of()))
    w.bid()  # escrowed: the marketplace holds USDC when the second claim runs
    w.do(ops.ClaimProverFeeReward(MALLORY, BOB))
    assert w.state.balances[(BOB, "USDC")] == PRICE and w.state.balances[(MARKETPLACE, "USDC")] == REWARD
    w.do(ops.ClaimProverFeeReward(MALLORY, BOB), "NoRewardToClaim")
    return w


@scenario("claim_prover_fee_reward", "NoRewardToClaim")
def claim_prover_fee_reward_never_earned():
    """A reward address that never earned a fee has nothing to claim, whatever the marketplace
    holds."""
    w = World()
    w.ready()
    w.bid()
    w.do(ops.ClaimProverFeeReward(MALLORY, CAROL), "NoRewardToClaim")
    return w


@scenario("claim_prover_fee_reward")
def claim_prover_fee_reward_one():
    """The smallest fee, 1 (a prover priced at 1), is paid out: `amount > 0`."""
    w = World()
    w.market()
    w.prover(price=1)
    w.snapshot([(BOB, VAULT, "POND", 5_000)])
    bid_id = w.bid()
    w.do(ops.AssignTask(ENGINE, bid_id, BOB))
    w.do(ops.SubmitProof(BOB, bid_id, proof_of()))
    w.do(ops.ClaimProverFeeReward(MALLORY, BOB))
    assert w.state.balances[(BOB, "USDC")] == 1 and BOB not in w.state.prover_fees
    return w
