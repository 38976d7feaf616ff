"""The protocol state over unbounded ids: Z3 arrays indexed by account, market, ask and token
ids, with ghost aggregates for every sum an invariant needs.

Collections (arrays over any integer id): accounts (`bal[a][t]`), markets (`m_*[m]`), provers
(`p_*[p]`), memberships (`ms_*[m][p]`), asks (`a_*[n]`), withdrawals (`w_*[p][t]`), and per
token `supply`, `treasury`, `burnt`. Token ids: 0 is the payment token, `1..K` the stake tokens
(`K` symbolic in the proofs: any number of stake tokens). Scalars: the clock, the id counters and
the config. The restaking layer's fields are in `restaking_fields.py`. Nothing bounds the number
of accounts, markets, asks, provers, vaults, snapshots or slash requests.

Ghost aggregates (`g_*`) stand for sums over a collection: per token the balances (`g_bal`) and
the native stake (`g_stake`); the open escrow (`g_escrow`); per (prover, token) the stake the
in-flight tasks locked (`g_locks`); per prover their compute (`g_compute`); per (market, prover)
their number (`g_active`); per (prover, vault) the restaked stake backings lock (`g_rlock`) and,
per capture too, what restaked slashes encumber (`g_enc`). A summed collection is written only through `write` (one entry at a
time; each ghost moves by the entry's new minus old contribution: the summation lemma of
`lemma.py`); `put` refuses summed fields, so no encoder can move a summed value without its ghost.
"""
from __future__ import annotations

from typing import Callable, Optional

import attrs
import z3

from properties.z3.model import ASSIGNED
from properties.z3.unbounded.restaking_fields import EXECUTED, NONE, RESTAKING_FIELDS

INT, BOOL = z3.IntSort(), z3.BoolSort()
A1 = z3.ArraySort(INT, INT)
B1 = z3.ArraySort(INT, BOOL)
A2 = z3.ArraySort(INT, A1)
B2 = z3.ArraySort(INT, B1)
A3 = z3.ArraySort(INT, A2)

SCALARS = {"now": INT, "next_market": INT, "next_ask": INT, "K": INT, "fee": INT, "delay": INT, "comp_bps": INT,
           "burn_bps": INT, "restaking_token": INT, "restaking_feasible": BOOL,
           # restaking: the network's parameters and governor, the latest complete capture
           "r_length": INT, "r_offset": INT, "r_epoch": INT, "r_veto": INT, "r_bridge": INT, "r_governor": INT, "s_latest": INT}
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
    # restaking (`restaking_fields.py`): vaults, complete snapshots by capture, per ask its
    # restaked backing and, per (ask, vault), its lock and the slash request it becomes
    **RESTAKING_FIELDS,
    # ghost aggregates
    "g_bal": A1, "g_stake": A1, "g_escrow": INT, "g_locks": A2, "g_compute": A1, "g_active": A2,
    "g_rlock": A2, "g_enc": A3,
}
CONFIG = ("K", "fee", "delay", "comp_bps", "burn_bps", "restaking_token", "restaking_feasible",
          "r_length", "r_offset", "r_epoch", "r_veto", "r_bridge", "r_governor")
COLLECTIONS = {
    "accounts": ("bal",),
    "provers": tuple(f for f in FIELDS if f.startswith("p_")),
    "asks": tuple(f for f in FIELDS if f.startswith("a_")),
}
GHOSTS = ("g_bal", "g_stake", "g_escrow", "g_locks", "g_compute", "g_active", "g_rlock", "g_enc")


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
    nonnegative: bool = False  # its proofs need the remainder lemma (the others' sum is >= 0)


