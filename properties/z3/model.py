"""The symbolic protocol state: the spec's `State` over bounded collections, with Z3 leaves.

Bounds: `accounts` addresses (every prover is one of them; prover slots are indexed by
account), `markets` market ids, `asks` ask ids, one payment token (token index 0) and
`stake_tokens` stake tokens (token indices 1..K, stake slots 0..K-1). A market or ask exists
iff its id is below `next_market_id` / `next_ask_id`; a prover exists iff `registered`; a
membership iff `member`; a withdrawal iff `pending`. Absent entries carry default values.

Abstracted (not part of the symbolic state): byte strings (public/private inputs, proofs,
signatures), verifier ids, matching-protocol tags and the price/time preference once
validated. Signature and proof verification are uninterpreted: the operation carries their
outcome as a boolean (`signature_valid`, `proof_valid`).

The same structures hold Python values (a concrete state, see `properties.z3.concrete`), so the
encoding can be evaluated on a concrete state and compared with the executable spec.
"""
from __future__ import annotations

from typing import Any

import attrs
import z3

from spec.types import AskState

ASK_STATES = tuple(AskState)
ASK = {state: index for index, state in enumerate(ASK_STATES)}
UNASSIGNED, ASSIGNED, COMPLETE, EXPIRED, DEADLINE_CROSSED, INVALID_INPUTS, CANCELLED = (ASK[s] for s in ASK_STATES)
OPEN = (UNASSIGNED, ASSIGNED)
WAS_ASSIGNED = (ASSIGNED, COMPLETE, DEADLINE_CROSSED, INVALID_INPUTS)
PAYMENT = 0


@attrs.frozen
class Bounds:
    """The size of the bounded instance."""

    accounts: int = 3
    markets: int = 2
    asks: int = 3
    stake_tokens: int = 1
    engine_keys: int = 2

    @property
    def tokens(self) -> int:
        return 1 + self.stake_tokens

    def __str__(self) -> str:
        return f"A={self.accounts} M={self.markets} N={self.asks} K={self.stake_tokens}"


@attrs.frozen
class SConfig:
    """`restaking_token`: the token index restaked stake counts as (-1: none of the tokens);
    `restaking_feasible`: the restaking parameters leave room for a task under the key safety rule."""

    market_creation_fee: Any
    stake_withdrawal_delay: Any
    slash_compensation_bps: Any
    slash_burn_bps: Any
    restaking_token: Any
    restaking_feasible: Any


@attrs.frozen
class SMarket:
    """`attested`: the engine key has an enclave measurement (`engine_measurement` is not None)."""

    owner: Any
    engine_key: Any
    slash_amount: tuple
    platform_fee: Any
    attested: Any


@attrs.frozen
class SProver:
    """`has_encryption_key`: the prover registered an encryption key."""

    registered: Any
    reward_address: Any
    declared_compute: Any
    compute_in_use: Any
    stake: tuple
    locked: tuple
    has_encryption_key: Any


@attrs.frozen
class SMembership:
    member: Any
    has_quote: Any
    price: Any
    proposed_time: Any
    compute_per_request: Any
    active_tasks: Any
    exit_requested: Any


@attrs.frozen
class SAssignment:
    prover: Any
    price: Any
    assigned_at: Any
    deadline: Any
    compute: Any
    locked: tuple


@attrs.frozen
class SAsk:
    market_id: Any
    requester: Any
    max_price: Any
    fee: Any
    expiry: Any
    proof_time: Any
    created_at: Any
    escrow: Any
    state: Any
    has_private_inputs: Any
    has_assignment: Any
    assignment: SAssignment


@attrs.frozen
class SWithdrawal:
    pending: Any
    amount: Any
    available_at: Any


@attrs.frozen
class SState:
    """`spec.containers.State` over the bounds: tuples indexed by account, market, ask, token."""

    config: SConfig
    time: Any
    supply: tuple
    balances: tuple
    treasury: tuple
    burnt: tuple
    markets: tuple
    provers: tuple
    memberships: tuple
    asks: tuple
    withdrawals: tuple
    next_market_id: Any
    next_ask_id: Any


def leaves(value) -> list:
    """Every leaf of a symbolic (or concrete) structure, in a fixed order."""
    if attrs.has(type(value)):
        return [leaf for f in attrs.fields(type(value)) for leaf in leaves(getattr(value, f.name))]
    if isinstance(value, tuple):
        return [leaf for item in value for leaf in leaves(item)]
    return [value]


def leaf_names(value, prefix: str = "") -> list[str]:
    if attrs.has(type(value)):
        return [n for f in attrs.fields(type(value)) for n in leaf_names(getattr(value, f.name), f"{prefix}.{f.name}" if prefix else f.name)]
    if isinstance(value, tuple):
        return [n for i, item in enumerate(value) for n in leaf_names(item, f"{prefix}[{i}]")]
    return [prefix]


def rebuild(template, values: list):
    """`template`'s structure with its leaves replaced, in `leaves` order, by `values`."""
    it = iter(values)

    def go(node):
        if attrs.has(type(node)):
            return type(node)(**{f.name: go(getattr(node, f.name)) for f in attrs.fields(type(node))})
        if isinstance(node, tuple):
            return tuple(go(item) for item in node)
        return next(it)

    out = go(template)
    assert next(it, None) is None
    return out


