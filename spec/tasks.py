"""Tasks: the engine's signed assignment of an ask to a prover, and how a task ends with
payment: a valid proof, or the engine's statement that the inputs are unprovable."""
from __future__ import annotations

from typing import Optional

import attrs

from spec.asks import get_ask
from spec.containers import Ask, Assignment, Market, Membership, Prover, Quote, State
from spec.env import Env
from spec.errors import (
    AskExpired,
    AskNotAssigned,
    AskNotUnassigned,
    BadEngineSignature,
    DeadlinePassed,
    EngineNotAttested,
    ExitRequested,
    InsufficientCompute,
    InsufficientStake,
    InvalidProof,
    NotAssignedProver,
    PriceAboveMax,
    PriceBelowQuote,
    ProofTimeExceeded,
    ProverKeyMissing,
    QuoteInactive,
    require,
)
from spec.events import Event, event
from spec.operations import AssignTask, SubmitInvalidInputs, SubmitProof
from spec.provers import free_compute, free_native_stake, free_stake, get_membership, get_prover
from spec.restaked_stake import lock_restaked, release_restaked, require_key_safety_rule
from spec.restaking_state import Snapshot
from spec.signing import assignment_message, invalid_inputs_message, verify_signature
from spec.tokens import add_to, credit
from spec.types import AskState


def check_open(state: State, ask: Ask) -> None:
    """An ask can be assigned only while UNASSIGNED and not past its expiry (time <= expiry)."""
    require(ask.state == AskState.UNASSIGNED, AskNotUnassigned, "ask_id", f"ask {ask.id} is {ask.state.value}")
    require(state.time <= ask.expiry, AskExpired, "ask_id", f"expiry {ask.expiry}, now {state.time}")


@attrs.frozen
class StakeSplit:
    """How a task's slash amounts are covered: `native` per token locked from native stake, the
    `restaked` remainder from the confirmed `snapshot`."""

    native: dict
    restaked: int
    snapshot: Optional[Snapshot]


def check_assignment(state: State, ask: Ask, address: str, price: int, env: Env) -> tuple[Prover, Membership, Quote, StakeSplit]:
    """Every precondition of assigning `ask` to `address` at `price` bar the engine signature:
    the ask is open (check_open); the prover is a member that has not asked to exit, with an
    active quote; quote price <= price <= max_price; proposed_time <= proof_time; its free
    compute covers compute_per_request (I3) and its free stake each of the market's slash
    amounts (I7); an ask with private inputs needs a prover with an encryption key. Free native
    stake backs the task first; restaked stake covers the rest only under the key safety rule
    for the task's deadline (I8)."""
    check_open(state, ask)
    market = state.markets[ask.market_id]
    prover = get_prover(state, address, field="prover")
    membership = get_membership(state, market.id, address, field="prover")
    require(not membership.exit_requested, ExitRequested, "prover", f"{address} asked to leave market {market.id}")
    quote = membership.quote
    require(quote is not None, QuoteInactive, "prover", f"{address} has no active quote in market {market.id}")
    require(price <= ask.max_price, PriceAboveMax, "price", f"{price} > max_price {ask.max_price}")
    require(price >= quote.price, PriceBelowQuote, "price", f"{price} < quoted {quote.price}")
    require(quote.proposed_time <= ask.proof_time, ProofTimeExceeded, "prover", f"proposed_time {quote.proposed_time} > proof_time {ask.proof_time}")
    require(free_compute(prover) >= quote.compute_per_request, InsufficientCompute, "prover", f"free compute {free_compute(prover)} < {quote.compute_per_request}")
    for token, amount in sorted(market.slash_amount.items()):
        available = free_stake(state, prover, token)
        require(available >= amount, InsufficientStake, "prover", f"free {token} stake {available} < slash_amount {amount}")
    require(ask.private_inputs is None or prover.encryption_key is not None, ProverKeyMissing, "prover", f"ask {ask.id} has private inputs and {address} has no encryption key")
    native = {token: min(amount, free_native_stake(state, prover, token)) for token, amount in market.slash_amount.items()}
    restaked = sum(amount - native[token] for token, amount in market.slash_amount.items())
    snapshot = require_key_safety_rule(state, state.time + ask.proof_time, env) if restaked > 0 else None
    return prover, membership, quote, StakeSplit(native, restaked, snapshot)


