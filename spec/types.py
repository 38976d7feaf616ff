"""Primitive types and enumerations shared by every spec module."""
from __future__ import annotations

from enum import Enum

from pyrsistent import PMap, pmap

Address = str
Token = str
MarketId = int
AskId = int

BPS = 10_000

EMPTY: PMap = pmap()


def as_pmap(value) -> PMap:
    """`value` as a persistent map (attrs converter for map fields)."""
    return value if isinstance(value, PMap) else pmap(value)


class AskState(str, Enum):
    """Life cycle of an ask (DESIGN §1)."""

    UNASSIGNED = "UNASSIGNED"
    ASSIGNED = "ASSIGNED"
    COMPLETE = "COMPLETE"
    EXPIRED = "EXPIRED"
    DEADLINE_CROSSED = "DEADLINE_CROSSED"
    INVALID_INPUTS = "INVALID_INPUTS"
    CANCELLED = "CANCELLED"


OPEN_ASK_STATES = frozenset({AskState.UNASSIGNED, AskState.ASSIGNED})


class MembershipStatus(str, Enum):
    """A prover's state in one market, derived from its membership record."""

    JOINED = "JOINED"
    NO_COMPUTE_AVAILABLE = "NO_COMPUTE_AVAILABLE"
    WIP = "WIP"
    REQUESTED_FOR_EXIT = "REQUESTED_FOR_EXIT"


class MatchingProtocol(str, Enum):
    """The matching mechanism a market names; the market is agnostic to which."""

    ORDERBOOK = "orderbook"
    SEALED_BID_AUCTION = "sealed_bid_auction"
    ROUND_ROBIN = "round_robin"
    PROOF_RACE = "proof_race"
    REVERSE_DUTCH = "reverse_dutch"


MATCHING_PROTOCOLS = frozenset(p.value for p in MatchingProtocol)
