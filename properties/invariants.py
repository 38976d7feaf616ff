"""The protocol's invariants as named predicates (docs/invariants.md is their home).

A state invariant maps a state to the list of its violations (empty: it holds). A transition
invariant maps (pre-state, operation, post-state, events) to its violations. Ids are stable.
"""
from __future__ import annotations

import copy
from collections import Counter
from typing import Callable

import attrs

from properties import behaviour
from spec import operations as ops
from spec.containers import State
from spec.errors import SpecError
from spec.provers import pending_withdrawal
from spec.restaking_state import SlashStatus
from spec.transition import apply as spec_apply
from spec.signing import assignment_message, verify_signature
from spec.types import OPEN_ASK_STATES, AskState

ASSIGNED_STATES = frozenset({AskState.ASSIGNED, AskState.COMPLETE, AskState.DEADLINE_CROSSED, AskState.INVALID_INPUTS})


@attrs.frozen
class Invariant:
    id: str
    name: str
    statement: str
    check: Callable


def conservation(state: State) -> list[str]:
    """I1: per token, balances + open escrows + native stake + treasury + burnt == supply."""
    out = []
    for token in state.config.tokens:
        held = sum(v for (_, t), v in state.balances.items() if t == token)
        escrow = sum(a.escrow for a in state.asks.values()) if token == state.config.payment_token else 0
        staked = sum(p.stake.get(token, 0) for p in state.provers.values())
        total = held + escrow + staked + state.treasury.get(token, 0) + state.burnt.get(token, 0)
        if total != state.supply.get(token, 0):
            out.append(f"{token}: accounted {total} != supply {state.supply.get(token, 0)}")
    negatives = [k for k, v in state.balances.items() if v < 0]
    out += [f"negative balance {k}" for k in negatives]
    return out


def single_assignment(state: State) -> list[str]:
    """I2: an ask carries an assignment iff it was assigned; a member's in-flight count equals
    its ASSIGNED asks, so no ask is held by two provers."""
    out = []
    in_flight = Counter()
    for ask in state.asks.values():
        if (ask.assignment is not None) != (ask.state in ASSIGNED_STATES):
            out.append(f"ask {ask.id} is {ask.state.value} with assignment {ask.assignment}")
        if ask.state == AskState.ASSIGNED:
            in_flight[(ask.market_id, ask.assignment.prover)] += 1
    for key, membership in state.memberships.items():
        if membership.active_tasks != in_flight[key]:
            out.append(f"membership {key} counts {membership.active_tasks} tasks, {in_flight[key]} assigned")
    out += [f"tasks of {key} in flight without membership" for key in in_flight if key not in state.memberships]
    return out


def _tasks_in_flight(state: State, prover: str):
    return [a.assignment for a in state.asks.values() if a.state == AskState.ASSIGNED and a.assignment.prover == prover]


def capacity(state: State) -> list[str]:
    """I3: compute in use == sum of in-flight tasks' compute <= declared compute;
    0 <= locked stake <= stake per token."""
    out = []
    for prover in state.provers.values():
        tasks = _tasks_in_flight(state, prover.address)
        used = sum(t.compute for t in tasks)
        if prover.compute_in_use != used or not 0 <= used <= prover.declared_compute:
            out.append(f"{prover.address}: compute_in_use {prover.compute_in_use}, tasks use {used}, declared {prover.declared_compute}")
        for token in state.config.stake_tokens:
            locked, stake = prover.locked.get(token, 0), prover.stake.get(token, 0)
            if not 0 <= locked <= stake:
                out.append(f"{prover.address}: locked {locked} {token} outside 0..stake {stake}")
    return out


def escrow(state: State) -> list[str]:
    """I4: an open ask's escrow is max_price + fee, a closed ask's is 0; no assigned price
    exceeds max_price."""
    out = []
    for ask in state.asks.values():
        expected = ask.max_price + ask.fee if ask.state in OPEN_ASK_STATES else 0
        if ask.escrow != expected:
            out.append(f"ask {ask.id} ({ask.state.value}) escrow {ask.escrow} != {expected}")
        if ask.assignment is not None and ask.assignment.price > ask.max_price:
            out.append(f"ask {ask.id} price {ask.assignment.price} > max_price {ask.max_price}")
    return out