def assign(state: State, ask: Ask, address: str, price: int, env: Env) -> tuple[State, list[Event]]:
    """Assign `ask` to `address` at `price` once `check_assignment` holds. Effects: lock the
    backing stake and the quote's compute; the deadline is now + proof_time; the prover's quotes
    in other markets that no longer fit its free compute or stake are cancelled."""
    prover, membership, quote, split = check_assignment(state, ask, address, price, env)
    market = state.markets[ask.market_id]
    locked = prover.locked
    for token, amount in split.native.items():
        locked = add_to(locked, token, amount)
    prover = attrs.evolve(prover, compute_in_use=prover.compute_in_use + quote.compute_per_request, locked=locked)
    assignment = Assignment(
        prover=address,
        price=price,
        assigned_at=state.time,
        deadline=state.time + ask.proof_time,
        compute=quote.compute_per_request,
        locked={token: amount for token, amount in split.native.items() if amount > 0},
    )
    new = attrs.evolve(
        state,
        provers=state.provers.set(address, prover),
        memberships=state.memberships.set((market.id, address), attrs.evolve(membership, active_tasks=membership.active_tasks + 1)),
        asks=state.asks.set(ask.id, attrs.evolve(ask, state=AskState.ASSIGNED, assignment=assignment)),
    )
    events = [event("TaskAssigned", ask_id=ask.id, prover=address, price=price, deadline=assignment.deadline)]
    if split.restaked > 0:
        new = lock_restaked(new, ask.id, address, split.restaked, split.snapshot)
        events.append(event("RestakedStakeLocked", ask_id=ask.id, prover=address, amount=split.restaked, capture_ts=split.snapshot.capture_ts))
    new, cancelled = cancel_quotes_that_no_longer_fit(new, address, market.id)
    return new, events + cancelled


def require_attested_for_private_inputs(ask: Ask, market: Market) -> None:
    """I12: only an attested engine handles private inputs, at every step, not only when the ask
    is created: assigning an ask with private inputs, or declaring its inputs invalid, needs the
    market's engine key attested now (a new engine key drops the attestation: update_market)."""
    require(
        ask.private_inputs is None or market.engine_measurement is not None, EngineNotAttested, "ask_id",
        f"ask {ask.id} has private inputs and market {market.id}'s engine key has no attestation",
    )


def process_assign_task(state: State, op: AssignTask, env: Env):
    """Assign an open ask to a prover at `price` as signed by the market's engine key over
    `assignment_message(market_id, ask_id, prover, price)` (I6); an ask with private inputs needs
    that key attested (I12); see `check_assignment` and `assign`."""
    ask = get_ask(state, op.ask_id)
    market = state.markets[ask.market_id]
    check_open(state, ask)
    require_attested_for_private_inputs(ask, market)
    message = assignment_message(market.id, ask.id, op.prover, op.price)
    require(verify_signature(market.engine_key, message, op.signature), BadEngineSignature, "signature", f"not signed by market {market.id}'s engine key")
    return assign(state, ask, op.prover, op.price, env)


def cancel_quotes_that_no_longer_fit(state: State, address: str, matched_market: int) -> tuple[State, list[Event]]:
    """Auto-cancel: the prover's quotes in markets other than `matched_market` whose compute
    per request or slash amounts exceed its free compute or free stake are withdrawn."""
    prover = state.provers[address]
    memberships = state.memberships
    events = []
    for (market_id, member), membership in sorted(state.memberships.items()):
        if member != address or market_id == matched_market or membership.quote is None:
            continue
        if not fits(state, prover, state.markets[market_id], membership.quote.compute_per_request):
            memberships = memberships.set((market_id, member), attrs.evolve(membership, quote=None))
            events.append(event("QuoteCancelled", market_id=market_id, prover=address))
    return attrs.evolve(state, memberships=memberships), events


