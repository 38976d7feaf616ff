"""The invariants of docs/invariants.md as Z3 formulas over the symbolic state, one per
predicate of `properties.invariants` (same names, `encode_` prefix), plus the auxiliary
invariants (A0-A4) that make them inductive.

State invariants take `(state, bounds)`; step invariants take `(pre, op, post, bounds)`.
"""
from __future__ import annotations

from typing import Callable, Optional

import attrs
import z3

from properties.z3.model import (
    ASK_STATES,
    ASSIGNED,
    COMPLETE,
    DEADLINE_CROSSED,
    INVALID_INPUTS,
    OPEN,
    PAYMENT,
    UNASSIGNED,
    WAS_ASSIGNED,
    Bounds,
    SState,
    get_at,
    in_range,
    member_of,
    same,
)
from properties.z3.transitions import ask_exists, market_exists
from spec.types import BPS


def _sum(terms) -> z3.ArithRef:
    terms = list(terms)
    return z3.Sum(terms) if terms else z3.IntVal(0)


def in_flight(state: SState, n: int) -> z3.BoolRef:
    return z3.And(ask_exists(state, n), state.asks[n].state == ASSIGNED)


def tasks_of(state: SState, address: int):
    """(ask index, in-flight-and-held-by-`address` condition) for every ask slot."""
    return [(n, z3.And(in_flight(state, n), state.asks[n].assignment.prover == address)) for n in range(len(state.asks))]


# -- the protocol's invariants ----------------------------------------------------------------

def encode_conservation(state: SState, bounds: Bounds) -> z3.BoolRef:
    """I1: per token, balances + open escrows + native stake + treasury + burnt == supply; no negative balance."""
    out = []
    for t in range(bounds.tokens):
        held = _sum(row[t] for row in state.balances)
        if t == PAYMENT:
            parked = _sum(z3.If(ask_exists(state, n), ask.escrow, 0) for n, ask in enumerate(state.asks))
        else:
            parked = _sum(z3.If(p.registered, p.stake[t - 1], 0) for p in state.provers)
        out.append(held + parked + state.treasury[t] + state.burnt[t] == state.supply[t])
    out += [v >= 0 for row in state.balances for v in row]
    return z3.And(out)


def encode_single_assignment(state: SState, bounds: Bounds) -> z3.BoolRef:
    """I2: an ask carries an assignment iff it was assigned; a member's in-flight count equals its
    ASSIGNED asks; no task is in flight without a membership."""
    out = []
    for n, ask in enumerate(state.asks):
        out.append(z3.Implies(ask_exists(state, n), ask.has_assignment == member_of(ask.state, WAS_ASSIGNED)))
    for m, row in enumerate(state.memberships):
        for a, membership in enumerate(row):
            count = _sum(z3.If(z3.And(in_flight(state, n), ask.market_id == m, ask.assignment.prover == a), 1, 0)
                         for n, ask in enumerate(state.asks))
            out.append(z3.If(membership.member, membership.active_tasks == count, count == 0))
    for n, ask in enumerate(state.asks):
        out.append(z3.Implies(in_flight(state, n), z3.And(in_range(ask.market_id, bounds.markets), in_range(ask.assignment.prover, bounds.accounts))))
    return z3.And(out)


def encode_capacity(state: SState, bounds: Bounds) -> z3.BoolRef:
    """I3: compute in use == the compute of the in-flight tasks <= declared; 0 <= locked <= stake."""
    out = []
    for a, prover in enumerate(state.provers):
        used = _sum(z3.If(holds, state.asks[n].assignment.compute, 0) for n, holds in tasks_of(state, a))
        ok = z3.And(prover.compute_in_use == used, 0 <= used, used <= prover.declared_compute,
                    *(z3.And(0 <= locked, locked <= stake) for locked, stake in zip(prover.locked, prover.stake)))
        out.append(z3.Implies(prover.registered, ok))
    return z3.And(out)


