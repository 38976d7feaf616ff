"""Transitions as Z3 terms, one `encode_process_<op>` per `spec.*.process_<op>`.

Each encoder returns the operation's preconditions, in the spec's order, each paired with the
spec error it raises, and the effect (the post-state when all hold). `step` turns that into the
step relation: the error is the first failing precondition's, and the post-state is the effect
when every precondition holds and the pre-state otherwise (I10 is proved on this relation).

`ModelBoundExceeded` is not a spec rule: it rejects a creation that would not fit the bounded
model (a new market or ask beyond the bounds).
"""
from __future__ import annotations

from typing import Callable

import attrs
import z3

from properties.z3.model import (
    ASSIGNED, CANCELLED, COMPLETE, DEADLINE_CROSSED, EXPIRED, INVALID_INPUTS, PAYMENT, UNASSIGNED, Bounds,
    SAsk, SAssignment, SMarket, SMembership, SProver, SState, SWithdrawal, add_at, get_at, in_range, ite, set_at,
)
from spec import errors as E
from spec.types import BPS


class ModelBoundExceeded:
    code = "MODEL_BOUND_EXCEEDED"


class HonestPartyDue:
    """Not a spec rule: the unbounded model's `advance_time` does not pass a moment by which an
    honest party (the keeper, the bridge, the executor) acts (`unbounded/transitions.py`)."""

    code = "HONEST_PARTY_DUE"


ERRORS: tuple = (None, *E.ALL_ERRORS, ModelBoundExceeded, HonestPartyDue)
ERROR_INDEX = {cls: i for i, cls in enumerate(ERRORS) if cls is not None}
OK = 0


@attrs.frozen
class Encoded:
    """An operation's preconditions `[(holds, error)]` in check order and its effect."""

    checks: list
    effect: SState


@attrs.frozen
class Step:
    error: z3.ArithRef
    ok: z3.BoolRef
    post: SState


class Checks(list):
    def require(self, condition, error) -> None:
        self.append((condition, error))


def step(state: SState, op, bounds: Bounds, encoders: dict | None = None) -> Step:
    """The step relation of `op` from `state`: error code and post-state as terms."""
    encoded = (encoders or ENCODERS)[op.name](state, op, bounds)
    error = z3.IntVal(OK)
    for holds, cls in reversed(encoded.checks):
        error = z3.If(holds, error, ERROR_INDEX[cls])
    ok = z3.And([holds for holds, _ in encoded.checks])
    return Step(error=error, ok=ok, post=ite(ok, encoded.effect, state))


# -- tokens -----------------------------------------------------------------------------------

def credit(balances: tuple, account, token, amount) -> tuple:
    return tuple(
        tuple(z3.If(z3.And(account == a, token == t), v + amount, v) for t, v in enumerate(row))
        for a, row in enumerate(balances)
    )


def balance_of(state: SState, account, token):
    return get_at(tuple(get_at(row, token) for row in state.balances), account)


def is_known_token(bounds: Bounds, token) -> z3.BoolRef:
    return in_range(token, bounds.tokens)


def is_stake_token(bounds: Bounds, token) -> z3.BoolRef:
    return z3.And(1 <= token, token <= bounds.stake_tokens)