def stake_backing(state: State) -> list[str]:
    """I7: each prover's locked stake is exactly the sum of what its in-flight tasks locked
    (nothing counted twice), every in-flight task locked a positive amount, and locked stake
    plus stake pending withdrawal fits in the stake."""
    out = []
    for prover in state.provers.values():
        tasks = _tasks_in_flight(state, prover.address)
        for token in state.config.stake_tokens:
            backing = sum(t.locked.get(token, 0) for t in tasks)
            if prover.locked.get(token, 0) != backing:
                out.append(f"{prover.address}: locked {prover.locked.get(token, 0)} {token}, tasks lock {backing}")
            if prover.locked.get(token, 0) + pending_withdrawal(state, prover.address, token) > prover.stake.get(token, 0):
                out.append(f"{prover.address}: {token} locked + pending withdrawal exceeds stake")
        restaked = {a.id for a in state.asks.values() if a.id in state.restaking.backing}
        for ask in state.asks.values():
            if ask.state == AskState.ASSIGNED and ask.assignment.prover == prover.address:
                t = ask.assignment
                if (not t.locked and ask.id not in restaked) or (t.locked and min(t.locked.values()) <= 0):
                    out.append(f"{prover.address}: task {ask.id} locks nothing")
    return out


def restaked_backing(state: State) -> list[str]:
    """I7 (restaked): backings belong to ASSIGNED asks of their prover and are positive; the
    restaked stake locked per (prover, vault) is exactly the sum of the backings; and no restaked
    stake is counted twice: for every capture c and (prover, vault) a task backed by c uses, the
    in-flight backings of that (prover, vault) from captures <= c fit in the stake c reported."""
    out = []
    r = state.restaking
    sums = Counter()
    for ask_id, backing in r.backing.items():
        ask = state.asks.get(ask_id)
        if ask is None or ask.state != AskState.ASSIGNED or ask.assignment.prover != backing.prover:
            out.append(f"backing of ask {ask_id} without an assigned task of {backing.prover}")
        if not backing.amounts or min(backing.amounts.values()) <= 0:
            out.append(f"backing of ask {ask_id} is empty or not positive: {dict(backing.amounts)}")
        for vault_id, amount in backing.amounts.items():
            sums[(backing.prover, vault_id)] += amount
    if dict(sums) != dict(r.locked):
        out.append(f"restaked locked {dict(r.locked)} != sum of backings {dict(sums)}")
    for capture in sorted({b.capture_ts for b in r.backing.values()}):
        snapshot = r.snapshots.get(capture)
        if snapshot is None or not snapshot.complete:
            out.append(f"tasks backed by capture {capture}, which is no complete snapshot")
            continue
        stakes = snapshot.stakes()
        pairs = {(b.prover, v) for b in r.backing.values() if b.capture_ts == capture for v in b.amounts}
        used = Counter()
        for b in r.backing.values():
            if b.capture_ts <= capture:
                for vault_id, amount in b.amounts.items():
                    used[(b.prover, vault_id)] += amount
        out += [f"{key}: {used[key]} restaked stake backs tasks, snapshot {capture} holds {stakes.get(key, 0)}" for key in sorted(pairs) if used[key] > stakes.get(key, 0)]
    return out


def vault_conservation(state: State) -> list[str]:
    """I1 (vault chain): collateral deposited == active + withdrawal buckets + slashed + claimed;
    every amount is >= 0 and a vault's last checkpoint is its active stake. A share is worth at
    most one unit: active stake <= active shares, each bucket <= its shares (rounding favours the
    vault, slashes only lower the stake; docs/mutation-generated.md relies on it)."""
    chain = state.restaking.vault_chain
    out = []
    held = 0
    for vault in chain.vaults.values():
        parts = [vault.active, vault.slashed, *vault.buckets.values()]
        held += sum(parts)
        if min(parts) < 0 or (vault.history and vault.history[-1][1] != vault.active):
            out.append(f"vault {vault.id}: negative amount or stale checkpoint")
        if vault.active > sum(vault.active_shares.values()):
            out.append(f"vault {vault.id}: active stake {vault.active} > active shares {sum(vault.active_shares.values())}")
        for epoch, bucket in vault.buckets.items():
            if bucket > vault.bucket_shares.get(epoch, 0):
                out.append(f"vault {vault.id}: bucket {epoch} holds {bucket} > its shares {vault.bucket_shares.get(epoch, 0)}")
    if held + chain.claimed != chain.deposited:
        out.append(f"vault chain holds {held} + claimed {chain.claimed} != deposited {chain.deposited}")
    return out