def encode_escrow(state: SState, bounds: Bounds) -> z3.BoolRef:
    """I4: an open ask's escrow is max_price + fee, a closed ask's 0; no assigned price exceeds max_price."""
    out = []
    for n, ask in enumerate(state.asks):
        expected = z3.If(member_of(ask.state, OPEN), ask.max_price + ask.fee, 0)
        out.append(z3.Implies(ask_exists(state, n), z3.And(
            ask.escrow == expected,
            z3.Implies(ask.has_assignment, ask.assignment.price <= ask.max_price),
        )))
    return z3.And(out)


def encode_stake_backing(state: SState, bounds: Bounds) -> z3.BoolRef:
    """I7: locked stake == the sum of what the in-flight tasks locked; each in-flight task locked a
    positive amount; locked + pending withdrawal <= stake."""
    out = []
    for a, prover in enumerate(state.provers):
        tasks = tasks_of(state, a)
        for k in range(bounds.stake_tokens):
            backing = _sum(z3.If(holds, state.asks[n].assignment.locked[k], 0) for n, holds in tasks)
            request = state.withdrawals[a][k]
            pending = z3.If(request.pending, request.amount, 0)
            out.append(z3.Implies(prover.registered, z3.And(prover.locked[k] == backing, prover.locked[k] + pending <= prover.stake[k])))
        for n, holds in tasks:
            locked = state.asks[n].assignment.locked
            out.append(z3.Implies(z3.And(prover.registered, holds), z3.And(z3.Or([v > 0 for v in locked]), *(v >= 0 for v in locked))))
    return z3.And(out)


def encode_withdrawal(state: SState, bounds: Bounds) -> z3.BoolRef:
    """I9: a pending withdrawal belongs to a registered prover, is positive and is covered by
    stake no task holds."""
    out = []
    for a, row in enumerate(state.withdrawals):
        prover = state.provers[a]
        for k, request in enumerate(row):
            out.append(z3.Implies(request.pending, z3.And(
                prover.registered, request.amount > 0, prover.stake[k] - prover.locked[k] >= request.amount,
            )))
    return z3.And(out)


def _changed_asks(pre: SState, post: SState):
    for n, (before, after) in enumerate(zip(pre.asks, post.asks)):
        yield n, z3.And(ask_exists(pre, n), z3.Not(same(before, after))), before, after


def encode_single_assignment_step(pre: SState, op, post: SState, bounds: Bounds) -> z3.BoolRef:
    """I2 (step): an assignment is only made to an UNASSIGNED ask and never replaced; terminal
    states are final."""
    out = []
    for _, changed, before, after in _changed_asks(pre, post):
        out.append(z3.Implies(z3.And(changed, before.has_assignment),
                              z3.And(after.has_assignment, same(before.assignment, after.assignment))))
        out.append(z3.Implies(z3.And(changed, z3.Not(before.has_assignment), after.has_assignment), before.state == UNASSIGNED))
        out.append(z3.Implies(changed, member_of(before.state, OPEN)))
    return z3.And(out)


def encode_deadline_step(pre: SState, op, post: SState, bounds: Bounds) -> z3.BoolRef:
    """I5: slashing for a missed deadline only strictly after the deadline and only from ASSIGNED
    (hence once); a proof or invalid-inputs statement only up to the deadline."""
    out = []
    for _, changed, before, after in _changed_asks(pre, post):
        deadline = before.assignment.deadline
        out.append(z3.Implies(z3.And(changed, after.state == DEADLINE_CROSSED), before.state == ASSIGNED))
        if op.name == "slash_missed_deadline":
            out.append(z3.Implies(z3.And(changed, before.state == ASSIGNED, after.state == DEADLINE_CROSSED), post.time > deadline))
        out.append(z3.Implies(z3.And(changed, before.state == ASSIGNED, member_of(after.state, (COMPLETE, INVALID_INPUTS))),
                              post.time <= deadline))
    return z3.And(out)


