"""Markets, provers and bids: ProofMarketplace (asks are bids; time in seconds) and
ProverManager (the parent's GeneratorRegistry without stake). Locks are taken and released
through the StakingManager's pools, in pool order (NativeStaking, then SymbioticStaking)."""
from __future__ import annotations

import attrs
from eth_abi import encode as abi_encode
from eth_hash.auto import keccak

from spec.deployed_native.keyregistry import allow_only_verified_family, whitelist_image
from spec.deployed_native.keys import image_id, is_enclave, is_zero, ivs_family, matching_engine_family
from spec.deployed_native.ledger import transfer
from spec.deployed_native.uint import add, sub
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.containers import (
    EXPONENT, MARKETPLACE, MAX_MATCHING_TIME, MAX_PROVING_TIME, MIN_PROVING_TIME, PARALLEL_REQUESTS_UPPER_LIMIT, Bid,
    BidState, Market, Membership, Prover, ProverState, State,
)
from spec.deployed_restaking.errors import need
from spec.deployed_restaking.pools import native_lock, native_unlock, symbiotic_lock, symbiotic_unlock
from spec.env import Env
from spec.events import Event, event


def prover_family(market_id: int) -> bytes:
    """Helper.sol:92 PROVER_FAMILY_ID: keccak256(abi.encode("prov", marketId)) (the parent's "gen")."""
    return keccak(abi_encode(["string", "uint256"], ["prov", market_id]))


# ---- markets -------------------------------------------------------------------------------

def process_create_market(state: State, op: ops.CreateMarket, env: Env):
    """ProofMarketplace.sol:127 createMarket: metadata and a verifier (CannotBeZero); no penalty
    (slashing is the pools'), no activation delay; the creation cost goes to the treasury; image
    families as the parent's, the prover family id is "prov"."""
    need(len(op.metadata) != 0 and op.verifier_id in env.verifiers, "CannotBeZero", "metadata", "metadata and verifier must be non-zero")
    state = transfer(state, op.sender, state.config.treasury, state.config.payment_token, state.config.market_creation_cost, "sender")
    market_id, events = len(state.markets), []
    if is_enclave(image_id(op.prover_image)):
        state, whitelisted = whitelist_image(state, prover_family(market_id), op.prover_image, "prover_image")
        events += whitelisted
    state, whitelisted = whitelist_image(state, ivs_family(market_id), op.ivs_image, "ivs_image")
    market = Market(op.verifier_id, image_id(op.prover_image), image_id(op.ivs_image), op.sender, op.metadata)
    state = attrs.evolve(state, markets=state.markets.set(market_id, market))
    return state, events + whitelisted + [event("MarketplaceCreated", marketId=market_id)]


# ---- provers -------------------------------------------------------------------------------

def process_register_prover(state: State, op: ops.RegisterProver, env: Env):
    """ProverManager.sol:87 register: data, reward address and compute non-zero (CannotBeZero),
    once (ProverAlreadyExists); no stake (it lives in the pools)."""
    need(len(op.data) > 0 and not is_zero(op.reward_address) and op.declared_compute > 0, "CannotBeZero", "declared_compute",
         "data, reward address and compute must be non-zero")
    need(op.sender not in state.provers, "ProverAlreadyExists", "sender", f"{op.sender} is registered")
    prover = Prover(op.reward_address, 0, 0, 0, op.declared_compute, EXPONENT, op.data)
    return attrs.evolve(state, provers=state.provers.set(op.sender, prover)), [
        event("ProverRegistered", prover=op.sender, initialCompute=op.declared_compute, proverData=op.data)]


