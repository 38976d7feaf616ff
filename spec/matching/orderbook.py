"""Orderbook: standing quotes, each ask matched at once to the quote that best fits its
requester's price-vs-time preference."""
from __future__ import annotations

from typing import Optional

from spec.containers import Ask, Quote, State
from spec.env import DEFAULT_ENV, Env
from spec.matching.common import Match, eligible, match_in_order, open_asks, quoting_members, require_seed, tie_rank
from spec.types import BPS, MatchingProtocol


def preference_score(ask: Ask, quote: Quote) -> int:
    """Lower is better: w·price/max_price + (BPS − w)·proposed_time/proof_time with
    w = price_time_preference (BPS: price only, 0: time only), scaled by max_price·proof_time
    to stay an integer."""
    w = ask.price_time_preference
    return w * quote.price * ask.proof_time + (BPS - w) * quote.proposed_time * ask.max_price


def orderbook_key(ask: Ask, quote: Quote, seed: int, prover: str) -> tuple:
    """The ranking of a quote for `ask`: score, then price, then proposed time, then tie_rank.
    Price and time break score ties, so a quote dominated in both is never ranked first."""
    return preference_score(ask, quote), quote.price, quote.proposed_time, tie_rank(seed, prover)


def best_quote(state: State, ask: Ask, seed: int, env: Env = DEFAULT_ENV) -> Optional[Match]:
    """The eligible quote of the ask's market ranking first by `orderbook_key`, paid its quoted price."""
    ranked = [
        (orderbook_key(ask, quote, seed, prover), prover, quote)
        for prover, quote in quoting_members(state, ask.market_id)
        if eligible(state, ask, prover, quote.price, env)
    ]
    if not ranked:
        return None
    _, prover, quote = min(ranked, key=lambda entry: entry[0])
    return Match(ask.id, prover, quote.price)


def orderbook(state: State, seed: int = 0, env: Env = DEFAULT_ENV) -> tuple[Match, ...]:
    """Match every open ask of the orderbook markets, by ask id, to its `best_quote` on the state
    the earlier matches left. The prover is paid its quoted price (pay-as-quoted: the requester
    keeps max_price − price). An ask with no eligible quote stays open."""
    require_seed(seed)
    asks = open_asks(state, MatchingProtocol.ORDERBOOK.value)
    return match_in_order(state, asks, lambda s, ask: best_quote(s, ask, seed, env), env)
