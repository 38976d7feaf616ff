"""The invariants over the unbounded state: ∀-formulas over account, market, ask, prover and
token ids, each with explicit patterns (triggers), mirroring `properties/z3/invariants.py`.

Sums are read from the ghost aggregates (`state.AGGREGATES`); `G1` states what the bounded
model gets from the sums' definitions (a prover with no in-flight task holds no locks or
compute, a non-member no tasks) and are proved inductive like the rest.
"""
from __future__ import annotations

from typing import Callable

import z3

from properties.z3.model import ASK_STATES, ASSIGNED, COMPLETE, DEADLINE_CROSSED, INVALID_INPUTS, OPEN, PAYMENT, UNASSIGNED, WAS_ASSIGNED
from properties.z3.unbounded.restaking_invariants import RESTAKING_AUXILIARY, RESTAKING_PROTOCOL
from properties.z3.unbounded.state import SKOLEM, UInvariant, any_stake_token, is_stake_token
from properties.z3.unbounded.transitions import ask_exists, market_exists
from spec.types import BPS


def forall(names, body: Callable, pattern: Callable) -> z3.BoolRef:
    """∀ names. body, triggered by `pattern(*vars)` (a term, or a tuple of alternatives)."""
    xs = [z3.Int(n) for n in names]
    pats = pattern(*xs)
    pats = list(pats) if isinstance(pats, tuple) else [pats]
    if not all(_plain(p) for p in pats):  # a concrete state (stores, constant arrays): no triggers needed
        return z3.ForAll(xs, body(*xs))
    return z3.ForAll(xs, body(*xs), patterns=pats)


def _plain(term) -> bool:
    """A trigger term: selects over the state's uninterpreted array constants only."""
    if z3.is_select(term):
        return _plain(term.arg(0))
    return z3.is_const(term) and term.decl().kind() == z3.Z3_OP_UNINTERPRETED


PATTERNS = {
    # alternatives (each one a trigger) for a quantified variable tuple, by the collection it ranges over
    "n": lambda s, n: tuple(s[f][n] for f in ("a_state", "a_escrow", "a_has", "a_locked", "a_deadline", "a_max", "a_prover")),
    "p": lambda s, p: tuple(s[f][p] for f in ("p_reg", "p_in_use", "g_compute", "p_declared", "p_stake", "p_locked")),
    "m": lambda s, m: tuple(s[f][m] for f in ("m_fee", "m_key", "m_slash", "m_attested")),
    "pt": lambda s, p, t: tuple(s[f][p][t] for f in ("p_stake", "p_locked", "g_locks", "w_pending", "w_amount")),
    "mp": lambda s, m, p: tuple(s[f][m][p] for f in ("ms_member", "ms_quote", "ms_active", "g_active", "ms_compute", "ms_price", "ms_time", "ms_exit")),
    "mt": lambda s, m, t: (s["m_slash"][m][t],),
    "nt": lambda s, n, t: (s["a_locked"][n][t],),
    "t": lambda s, t: tuple(s[f][t] for f in ("supply", "g_bal", "g_stake", "treasury", "burnt")),
    "at": lambda s, a, t: (s["bal"][a][t],),
}


def over(s, kind: str, body: Callable, extra: Callable | None = None) -> z3.BoolRef:
    """∀ over the ids of `kind` (a key of PATTERNS: one letter per variable), triggered by any
    of the collection's fields (and `extra`'s terms)."""
    def pats(*xs):
        more = extra(*xs) if extra is not None else ()
        return PATTERNS[kind](s, *xs) + (more if isinstance(more, tuple) else (more,))
    return forall(list(kind), body, pats)


def member_of(value, options) -> z3.BoolRef:
    return z3.Or([value == o for o in options])


def in_flight(s, n) -> z3.BoolRef:
    return z3.And(ask_exists(s, n), s["a_state"][n] == ASSIGNED)


