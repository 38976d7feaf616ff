"""The fast engine against the spec: identical matches for the orderbook and the auction."""
import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

import spec
from reference.engine.fast import FastAuction, FastOrderbook, SkylineIndex
from reference.engine.worlds import ENGINE, worlds
from spec import operations as ops
from spec.matching import AuctionRules, BidCommitment, BidReveal, bid_commitment, orderbook, sealed_bid_auction
from spec.types import MatchingProtocol

DIFF = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
RULES = AuctionRules(commit_window=5, reveal_window=5)


@DIFF
@given(worlds(protocols=(MatchingProtocol.ORDERBOOK.value, MatchingProtocol.ROUND_ROBIN.value)), st.integers(0, 3))
def test_fast_orderbook_equals_spec(state, seed):
    expected = orderbook(state, seed)
    event(f"orderbook matches: {min(len(expected), 3)}")
    assert FastOrderbook.match(state, seed) == expected
    for match in expected:
        state, _ = spec.apply(state, ENGINE.assign_op(state, match))


@DIFF
@given(worlds(protocols=(MatchingProtocol.SEALED_BID_AUCTION.value, MatchingProtocol.ORDERBOOK.value)), st.data())
def test_fast_auction_equals_spec(state, data):
    state = spec.apply(state, ops.AdvanceTime(10))[0]
    commitments, reveals = [], []
    for ask in state.asks.values():
        for prover in sorted(state.provers):
            if not data.draw(st.integers(0, 3)):
                continue
            membership = state.memberships.get((ask.market_id, prover))
            base = membership.quote.price if membership is not None and membership.quote is not None else 0
            price, salt = max(0, base + 10 * data.draw(st.integers(-1, 3))), bytes([ask.id, len(prover)]) * 16
            at = ask.created_at + data.draw(st.sampled_from((0, 1, 2, 3, 4) * 3 + (5, 6)))
            commitments.append(BidCommitment(ask.id, prover, bid_commitment(ask.market_id, ask.id, prover, price, salt), at))
            revealed = price if data.draw(st.integers(0, 5)) else price + 1
            reveal_at = ask.created_at + data.draw(st.sampled_from((5, 6, 7, 8, 9) * 3 + (4, 10, 11)))
            reveals.append(BidReveal(ask.id, prover, revealed, salt, reveal_at))
    seed = data.draw(st.integers(0, 3))
    expected = sealed_bid_auction(state, RULES, commitments, reveals, seed)
    event(f"auction matches: {min(len(expected), 3)}, second-price: {any(m.price < state.asks[m.ask_id].max_price for m in expected)}")
    assert FastAuction.match(state, RULES, commitments, reveals, seed) == sealed_bid_auction(state, RULES, commitments, reveals, seed)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(1, 9)), min_size=1, max_size=40), st.data())