def encode_process_mint(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    checks.require(is_known_token(bounds, op.token), E.UnknownToken)
    checks.require(op.amount > 0, E.InvalidAmount)
    effect = attrs.evolve(
        state,
        balances=credit(state.balances, op.account, op.token, op.amount),
        supply=add_at(state.supply, op.token, op.amount),
    )
    return Encoded(checks, effect)


def encode_process_advance_time(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    checks.require(op.seconds > 0, E.InvalidTimeStep)
    return Encoded(checks, attrs.evolve(state, time=state.time + op.seconds))


# -- markets ----------------------------------------------------------------------------------

def market_exists(state: SState, market_id) -> z3.BoolRef:
    return z3.And(0 <= market_id, market_id < state.next_market_id)


def check_market_parameters(bounds: Bounds, op) -> z3.BoolRef:
    """At least one token; only stake tokens, each > 0; a well-formed engine key; fee >= 0."""
    return z3.And(
        z3.Or(op.slash_unknown, *op.slash_present),
        z3.Not(op.slash_unknown),
        z3.Not(op.slash_present[PAYMENT]),
        *(z3.Implies(op.slash_present[t], op.slash_amount[t] > 0) for t in range(1, bounds.tokens)),
        in_range(op.engine_key, bounds.engine_keys),
        op.platform_fee >= 0,
    )


def slash_amounts(bounds: Bounds, op) -> tuple:
    return tuple(z3.If(op.slash_present[t], op.slash_amount[t], 0) for t in range(1, bounds.tokens))


def restaking_feasible_if_restaked(state: SState, op) -> z3.BoolRef:
    """A slash_amount in the restaking stake token needs restaking parameters that leave room for a task."""
    names_restaking_token = z3.And(in_range(state.config.restaking_token, len(op.slash_present)),
                                   get_at(op.slash_present, state.config.restaking_token))
    return z3.Implies(names_restaking_token, state.config.restaking_feasible)


def encode_process_create_market(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    checks.require(op.verifier_known, E.UnknownVerifier)
    checks.require(op.protocol_known, E.UnknownMatchingProtocol)
    checks.require(check_market_parameters(bounds, op), E.InvalidMarketParameter)
    checks.require(restaking_feasible_if_restaked(state, op), E.KeySafetyRuleViolated)
    fee = state.config.market_creation_fee
    checks.require(balance_of(state, op.sender, PAYMENT) >= fee, E.InsufficientBalance)
    checks.require(state.next_market_id < bounds.markets, ModelBoundExceeded)
    market = SMarket(owner=op.sender, engine_key=op.engine_key, slash_amount=slash_amounts(bounds, op), platform_fee=op.platform_fee,
                     attested=z3.BoolVal(False))
    effect = attrs.evolve(
        state,
        balances=credit(state.balances, op.sender, PAYMENT, -fee),
        treasury=add_at(state.treasury, PAYMENT, fee),
        markets=set_at(state.markets, state.next_market_id, market),
        next_market_id=state.next_market_id + 1,
    )
    return Encoded(checks, effect)


def encode_process_update_market(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    checks.require(market_exists(state, op.market_id), E.UnknownMarket)
    market = get_at(state.markets, op.market_id)
    checks.require(op.sender == market.owner, E.NotMarketOwner)
    checks.require(check_market_parameters(bounds, op), E.InvalidMarketParameter)
    checks.require(restaking_feasible_if_restaked(state, op), E.KeySafetyRuleViolated)
    updated = attrs.evolve(market, slash_amount=slash_amounts(bounds, op), engine_key=op.engine_key, platform_fee=op.platform_fee,
                           attested=z3.And(market.attested, op.engine_key == market.engine_key))
    return Encoded(checks, attrs.evolve(state, markets=set_at(state.markets, op.market_id, updated)))


# -- provers ----------------------------------------------------------------------------------

def get_prover(state: SState, address) -> tuple[z3.BoolRef, SProver]:
    prover = get_at(state.provers, address)
    return prover.registered, prover


def get_membership(state: SState, bounds: Bounds, market_id, address) -> tuple[z3.BoolRef, SMembership]:
    membership = get_at(tuple(get_at(row, address) for row in state.memberships), market_id)
    return z3.And(in_range(market_id, bounds.markets), membership.member), membership


def set_membership(state: SState, market_id, address, membership: SMembership) -> tuple:
    return tuple(
        tuple(ite(z3.And(market_id == m, address == a), membership, item) for a, item in enumerate(row))
        for m, row in enumerate(state.memberships)
    )


def get_withdrawal(state: SState, address, stake_slot) -> SWithdrawal:
    return get_at(tuple(get_at(row, stake_slot) for row in state.withdrawals), address)


def set_withdrawal(state: SState, address, stake_slot, request: SWithdrawal) -> tuple:
    return tuple(ite(address == a, set_at(row, stake_slot, request), row) for a, row in enumerate(state.withdrawals))


def pending_withdrawal(state: SState, address, stake_slot):
    request = get_withdrawal(state, address, stake_slot)
    return z3.If(request.pending, request.amount, 0)


def free_stake(state: SState, prover: SProver, address, stake_slot):
    """Stake that backs no task and is not pending withdrawal."""
    return get_at(prover.stake, stake_slot) - get_at(prover.locked, stake_slot) - pending_withdrawal(state, address, stake_slot)


def free_compute(prover: SProver):
    return prover.declared_compute - prover.compute_in_use


def check_quote(prover: SProver, price, proposed_time, compute_per_request) -> z3.BoolRef:
    return z3.And(price >= 0, proposed_time > 0, 0 < compute_per_request, compute_per_request <= prover.declared_compute)


NO_MEMBERSHIP_FIELDS = dict(has_quote=z3.BoolVal(False), price=z3.IntVal(0), proposed_time=z3.IntVal(0), compute_per_request=z3.IntVal(0))
NO_WITHDRAWAL = SWithdrawal(pending=z3.BoolVal(False), amount=z3.IntVal(0), available_at=z3.IntVal(0))


def encode_process_register_prover(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    registered, _ = get_prover(state, op.sender)
    checks.require(z3.Not(registered), E.ProverAlreadyRegistered)
    checks.require(op.declared_compute > 0, E.InvalidCompute)
    zeros = tuple(z3.IntVal(0) for _ in range(bounds.stake_tokens))
    prover = SProver(registered=z3.BoolVal(True), reward_address=op.reward_address, declared_compute=op.declared_compute,
                     compute_in_use=z3.IntVal(0), stake=zeros, locked=zeros, has_encryption_key=z3.BoolVal(False))
    return Encoded(checks, attrs.evolve(state, provers=set_at(state.provers, op.sender, prover)))


def encode_process_deposit_stake(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    registered, prover = get_prover(state, op.sender)
    checks.require(registered, E.UnknownProver)
    checks.require(is_stake_token(bounds, op.token), E.NotStakeToken)
    checks.require(op.amount > 0, E.InvalidAmount)
    checks.require(balance_of(state, op.sender, op.token) >= op.amount, E.InsufficientBalance)
    updated = attrs.evolve(prover, stake=add_at(prover.stake, op.token - 1, op.amount))
    effect = attrs.evolve(
        state,
        balances=credit(state.balances, op.sender, op.token, -op.amount),
        provers=set_at(state.provers, op.sender, updated),
    )
    return Encoded(checks, effect)


def encode_process_request_stake_withdrawal(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    registered, prover = get_prover(state, op.sender)
    slot = op.token - 1
    checks.require(registered, E.UnknownProver)
    checks.require(is_stake_token(bounds, op.token), E.NotStakeToken)
    checks.require(op.amount > 0, E.InvalidAmount)
    checks.require(z3.Not(get_withdrawal(state, op.sender, slot).pending), E.WithdrawalAlreadyRequested)
    checks.require(op.amount <= free_stake(state, prover, op.sender, slot), E.InsufficientFreeStake)
    request = SWithdrawal(pending=z3.BoolVal(True), amount=op.amount, available_at=state.time + state.config.stake_withdrawal_delay)
    return Encoded(checks, attrs.evolve(state, withdrawals=set_withdrawal(state, op.sender, slot, request)))


def encode_process_withdraw_stake(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    registered, prover = get_prover(state, op.sender)
    slot = op.token - 1
    checks.require(registered, E.UnknownProver)
    checks.require(is_stake_token(bounds, op.token), E.NotStakeToken)
    request = get_withdrawal(state, op.sender, slot)
    checks.require(request.pending, E.NoWithdrawalRequest)
    checks.require(state.time >= request.available_at, E.WithdrawalNotReady)
    updated = attrs.evolve(prover, stake=add_at(prover.stake, slot, -request.amount))
    effect = attrs.evolve(
        state,
        balances=credit(state.balances, op.sender, op.token, request.amount),
        provers=set_at(state.provers, op.sender, updated),
        withdrawals=set_withdrawal(state, op.sender, slot, NO_WITHDRAWAL),
    )
    return Encoded(checks, effect)


def encode_process_join_market(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    registered, prover = get_prover(state, op.sender)
    checks.require(registered, E.UnknownProver)
    checks.require(market_exists(state, op.market_id), E.UnknownMarket)
    is_member, _ = get_membership(state, bounds, op.market_id, op.sender)
    checks.require(z3.Not(is_member), E.AlreadyMember)
    checks.require(check_quote(prover, op.price, op.proposed_time, op.compute_per_request), E.InvalidQuote)
    membership = SMembership(member=z3.BoolVal(True), has_quote=z3.BoolVal(True), price=op.price, proposed_time=op.proposed_time,
                             compute_per_request=op.compute_per_request, active_tasks=z3.IntVal(0), exit_requested=z3.BoolVal(False))
    return Encoded(checks, attrs.evolve(state, memberships=set_membership(state, op.market_id, op.sender, membership)))


def encode_process_update_quote(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    registered, prover = get_prover(state, op.sender)
    checks.require(registered, E.UnknownProver)
    is_member, membership = get_membership(state, bounds, op.market_id, op.sender)
    checks.require(is_member, E.NotMember)
    checks.require(z3.Not(membership.exit_requested), E.ExitRequested)
    checks.require(check_quote(prover, op.price, op.proposed_time, op.compute_per_request), E.InvalidQuote)
    updated = attrs.evolve(membership, has_quote=z3.BoolVal(True), price=op.price, proposed_time=op.proposed_time,
                           compute_per_request=op.compute_per_request)
    return Encoded(checks, attrs.evolve(state, memberships=set_membership(state, op.market_id, op.sender, updated)))


def encode_process_request_market_exit(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    is_member, membership = get_membership(state, bounds, op.market_id, op.sender)
    checks.require(is_member, E.NotMember)
    checks.require(z3.Not(membership.exit_requested), E.ExitRequested)
    updated = attrs.evolve(membership, exit_requested=z3.BoolVal(True), **NO_MEMBERSHIP_FIELDS)
    return Encoded(checks, attrs.evolve(state, memberships=set_membership(state, op.market_id, op.sender, updated)))


def encode_process_leave_market(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    is_member, membership = get_membership(state, bounds, op.market_id, op.sender)
    checks.require(is_member, E.NotMember)
    checks.require(membership.active_tasks == 0, E.TasksInFlight)
    gone = SMembership(member=z3.BoolVal(False), active_tasks=z3.IntVal(0), exit_requested=z3.BoolVal(False), **NO_MEMBERSHIP_FIELDS)
    return Encoded(checks, attrs.evolve(state, memberships=set_membership(state, op.market_id, op.sender, gone)))


# -- asks -------------------------------------------------------------------------------------

def ask_exists(state: SState, ask_id) -> z3.BoolRef:
    return z3.And(0 <= ask_id, ask_id < state.next_ask_id)


def close_ask_with_refund(state: SState, ask_id, ask: SAsk, outcome: int) -> SState:
    """Return the whole escrow to the requester and close the ask with `outcome`."""
    closed = attrs.evolve(ask, escrow=z3.IntVal(0), state=z3.IntVal(outcome))
    return attrs.evolve(
        state,
        balances=credit(state.balances, ask.requester, PAYMENT, ask.escrow),
        asks=set_at(state.asks, ask_id, closed),
    )


def encode_process_create_ask(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    checks.require(market_exists(state, op.market_id), E.UnknownMarket)
    market = get_at(state.markets, op.market_id)
    checks.require(op.max_price > 0, E.InvalidAskParameter)
    checks.require(op.expiry > state.time, E.InvalidAskParameter)
    checks.require(op.proof_time > 0, E.InvalidAskParameter)
    checks.require(z3.And(0 <= op.price_time_preference, op.price_time_preference <= BPS), E.InvalidAskParameter)
    checks.require(z3.Or(z3.Not(op.has_private_inputs), market.attested), E.EngineNotAttested)
    escrow = op.max_price + market.platform_fee
    checks.require(balance_of(state, op.sender, PAYMENT) >= escrow, E.InsufficientBalance)
    checks.require(state.next_ask_id < bounds.asks, ModelBoundExceeded)
    no_assignment = SAssignment(*(z3.IntVal(0) for _ in range(5)), locked=tuple(z3.IntVal(0) for _ in range(bounds.stake_tokens)))
    ask = SAsk(market_id=op.market_id, requester=op.sender, max_price=op.max_price, fee=market.platform_fee, expiry=op.expiry,
               proof_time=op.proof_time, created_at=state.time, escrow=escrow, state=z3.IntVal(UNASSIGNED),
               has_private_inputs=op.has_private_inputs, has_assignment=z3.BoolVal(False), assignment=no_assignment)
    effect = attrs.evolve(
        state,
        balances=credit(state.balances, op.sender, PAYMENT, -escrow),
        asks=set_at(state.asks, state.next_ask_id, ask),
        next_ask_id=state.next_ask_id + 1,
    )
    return Encoded(checks, effect)


def encode_process_cancel_ask(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    checks.require(ask_exists(state, op.ask_id), E.UnknownAsk)
    ask = get_at(state.asks, op.ask_id)
    checks.require(op.sender == ask.requester, E.NotRequester)
    checks.require(ask.state == UNASSIGNED, E.AskNotUnassigned)
    return Encoded(checks, close_ask_with_refund(state, op.ask_id, ask, CANCELLED))


def encode_process_expire_ask(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    checks.require(ask_exists(state, op.ask_id), E.UnknownAsk)
    ask = get_at(state.asks, op.ask_id)
    checks.require(ask.state == UNASSIGNED, E.AskNotUnassigned)
    checks.require(state.time > ask.expiry, E.AskNotExpired)
    return Encoded(checks, close_ask_with_refund(state, op.ask_id, ask, EXPIRED))


# -- tasks ------------------------------------------------------------------------------------

def fits(state: SState, prover: SProver, address, market: SMarket, compute_per_request) -> z3.BoolRef:
    """The prover could take one more task of this market now."""
    return z3.And(
        free_compute(prover) >= compute_per_request,
        *(z3.Implies(amount > 0, free_stake(state, prover, address, k) >= amount) for k, amount in enumerate(market.slash_amount)),
    )


def cancel_quotes_that_no_longer_fit(state: SState, address, matched_market) -> SState:
    """Auto-cancel the prover's quotes in other markets that no longer fit its free compute or stake."""
    prover = get_at(state.provers, address)
    rows = []
    for m, row in enumerate(state.memberships):
        market = state.markets[m]
        new_row = []
        for a, membership in enumerate(row):
            cancel = z3.And(address == a, matched_market != m, membership.has_quote,
                            z3.Not(fits(state, prover, address, market, membership.compute_per_request)))
            new_row.append(ite(cancel, attrs.evolve(membership, **NO_MEMBERSHIP_FIELDS), membership))
        rows.append(tuple(new_row))
    return attrs.evolve(state, memberships=tuple(rows))


def encode_process_assign_task(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    checks.require(ask_exists(state, op.ask_id), E.UnknownAsk)
    ask = get_at(state.asks, op.ask_id)
    market = get_at(state.markets, ask.market_id)
    checks.require(ask.state == UNASSIGNED, E.AskNotUnassigned)
    checks.require(state.time <= ask.expiry, E.AskExpired)
    checks.require(z3.Or(z3.Not(ask.has_private_inputs), market.attested), E.EngineNotAttested)
    checks.require(op.signature_valid, E.BadEngineSignature)
    registered, prover = get_prover(state, op.prover)
    checks.require(registered, E.UnknownProver)
    is_member, membership = get_membership(state, bounds, ask.market_id, op.prover)
    checks.require(is_member, E.NotMember)
    checks.require(z3.Not(membership.exit_requested), E.ExitRequested)
    checks.require(membership.has_quote, E.QuoteInactive)
    checks.require(op.price <= ask.max_price, E.PriceAboveMax)
    checks.require(op.price >= membership.price, E.PriceBelowQuote)
    checks.require(membership.proposed_time <= ask.proof_time, E.ProofTimeExceeded)
    checks.require(free_compute(prover) >= membership.compute_per_request, E.InsufficientCompute)
    checks.require(
        z3.And([z3.Implies(amount > 0, free_stake(state, prover, op.prover, k) >= amount) for k, amount in enumerate(market.slash_amount)]),
        E.InsufficientStake,
    )
    checks.require(z3.Or(z3.Not(ask.has_private_inputs), prover.has_encryption_key), E.ProverKeyMissing)
    locked = tuple(held + amount for held, amount in zip(prover.locked, market.slash_amount))
    prover = attrs.evolve(prover, compute_in_use=prover.compute_in_use + membership.compute_per_request, locked=locked)
    assignment = SAssignment(prover=op.prover, price=op.price, assigned_at=state.time, deadline=state.time + ask.proof_time,
                             compute=membership.compute_per_request, locked=market.slash_amount)
    new = attrs.evolve(
        state,
        provers=set_at(state.provers, op.prover, prover),
        memberships=set_membership(state, ask.market_id, op.prover, attrs.evolve(membership, active_tasks=membership.active_tasks + 1)),
        asks=set_at(state.asks, op.ask_id, attrs.evolve(ask, state=z3.IntVal(ASSIGNED), has_assignment=z3.BoolVal(True), assignment=assignment)),
    )
    return Encoded(checks, cancel_quotes_that_no_longer_fit(new, op.prover, ask.market_id))


def get_assigned_task(state: SState, checks: Checks, ask_id, sender) -> SAsk:
    """An assigned ask whose assigned prover is `sender`."""
    checks.require(ask_exists(state, ask_id), E.UnknownAsk)
    ask = get_at(state.asks, ask_id)
    checks.require(ask.state == ASSIGNED, E.AskNotAssigned)
    checks.require(sender == ask.assignment.prover, E.NotAssignedProver)
    return ask


def release_task(state: SState, bounds: Bounds, ask: SAsk) -> SState:
    """Unlock the task's stake and compute and take it off the prover's in-flight count."""
    assignment = ask.assignment
    prover = get_at(state.provers, assignment.prover)
    locked = tuple(held - amount for held, amount in zip(prover.locked, assignment.locked))
    prover = attrs.evolve(prover, compute_in_use=prover.compute_in_use - assignment.compute, locked=locked)
    _, membership = get_membership(state, bounds, ask.market_id, assignment.prover)
    return attrs.evolve(
        state,
        provers=set_at(state.provers, assignment.prover, prover),
        memberships=set_membership(state, ask.market_id, assignment.prover, attrs.evolve(membership, active_tasks=membership.active_tasks - 1)),
    )


def pay_prover(state: SState, bounds: Bounds, ask_id, ask: SAsk, outcome: int) -> SState:
    """Price to the prover's reward address, max_price - price to the requester, fee to the treasury."""
    assignment = ask.assignment
    state = release_task(state, bounds, ask)
    reward_address = get_at(state.provers, assignment.prover).reward_address
    balances = credit(state.balances, reward_address, PAYMENT, assignment.price)
    balances = credit(balances, ask.requester, PAYMENT, ask.max_price - assignment.price)
    return attrs.evolve(
        state,
        balances=balances,
        treasury=add_at(state.treasury, PAYMENT, ask.fee),
        asks=set_at(state.asks, ask_id, attrs.evolve(ask, escrow=z3.IntVal(0), state=z3.IntVal(outcome))),
    )


def encode_process_submit_proof(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    ask = get_assigned_task(state, checks, op.ask_id, op.sender)
    checks.require(state.time <= ask.assignment.deadline, E.DeadlinePassed)
    checks.require(op.proof_valid, E.InvalidProof)
    return Encoded(checks, pay_prover(state, bounds, op.ask_id, ask, COMPLETE))


def encode_process_submit_invalid_inputs(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    ask = get_assigned_task(state, checks, op.ask_id, op.sender)
    checks.require(state.time <= ask.assignment.deadline, E.DeadlinePassed)
    checks.require(z3.Or(z3.Not(ask.has_private_inputs), get_at(state.markets, ask.market_id).attested), E.EngineNotAttested)
    checks.require(op.signature_valid, E.BadEngineSignature)
    return Encoded(checks, pay_prover(state, bounds, op.ask_id, ask, INVALID_INPUTS))


# -- slashing ---------------------------------------------------------------------------------

def slash_task(state: SState, bounds: Bounds, ask_id, ask: SAsk) -> SState:
    """The locked stake leaves the prover: compensation to the requester, a share burnt, the rest
    to the treasury; the escrow is refunded and the ask ends DEADLINE_CROSSED."""
    assignment = ask.assignment
    state = release_task(state, bounds, ask)
    prover = get_at(state.provers, assignment.prover)
    stake, balances, burnt, treasury = prover.stake, state.balances, state.burnt, state.treasury
    for k, amount in enumerate(assignment.locked):
        token = k + 1
        compensation = amount * state.config.slash_compensation_bps / BPS
        burn = amount * state.config.slash_burn_bps / BPS
        stake = add_at(stake, k, -amount)
        balances = credit(balances, ask.requester, token, compensation)
        burnt = add_at(burnt, token, burn)
        treasury = add_at(treasury, token, amount - compensation - burn)
    state = attrs.evolve(
        state,
        provers=set_at(state.provers, assignment.prover, attrs.evolve(prover, stake=stake)),
        balances=balances,
        burnt=burnt,
        treasury=treasury,
    )
    return close_ask_with_refund(state, ask_id, ask, DEADLINE_CROSSED)


def encode_process_slash_missed_deadline(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    checks.require(ask_exists(state, op.ask_id), E.UnknownAsk)
    ask = get_at(state.asks, op.ask_id)
    checks.require(ask.state == ASSIGNED, E.AskNotAssigned)
    checks.require(state.time > ask.assignment.deadline, E.DeadlineNotPassed)
    return Encoded(checks, slash_task(state, bounds, op.ask_id, ask))


def encode_process_discard_task(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    ask = get_assigned_task(state, checks, op.ask_id, op.sender)
    checks.require(state.time <= ask.assignment.deadline, E.DeadlinePassed)
    return Encoded(checks, slash_task(state, bounds, op.ask_id, ask))


# -- engine attestation and prover keys --------------------------------------------------------

def encode_process_attest_engine(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    checks.require(market_exists(state, op.market_id), E.UnknownMarket)
    market = get_at(state.markets, op.market_id)
    checks.require(op.sender == market.owner, E.NotMarketOwner)
    checks.require(op.measurement_valid, E.BadAttestation)
    checks.require(op.attestation_valid, E.BadAttestation)
    updated = attrs.evolve(market, attested=z3.BoolVal(True))
    return Encoded(checks, attrs.evolve(state, markets=set_at(state.markets, op.market_id, updated)))


def encode_process_register_prover_key(state: SState, op, bounds: Bounds) -> Encoded:
    checks = Checks()
    registered, prover = get_prover(state, op.sender)
    checks.require(registered, E.UnknownProver)
    checks.require(op.encryption_key_valid, E.InvalidProverKey)
    updated = attrs.evolve(prover, has_encryption_key=z3.BoolVal(True))
    return Encoded(checks, attrs.evolve(state, provers=set_at(state.provers, op.sender, updated)))


ENCODERS: dict[str, Callable] = {
    "mint": encode_process_mint,
    "advance_time": encode_process_advance_time,
    "create_market": encode_process_create_market,
    "update_market": encode_process_update_market,
    "register_prover": encode_process_register_prover,
    "deposit_stake": encode_process_deposit_stake,
    "request_stake_withdrawal": encode_process_request_stake_withdrawal,
    "withdraw_stake": encode_process_withdraw_stake,
    "join_market": encode_process_join_market,
    "update_quote": encode_process_update_quote,
    "request_market_exit": encode_process_request_market_exit,
    "leave_market": encode_process_leave_market,
    "create_ask": encode_process_create_ask,
    "cancel_ask": encode_process_cancel_ask,
    "expire_ask": encode_process_expire_ask,
    "assign_task": encode_process_assign_task,
    "submit_proof": encode_process_submit_proof,
    "submit_invalid_inputs": encode_process_submit_invalid_inputs,
    "slash_missed_deadline": encode_process_slash_missed_deadline,
    "discard_task": encode_process_discard_task,
    "attest_engine": encode_process_attest_engine,
    "register_prover_key": encode_process_register_prover_key,
}