def escaped_slashes(state: State) -> list[str]:
    """A slash requested on time (by deadline + 1) and delivered within the bridge's bound that
    reached the vault chain after the stake stopped being slashable (EXPIRED): the prover escaped."""
    d = state.config.restaking.bridge_delay_max
    out = []
    for s in state.restaking.slashes.values():
        request = state.restaking.vault_chain.requests.get(s.id)
        if s.requested_at <= s.deadline + 1 and request is not None and request.status == SlashStatus.EXPIRED and request.received_at <= s.requested_at + d:
            out.append(f"slash {s.id} of task {s.ask_id} ({s.prover}, vault {s.vault_id}, capture {s.capture_ts}) arrived at {request.received_at}: escaped")
    return out


def cross_chain_safety(state: State) -> list[str]:
    """I8: no prover escapes a restaked slash: (a) none escaped (`escaped_slashes`); (b) every
    slash requested on time that was not vetoed is executed, or still executable: pending within
    its window, or still on a bridge within its bound such that even the latest delivery clears
    the veto window in time; (c) for every task restaked stake backs and every vault its backing
    locks, a slash requested at deadline + 1 and delivered at the bridge's bound clears that
    vault's veto window while that vault still holds the capture slashable (the vault's own
    epoch and veto window, whatever the network's parameters are now)."""
    params = state.config.restaking
    chain = state.restaking.vault_chain
    out = escaped_slashes(state)
    for s in state.restaking.slashes.values():
        vault = chain.vaults.get(s.vault_id)
        if s.requested_at > s.deadline + 1 or vault is None:
            continue
        until = s.capture_ts + vault.epoch_duration
        request = chain.requests.get(s.id)
        if request is None and state.time <= s.requested_at + params.bridge_delay_max:
            if s.requested_at + params.bridge_delay_max + vault.veto_duration > until:
                out.append(f"slash {s.id}: a delivery at the bridge's bound would clear the veto window after {until}")
        elif request is not None and request.status == SlashStatus.PENDING and state.time > until:
            out.append(f"slash {s.id} pending on the vault chain after its window closed at {until}")
    for ask_id, backing in state.restaking.backing.items():
        deadline = state.asks[ask_id].assignment.deadline
        for vault_id in sorted(backing.amounts):
            vault = chain.vaults.get(vault_id)
            if vault is None:
                out.append(f"task {ask_id} is backed by vault {vault_id!r}, which does not exist")
            elif deadline + 1 + params.bridge_delay_max + vault.veto_duration > backing.capture_ts + vault.epoch_duration:
                out.append(
                    f"task {ask_id}: a slash at deadline {deadline} + 1 delivered at the bridge's bound {params.bridge_delay_max} clears "
                    f"vault {vault_id!r}'s veto window {vault.veto_duration} after capture {backing.capture_ts} + its epoch {vault.epoch_duration}"
                )
    return out


def bounded_liveness(state: State) -> list[str]:
    """I11: an assigned ask's deadline is at most expiry + proof_time, and once an open ask is
    past its bound (expiry if unassigned, deadline if assigned) anyone can close it now."""
    out = []
    for ask in state.asks.values():
        if ask.state == AskState.ASSIGNED:
            if ask.assignment.deadline > ask.expiry + ask.proof_time:
                out.append(f"ask {ask.id}: deadline {ask.assignment.deadline} > expiry + proof_time")
            closer = ops.SlashMissedDeadline("anyone", ask.id) if state.time > ask.assignment.deadline else None
        elif ask.state == AskState.UNASSIGNED:
            closer = ops.ExpireAsk("anyone", ask.id) if state.time > ask.expiry else None
        else:
            continue
        if closer is not None:
            try:
                spec_apply(state, closer)
            except (SpecError, KeyError) as error:
                out.append(f"ask {ask.id} past its bound cannot be closed: {type(error).__name__} {error}")
    return out