# -- auxiliary --------------------------------------------------------------------------------

def encode_config_valid(s) -> z3.BoolRef:
    """A0: slash shares >= 0 summing to <= BPS, fee and delay >= 0, K >= 0 stake tokens."""
    return z3.And(s["comp_bps"] >= 0, s["burn_bps"] >= 0, s["comp_bps"] + s["burn_bps"] <= BPS, s["fee"] >= 0, s["delay"] >= 0, s["K"] >= 0)


def encode_well_formed(s) -> z3.BoolRef:
    """A1: counters >= 0; an existing ask's market exists and its state is a state; an ask id
    not yet used holds the defaults (UNASSIGNED, no escrow, no assignment)."""
    return z3.And(
        s["next_market"] >= 0, s["next_ask"] >= 0,
        over(s, "n", lambda n: z3.If(ask_exists(s, n),
                                      z3.And(market_exists(s, s["a_market"][n]), 0 <= s["a_state"][n], s["a_state"][n] < len(ASK_STATES)),
                                      z3.And(s["a_state"][n] == UNASSIGNED, s["a_escrow"][n] == 0, z3.Not(s["a_has"][n]))),
               lambda n: s["a_state"][n]),
    )


def encode_markets_valid(s) -> z3.BoolRef:
    """A2: an existing market has fee >= 0, a well-formed key, slash amounts >= 0, only in stake
    tokens, at least one > 0."""
    return z3.And(
        over(s, "m", lambda m: z3.Implies(market_exists(s, m), z3.And(
            s["m_fee"][m] >= 0, s["m_key"][m] >= 0, any_stake_token(s, lambda t: s["m_slash"][m][t] > 0, "a2.t", lambda t: s["m_slash"][m][t], (m,)))),
            lambda m: s["m_slash"][m]),
        over(s, "mt", lambda m, t: z3.Implies(market_exists(s, m), z3.And(
            s["m_slash"][m][t] >= 0, z3.Implies(z3.Not(is_stake_token(s, t)), s["m_slash"][m][t] == 0))),
            lambda m, t: s["m_slash"][m][t]),
    )


def encode_memberships_valid(s) -> z3.BoolRef:
    """A3: a membership is of an existing market and a registered prover, active >= 0; an active
    quote belongs to a member that has not asked to exit and fits the prover's compute."""
    return over(s, "mp", lambda m, p: z3.And(
        z3.Implies(s["ms_member"][m][p], z3.And(market_exists(s, m), s["p_reg"][p], s["ms_active"][m][p] >= 0)),
        z3.Implies(s["ms_quote"][m][p], z3.And(
            s["ms_member"][m][p], z3.Not(s["ms_exit"][m][p]), s["ms_price"][m][p] >= 0, s["ms_time"][m][p] > 0,
            s["ms_compute"][m][p] > 0, s["ms_compute"][m][p] <= s["p_declared"][p]))),
        lambda m, p: (s["ms_member"][m][p], s["ms_quote"][m][p]))


def encode_asks_valid(s) -> z3.BoolRef:
    """A4: an existing ask has max_price > 0, fee >= 0, proof_time > 0; an assigned one a
    registered prover, price >= 0, compute > 0, locked amounts >= 0 and only in stake tokens."""
    return z3.And(
        over(s, "n", lambda n: z3.Implies(ask_exists(s, n), z3.And(
            s["a_max"][n] > 0, s["a_fee"][n] >= 0, s["a_ptime"][n] > 0,
            z3.Implies(s["a_has"][n], z3.And(s["p_reg"][s["a_prover"][n]], s["a_compute"][n] > 0, s["a_price"][n] >= 0)))),
            lambda n: s["a_state"][n]),
        over(s, "nt", lambda n, t: z3.Implies(z3.And(ask_exists(s, n), s["a_has"][n]), z3.And(
            s["a_locked"][n][t] >= 0, z3.Implies(z3.Not(is_stake_token(s, t)), s["a_locked"][n][t] == 0))),
            lambda n, t: s["a_locked"][n][t]),
    )


