"""Round-robin: eligible provers take asks in a fixed rotation, whatever their price within the
ask's bounds, so no engine can starve a prover (censorship resistance)."""
from __future__ import annotations

from typing import Optional

from spec.containers import Ask, State
from spec.env import DEFAULT_ENV, Env
from spec.matching.common import Match, eligible, match_in_order, open_asks, require_seed, tie_rank
from spec.types import MatchingProtocol


def rotation(state: State, market_id: int, seed: int) -> list[str]:
    """The market's rotation: every member (quoting or not, so positions do not shift when a
    quote is cancelled) in tie_rank(seed, ·) order."""
    return sorted((prover for (mid, prover) in state.memberships if mid == market_id), key=lambda p: tie_rank(seed, p))


def ask_ordinal(state: State, ask: Ask) -> int:
    """How many asks of the same market were created before this one."""
    return sum(1 for other in state.asks.values() if other.market_id == ask.market_id and other.id < ask.id)


def next_in_rotation(state: State, ask: Ask, seed: int, env: Env = DEFAULT_ENV) -> Optional[Match]:
    """The k-th ask of a market (k = ask_ordinal) starts at rotation position k mod n and goes
    to the first eligible prover from there on, wrapping once; it is paid its quoted price."""
    order = rotation(state, ask.market_id, seed)
    start = ask_ordinal(state, ask)
    for i in range(len(order)):
        prover = order[(start + i) % len(order)]
        quote = state.memberships[(ask.market_id, prover)].quote
        if quote is not None and eligible(state, ask, prover, quote.price, env):
            return Match(ask.id, prover, quote.price)
    return None


def round_robin(state: State, seed: int = 0, env: Env = DEFAULT_ENV) -> tuple[Match, ...]:
    """Match every open ask of the round-robin markets, by ask id, with `next_in_rotation`."""
    require_seed(seed)
    asks = open_asks(state, MatchingProtocol.ROUND_ROBIN.value)
    return match_in_order(state, asks, lambda s, ask: next_in_rotation(s, ask, seed, env), env)