def encode_bounds_step(pre: SState, op, post: SState, bounds: Bounds) -> z3.BoolRef:
    """I6: an assignment has quote price <= price <= max_price, quote time <= proof_time, happens
    at or before expiry, and is the statement the engine signed (op's ask, prover and price)."""
    out = []
    for n, changed, before, after in _changed_asks(pre, post):
        assigned = z3.And(changed, before.state == UNASSIGNED, after.state == ASSIGNED)
        a = after.assignment
        membership = get_at(tuple(get_at(row, a.prover) for row in pre.memberships), after.market_id)
        signed = (z3.And(op.signature_valid, op.ask_id == n, op.prover == a.prover, op.price == a.price)
                  if op.name == "assign_task" else z3.BoolVal(False))
        out.append(z3.Implies(assigned, z3.And(
            membership.has_quote,
            membership.price <= a.price, a.price <= after.max_price,
            membership.proposed_time <= after.proof_time,
            pre.time <= after.expiry,
            signed,
        )))
    return z3.And(out)


def encode_attested_private_inputs_step(pre: SState, op, post: SState, bounds: Bounds) -> z3.BoolRef:
    """I12: an ask with private inputs is assigned, or its inputs declared invalid, only while
    its market's engine key is attested in the pre-state."""
    out = []
    for n, changed, before, after in _changed_asks(pre, post):
        handled = z3.Or(z3.And(before.state == UNASSIGNED, after.state == ASSIGNED),
                        z3.And(before.state == ASSIGNED, after.state == INVALID_INPUTS))
        market = get_at(pre.markets, before.market_id)
        out.append(z3.Implies(z3.And(changed, before.has_private_inputs, handled), market.attested))
    return z3.And(out)


# -- auxiliary invariants (the strengthening) -------------------------------------------------

def encode_config_valid(state: SState, bounds: Bounds) -> z3.BoolRef:
    """A0: the genesis parameters are in range (0 <= each slash share, shares sum <= BPS, fees and
    delays >= 0). `spec.Config` does not check this; the proofs assume it."""
    c = state.config
    return z3.And(c.slash_compensation_bps >= 0, c.slash_burn_bps >= 0, c.slash_compensation_bps + c.slash_burn_bps <= BPS,
                  c.market_creation_fee >= 0, c.stake_withdrawal_delay >= 0)


def encode_well_formed(state: SState, bounds: Bounds) -> z3.BoolRef:
    """A1: ids and references lie inside the bounds: market and ask counters, an ask's market
    (an existing one), requester, state and assigned prover, a prover's reward address."""
    out = [z3.And(0 <= state.next_market_id, state.next_market_id <= bounds.markets),
           z3.And(0 <= state.next_ask_id, state.next_ask_id <= bounds.asks)]
    for n, ask in enumerate(state.asks):
        out.append(z3.Implies(ask_exists(state, n), z3.And(
            market_exists(state, ask.market_id), in_range(ask.requester, bounds.accounts), in_range(ask.state, len(ASK_STATES)),
            z3.Implies(ask.has_assignment, in_range(ask.assignment.prover, bounds.accounts)),
        )))
    out += [z3.Implies(p.registered, in_range(p.reward_address, bounds.accounts)) for p in state.provers]
    return z3.And(out)


def encode_markets_valid(state: SState, bounds: Bounds) -> z3.BoolRef:
    """A2: an existing market's slash amounts are >= 0 with at least one > 0 (only stake tokens,
    each positive), its platform fee is >= 0, its engine key well-formed and its owner an account."""
    out = []
    for m, market in enumerate(state.markets):
        out.append(z3.Implies(market_exists(state, m), z3.And(
            z3.Or([v > 0 for v in market.slash_amount]), *(v >= 0 for v in market.slash_amount), market.platform_fee >= 0,
            in_range(market.engine_key, bounds.engine_keys), in_range(market.owner, bounds.accounts),
        )))
    return z3.And(out)