def encode_unregistered_empty(s) -> z3.BoolRef:
    """G1: an unregistered prover has no stake, no locks, no compute in use, and no task counts
    in the ghosts."""
    return z3.And(
        over(s, "p", lambda p: z3.Implies(z3.Not(s["p_reg"][p]), z3.And(s["p_in_use"][p] == 0, s["g_compute"][p] == 0)),
               lambda p: s["p_reg"][p]),
        over(s, "pt", lambda p, t: z3.Implies(z3.Not(s["p_reg"][p]), z3.And(
            s["p_stake"][p][t] == 0, s["p_locked"][p][t] == 0, s["g_locks"][p][t] == 0, z3.Not(s["w_pending"][p][t]))),
            lambda p, t: (s["p_stake"][p][t], s["g_locks"][p][t], s["w_pending"][p][t])),
    )


# -- the protocol's invariants ----------------------------------------------------------------

def encode_conservation(s) -> z3.BoolRef:
    """I1: per token, balances + open escrows (payment token) + native stake + treasury + burnt
    == supply; no balance is negative."""
    return z3.And(
        over(s, "t", lambda t: s["g_bal"][t] + s["g_stake"][t] + z3.If(t == PAYMENT, s["g_escrow"], 0) + s["treasury"][t] + s["burnt"][t]
               == s["supply"][t], lambda t: (s["supply"][t], s["g_bal"][t])),
        over(s, "at", lambda a, t: s["bal"][a][t] >= 0, lambda a, t: s["bal"][a][t]),
    )


def encode_single_assignment(s) -> z3.BoolRef:
    """I2: an ask carries an assignment iff it was assigned; a member's in-flight count equals
    its ASSIGNED asks (g_active); a non-member has none."""
    return z3.And(
        over(s, "n", lambda n: z3.Implies(ask_exists(s, n), s["a_has"][n] == member_of(s["a_state"][n], WAS_ASSIGNED)),
               lambda n: s["a_has"][n]),
        over(s, "mp", lambda m, p: z3.If(s["ms_member"][m][p], s["ms_active"][m][p] == s["g_active"][m][p], s["g_active"][m][p] == 0),
               lambda m, p: (s["ms_member"][m][p], s["g_active"][m][p])),
    )


def encode_capacity(s) -> z3.BoolRef:
    """I3: compute in use == the compute of the prover's in-flight tasks <= declared; 0 <= locked <= stake."""
    return z3.And(
        over(s, "p", lambda p: z3.Implies(s["p_reg"][p], z3.And(
            s["p_in_use"][p] == s["g_compute"][p], 0 <= s["g_compute"][p], s["g_compute"][p] <= s["p_declared"][p])),
            lambda p: (s["p_in_use"][p], s["g_compute"][p])),
        over(s, "pt", lambda p, t: z3.Implies(s["p_reg"][p], z3.And(0 <= s["p_locked"][p][t], s["p_locked"][p][t] <= s["p_stake"][p][t])),
               lambda p, t: (s["p_locked"][p][t], s["p_stake"][p][t])),
    )


def encode_escrow(s) -> z3.BoolRef:
    """I4: an open ask's escrow is max_price + fee, a closed ask's 0; no assigned price exceeds max_price."""
    return over(s, "n", lambda n: z3.Implies(ask_exists(s, n), z3.And(
        s["a_escrow"][n] == z3.If(member_of(s["a_state"][n], OPEN), s["a_max"][n] + s["a_fee"][n], 0),
        z3.Implies(s["a_has"][n], s["a_price"][n] <= s["a_max"][n]))),
        lambda n: (s["a_escrow"][n], s["a_has"][n]))


