"""The engine-backed conformance adapter: passes every vector, and its `match` answers are the
spec's matches with engine-signed operations the chain accepts."""
import io
import json
import sys

import spec
from reference.conformance.cases import VECTORS_DIR, case_paths
from reference.conformance.runner import run_conformance
from reference.engine.adapter import EngineSession, serve
from reference.engine.worlds import ENGINE, AskPlan, MarketPlan, ProverPlan, build
from spec.codec import encode, encode_state
from spec.matching import AuctionRules, BidCommitment, BidReveal, bid_commitment, orderbook, sealed_bid_auction
from spec.types import MatchingProtocol

ADAPTER = [sys.executable, "-m", "reference.engine.adapter"]
STAKE = (("POND", 100),)


def test_engine_adapter_passes_every_vector():
    report = run_conformance(ADAPTER, VECTORS_DIR)
    assert report.total == len(case_paths(VECTORS_DIR)) >= 300
    assert report.failures == [] and report.restarts == 0


def world(protocol):
    plans = [ProverPlan(f"p{i}", 2, STAKE, ((0, 10 * (i + 1), 30 - 5 * i, 1),)) for i in range(4)]
    return build([MarketPlan(protocol)], plans, [AskPlan(0, 100, 50, 100, w) for w in (10_000, 0, 5000, 10_000)])


def test_match_answers_the_spec_matches_as_signed_operations():
    state = world(MatchingProtocol.ORDERBOOK.value)
    session = EngineSession()
    assert session.handle({"cmd": "load", "state": encode_state(state)}) == {"ok": True}
    answer = session.handle({"cmd": "match", "protocol": "orderbook", "seed": "3"})
    expected = orderbook(state, 3)
    assert answer["ok"] and [{k: a[k] for k in ("ask_id", "prover", "price")} for a in answer["assignments"]] == [encode(m) for m in expected]
    for assignment in answer["assignments"]:
        assert session.handle({"cmd": "apply", "op": assignment["op"]})["ok"]
    for match in expected:
        state = spec.apply(state, ENGINE.assign_op(state, match))[0]
    assert session.handle({"cmd": "state"})["state"] == encode_state(state)


def test_match_runs_the_auction_over_json_bids():
    state = spec.apply(world(MatchingProtocol.SEALED_BID_AUCTION.value), spec.operations.AdvanceTime(20))[0]
    rules = AuctionRules(10, 10)
    commitments, reveals = [], []
    for i, price in enumerate((60, 40, 50)):
        prover, salt = f"p{i}", bytes([i]) * 32
        commitments.append(BidCommitment(0, prover, bid_commitment(0, 0, prover, price, salt), 1))
        reveals.append(BidReveal(0, prover, price, salt, 12))
    session = EngineSession()
    session.handle({"cmd": "load", "state": encode_state(state)})
    answer = session.handle({"cmd": "match", "protocol": "sealed_bid_auction", "rules": encode(rules),
                             "commitments": [encode(c) for c in commitments], "reveals": [encode(r) for r in reveals]})
    expected = sealed_bid_auction(state, rules, commitments, reveals)
    assert [a["prover"] for a in answer["assignments"]] == [m.prover for m in expected] == ["p1"]
    assert answer["assignments"][0]["price"] == "50"


def test_bad_match_requests_are_refused_and_change_nothing():
    state = world(MatchingProtocol.ORDERBOOK.value)
    session = EngineSession()
    session.handle({"cmd": "load", "state": encode_state(state)})
    bad = [
        {"cmd": "match", "protocol": "barter"},
        {"cmd": "match", "protocol": "orderbook", "seed": "-1"},
        {"cmd": "match", "protocol": "orderbook", "seed": 3},
        {"cmd": "match", "protocol": "sealed_bid_auction", "rules": {"commit_window": "0", "reveal_window": "1"}},
        {"cmd": "match", "protocol": "sealed_bid_auction", "rules": {"commit_window": "1", "reveal_window": "1"}, "reveals": [{"ask_id": "0"}]},
    ]
    for request in bad:
        answer = session.handle(request)
        assert answer["ok"] is False and answer["error"]
    assert session.state == state


def test_serve_speaks_json_lines():
    out = io.StringIO()
    serve(io.StringIO('{"cmd":"match","protocol":"orderbook"}\nnot json\n'), out, EngineSession())
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first == {"ok": True, "assignments": []} and second["ok"] is False
