"""The protocol state over unbounded ids: Z3 arrays indexed by account, market, ask and token
ids, with ghost aggregates for every sum an invariant needs.

Collections (arrays over any integer id): accounts (`bal[a][t]`), markets (`m_*[m]`), provers
(`p_*[p]`), memberships (`ms_*[m][p]`), asks (`a_*[n]`), withdrawals (`w_*[p][t]`), and per
token `supply`, `treasury`, `burnt`. Token ids: 0 is the payment token, `1..K` the stake tokens
(`K` symbolic in the proofs: any number of stake tokens). Scalars: the clock, the id counters and
the config. Nothing bounds the number of accounts, markets, asks or provers.

Ghost aggregates (`g_*`) stand for sums over a collection: per token the balances (`g_bal`) and
the native stake (`g_stake`); the open escrow (`g_escrow`); per (prover, token) the stake the
in-flight tasks locked (`g_locks`); per prover their compute (`g_compute`); per (market, prover)
their number (`g_active`). A summed collection is written only through `write` (one entry at a
time; each ghost moves by the entry's new minus old contribution: the summation lemma of
`lemma.py`); `put` refuses summed fields, so no encoder can move a summed value without its ghost.
"""
from __future__ import annotations

from typing import Callable

import attrs
import z3

from properties.z3.model import ASSIGNED

INT, BOOL = z3.IntSort(), z3.BoolSort()
A1 = z3.ArraySort(INT, INT)
B1 = z3.ArraySort(INT, BOOL)
A2 = z3.ArraySort(INT, A1)
B2 = z3.ArraySort(INT, B1)

SCALARS = {"now": INT, "next_market": INT, "next_ask": INT, "K": INT, "fee": INT, "delay": INT, "comp_bps": INT,
           "burn_bps": INT, "restaking_token": INT, "restaking_feasible": BOOL}
FIELDS = {
    **SCALARS,
    "supply": A1, "treasury": A1, "burnt": A1,
    "bal": A2,
    "m_owner": A1, "m_key": A1, "m_fee": A1, "m_attested": B1, "m_slash": A2,
    "p_reg": B1, "p_reward": A1, "p_declared": A1, "p_in_use": A1, "p_enc": B1, "p_stake": A2, "p_locked": A2,
    "ms_member": B2, "ms_quote": B2, "ms_exit": B2, "ms_price": A2, "ms_time": A2, "ms_compute": A2, "ms_active": A2,
    "a_market": A1, "a_requester": A1, "a_max": A1, "a_fee": A1, "a_expiry": A1, "a_ptime": A1, "a_created": A1,
    "a_escrow": A1, "a_state": A1, "a_private": B1, "a_has": B1, "a_prover": A1, "a_price": A1, "a_at": A1,
    "a_deadline": A1, "a_compute": A1, "a_locked": A2,
    "w_pending": B2, "w_amount": A2, "w_avail": A2,
    # ghost aggregates
    "g_bal": A1, "g_stake": A1, "g_escrow": INT, "g_locks": A2, "g_compute": A1, "g_active": A2,
}
CONFIG = ("K", "fee", "delay", "comp_bps", "burn_bps", "restaking_token", "restaking_feasible")
COLLECTIONS = {
    "accounts": ("bal",),
    "provers": tuple(f for f in FIELDS if f.startswith("p_")),
    "asks": tuple(f for f in FIELDS if f.startswith("a_")),
}
GHOSTS = ("g_bal", "g_stake", "g_escrow", "g_locks", "g_compute", "g_active")


def _in_flight_of(r, p):
    return z3.And(r["a_state"] == ASSIGNED, r["a_prover"] == p)


@attrs.frozen
class Aggregate:
    """`ghost[params] == Σ_i contribution(record_i, params)` over `collection`."""

    ghost: str
    collection: str
    params: int
    reads: tuple
    contribution: Callable  # (record, *params) -> Int


