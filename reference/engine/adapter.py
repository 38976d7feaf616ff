"""The engine-backed conformance adapter: `python -m reference.engine.adapter`.

It speaks the JSON-lines protocol of docs/conformance.md. `load`, `apply` and `state` are the
chain's transitions (`spec.adapter.Session`): the engine is an off-chain actor and changes no
rule, so the adapter passes every vector. It adds one request, answered by the fast engine
(`reference.engine.fast`) on the current state:

    {"cmd": "match", "protocol": "orderbook", "seed": "0"}
    {"cmd": "match", "protocol": "sealed_bid_auction", "seed": "0",
     "rules": {"commit_window": "10", "reveal_window": "10"},
     "commitments": [{"ask_id": "0", "prover": "p1", "commitment": "0x..", "at": "3"}, ...],
     "reveals": [{"ask_id": "0", "prover": "p1", "price": "40", "salt": "0x..", "at": "12"}, ...]}
    -> {"ok": true, "assignments": [{"ask_id": "0", "prover": "p1", "price": "40", "op": OP}, ...]}

Each assignment carries `op`, the `assign_task` signed by the adapter's engine when that engine
is the market's registered one (else null); applying the ops in order moves the state on. A bad
request answers `{"ok": false, "error": why}` and changes nothing.
"""
from __future__ import annotations

import sys

import attrs

from reference.engine.fast import FastAuction, FastOrderbook
from reference.engine.tee import Engine
from reference.engine.worlds import ENGINE
from spec.adapter import Session, serve
from spec.codec import decode_record, encode, encode_op
from spec.errors import MalformedOperation, SpecError
from spec.matching import AuctionRules, BidCommitment, BidReveal
from spec.types import MatchingProtocol

FAST_PROTOCOLS = (MatchingProtocol.ORDERBOOK.value, MatchingProtocol.SEALED_BID_AUCTION.value)


@attrs.frozen
class MatchRequest:
    protocol: str
    seed: int = 0


def _records(cls, items, what: str) -> list:
    if not isinstance(items, list):
        raise MalformedOperation(what, "must be a list")
    return [decode_record(cls, item, what) for item in items]


class EngineSession(Session):
    """A spec session that also answers `match` with the fast engine."""

    def __init__(self, engine: Engine = ENGINE, **kwargs):
        super().__init__(**kwargs)
        self.engine = engine

    def handle(self, request) -> dict:
        if isinstance(request, dict) and request.get("cmd") == "match":
            try:
                return self.match(request)
            except SpecError as error:
                return {"ok": False, "error": str(error)}
        return super().handle(request)

    def match(self, request: dict) -> dict:
        head = decode_record(MatchRequest, {k: v for k, v in request.items() if k in ("protocol", "seed")}, "match")
        protocol, seed = head.protocol, head.seed
        if protocol not in FAST_PROTOCOLS:
            raise MalformedOperation("protocol", f"must be one of {list(FAST_PROTOCOLS)}")
        if protocol == MatchingProtocol.ORDERBOOK.value:
            matches = FastOrderbook.match(self.state, seed)
        else:
            rules = decode_record(AuctionRules, request.get("rules"), "rules")
            commitments = _records(BidCommitment, request.get("commitments", []), "commitments")
            reveals = _records(BidReveal, request.get("reveals", []), "reveals")
            matches = FastAuction.match(self.state, rules, commitments, reveals, seed)
        assignments = []
        for match in matches:
            served = self.state.markets[self.state.asks[match.ask_id].market_id].engine_key == self.engine.key
            assignments.append({**encode(match), "op": encode_op(self.engine.assign_op(self.state, match)) if served else None})
        return {"ok": True, "assignments": assignments}


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout, EngineSession())
