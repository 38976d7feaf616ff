"""Reverse-Dutch: the offered price rises from a floor to max_price over a ramp; the first
prover to lock the ask wins it at the price of that instant."""
from __future__ import annotations

from typing import Iterable, Optional

import attrs

from spec.containers import Ask, State
from spec.env import DEFAULT_ENV, Env
from spec.errors import require
from spec.matching.common import InvalidMatchingRule, Match, eligible, match_in_order, open_asks, require_seed, tie_rank
from spec.types import BPS, MatchingProtocol


@attrs.frozen
class DutchRules:
    """The price starts at floor_bps of max_price at the ask's creation and reaches max_price
    `ramp` seconds later."""

    floor_bps: int
    ramp: int

    def __attrs_post_init__(self):
        require(type(self.floor_bps) is int and 0 <= self.floor_bps <= BPS, InvalidMatchingRule, "floor_bps", f"must be an integer in 0..{BPS}")
        require(type(self.ramp) is int and self.ramp > 0, InvalidMatchingRule, "ramp", "must be an integer > 0")


@attrs.frozen
class Lock:
    ask_id: int
    prover: str
    at: int


def dutch_price(ask: Ask, rules: DutchRules, at: int) -> int:
    """floor + (max_price − floor)·min(at − created_at, ramp) // ramp, floor = max_price·floor_bps // BPS."""
    floor = ask.max_price * rules.floor_bps // BPS
    elapsed = min(max(at - ask.created_at, 0), rules.ramp)
    return floor + (ask.max_price - floor) * elapsed // rules.ramp


def first_lock(state: State, ask: Ask, rules: DutchRules, locks: Iterable[Lock], seed: int, env: Env = DEFAULT_ENV) -> Optional[Match]:
    """The earliest lock (then by tie_rank) made in [created_at, min(time, expiry)] by a prover
    eligible at the price of its instant (so the price must have risen to its quote) wins at that price."""
    candidates = sorted(
        (lock.at, tie_rank(seed, lock.prover), lock.prover) for lock in locks
        if lock.ask_id == ask.id and ask.created_at <= lock.at <= min(state.time, ask.expiry)
    )
    for at, _, prover in candidates:
        price = dutch_price(ask, rules, at)
        if eligible(state, ask, prover, price, env):
            return Match(ask.id, prover, price)
    return None


def reverse_dutch(state: State, rules: DutchRules, locks: Iterable[Lock], seed: int = 0, env: Env = DEFAULT_ENV) -> tuple[Match, ...]:
    """Match every open ask of the reverse-Dutch markets, by ask id, with `first_lock`."""
    require_seed(seed)
    locks = tuple(locks)
    asks = open_asks(state, MatchingProtocol.REVERSE_DUTCH.value)
    return match_in_order(state, asks, lambda s, ask: first_lock(s, ask, rules, locks, seed, env), env)