def process_join_market(state: State, op: ops.JoinMarket, env: Env):
    """ProverManager.sol:238 joinMarketplace: registered and compute per request > 0
    (CannotBeZero), proposed time in [1 s, 1 day] (InvalidProverProposedTime), commission <= 1e18
    (InvalidProverCommission), a market (panic 0x32 past the list; InvalidMarket for the
    placeholder), not joined (AlreadyJoinedMarket), within the declared compute."""
    prover = state.provers.get(op.sender)
    need(prover is not None and op.compute_per_request != 0, "CannotBeZero", "compute_per_request", "registered prover, compute > 0")
    need(MIN_PROVING_TIME <= op.proposed_time <= MAX_PROVING_TIME, "InvalidProverProposedTime", "proposed_time", "in [1, 86400] s")
    need(op.commission <= EXPONENT, "InvalidProverCommission", "commission", "at most 1e18")
    need(op.market_id in state.markets, "PANIC_0x32", "market_id", f"no market {op.market_id}")
    need(op.market_id != 0, "InvalidMarket", "market_id", "market 0 is the placeholder")
    need((op.market_id, op.sender) not in state.memberships, "AlreadyJoinedMarket", "market_id", "already joined")
    total = add(prover.sum_of_compute_allocations, op.compute_per_request, "compute_per_request")
    need(total <= prover.declared_compute, "CannotBeMoreThanDeclaredCompute", "compute_per_request", "exceeds the declared compute")
    prover = attrs.evolve(prover, sum_of_compute_allocations=total, active_marketplaces=prover.active_marketplaces + 1)
    membership = Membership(ProverState.JOINED, op.compute_per_request, op.commission, op.price, op.proposed_time)
    state = attrs.evolve(state, provers=state.provers.set(op.sender, prover),
                         memberships=state.memberships.set((op.market_id, op.sender), membership))
    return state, [event("ProverJoinedMarketplace", prover=op.sender, marketId=op.market_id, computeAllocation=op.compute_per_request,
                         commission=op.commission)]


def prover_state(state: State, prover: str, market_id: int) -> tuple[ProverState, int]:
    """ProverManager.sol:514 getProverState: (state, idle capacity)."""
    info = state.memberships.get((market_id, prover))
    if info is None:
        return ProverState.NULL, 0
    if info.state == ProverState.REQUESTED_FOR_EXIT:
        return ProverState.REQUESTED_FOR_EXIT, 0
    p = state.provers.get(prover)
    declared = p.declared_compute if p else 0
    usable = declared * (p.intended_compute_utilization if p else 0) // EXPONENT
    consumed = p.compute_consumed if p else 0
    idle = usable - consumed if usable >= consumed else 0
    if idle == 0:
        return ProverState.NO_COMPUTE_AVAILABLE, 0
    if idle == declared:
        return ProverState.JOINED, idle
    return (ProverState.WIP, idle) if idle < declared else (ProverState.NULL, 0)


def _release_compute(state: State, prover: str, market_id: int) -> tuple[State, list[Event]]:
    """ProverManager.sol:491 _releaseProverCompute: not NULL or JOINED (OnlyWorkingProvers)."""
    status, _ = prover_state(state, prover, market_id)
    need(status not in (ProverState.NULL, ProverState.JOINED), "OnlyWorkingProvers", "bid_id", f"{prover} is {status.value}")
    info = state.memberships[(market_id, prover)]
    p = state.provers[prover]
    p = attrs.evolve(p, compute_consumed=sub(p.compute_consumed, info.compute_per_request, "bid_id"))
    info = attrs.evolve(info, active_requests=sub(info.active_requests, 1, "bid_id"))
    state = attrs.evolve(state, provers=state.provers.set(prover, p), memberships=state.memberships.set((market_id, prover), info))
    return state, [event("ComputeReleased", prover=prover, compute=info.compute_per_request)]


def complete_task(state: State, bid_id: int, prover: str, market_id: int) -> tuple[State, list[Event]]:
    """ProverManager.sol:472 completeProverTask -> StakingManager.sol:104 onTaskCompletion (fee 0):
    release the compute, then every pool's lock for the bid."""
    state, released = _release_compute(state, prover, market_id)
    state, native = native_unlock(state, bid_id, prover)
    state, symbiotic = symbiotic_unlock(state, bid_id, prover)
    return state, released + native + symbiotic


# ---- bids ----------------------------------------------------------------------------------

def bid_state(state: State, bid_id: int) -> BidState:
    """ProofMarketplace.sol:756 getBidState at the next transaction's timestamp."""
    bid = state.bids.get(bid_id)
    if bid is None:
        return BidState.NULL
    if bid.stored_state == BidState.CREATED:
        return BidState.CREATED if bid.expiry > state.now else BidState.UNASSIGNED
    if bid.stored_state == BidState.ASSIGNED:
        return BidState.DEADLINE_CROSSED if bid.deadline < state.now else BidState.ASSIGNED
    return bid.stored_state


def _get_bid(state: State, bid_id: int, field: str = "bid_id") -> Bid:
    need(bid_id in state.bids, "PANIC_0x32", field, f"no bid {bid_id}")
    return state.bids[bid_id]