def test_skyline_after_removals_is_the_pareto_front_of_live_levels(points, data):
    index = SkylineIndex([(p, t, bytes([i]), i) for i, (p, t) in enumerate(points)])
    alive = set(range(len(points)))
    for who in data.draw(st.permutations(range(len(points))))[: data.draw(st.integers(0, len(points)))]:
        index.remove(who)
        alive.discard(who)
        live = {points[i] for i in alive}
        front = sorted(q for q in live if not any(o != q and o[0] <= q[0] and o[1] <= q[1] for o in live))
        assert [(index.p[l], index.t[l]) for l in index.sk] == front


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(1, 30)), min_size=1, max_size=40), st.data(),
)
def test_skyline_best_is_the_brute_force_best_in_the_box(points, data):
    index = SkylineIndex([(p, t, bytes([i]), i) for i, (p, t) in enumerate(points)])
    for who in data.draw(st.lists(st.integers(0, len(points) - 1), max_size=len(points) // 2)):
        index.remove(who)
    live = {(index.p[l], index.t[l]) for l in range(len(index.p)) if index.top[l] < len(index.members[l])}
    for _ in range(5):
        max_price, proof_time, w = data.draw(st.integers(1, 31)), data.draw(st.integers(1, 31)), data.draw(st.sampled_from((0, 1, 5000, 9999, 10_000)))
        box = [(w * p * proof_time + (10_000 - w) * t * max_price, p, t) for p, t in live if p <= max_price and t <= proof_time]
        level = index.best(max_price, proof_time, w)
        assert (level < 0) == (not box)
        if box:
            assert (index.p[level], index.t[level]) == min(box)[1:]


def _large_world(seed: int):
    """3 orderbook markets, 60 provers on few price/time levels with scarce stake, 300 asks."""
    import random

    from reference.engine.worlds import AskPlan, MarketPlan, ProverPlan, build

    rng = random.Random(seed)
    markets = [MarketPlan(MatchingProtocol.ORDERBOOK.value, (("POND", rng.randint(1, 20)),) + ((("ETH", 5),) if m == 2 else ()), m != 1) for m in range(3)]
    provers = []
    for i in range(60):
        compute = rng.randint(1, 8)
        quotes = tuple((m, rng.randint(0, 9) * 10, rng.randint(1, 9) * 10, rng.randint(1, compute)) for m in range(3) if rng.random() < 0.7)
        provers.append(ProverPlan(f"p{i:02d}", compute, (("POND", rng.randint(10, 120)), ("ETH", rng.randint(1, 30))), quotes, rng.random() < 0.6))
    asks = [
        AskPlan(m, rng.randint(1, 10) * 10, 100, rng.randint(1, 10) * 10, rng.choice((0, 2500, 5000, 7500, 10_000, rng.randint(0, 10_000))),
                b"s" if m != 1 and rng.random() < 0.3 else None)
        for m in (rng.randint(0, 2) for _ in range(300))
    ]
    return build(markets, provers, asks)


@pytest.mark.parametrize("seed", [pytest.param(s, marks=pytest.mark.slow) if s >= 3 else s for s in range(40)])
def test_fast_orderbook_equals_spec_on_larger_worlds(seed):
    state = _large_world(seed)
    expected = orderbook(state, seed)
    assert len(expected) > 50
    assert FastOrderbook.match(state, seed) == expected


@pytest.mark.parametrize("seed", [pytest.param(s, marks=pytest.mark.slow) if s >= 3 else s for s in range(40)])
def test_fast_auction_equals_spec_on_larger_worlds(seed):
    import random

    from reference.engine.worlds import AskPlan, MarketPlan, ProverPlan, build

    rng = random.Random(seed)
    protocol = MatchingProtocol.SEALED_BID_AUCTION.value
    markets = [MarketPlan(protocol, (("POND", rng.randint(1, 20)),)), MarketPlan(protocol, (("POND", 5), ("ETH", 5)))]
    provers = [
        ProverPlan(f"p{i:02d}", 3, (("POND", rng.randint(10, 60)), ("ETH", rng.randint(1, 20))),
                   tuple((m, rng.randint(0, 5) * 10, rng.randint(1, 9) * 10, 1) for m in range(2) if rng.random() < 0.8))
        for i in range(30)
    ]
    state = build(markets, provers, [AskPlan(rng.randint(0, 1), rng.randint(3, 10) * 10, 100, 90, 0) for _ in range(60)])
    state = spec.apply(state, ops.AdvanceTime(RULES.commit_window + RULES.reveal_window))[0]
    commitments, reveals = [], []
    for ask in state.asks.values():
        for prover in rng.sample(sorted(state.provers), 12):
            price, salt = rng.randint(0, 10) * 10, rng.randbytes(32)
            commitments.append(BidCommitment(ask.id, prover, bid_commitment(ask.market_id, ask.id, prover, price, salt), rng.randint(0, 5)))
            reveals.append(BidReveal(ask.id, prover, price if rng.random() < 0.9 else price + 1, salt, rng.randint(4, 10)))
    expected = sealed_bid_auction(state, RULES, commitments, reveals, seed)
    assert len(expected) > 10 and any(m.price < state.asks[m.ask_id].max_price for m in expected)
    assert FastAuction.match(state, RULES, commitments, reveals, seed) == expected