def withdrawal(state: State) -> list[str]:
    """I9: a pending withdrawal belongs to a registered prover, is positive, and is covered by
    stake no task holds."""
    out = []
    for (address, token), request in state.withdrawals.items():
        prover = state.provers.get(address)
        if prover is None or request.amount <= 0:
            out.append(f"withdrawal {(address, token)} invalid: {request}")
        elif prover.stake.get(token, 0) - prover.locked.get(token, 0) < request.amount:
            out.append(f"{address}: pending {request.amount} {token} exceeds unlocked stake")
    return out


def _changed_asks(pre: State, post: State):
    for ask_id, ask in post.asks.items():
        before = pre.asks.get(ask_id)
        if before is not None and before != ask:
            yield before, ask


def single_assignment_step(pre: State, op, post: State, events) -> list[str]:
    """I2 (step): an assignment is only made to an UNASSIGNED ask, and never replaced."""
    out = []
    for before, after in _changed_asks(pre, post):
        if before.assignment is not None and after.assignment != before.assignment:
            out.append(f"ask {after.id}: assignment changed from {before.assignment} to {after.assignment}")
        if before.assignment is None and after.assignment is not None and before.state != AskState.UNASSIGNED:
            out.append(f"ask {after.id} assigned from {before.state.value}")
        if before.state not in OPEN_ASK_STATES:
            out.append(f"ask {after.id} left terminal state {before.state.value}")
    return out


def deadline_step(pre: State, op, post: State, events) -> list[str]:
    """I5: slashing for a missed deadline only strictly after the deadline, and a proof only up
    to the deadline."""
    out = []
    for before, after in _changed_asks(pre, post):
        if before.state != AskState.ASSIGNED:
            continue
        deadline = before.assignment.deadline
        if after.state == AskState.DEADLINE_CROSSED and isinstance(op, ops.SlashMissedDeadline) and not post.time > deadline:
            out.append(f"ask {after.id} slashed at {post.time}, deadline {deadline}")
        if after.state in (AskState.COMPLETE, AskState.INVALID_INPUTS) and post.time > deadline:
            out.append(f"ask {after.id} completed at {post.time} after deadline {deadline}")
    return out


def bounds_step(pre: State, op, post: State, events) -> list[str]:
    """I6: an assignment has price <= max_price and >= the quote, the quote's proposed time <=
    proof_time, happens at or before expiry, and is signed by the market's engine key."""
    out = []
    for before, after in _changed_asks(pre, post):
        if before.state != AskState.UNASSIGNED or after.state != AskState.ASSIGNED:
            continue
        a = after.assignment
        market = pre.markets[after.market_id]
        quote = pre.memberships[(after.market_id, a.prover)].quote
        if not (quote is not None and quote.price <= a.price <= after.max_price):
            out.append(f"ask {after.id}: price {a.price} outside quote..max_price")
        if quote is not None and quote.proposed_time > after.proof_time:
            out.append(f"ask {after.id}: proposed time {quote.proposed_time} > proof_time {after.proof_time}")
        if pre.time > after.expiry:
            out.append(f"ask {after.id} assigned at {pre.time} after expiry {after.expiry}")
        signed = isinstance(op, ops.AssignTask) and verify_signature(
            market.engine_key, assignment_message(market.id, after.id, a.prover, a.price), op.signature
        )
        if not signed:
            out.append(f"ask {after.id} assigned without the engine's signature")
    return out


