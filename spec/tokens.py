"""Tokens and balances: the payment token, the stake tokens, treasury and burn."""
from __future__ import annotations

import attrs
from pyrsistent import PMap

from spec.containers import State
from spec.env import Env
from spec.errors import InsufficientBalance, InvalidAmount, UnknownToken, require
from spec.events import event
from spec.operations import Mint


def balance_of(state: State, account: str, token: str) -> int:
    return state.balances.get((account, token), 0)


def _adjust(mapping: PMap, key, amount: int) -> PMap:
    """Add `amount` at `key`; zero entries are dropped so equal states compare equal."""
    total = mapping.get(key, 0) + amount
    return mapping.discard(key) if total == 0 else mapping.set(key, total)


def credit(balances: PMap, account: str, token: str, amount: int) -> PMap:
    return _adjust(balances, (account, token), amount)


def debit(balances: PMap, account: str, token: str, amount: int, field: str = "amount") -> PMap:
    """Take `amount` from `account`; the balance must cover it."""
    held = balances.get((account, token), 0)
    require(held >= amount, InsufficientBalance, field, f"{account} holds {held} {token}, needs {amount}")
    return _adjust(balances, (account, token), -amount)


def add_to(bucket: PMap, token: str, amount: int) -> PMap:
    return _adjust(bucket, token, amount)


def require_known_token(state: State, token: str, field: str = "token") -> None:
    require(token in state.config.tokens, UnknownToken, field, f"{token!r} is not one of {list(state.config.tokens)}")


def process_mint(state: State, op: Mint, env: Env):
    """Mint `amount` of `token` to `account` (the environment's faucet); supply grows by the same."""
    require_known_token(state, op.token)
    require(op.amount > 0, InvalidAmount, "amount", "must be > 0")
    new = attrs.evolve(
        state,
        balances=credit(state.balances, op.account, op.token, op.amount),
        supply=add_to(state.supply, op.token, op.amount),
    )
    return new, [event("Minted", account=op.account, token=op.token, amount=op.amount)]