AGGREGATES = (
    Aggregate("g_bal", "accounts", 1, ("bal",), lambda r, t: r["bal"][t]),
    Aggregate("g_stake", "provers", 1, ("p_stake",), lambda r, t: r["p_stake"][t]),
    Aggregate("g_escrow", "asks", 0, ("a_escrow",), lambda r: r["a_escrow"]),
    Aggregate("g_locks", "asks", 2, ("a_state", "a_prover", "a_locked"),
              lambda r, p, t: z3.If(_in_flight_of(r, p), r["a_locked"][t], 0), nonnegative=True),
    Aggregate("g_compute", "asks", 1, ("a_state", "a_prover", "a_compute"),
              lambda r, p: z3.If(_in_flight_of(r, p), r["a_compute"], 0), nonnegative=True),
    Aggregate("g_active", "asks", 2, ("a_state", "a_prover", "a_market"),
              lambda r, m, p: z3.If(z3.And(_in_flight_of(r, p), r["a_market"] == m), 1, 0), nonnegative=True),
    # the spec's `restaking.locked[(prover, vault)]`: what the tasks' restaked backings lock
    Aggregate("g_rlock", "asks", 2, ("a_rback", "a_prover", "a_rlock"),
              lambda r, p, v: z3.If(z3.And(r["a_rback"], r["a_prover"] == p), r["a_rlock"][v], 0), nonnegative=True),
    # `encumbered(prover, vault, snapshot captured at c)`: unresolved slash requests, and executed
    # slashes resolved at or after c
    Aggregate("g_enc", "asks", 3, ("a_prover", "a_rstatus", "a_rdone", "a_rlock", "a_rslashed", "a_rdone_at"),
              lambda r, p, v, c: z3.If(z3.And(r["a_prover"] == p, r["a_rstatus"][v] != NONE),
                                       z3.If(z3.Not(r["a_rdone"][v]), r["a_rlock"][v],
                                             z3.If(z3.And(r["a_rstatus"][v] == EXECUTED, r["a_rdone_at"][v] >= c), r["a_rslashed"][v], 0)), 0),
              nonnegative=True),
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
            if agg.nonnegative:
                out[FACTS] = out.get(FACTS, ()) + (_remainder_fact(s, agg, index, old),)
    return out


FACTS = "_facts"  # lemma instances the effect relies on (not a state field)


def _remainder_fact(s: dict, agg: Aggregate, index, old: dict) -> z3.BoolRef:
    """The remainder lemma (`lemma.py`) at this write: if every entry's contribution is >= 0,
    the sum less the rewritten entry's old contribution (the sum of the others) is >= 0."""
    i = z3.Int(f"{agg.ghost}.i")
    xs = [z3.Int(f"{agg.ghost}.q{k}") for k in range(agg.params)]
    entry = {f: s[f][i] for f in COLLECTIONS[agg.collection]}

    def at(arr, k=0):
        return arr if k == agg.params else at(arr[xs[k]], k + 1)

    every_entry = z3.ForAll([i, *xs], agg.contribution(entry, *xs) >= 0)
    rest = at(s[agg.ghost]) - agg.contribution(old, *xs) >= 0
    return z3.Implies(every_entry, z3.ForAll(xs, rest) if xs else rest)


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


SKOLEM = "_skolem"  # a state marked so is a hypothesis: its existentials get explicit Skolem functions


def any_stake_token(s: dict, body: Callable, name: str = "t", pattern: Callable | None = None, outer: tuple = ()) -> z3.BoolRef:
    """`body(t)` for some stake token t in 1..K (`pattern(t)` triggers its negation). In a
    hypothesis (`s[SKOLEM]`), t is a Skolem function of the `outer` bound variables (the same
    formula up to satisfiability, and E-matching can use it)."""
    K = s["K"]
    if isinstance(K, int):
        return z3.Or([body(z3.IntVal(t)) for t in range(1, K + 1)]) if K else z3.BoolVal(False)
    if s.get(SKOLEM):
        w = z3.Function(f"{s[SKOLEM]}.{name}", *[z3.IntSort()] * len(outer), z3.IntSort())(*outer) if outer else z3.Int(f"{s[SKOLEM]}.{name}")
        return z3.And(1 <= w, w <= K, body(w))
    t = z3.Int(name)
    triggers = _triggers(pattern(t), t) if pattern is not None else []
    kwargs = {"patterns": triggers} if triggers else {}
    return z3.Exists([t], z3.And(1 <= t, t <= K, body(t)), **kwargs)


def _triggers(term, var) -> list:
    """`term` if it is a trigger; else (a select through stores and lambdas, as a post-state term
    is) the plain selects mentioning `var` it can reduce to, each one an alternative trigger."""
    out = []
    for reduced in _reductions(term):
        for e in _subterms(reduced):
            if z3.is_select(e) and _plain(e) and any(c.eq(var) for c in e.children()[1:]) and not any(e.eq(o) for o in out):
                out.append(e)
    return out


def _reductions(term) -> list:
    """The terms a select can reduce to: select(store(a, i, v), j) to select(a, j) or v,
    select(lambda x. b, j) to b[x := j]."""
    if not z3.is_select(term):
        return [term]
    out = []
    for arr in _reductions(term.arg(0)):
        index = term.arg(1)
        if z3.is_store(arr):
            out += _reductions(z3.Select(arr.arg(0), index)) + _reductions(arr.arg(2))
        elif z3.is_quantifier(arr) and arr.is_lambda():
            out.append(z3.substitute_vars(arr.body(), index))
        else:
            out.append(z3.Select(arr, index))
    return out


def _subterms(e) -> list:
    out, seen = [], set()

    def go(x):
        if x.get_id() in seen:
            return
        seen.add(x.get_id())
        out.append(x)
        for child in x.children() if z3.is_app(x) else ():
            go(child)

    go(e)
    return out


def _plain(term) -> bool:
    """A trigger term: selects over uninterpreted array constants only."""
    if z3.is_select(term):
        return _plain(term.arg(0)) and all(z3.is_var(a) or _plain(a) for a in term.children()[1:])
    return z3.is_const(term) and term.decl().kind() == z3.Z3_OP_UNINTERPRETED


def is_stake_token(s: dict, t) -> z3.BoolRef:
    return z3.And(1 <= t, t <= s["K"])


def is_known_token(s: dict, t) -> z3.BoolRef:
    return z3.And(0 <= t, t <= s["K"])


def row_lambda(fn: Callable, name: str) -> z3.ArrayRef:
    x = z3.Int(name)
    return z3.Lambda([x], fn(x))


def store2(arr, i, j, value):
    return z3.Store(arr, i, z3.Store(arr[i], j, value))


def forall_ids(names, body: Callable, pattern: Callable) -> z3.BoolRef:
    """∀ names. body, triggered by `pattern(*vars)` (a term or a tuple of alternatives) when
    those are plain selects of the state's arrays (a concrete state needs no triggers)."""
    xs = [z3.Int(n) for n in names]
    pats = pattern(*xs)
    pats = list(pats) if isinstance(pats, tuple) else [pats]
    if not all(_plain(p) for p in pats):
        return z3.ForAll(xs, body(*xs))
    return z3.ForAll(xs, body(*xs), patterns=pats)


def initial(name: str = "init") -> dict:
    """`spec.genesis(config, time)`: any config and clock, every collection empty."""
    s = fresh(name)

    def empty(sort):
        if sort == z3.IntSort():
            return z3.IntVal(0)
        if sort == z3.BoolSort():
            return z3.BoolVal(False)
        return z3.K(sort.domain(), empty(sort.range()))

    out = dict(s)
    for f, sort in FIELDS.items():
        if f not in CONFIG and f != "now":
            out[f] = empty(sort)
    out["s_latest"] = z3.IntVal(-1)  # no complete snapshot
    return out


@attrs.frozen
class UInvariant:
    """An invariant of the unbounded model: a state formula, a two-state (step) formula, or both."""

    id: str
    name: str
    state: Optional[Callable] = None
    step: Optional[Callable] = None
