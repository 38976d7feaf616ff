"""Sealed-bid auction: provers commit to hidden bids, then reveal them; the lowest eligible bid
wins and is paid the second-lowest eligible bid (a reverse Vickrey auction)."""
from __future__ import annotations

import hashlib
from typing import Iterable, Optional

import attrs

from spec.containers import Ask, State
from spec.env import DEFAULT_ENV, Env
from spec.errors import require
from spec.matching.common import InvalidMatchingRule, Match, eligible, match_in_order, open_asks, require_seed, tie_rank
from spec.signing import encode_statement
from spec.types import MatchingProtocol


@attrs.frozen
class AuctionRules:
    """Windows counted from the ask's creation: commitments in [created_at, created_at +
    commit_window), reveals in [that end, that end + reveal_window); the auction closes then."""

    commit_window: int
    reveal_window: int

    def __attrs_post_init__(self):
        require(type(self.commit_window) is int and self.commit_window > 0, InvalidMatchingRule, "commit_window", "must be an integer > 0")
        require(type(self.reveal_window) is int and self.reveal_window > 0, InvalidMatchingRule, "reveal_window", "must be an integer > 0")

    def commit_end(self, ask: Ask) -> int:
        return ask.created_at + self.commit_window

    def close(self, ask: Ask) -> int:
        return ask.created_at + self.commit_window + self.reveal_window


@attrs.frozen
class BidCommitment:
    ask_id: int
    prover: str
    commitment: bytes
    at: int


@attrs.frozen
class BidReveal:
    ask_id: int
    prover: str
    price: int
    salt: bytes
    at: int


def bid_commitment(market_id: int, ask_id: int, prover: str, price: int, salt: bytes) -> bytes:
    """SHA-256 of the canonical encoding of ("bid", market_id, ask_id, prover, price, salt hex);
    the salt (32 random bytes) hides the price until the reveal."""
    return hashlib.sha256(encode_statement("bid", market_id, ask_id, prover, price, "0x" + salt.hex())).digest()


def revealed_bids(ask: Ask, rules: AuctionRules, commitments: Iterable[BidCommitment], reveals: Iterable[BidReveal]) -> dict[str, int]:
    """prover -> price of every bid that counts: the prover's earliest commitment for the ask
    inside the commit window binds it (later ones are ignored); a reveal counts if it lies in the
    reveal window and opens that commitment. An unrevealed bid forfeits."""
    bound: dict[str, tuple[int, bytes]] = {}
    for c in commitments:
        if c.ask_id == ask.id and ask.created_at <= c.at < rules.commit_end(ask):
            if c.prover not in bound or c.at < bound[c.prover][0]:
                bound[c.prover] = (c.at, c.commitment)
    bids: dict[str, int] = {}
    for r in sorted(reveals, key=lambda r: r.at):
        if r.ask_id != ask.id or r.prover in bids or r.prover not in bound:
            continue
        if rules.commit_end(ask) <= r.at < rules.close(ask) and bid_commitment(ask.market_id, ask.id, r.prover, r.price, r.salt) == bound[r.prover][1]:
            bids[r.prover] = r.price
    return bids


def auction_winner(state: State, ask: Ask, bids: dict[str, int], seed: int, env: Env = DEFAULT_ENV) -> Optional[Match]:
    """Among eligible bids (the chain would accept the prover at its bid: bid within its quote
    price..max_price, proposed time, free compute and stake), the lowest wins, ties by tie_rank.
    Price paid: the second-lowest eligible bid, or max_price when the winner bid alone.
    Second price makes bidding one's true cost the dominant strategy; commit-reveal keeps every
    bid hidden until all are fixed; ineligible bids never set the price, so a bidder cannot
    raise it with bids that could not win."""
    ranked = sorted((price, tie_rank(seed, prover), prover) for prover, price in bids.items() if eligible(state, ask, prover, price, env))
    if not ranked:
        return None
    paid = ranked[1][0] if len(ranked) > 1 else ask.max_price
    return Match(ask.id, ranked[0][2], paid)


def sealed_bid_auction(
    state: State, rules: AuctionRules, commitments: Iterable[BidCommitment], reveals: Iterable[BidReveal], seed: int = 0,
    env: Env = DEFAULT_ENV,
) -> tuple[Match, ...]:
    """Resolve, by ask id, every open ask of the sealed-bid markets whose reveal window has closed
    (time >= close) with `auction_winner` over its `revealed_bids`, each on the state the
    earlier matches left. An auction without an eligible bid leaves the ask open."""
    require_seed(seed)
    commitments, reveals = tuple(commitments), tuple(reveals)
    asks = [a for a in open_asks(state, MatchingProtocol.SEALED_BID_AUCTION.value) if state.time >= rules.close(a)]
    return match_in_order(state, asks, lambda s, ask: auction_winner(s, ask, revealed_bids(ask, rules, commitments, reveals), seed, env), env)