def ite(condition, then, otherwise):
    """Leaf-wise `If(condition, then, otherwise)` over equal-shaped structures."""
    if attrs.has(type(then)):
        return type(then)(**{f.name: ite(condition, getattr(then, f.name), getattr(otherwise, f.name)) for f in attrs.fields(type(then))})
    if isinstance(then, tuple):
        return tuple(ite(condition, a, b) for a, b in zip(then, otherwise))
    if then is otherwise:
        return then
    return z3.If(condition, then, otherwise)


def same(a, b) -> z3.BoolRef:
    """Leaf-wise equality of two equal-shaped structures."""
    return z3.And([x == y for x, y in zip(leaves(a), leaves(b))])


def get_at(items: tuple, index):
    """`items[index]` for a symbolic index (the last item when out of range: callers guard)."""
    out = items[-1]
    for n in range(len(items) - 2, -1, -1):
        out = ite(index == n, items[n], out)
    return out


def set_at(items: tuple, index, value) -> tuple:
    return tuple(ite(index == n, value, item) for n, item in enumerate(items))


def add_at(values: tuple, index, amount) -> tuple:
    return tuple(z3.If(index == n, v + amount, v) for n, v in enumerate(values))


def in_range(index, size: int) -> z3.BoolRef:
    return z3.And(0 <= index, index < size)


def member_of(value, options) -> z3.BoolRef:
    return z3.Or([value == o for o in options])


def fresh_state(bounds: Bounds, name: str) -> SState:
    """A state whose every leaf is a fresh Z3 constant named after its path."""
    I = lambda leaf: z3.Int(f"{name}.{leaf}")  # noqa: E731
    B = lambda leaf: z3.Bool(f"{name}.{leaf}")  # noqa: E731
    K, T = bounds.stake_tokens, bounds.tokens
    return SState(
        config=SConfig(*(I(f"config.{f.name}") for f in attrs.fields(SConfig)[:-1]), B("config.restaking_feasible")),
        time=I("time"),
        supply=tuple(I(f"supply[{t}]") for t in range(T)),
        balances=tuple(tuple(I(f"balances[{a}][{t}]") for t in range(T)) for a in range(bounds.accounts)),
        treasury=tuple(I(f"treasury[{t}]") for t in range(T)),
        burnt=tuple(I(f"burnt[{t}]") for t in range(T)),
        markets=tuple(
            SMarket(I(f"markets[{m}].owner"), I(f"markets[{m}].engine_key"),
                    tuple(I(f"markets[{m}].slash_amount[{k}]") for k in range(K)), I(f"markets[{m}].platform_fee"),
                    B(f"markets[{m}].attested"))
            for m in range(bounds.markets)
        ),
        provers=tuple(
            SProver(B(f"provers[{a}].registered"), I(f"provers[{a}].reward_address"), I(f"provers[{a}].declared_compute"),
                    I(f"provers[{a}].compute_in_use"), tuple(I(f"provers[{a}].stake[{k}]") for k in range(K)),
                    tuple(I(f"provers[{a}].locked[{k}]") for k in range(K)), B(f"provers[{a}].has_encryption_key"))
            for a in range(bounds.accounts)
        ),
        memberships=tuple(
            tuple(
                SMembership(*(
                    (B if f.name in ("member", "has_quote", "exit_requested") else I)(f"memberships[{m}][{a}].{f.name}")
                    for f in attrs.fields(SMembership)
                ))
                for a in range(bounds.accounts)
            )
            for m in range(bounds.markets)
        ),
        asks=tuple(
            SAsk(
                *(I(f"asks[{n}].{f}") for f in ("market_id", "requester", "max_price", "fee", "expiry", "proof_time", "created_at", "escrow", "state")),
                B(f"asks[{n}].has_private_inputs"),
                B(f"asks[{n}].has_assignment"),
                SAssignment(*(I(f"asks[{n}].assignment.{f}") for f in ("prover", "price", "assigned_at", "deadline", "compute")),
                            tuple(I(f"asks[{n}].assignment.locked[{k}]") for k in range(K))),
            )
            for n in range(bounds.asks)
        ),
        withdrawals=tuple(
            tuple(SWithdrawal(B(f"withdrawals[{a}][{k}].pending"), I(f"withdrawals[{a}][{k}].amount"), I(f"withdrawals[{a}][{k}].available_at"))
                  for k in range(K))
            for a in range(bounds.accounts)
        ),
        next_market_id=I("next_market_id"),
        next_ask_id=I("next_ask_id"),
    )


def lift(value):
    """A concrete leaf as a Z3 value."""
    if isinstance(value, bool):
        return z3.BoolVal(value)
    if isinstance(value, int):
        return z3.IntVal(value)
    return value


def as_python(value):
    """A Z3 value (from a model) as a Python bool/int."""
    if z3.is_true(value):
        return True
    if z3.is_false(value):
        return False
    return value.as_long()