AGGREGATES = (
    Aggregate("g_bal", "accounts", 1, ("bal",), lambda r, t: r["bal"][t]),
    Aggregate("g_stake", "provers", 1, ("p_stake",), lambda r, t: r["p_stake"][t]),
    Aggregate("g_escrow", "asks", 0, ("a_escrow",), lambda r: r["a_escrow"]),
    Aggregate("g_locks", "asks", 2, ("a_state", "a_prover", "a_locked"),
              lambda r, p, t: z3.If(_in_flight_of(r, p), r["a_locked"][t], 0)),
    Aggregate("g_compute", "asks", 1, ("a_state", "a_prover", "a_compute"),
              lambda r, p: z3.If(_in_flight_of(r, p), r["a_compute"], 0)),
    Aggregate("g_active", "asks", 2, ("a_state", "a_prover", "a_market"),
              lambda r, m, p: z3.If(z3.And(_in_flight_of(r, p), r["a_market"] == m), 1, 0)),
)
SUMMED = frozenset(f for c in COLLECTIONS.values() for f in c) | frozenset(GHOSTS)


def fresh(name: str) -> dict:
    return {f: z3.Const(f"{name}.{f}", sort) for f, sort in FIELDS.items()}


def put(s: dict, **changes) -> dict:
    """Replace unsummed fields (a summed field or a ghost only moves through `write`)."""
    bad = sorted(set(changes) & SUMMED)
    if bad:
        raise ValueError(f"put: {bad} are summed; write them with `write` so that their ghosts follow")
    return {**s, **changes}


def record(s: dict, collection: str, index) -> dict:
    return {f: s[f][index] for f in COLLECTIONS[collection]}


def _ghost_update(ghost, agg: Aggregate, old: dict, new: dict):
    """ghost[params] + contribution(new, params) - contribution(old, params), for every params."""
    if agg.params == 0:
        return ghost + agg.contribution(new) - agg.contribution(old)
    xs = [z3.Int(f"{agg.ghost}.x{i}") for i in range(agg.params)]

    def at(arr, i):
        return arr if i == agg.params else at(arr[xs[i]], i + 1)

    body = at(ghost, 0) + agg.contribution(new, *xs) - agg.contribution(old, *xs)
    for x in reversed(xs):
        body = z3.Lambda([x], body)
    return body


def write(s: dict, collection: str, index, **fields) -> dict:
    """THE helper for summed collections: entry `index` of `collection` gets `fields`; every ghost
    aggregate over the collection whose contribution reads a changed field moves by the entry's
    new contribution minus its old one (sound by the summation lemma, `lemma.py`)."""
    unknown = set(fields) - set(COLLECTIONS[collection])
    if unknown:
        raise ValueError(f"write: {sorted(unknown)} are not fields of {collection}")
    old = record(s, collection, index)
    new = {**old, **fields}
    out = dict(s)
    for f, value in fields.items():
        out[f] = z3.Store(s[f], index, value)
    for agg in AGGREGATES:
        if agg.collection == collection and set(agg.reads) & set(fields):
            out[agg.ghost] = _ghost_update(s[agg.ghost], agg, old, new)
    return out


# -- tokens: any number K of stake tokens (expanded when K is a Python int) ---------------------

def stake_tokens(s: dict):
    """(t, condition) pairs or a quantified variable: use `all_stake_tokens` / `any_stake_token`."""
    return s["K"]


def all_stake_tokens(s: dict, body: Callable, name: str = "t", pattern: Callable | None = None) -> z3.BoolRef:
    """`body(t)` for every stake token t in 1..K."""
    K = s["K"]
    if isinstance(K, int):
        return z3.And([body(z3.IntVal(t)) for t in range(1, K + 1)]) if K else z3.BoolVal(True)
    t = z3.Int(name)
    kwargs = {"patterns": [pattern(t)]} if pattern is not None else {}
    return z3.ForAll([t], z3.Implies(z3.And(1 <= t, t <= K), body(t)), **kwargs)


def any_stake_token(s: dict, body: Callable, name: str = "t") -> z3.BoolRef:
    """`body(t)` for some stake token t in 1..K."""
    K = s["K"]
    if isinstance(K, int):
        return z3.Or([body(z3.IntVal(t)) for t in range(1, K + 1)]) if K else z3.BoolVal(False)
    t = z3.Int(name)
    return z3.Exists([t], z3.And(1 <= t, t <= K, body(t)))


def is_stake_token(s: dict, t) -> z3.BoolRef:
    return z3.And(1 <= t, t <= s["K"])


def is_known_token(s: dict, t) -> z3.BoolRef:
    return z3.And(0 <= t, t <= s["K"])


def row_lambda(fn: Callable, name: str) -> z3.ArrayRef:
    x = z3.Int(name)
    return z3.Lambda([x], fn(x))


def store2(arr, i, j, value):
    return z3.Store(arr, i, z3.Store(arr[i], j, value))