def process_create_bid(state: State, op: ops.CreateBid, env: Env):
    """ProofMarketplace.sol:277 _createBid: reward and data non-zero (CannotBeZero); expiry in
    (now, now + 1 day] (CannotAssignExpiredTasks, ExceedsMaximumMatchtime; seconds, no minimum
    proving time is set); proof time in [1 s, 1 day] (InvalidTimeForProofGeneration); a market
    (panic 0x32, InvalidMarket); the reward is escrowed in the marketplace."""
    need(op.reward > 0 and len(op.prover_data) > 0, "CannotBeZero", "reward", "reward and prover data must be non-zero")
    need(op.expiry > state.now, "CannotAssignExpiredTasks", "expiry", "must be after now")
    need(op.expiry <= state.now + MAX_MATCHING_TIME, "ExceedsMaximumMatchtime", "expiry", "at most one day ahead")
    need(MIN_PROVING_TIME <= op.proof_time <= MAX_PROVING_TIME, "InvalidTimeForProofGeneration", "proof_time", "in [1, 86400] s")
    need(op.market_id in state.markets, "PANIC_0x32", "market_id", f"no market {op.market_id}")
    market = state.markets[op.market_id]
    need(len(market.metadata) > 0, "InvalidMarket", "market_id", "market 0 is the placeholder")
    state = transfer(state, op.sender, MARKETPLACE, state.config.payment_token, op.reward, "reward")
    bid_id = len(state.bids)
    bid = Bid(op.market_id, op.reward, op.expiry, op.proof_time, 0, op.refund_address, op.prover_data, BidState.CREATED, op.sender)
    private = is_enclave(market.prover_image_id)
    return attrs.evolve(state, bids=state.bids.set(bid_id, bid)), [
        event("BidCreated", bidId=bid_id, hasPrivateInputs=private, secret_data=b"", acl=b"", extra_data=b"")]


def process_cancel_bid(state: State, op: ops.CancelBid, env: Env):
    """ProofMarketplace.sol:325 cancelBid: anyone, once the bid expired unassigned
    (OnlyExpiredBidsCanBeCancelled); the reward goes back to the refund address."""
    bid = _get_bid(state, op.bid_id)
    need(bid_state(state, op.bid_id) == BidState.UNASSIGNED, "OnlyExpiredBidsCanBeCancelled", "bid_id", "not an expired bid")
    state = attrs.evolve(state, bids=state.bids.set(op.bid_id, attrs.evolve(bid, stored_state=BidState.COMPLETED)))
    state = transfer(state, MARKETPLACE, bid.refund_address, state.config.payment_token, bid.reward, "bid_id")
    return state, [event("BidCancelled", bidId=op.bid_id)]


def process_assign_task(state: State, op: ops.AssignTask, env: Env):
    """ProofMarketplace.sol:549 assignTask by a verified matching-engine key, :556 _assignTask:
    a CREATED bid (ShouldBeInCreateState), the prover's price and time fit (ProofPriceMismatch,
    ProofTimeMismatch); deadline = now + proof time. ProverManager.sol:446 assignProverTask: an
    idle member (AssignOnlyToIdleProvers), compute (InsufficientProverComputeAvailable), at most
    100 + 1 in flight; StakingManager.sol:89: each pool locks one selected token's amount
    (`op.draw` is the chain's keccak draw)."""
    allow_only_verified_family(state, matching_engine_family(), op.sender, "sender")
    bid = _get_bid(state, op.bid_id)
    need(bid_state(state, op.bid_id) == BidState.CREATED, "ShouldBeInCreateState", "bid_id", "not a CREATED bid")
    info = state.memberships.get((bid.market_id, op.prover))
    price, proposed = (info.price, info.proposed_time) if info else (0, 0)
    need(bid.reward >= price, "ProofPriceMismatch", "prover", f"reward {bid.reward} < price {price}")
    need(bid.proof_time >= proposed, "ProofTimeMismatch", "prover", f"proof time {bid.proof_time} < {proposed}")
    bid = attrs.evolve(bid, stored_state=BidState.ASSIGNED, deadline=state.now + bid.proof_time, prover=op.prover)
    state = attrs.evolve(state, bids=state.bids.set(op.bid_id, bid))
    status, idle = prover_state(state, op.prover, bid.market_id)
    need(status in (ProverState.JOINED, ProverState.WIP), "AssignOnlyToIdleProvers", "prover", f"{op.prover} is {status.value}")
    need(info.compute_per_request <= idle, "InsufficientProverComputeAvailable", "prover", "not enough idle compute")
    need(info.active_requests <= PARALLEL_REQUESTS_UPPER_LIMIT, "MaxParallelRequestsPerMarketExceeded", "prover", "too many tasks")
    p = state.provers[op.prover]
    state = attrs.evolve(state, provers=state.provers.set(op.prover, attrs.evolve(p, compute_consumed=p.compute_consumed + info.compute_per_request)))
    state, native = native_lock(state, op.bid_id, op.prover, op.draw)
    state, symbiotic = symbiotic_lock(state, op.bid_id, op.prover, op.draw)
    info = attrs.evolve(info, active_requests=info.active_requests + 1)
    state = attrs.evolve(state, memberships=state.memberships.set((bid.market_id, op.prover), info))
    return state, native + symbiotic + [event("ComputeLocked", prover=op.prover, compute=info.compute_per_request),
                                        event("TaskCreated", bidId=op.bid_id, prover=op.prover, new_acl=b"")]