def fits(state: State, prover: Prover, market: Market, compute_per_request: int) -> bool:
    """The prover could take one more task of this market now."""
    return free_compute(prover) >= compute_per_request and all(
        free_stake(state, prover, token) >= amount for token, amount in market.slash_amount.items()
    )


def get_assigned_task(state: State, ask_id: int, sender: str) -> tuple[Ask, Assignment]:
    """An assigned ask whose assigned prover is `sender`."""
    ask = get_ask(state, ask_id)
    require(ask.state == AskState.ASSIGNED, AskNotAssigned, "ask_id", f"ask {ask.id} is {ask.state.value}")
    require(sender == ask.assignment.prover, NotAssignedProver, "sender", f"ask {ask.id} is assigned to {ask.assignment.prover}")
    return ask, ask.assignment


def release_task(state: State, ask: Ask) -> State:
    """Unlock the task's stake (native and restaked) and compute and take it off the prover's
    in-flight count."""
    assignment = ask.assignment
    state = release_restaked(state, ask.id)
    prover = state.provers[assignment.prover]
    locked = prover.locked
    for token, amount in assignment.locked.items():
        locked = add_to(locked, token, -amount)
    prover = attrs.evolve(prover, compute_in_use=prover.compute_in_use - assignment.compute, locked=locked)
    key = (ask.market_id, assignment.prover)
    membership = state.memberships[key]
    return attrs.evolve(
        state,
        provers=state.provers.set(prover.address, prover),
        memberships=state.memberships.set(key, attrs.evolve(membership, active_tasks=membership.active_tasks - 1)),
    )


def pay_prover(state: State, ask: Ask, outcome: AskState) -> State:
    """Close a task with payment: price to the prover's reward address, max_price - price back
    to the requester, the platform fee to the treasury; stake and compute unlocked."""
    assignment = ask.assignment
    token = state.config.payment_token
    state = release_task(state, ask)
    reward_address = state.provers[assignment.prover].reward_address
    balances = credit(state.balances, reward_address, token, assignment.price)
    balances = credit(balances, ask.requester, token, ask.max_price - assignment.price)
    return attrs.evolve(
        state,
        balances=balances,
        treasury=add_to(state.treasury, token, ask.fee),
        asks=state.asks.set(ask.id, attrs.evolve(ask, escrow=0, state=outcome)),
    )


def process_submit_proof(state: State, op: SubmitProof, env: Env):
    """The assigned prover submits a proof up to and including the deadline; the market's
    verifier must accept it for the ask's public inputs. The prover is paid (see pay_prover)."""
    ask, assignment = get_assigned_task(state, op.ask_id, op.sender)
    require(state.time <= assignment.deadline, DeadlinePassed, "ask_id", f"deadline {assignment.deadline}, now {state.time}")
    verifier = env.verifiers[state.markets[ask.market_id].verifier_id]
    require(verifier(ask.public_inputs, op.proof), InvalidProof, "proof", f"rejected by verifier {state.markets[ask.market_id].verifier_id!r}")
    new = pay_prover(state, ask, AskState.COMPLETE)
    return new, [event("ProofAccepted", ask_id=ask.id, prover=assignment.prover, price=assignment.price)]


def process_submit_invalid_inputs(state: State, op: SubmitInvalidInputs, env: Env):
    """The assigned prover submits, up to the deadline, the engine's signed statement that the
    ask's inputs are unprovable; the prover is paid as for a proof and the ask ends INVALID_INPUTS.
    For an ask with private inputs the signing key must be attested now (I12)."""
    ask, assignment = get_assigned_task(state, op.ask_id, op.sender)
    require(state.time <= assignment.deadline, DeadlinePassed, "ask_id", f"deadline {assignment.deadline}, now {state.time}")
    market = state.markets[ask.market_id]
    require_attested_for_private_inputs(ask, market)
    message = invalid_inputs_message(market.id, ask.id, assignment.prover)
    require(verify_signature(market.engine_key, message, op.signature), BadEngineSignature, "signature", f"not signed by market {market.id}'s engine key")
    new = pay_prover(state, ask, AskState.INVALID_INPUTS)
    return new, [event("InvalidInputsAccepted", ask_id=ask.id, prover=assignment.prover, price=assignment.price)]