def encode_stake_backing(s) -> z3.BoolRef:
    """I7: locked stake == the sum of what the in-flight tasks locked (g_locks); locked + pending
    withdrawal <= stake; each in-flight task locked a positive amount in some stake token, or
    holds a restaked backing (R3: its locks sum to > 0)."""
    return z3.And(
        over(s, "pt", lambda p, t: z3.Implies(s["p_reg"][p], z3.And(
            s["p_locked"][p][t] == s["g_locks"][p][t],
            s["p_locked"][p][t] + z3.If(s["w_pending"][p][t], s["w_amount"][p][t], 0) <= s["p_stake"][p][t])),
            lambda p, t: (s["p_locked"][p][t], s["g_locks"][p][t])),
        over(s, "n", lambda n: z3.Implies(z3.And(in_flight(s, n), z3.Not(s["a_rback"][n])),
                                          any_stake_token(s, lambda t: s["a_locked"][n][t] > 0, "i7.t", lambda t: s["a_locked"][n][t], (n,))),
               lambda n: s["a_locked"][n]),
    )


def encode_withdrawal(s) -> z3.BoolRef:
    """I9: a pending withdrawal belongs to a registered prover, is positive and is covered by
    stake no task holds."""
    return over(s, "pt", lambda p, t: z3.Implies(s["w_pending"][p][t], z3.And(
        s["p_reg"][p], s["w_amount"][p][t] > 0, s["p_stake"][p][t] - s["p_locked"][p][t] >= s["w_amount"][p][t])),
        lambda p, t: s["w_pending"][p][t])


def encode_bounded_liveness(s) -> z3.BoolRef:
    """I11 (state part): an in-flight task's deadline is at most its ask's expiry + proof_time,
    so every ask can be closed by expiry + proof_time + 1 (expire_ask / slash_missed_deadline
    are enabled past their bound: `liveness_enabled`)."""
    return over(s, "n", lambda n: z3.Implies(in_flight(s, n), s["a_deadline"][n] <= s["a_expiry"][n] + s["a_ptime"][n]),
                  lambda n: s["a_deadline"][n])


# -- step invariants --------------------------------------------------------------------------

ASK_RECORD = ("a_market", "a_requester", "a_max", "a_fee", "a_expiry", "a_ptime", "a_created", "a_escrow", "a_state",
              "a_private", "a_has", "a_prover", "a_price", "a_at", "a_deadline", "a_compute")
ASSIGNMENT = ("a_prover", "a_price", "a_at", "a_deadline", "a_compute")


def _changed(pre, post, n) -> z3.BoolRef:
    return z3.And(ask_exists(pre, n), z3.Or([pre[f][n] != post[f][n] for f in ASK_RECORD]))


def _over_changed(pre, post, body) -> z3.BoolRef:
    return forall(["n"], lambda n: z3.Implies(_changed(pre, post, n), body(n)), lambda n: post["a_state"][n])


def encode_single_assignment_step(pre, op, post) -> z3.BoolRef:
    """I2 (step): an assignment is only made to an UNASSIGNED ask and never replaced; terminal states are final."""
    return _over_changed(pre, post, lambda n: z3.And(
        z3.Implies(pre["a_has"][n], z3.And(post["a_has"][n], *(pre[f][n] == post[f][n] for f in ASSIGNMENT))),
        z3.Implies(z3.And(z3.Not(pre["a_has"][n]), post["a_has"][n]), pre["a_state"][n] == UNASSIGNED),
        member_of(pre["a_state"][n], OPEN)))


def encode_deadline_step(pre, op, post) -> z3.BoolRef:
    """I5: DEADLINE_CROSSED only from ASSIGNED (hence once), by slash_missed_deadline only
    strictly after the deadline; a proof or invalid-inputs statement only up to the deadline."""
    def body(n):
        before, after, deadline = pre["a_state"][n], post["a_state"][n], pre["a_deadline"][n]
        parts = [z3.Implies(after == DEADLINE_CROSSED, before == ASSIGNED),
                 z3.Implies(z3.And(before == ASSIGNED, member_of(after, (COMPLETE, INVALID_INPUTS))), post["now"] <= deadline)]
        if op.name == "slash_missed_deadline":
            parts.append(z3.Implies(z3.And(before == ASSIGNED, after == DEADLINE_CROSSED), post["now"] > deadline))
        return z3.And(parts)
    return _over_changed(pre, post, body)