def process_submit_proof(state: State, op: ops.SubmitProof, env: Env):
    """ProofMarketplace.sol:359 _submitProof: the bid's prover is registered (CannotBeZero), the
    bid ASSIGNED (OnlyAssignedBidsCanBeProved), the proof verifies (InvalidProof); the prover's
    price becomes its claimable fee, the rest goes back to the refund address, compute and locks
    are released."""
    bid = _get_bid(state, op.bid_id)
    p = state.provers.get(bid.prover) if bid.prover else None
    need(p is not None, "CannotBeZero", "bid_id", "the bid's prover has no reward address")
    need(bid_state(state, op.bid_id) == BidState.ASSIGNED, "OnlyAssignedBidsCanBeProved", "bid_id", "not an ASSIGNED bid")
    market = state.markets[bid.market_id]
    need(env.verifiers[market.verifier_id](bid.prover_data, op.proof), "InvalidProof", "proof", "the verifier rejects it")
    info = state.memberships.get((bid.market_id, bid.prover))
    price = info.price if info else 0
    state = attrs.evolve(state, bids=state.bids.set(op.bid_id, attrs.evolve(bid, stored_state=BidState.COMPLETED)))
    back = sub(bid.reward, price, "bid_id")
    state = attrs.evolve(state, prover_fees=state.prover_fees.set(p.reward_address, state.prover_fees.get(p.reward_address, 0) + price))
    events = [event("ProverFeeRewardAdded", prover=bid.prover, feeRewardAmount=price)]
    state = transfer(state, MARKETPLACE, bid.refund_address, state.config.payment_token, back, "bid_id")
    state, completed = complete_task(state, op.bid_id, bid.prover, bid.market_id)
    return state, events + completed + [event("ProofCreated", bidId=op.bid_id, proof=op.proof)]


def refund_fees(state: State, bid_ids) -> tuple[State, list[Event]]:
    """ProofMarketplace.sol:505 refundFees: for each bid, DEADLINE_CROSSED -> :521 _refundFee
    (COMPLETED; a non-zero reward goes back to the refund address, is zeroed, and
    completeProverTask RELEASES the compute and every pool's lock: ProofNotGenerated);
    COMPLETED -> nothing; any other state reverts (NotSlashableBidId)."""
    events: list = []
    for bid_id in bid_ids:
        bid = _get_bid(state, bid_id, "bid_ids")
        status = bid_state(state, bid_id)
        if status == BidState.COMPLETED:
            continue
        need(status == BidState.DEADLINE_CROSSED, "NotSlashableBidId", "bid_ids", f"bid {bid_id} is {status.value}")
        bid = attrs.evolve(bid, stored_state=BidState.COMPLETED)
        state = attrs.evolve(state, bids=state.bids.set(bid_id, bid))
        if bid.reward != 0:
            state = transfer(state, MARKETPLACE, bid.refund_address, state.config.payment_token, bid.reward, "bid_ids")
            state = attrs.evolve(state, bids=state.bids.set(bid_id, attrs.evolve(bid, reward=0)))
            state, completed = complete_task(state, bid_id, bid.prover, bid.market_id)
            events += completed + [event("ProofNotGenerated", bidId=bid_id)]
    return state, events


def process_refund_fees(state: State, op: ops.RefundFees, env: Env):
    """ProofMarketplace.sol:505 refundFees: callable by anyone (no role)."""
    return refund_fees(state, op.bid_ids)


def process_claim_prover_fee_reward(state: State, op: ops.ClaimProverFeeReward, env: Env):
    """ProofMarketplace.sol:611 claimProverFeeReward: anyone pays out a reward address's fees
    (NoRewardToClaim when none)."""
    amount = state.prover_fees.get(op.reward_address, 0)
    need(amount > 0, "NoRewardToClaim", "reward_address", "nothing to claim")
    state = transfer(state, MARKETPLACE, op.reward_address, state.config.payment_token, amount, "reward_address")
    return attrs.evolve(state, prover_fees=state.prover_fees.remove(op.reward_address)), []