def encode_memberships_valid(state: SState, bounds: Bounds) -> z3.BoolRef:
    """A3: a membership is of an existing market and a registered prover; an active quote belongs
    to a member that has not asked to exit, and is well-formed for the prover's compute."""
    out = []
    for m, row in enumerate(state.memberships):
        for a, ms in enumerate(row):
            prover = state.provers[a]
            out.append(z3.Implies(ms.member, z3.And(market_exists(state, m), prover.registered, ms.active_tasks >= 0)))
            out.append(z3.Implies(ms.has_quote, z3.And(
                ms.member, z3.Not(ms.exit_requested), ms.price >= 0, ms.proposed_time > 0,
                ms.compute_per_request > 0, ms.compute_per_request <= prover.declared_compute,
            )))
    return z3.And(out)


def encode_asks_valid(state: SState, bounds: Bounds) -> z3.BoolRef:
    """A4: an existing ask has max_price > 0, fee >= 0, proof_time > 0; an assigned one was
    assigned to a registered prover at a price >= 0, with compute > 0 and non-negative locked amounts."""
    out = []
    for n, ask in enumerate(state.asks):
        a = ask.assignment
        assigned = z3.And(get_at(state.provers, a.prover).registered, a.compute > 0, a.price >= 0, *(v >= 0 for v in a.locked))
        out.append(z3.Implies(ask_exists(state, n), z3.And(
            ask.max_price > 0, ask.fee >= 0, ask.proof_time > 0, z3.Implies(ask.has_assignment, assigned),
        )))
    return z3.And(out)


@attrs.frozen
class EncodedInvariant:
    """An invariant's formula(s) and the invariants its inductive proof assumes besides itself
    (a minimal set: `properties.z3.proofs.minimize_strengthening` drops none of them)."""

    id: str
    name: str
    state: Optional[Callable] = None
    step: Optional[Callable] = None
    strengthening: tuple[str, ...] = ()


AUXILIARY = (
    EncodedInvariant("A0", "config_valid", state=encode_config_valid),
    EncodedInvariant("A1", "well_formed", state=encode_well_formed),
    EncodedInvariant("A2", "markets_valid", state=encode_markets_valid),
    EncodedInvariant("A3", "memberships_valid", state=encode_memberships_valid, strengthening=("I2",)),
    EncodedInvariant("A4", "asks_valid", state=encode_asks_valid, strengthening=("A2", "A3")),
)

PROTOCOL = (
    EncodedInvariant("I1", "conservation", state=encode_conservation, strengthening=("A0", "A1", "A4", "I2", "I4", "I9")),
    EncodedInvariant("I2", "single_assignment", state=encode_single_assignment, step=encode_single_assignment_step,
                     strengthening=("A1",)),
    EncodedInvariant("I3", "capacity", state=encode_capacity, strengthening=("A1", "A2", "A3", "A4", "I2", "I7", "I9")),
    EncodedInvariant("I4", "escrow", state=encode_escrow),
    EncodedInvariant("I5", "deadline", step=encode_deadline_step),
    EncodedInvariant("I6", "bounds", step=encode_bounds_step),
    EncodedInvariant("I7", "stake_backing", state=encode_stake_backing, strengthening=("A1", "A2", "A4", "I2", "I9")),
    EncodedInvariant("I9", "withdrawal", state=encode_withdrawal, strengthening=("I7",)),
    EncodedInvariant("I12", "attested_private_inputs", step=encode_attested_private_inputs_step),
)

BY_ID = {inv.id: inv for inv in AUXILIARY + PROTOCOL}


def hypothesis(state: SState, bounds: Bounds, ids) -> z3.BoolRef:
    """The conjunction of the state formulas of `ids`."""
    return z3.And([BY_ID[i].state(state, bounds) for i in ids if BY_ID[i].state is not None])

