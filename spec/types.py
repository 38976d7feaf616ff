"""Primitive types and enumerations shared by every spec module."""
from __future__ import annotations

import re
from enum import Enum

from pyrsistent import PMap, pmap

Address = str
Token = str
MarketId = int
AskId = int

BPS = 10_000

EMPTY: PMap = pmap()

NAME_MAX = 256
NAME_RULE = f"must be a string of 1 to {NAME_MAX} Unicode scalar values, none a control character"
_NOT_IN_NAMES = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def is_name(value) -> bool:
    """A valid name (an address, a token, a vault or verifier id): 1..NAME_MAX characters, each a
    Unicode scalar value (no lone surrogates: every name has a UTF-8 form to sign and hash) and
    none a control character."""
    return isinstance(value, str) and 0 < len(value) <= NAME_MAX and not _NOT_IN_NAMES.search(value)


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
