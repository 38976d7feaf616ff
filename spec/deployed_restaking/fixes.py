"""The smallest rule changes that restore each invariant the deployed_restaking fork violates:
what an auditor hands back. Each fix replaces one processor (or one rule inside it) of the fork;
`apply_with(fix)` is the fork's `apply` with that change. They are not the deployed rules."""
from __future__ import annotations

import attrs

from spec.deployed_restaking import bids, bridge, l1veto, pools, transition
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.containers import NATIVE, BidState, State
from spec.deployed_restaking.errors import need
from spec.deployed_native.ledger import transfer
from spec.env import DEFAULT_ENV, Env
from spec.errors import _error
from spec.events import event

StaleCapture = _error("StaleCapture", "StaleCapture", "(fix I8) the capture backing a task is older than the bound.")

KEY_SAFETY_BOUND = 7 * 86_400
"""The vault epoch on L1 (seven days): stake captured at c is slashable by Symbiotic's
InstantSlasher until c + KEY_SAFETY_BOUND (Slasher.slash reverts InvalidCaptureTimestamp when
captureTimestamp < now - epochDuration)."""


def _refund_keeping_locks(state: State, bid_ids):
    """Fix S1: `_refundFee` refunds the requester and releases the prover's COMPUTE only
    (ProverManager.releaseProverCompute, the contract's own TODO at ProofMarketplace.sol:535-536);
    the locks stay for the slash result to take."""
    events = []
    for bid_id in bid_ids:
        need(bid_id in state.bids, "PANIC_0x32", "bid_ids", f"no bid {bid_id}")
        status = bids.bid_state(state, bid_id)
        if status == BidState.COMPLETED:
            continue
        need(status == BidState.DEADLINE_CROSSED, "NotSlashableBidId", "bid_ids", f"bid {bid_id} is {status.value}")
        bid = state.bids[bid_id]
        state = attrs.evolve(state, bids=state.bids.set(bid_id, attrs.evolve(bid, stored_state=BidState.COMPLETED)))
        if bid.reward != 0:
            state = transfer(state, "@marketplace", bid.refund_address, state.config.payment_token, bid.reward, "bid_ids")
            state = attrs.evolve(state, bids=state.bids.set(bid_id, attrs.evolve(state.bids[bid_id], reward=0)))
            state, released = bids._release_compute(state, bid.prover, bid.market_id)
            events += released + [event("ProofNotGenerated", bidId=bid_id)]
    return state, events


def _fixed_refund_fees(state, op, env):
    return _refund_keeping_locks(state, op.bid_ids)


def _fixed_slash_result(state, op, env):
    return bridge.process_submit_slash_result(state, op, env, refund=_refund_keeping_locks)


def _fixed_assign(state, op, env):
    """Fix I8 (the key safety rule with the slash's latency): an assignment requires
    `deadline + 1 + submissionCooldown <= latestConfirmedTimestamp + KEY_SAFETY_BOUND`. A missed
    deadline is slashable from deadline + 1; the transmitter's next capture, whose slash result
    names it, may wait up to one submissionCooldown (SymbioticStaking.sol:453); the slash must
    reach the vault while the capture is in its epoch. Kalypso's Middleware adds no window of its
    own on L1 (Middleware.slash calls InstantSlasher.slash at once; a VetoSlasher vault would
    subtract its vetoDuration too, but Middleware never executes a veto slash)."""
    new, events = bids.process_assign_task(state, op, env)
    capture = pools.latest_timestamp(state)
    if new.bids[op.bid_id].deadline + 1 + state.config.submission_cooldown > capture + KEY_SAFETY_BOUND:
        raise StaleCapture("bid_id", "the latest confirmed capture may leave its epoch before a missed deadline's slash arrives")
    return new, events


def _deadline_only_assign(state, op, env):
    """The earlier I8 fix, kept to show it insufficient: `deadline - latestConfirmedTimestamp <=
    KEY_SAFETY_BOUND` ignores the slash's latency, so a deadline within one cooldown of the
    bound still escapes (properties.deployed_restaking_escape finds it)."""
    new, events = bids.process_assign_task(state, op, env)
    if new.bids[op.bid_id].deadline - pools.latest_timestamp(state) > KEY_SAFETY_BOUND:
        raise StaleCapture("bid_id", "the latest confirmed capture is too old to back this task")
    return new, events


def _fixed_emergency(state, op, env):
    """Fix I7: emergencyWithdraw takes only what NativeStaking holds beyond every recorded stake
    and pending withdrawal."""
    if op.contract != "native_staking":
        return pools.process_emergency_withdraw(state, op, env)
    need(op.sender == state.config.admin, "AccessControlUnauthorizedAccount", "sender", f"{op.sender} lacks DEFAULT_ADMIN_ROLE")
    owed = sum(v for (t, _), v in state.native.prover_stake.items() if t == op.token)
    owed += sum(w.amount for ws in state.native.withdrawals.values() for w in ws if w.token == op.token)
    free = max(0, state.balances.get((NATIVE, op.token), 0) - owed)
    return transfer(state, NATIVE, op.to, op.token, free, "token"), []


FIXES = {  # "I8-deadline-only" is not a fix: the rejected earlier rule, for the negative control
    "S1": {ops.RefundFees: _fixed_refund_fees, ops.SubmitSlashResult: _fixed_slash_result},
    "I8": {ops.AssignTask: _fixed_assign},
    "I8-deadline-only": {ops.AssignTask: _deadline_only_assign},
    "I7": {ops.EmergencyWithdraw: _fixed_emergency},
}


def apply_with(fix: str):
    """The fork's `apply` with `FIXES[fix]` in place of the deployed rules."""
    table = {**transition.PROCESSORS, **FIXES[fix]}

    def apply(state: State, op, env: Env = DEFAULT_ENV):
        new, events = table[type(op)](state, op, env)
        if not isinstance(op, ops.AdvanceTime):
            new = attrs.evolve(new, block=new.block + 1, time=new.time + 1)
        return new, events

    return apply


L1_FIXES = {  # the L1 slash model's fixes (spec/deployed_restaking/l1veto.py)
    "V1": {l1veto.MiddlewareExecuteSlash: l1veto.process_middleware_execute_slash_fixed},
}
"""Fix V1: Kalypso's Middleware gets an `executeSlash(index)` that calls VetoSlasher.executeSlash
as the network's middleware once the veto window passed; nothing else changes."""


def apply_l1_with(fix: str):
    """The L1 slash model's `apply_l1` with `L1_FIXES[fix]` in place of the deployed rules."""
    table = {**l1veto.L1_PROCESSORS, **L1_FIXES[fix]}
    return lambda v, op: l1veto.apply_l1(v, op, table)