def encode_bounds_step(pre, op, post) -> z3.BoolRef:
    """I6: an assignment has quote price <= price <= max_price, quote time <= proof_time, happens
    at or before expiry, and is the statement the engine signed (op's ask, prover and price)."""
    def body(n):
        m, p, price = post["a_market"][n], post["a_prover"][n], post["a_price"][n]
        signed = (z3.And(op.signature_valid, op.ask_id == n, op.prover == p, op.price == price)
                  if op.name == "assign_task" else z3.BoolVal(False))
        return z3.Implies(z3.And(pre["a_state"][n] == UNASSIGNED, post["a_state"][n] == ASSIGNED), z3.And(
            pre["ms_quote"][m][p], pre["ms_price"][m][p] <= price, price <= post["a_max"][n],
            pre["ms_time"][m][p] <= post["a_ptime"][n], pre["now"] <= post["a_expiry"][n], signed))
    return _over_changed(pre, post, body)


def encode_attested_private_inputs_step(pre, op, post) -> z3.BoolRef:
    """I12: an ask with private inputs is assigned, or its inputs declared invalid, only while
    its market's engine key is attested in the pre-state."""
    def body(n):
        before, after = pre["a_state"][n], post["a_state"][n]
        handled = z3.Or(z3.And(before == UNASSIGNED, after == ASSIGNED), z3.And(before == ASSIGNED, after == INVALID_INPUTS))
        return z3.Implies(z3.And(pre["a_private"][n], handled), pre["m_attested"][pre["a_market"][n]])
    return _over_changed(pre, post, body)


AUXILIARY = (
    UInvariant("A0", "config_valid", state=encode_config_valid),
    UInvariant("A1", "well_formed", state=encode_well_formed),
    UInvariant("A2", "markets_valid", state=encode_markets_valid),
    UInvariant("A3", "memberships_valid", state=encode_memberships_valid),
    UInvariant("A4", "asks_valid", state=encode_asks_valid),
    UInvariant("G1", "unregistered_empty", state=encode_unregistered_empty),
)
PROTOCOL = (
    UInvariant("I1", "conservation", state=encode_conservation),
    UInvariant("I2", "single_assignment", state=encode_single_assignment, step=encode_single_assignment_step),
    UInvariant("I3", "capacity", state=encode_capacity),
    UInvariant("I4", "escrow", state=encode_escrow),
    UInvariant("I5", "deadline", step=encode_deadline_step),
    UInvariant("I6", "bounds", step=encode_bounds_step),
    UInvariant("I7", "stake_backing", state=encode_stake_backing),
    UInvariant("I9", "withdrawal", state=encode_withdrawal),
    UInvariant("I11", "bounded_liveness", state=encode_bounded_liveness),
    UInvariant("I12", "attested_private_inputs", step=encode_attested_private_inputs_step),
)
ALL = AUXILIARY + RESTAKING_AUXILIARY + PROTOCOL[:7] + RESTAKING_PROTOCOL + PROTOCOL[7:]
BY_ID = {inv.id: inv for inv in ALL}
STATE_IDS = tuple(inv.id for inv in ALL if inv.state is not None)


def hypothesis(s, ids=STATE_IDS) -> z3.BoolRef:
    """The state formulas of `ids`, as hypotheses (existentials Skolemized)."""
    marked = {**s, SKOLEM: f"sk.{s['now']}"}
    return z3.And([BY_ID[i].state(marked) for i in ids if BY_ID[i].state is not None])