def attested_private_inputs_step(pre: State, op, post: State, events) -> list[str]:
    """I12: private inputs are handled only by an attested engine: an ask with private inputs is
    assigned, or declared INVALID_INPUTS, only while the pre-state records an enclave
    measurement for its market's current engine key."""
    out = []
    for before, after in _changed_asks(pre, post):
        if before.private_inputs is None:
            continue
        assigned = before.state == AskState.UNASSIGNED and after.state == AskState.ASSIGNED
        declared = before.state == AskState.ASSIGNED and after.state == AskState.INVALID_INPUTS
        if (assigned or declared) and pre.markets[before.market_id].engine_measurement is None:
            out.append(f"ask {after.id} with private inputs went {before.state.value} -> {after.state.value} "
                       f"under market {before.market_id}'s unattested engine key")
    return out


def atomicity(pre_snapshot: State, state_after_rejection: State) -> list[str]:
    """I10: a rejected operation leaves the state bit-for-bit unchanged."""
    return [] if pre_snapshot == state_after_rejection else ["rejected operation changed the state"]


def snapshot(state: State) -> State:
    return copy.deepcopy(state)


STATE_INVARIANTS = (
    Invariant("I1", "conservation", "Per token, balances + escrows + stake + treasury + burnt equals the supply.", conservation),
    Invariant("I2", "single_assignment", "An ask is assigned to at most one prover, at most once.", single_assignment),
    Invariant("I3", "capacity", "Compute in use never exceeds declared compute; locked stake never exceeds stake.", capacity),
    Invariant("I4", "escrow", "An open ask's escrow equals max_price + fee; a prover is paid at most max_price.", escrow),
    Invariant("I7", "stake_backing", "Every in-flight task is backed by locked stake, never counted twice.", stake_backing),
    Invariant("I7", "restaked_backing", "Restaked stake locked by tasks is their backings' sum and fits in each snapshot: never counted twice.", restaked_backing),
    Invariant("I1", "vault_conservation", "Vault chain collateral: deposited = active + buckets + slashed + claimed.", vault_conservation),
    Invariant("I8", "cross_chain_safety", "Every restaked slash requested on time is executed, vetoed or still executable; none escaped.", cross_chain_safety),
    Invariant("I9", "withdrawal", "Stake pending withdrawal backs no task.", withdrawal),
    Invariant("I11", "bounded_liveness", "Every open ask past its bound can be closed by anyone now.", bounded_liveness),
)

TRANSITION_INVARIANTS = (
    Invariant("I2", "single_assignment_step", "An assignment is made once, to an unassigned ask, and never replaced.", single_assignment_step),
    Invariant("I5", "deadline", "Slash strictly after the deadline and once; proofs only up to the deadline.", deadline_step),
    Invariant("I6", "bounds", "Assigned price <= max_price, proof time <= proof_time, before expiry, engine-signed.", bounds_step),
    Invariant("I12", "attested_private_inputs", "Private inputs are assigned or declared invalid only under an attested engine key.", attested_private_inputs_step),
    Invariant("I13", "authorization", "Only the party itself pays, withdraws or acts for its records; owner/requester/prover/governor/resolver-only operations come from them.", behaviour.authorization),
    Invariant("I14", "exact_payouts", "Each terminal path moves exactly its amounts to the right holders, per token; nothing else moves.", behaviour.exact_payouts),
    Invariant("I15", "withdrawal_delay", "Stake leaves only after stake_withdrawal_delay, exactly the requested amount, to the prover.", behaviour.withdrawal_delay),
    Invariant("I16", "backing_at_assignment", "An assignment locks free native stake first plus restaked backing, exactly the slash amount; compute within declared.", behaviour.backing_at_assignment),
    Invariant("I17", "deadlines", "Assigned now with deadline now + proof_time; expiry strictly after expiry; cancel only while unassigned.", behaviour.deadlines),
)

ATOMICITY = Invariant("I10", "atomicity", "A rejected operation leaves the state unchanged.", atomicity)


def state_violations(state: State) -> list[str]:
    return [f"{inv.id} {inv.name}: {v}" for inv in STATE_INVARIANTS for v in inv.check(state)]


def transition_violations(pre: State, op, post: State, events) -> list[str]:
    return [f"{inv.id} {inv.name}: {v}" for inv in TRANSITION_INVARIANTS for v in inv.check(pre, op, post, events)]
