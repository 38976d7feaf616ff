"""Each matching protocol: unit cases, its property, and every assignment accepted by spec.apply."""

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import spec
from reference.engine.worlds import ENGINE, AskPlan, MarketPlan, ProverPlan, build, worlds
from spec import operations as ops
from spec.env import DEFAULT_ENV, stand_in_proof
from spec.matching import (
    AuctionRules, BidCommitment, BidReveal, DutchRules, InvalidMatchingRule, Lock, Match, RaceSubmission, bid_commitment, dutch_price,
    eligible, orderbook, preference_score, proof_race, revealed_bids, reverse_dutch, round_robin, rotation,
    sealed_bid_auction,
)
from spec.types import AskState, MatchingProtocol

OB, AUCTION, RR, RACE, DUTCH = (p.value for p in MatchingProtocol)
STAKE = (("POND", 100),)
PROPERTY = settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


def provers(*quotes, compute=4, market=0):
    """ProverPlans p0, p1, ... quoting (price, time, compute per request) in `market`."""
    return [ProverPlan(f"p{i}", compute, STAKE, ((market, price, time, cpr),)) for i, (price, time, cpr) in enumerate(quotes)]


def apply_all(state, matches):
    """Sign each match with the engine and apply it; every one must be accepted."""
    for match in matches:
        state, events = spec.apply(state, ENGINE.assign_op(state, match))
        assert events[0].kind == "TaskAssigned" and events[0].data["prover"] == match.prover
        assert state.asks[match.ask_id].state == AskState.ASSIGNED
        assert state.asks[match.ask_id].assignment.price == match.price
    return state


# --- orderbook ------------------------------------------------------------------------------

def test_orderbook_price_only_picks_cheapest_and_time_only_picks_fastest():
    quotes = [(50, 60, 1), (30, 90, 1), (70, 20, 1)]
    state = build([MarketPlan(OB)], provers(*quotes), [AskPlan(0, 100, 50, 100, 10_000), AskPlan(0, 100, 50, 100, 0)])
    assert orderbook(state) == (Match(0, "p1", 30), Match(1, "p2", 70))
    apply_all(state, orderbook(state))


def test_orderbook_balanced_preference_uses_normalised_score():
    # max_price 100, proof_time 100, w = 5000: score ∝ price + time: 110, 120, 90; the fast one wins
    quotes = [(50, 60, 1), (30, 90, 1), (70, 20, 1)]
    state = build([MarketPlan(OB)], provers(*quotes), [AskPlan(0, 100, 50, 100, 5000)])
    assert [preference_score(state.asks[0], spec.Quote(p, t, 1)) for p, t, _ in quotes] == [5000 * 100 * 110, 5000 * 100 * 120, 5000 * 100 * 90]
    assert orderbook(state) == (Match(0, "p2", 70),)


def test_orderbook_respects_bounds_and_capacity():
    # p0 too slow, p1 too expensive; p2 can take one task (compute 1), so the second ask goes unmatched
    plans = provers((10, 200, 1), (500, 10, 1), (60, 50, 1), compute=1)
    state = build([MarketPlan(OB)], plans, [AskPlan(0, 100, 50, 100, 10_000), AskPlan(0, 100, 50, 100, 10_000)])
    assert orderbook(state) == (Match(0, "p2", 60),)
    after = apply_all(state, orderbook(state))
    assert orderbook(after) == ()


def test_orderbook_skips_expired_asks_and_provers_without_key_for_private_inputs():
    plans = [ProverPlan("p0", 4, STAKE, ((0, 10, 10, 1),), keyed=False), ProverPlan("p1", 4, STAKE, ((0, 20, 10, 1),))]
    state = build([MarketPlan(OB)], plans, [AskPlan(0, 100, 5, 100, 10_000), AskPlan(0, 100, 50, 100, 10_000, private=b"secret"), AskPlan(0, 100, 50, 100, 10_000)])
    state = spec.apply(state, ops.AdvanceTime(6))[0]
    assert orderbook(state) == (Match(1, "p1", 20), Match(2, "p0", 10))
    apply_all(state, orderbook(state))


def test_orderbook_ties_follow_the_seed_and_are_deterministic():
    state = build([MarketPlan(OB)], provers(*[(40, 40, 1)] * 6), [AskPlan(0, 100, 50, 100, 5000)])
    winners = {orderbook(state, seed)[0].prover for seed in range(12)}
    assert len(winners) > 1
    assert orderbook(state, 3) == orderbook(state, 3)
    with pytest.raises(InvalidMatchingRule):
        orderbook(state, -1)


@PROPERTY
@given(worlds())
def test_orderbook_never_skips_a_cheaper_and_faster_eligible_quote(state):
    """No eligible quote is at most as expensive and at most as slow (one strictly) as the chosen one."""
    for match in orderbook(state, 5):
        ask = state.asks[match.ask_id]
        chosen = state.memberships[(ask.market_id, match.prover)].quote
        for (mid, prover), m in state.memberships.items():
            if mid != ask.market_id or m.quote is None or prover == match.prover or not eligible(state, ask, prover, m.quote.price):
                continue
            q = m.quote
            assert not (q.price <= chosen.price and q.proposed_time <= chosen.proposed_time and (q.price, q.proposed_time) != (chosen.price, chosen.proposed_time))
        state = apply_all(state, [match])


# --- sealed-bid auction --------------------------------------------------------------------

RULES = AuctionRules(commit_window=10, reveal_window=10)


def salt(prover, ask_id=0):
    return bytes([len(prover), ask_id]) * 16


def bid(state, ask_id, prover, price, committed_at=1, revealed_at=12, reveal_price=None):
    market = state.asks[ask_id].market_id
    c = BidCommitment(ask_id, prover, bid_commitment(market, ask_id, prover, price, salt(prover, ask_id)), committed_at)
    r = BidReveal(ask_id, prover, price if reveal_price is None else reveal_price, salt(prover, ask_id), revealed_at)
    return c, r


def auction_world(n=4):
    state = build([MarketPlan(AUCTION)], provers(*[(10, 20, 1)] * n), [AskPlan(0, 100, 60, 100, 10_000)])
    return spec.apply(state, ops.AdvanceTime(20))[0]


def test_auction_lowest_wins_second_price_paid_unrevealed_and_late_bids_forfeit():
    state = auction_world()
    bids = [bid(state, 0, "p0", 60), bid(state, 0, "p1", 40), bid(state, 0, "p2", 20, revealed_at=25), bid(state, 0, "p3", 50)]
    commitments = [c for c, _ in bids]
    reveals = [r for _, r in bids]
    assert revealed_bids(state.asks[0], RULES, commitments, reveals) == {"p0": 60, "p1": 40, "p3": 50}
    assert sealed_bid_auction(state, RULES, commitments, reveals) == (Match(0, "p1", 50),)
    apply_all(state, sealed_bid_auction(state, RULES, commitments, reveals))


def test_auction_bad_reveal_late_commitment_and_sole_bidder():
    state = auction_world()
    forged = bid(state, 0, "p0", 30, reveal_price=25)
    late = bid(state, 0, "p1", 20, committed_at=10)
    alone = bid(state, 0, "p2", 70)
    commitments, reveals = [forged[0], late[0], alone[0]], [forged[1], late[1], alone[1]]
    assert sealed_bid_auction(state, RULES, commitments, reveals) == (Match(0, "p2", 100),)


def test_auction_waits_for_the_reveal_window_to_close_and_checks_rules():
    state = build([MarketPlan(AUCTION)], provers((10, 20, 1)), [AskPlan(0, 100, 60, 100, 10_000)])
    c, r = bid(state, 0, "p0", 30)
    assert sealed_bid_auction(spec.apply(state, ops.AdvanceTime(19))[0], RULES, [c], [r]) == ()
    assert sealed_bid_auction(spec.apply(state, ops.AdvanceTime(20))[0], RULES, [c], [r]) == (Match(0, "p0", 100),)
    with pytest.raises(InvalidMatchingRule) as error:
        AuctionRules(0, 10)
    assert error.value.field == "commit_window"


@PROPERTY
@given(worlds(protocols=(AUCTION,)), st.data())
def test_auction_winner_bid_is_at_most_every_other_eligible_revealed_bid(state, data):
    state = spec.apply(state, ops.AdvanceTime(RULES.commit_window + RULES.reveal_window))[0]
    commitments, reveals = [], []
    for ask in state.asks.values():
        for prover in sorted(state.provers):
            if data.draw(st.booleans()):
                c, r = bid(state, ask.id, prover, data.draw(st.integers(0, 80)), committed_at=ask.created_at, revealed_at=ask.created_at + RULES.commit_window)
                commitments.append(c)
                reveals.append(r)
    for match in sealed_bid_auction(state, RULES, commitments, reveals, seed=2):
        ask = state.asks[match.ask_id]
        bids = revealed_bids(ask, RULES, commitments, reveals)
        others = [price for prover, price in bids.items() if prover != match.prover and eligible(state, ask, prover, price)]
        assert all(bids[match.prover] <= price for price in others)
        assert match.price == (min(others) if others else ask.max_price)
        state = apply_all(state, [match])


# --- round-robin -----------------------------------------------------------------------------

def test_round_robin_rotates_regardless_of_price():
    state = build([MarketPlan(RR)], provers((90, 50, 1), (10, 50, 1), (50, 50, 1), compute=9), [AskPlan(0, 100, 50, 100, 10_000)] * 6)
    order = rotation(state, 0, 0)
    matches = round_robin(state)
    assert [m.prover for m in matches] == [order[i % 3] for i in range(6)]
    assert all(m.price == state.memberships[(0, m.prover)].quote.price for m in matches)
    apply_all(state, matches)


def test_round_robin_skips_ineligible_provers_in_turn():
    # p0 asks more than max_price: its turns pass to the next prover in the rotation
    state = build([MarketPlan(RR)], provers((500, 50, 1), (10, 50, 1), compute=9), [AskPlan(0, 100, 50, 100, 0)] * 4)
    assert {m.prover for m in round_robin(state)} == {"p1"} and len(round_robin(state)) == 4


@PROPERTY
@given(worlds(protocols=(RR,)))
def test_round_robin_each_assignment_goes_to_the_first_eligible_prover_in_turn(state):
    for match in round_robin(state, 4):
        ask = state.asks[match.ask_id]
        order = rotation(state, ask.market_id, 4)
        k = sum(1 for a in state.asks.values() if a.market_id == ask.market_id and a.id < ask.id)
        turn = [order[(k + i) % len(order)] for i in range(len(order))]
        skipped = turn[:turn.index(match.prover)]
        quotes = {p: state.memberships[(ask.market_id, p)].quote for p in skipped}
        assert all(q is None or not eligible(state, ask, p, q.price) for p, q in quotes.items())
        state = apply_all(state, [match])


# --- proof race --------------------------------------------------------------------------------

def test_proof_race_first_valid_proof_wins_max_price_losers_sink_their_cost():
    state = build([MarketPlan(RACE)], provers((30, 50, 1), (20, 50, 1), (10, 50, 1)), [AskPlan(0, 100, 50, 100, 10_000)])
    state = spec.apply(state, ops.AdvanceTime(10))[0]
    good = stand_in_proof(state.asks[0].public_inputs)
    subs = [RaceSubmission(0, "p2", b"junk", 3), RaceSubmission(0, "p1", good, 5), RaceSubmission(0, "p0", good, 7), RaceSubmission(0, "p2", good, 9)]
    (result,) = proof_race(state, subs)
    assert result.match == Match(0, "p1", 100)
    assert result.losers == (("p0", 30), ("p2", 10)) and result.wasted_cost == 40
    state = apply_all(state, [result.match])
    state, events = spec.apply(state, ops.SubmitProof("p1", 0, result.proof))
    assert state.asks[0].state == AskState.COMPLETE and state.balances[("p1-rewards", "USDC")] == 100


def test_proof_race_ignores_future_and_invalid_submissions():
    state = build([MarketPlan(RACE)], provers((30, 50, 1)), [AskPlan(0, 100, 50, 100, 10_000)])
    good = stand_in_proof(state.asks[0].public_inputs)
    assert proof_race(state, [RaceSubmission(0, "p0", good, 1)]) == ()
    assert proof_race(state, [RaceSubmission(0, "p0", good[:-1], 0)]) == ()


# --- reverse Dutch -------------------------------------------------------------------------------

def test_reverse_dutch_price_ramps_and_first_eligible_lock_wins():
    rules = DutchRules(floor_bps=2000, ramp=100)
    state = build([MarketPlan(DUTCH)], provers((50, 50, 1), (30, 50, 1)), [AskPlan(0, 100, 200, 100, 10_000)])
    ask = state.asks[0]
    assert [dutch_price(ask, rules, t) for t in (0, 25, 50, 100, 150)] == [20, 40, 60, 100, 100]
    state = spec.apply(state, ops.AdvanceTime(60))[0]
    # p0 locks at 10 (price 28 < its quote 50: not eligible), p1 at 20 (price 36 >= 30): p1 wins at 36
    locks = [Lock(0, "p0", 10), Lock(0, "p1", 20), Lock(0, "p0", 40)]
    assert reverse_dutch(state, rules, locks) == (Match(0, "p1", 36),)
    apply_all(state, reverse_dutch(state, rules, locks))
    with pytest.raises(InvalidMatchingRule):
        DutchRules(floor_bps=10_001, ramp=1)


@PROPERTY
@given(worlds(protocols=(DUTCH,)), st.data())
def test_reverse_dutch_winner_locked_first_and_is_paid_the_ramp_price(state, data):
    rules = DutchRules(floor_bps=data.draw(st.integers(0, 10_000)), ramp=data.draw(st.integers(1, 40)))
    state = spec.apply(state, ops.AdvanceTime(20))[0]
    locks = [Lock(a.id, p, a.created_at + data.draw(st.integers(0, 30))) for a in state.asks.values() for p in sorted(state.provers) if data.draw(st.booleans())]
    for match in reverse_dutch(state, rules, locks, seed=1):
        ask = state.asks[match.ask_id]
        won = min(l.at for l in locks if l.ask_id == ask.id and l.prover == match.prover and dutch_price(ask, rules, l.at) == match.price)
        earlier = [l for l in locks if l.ask_id == ask.id and ask.created_at <= l.at < won]
        assert all(not eligible(state, ask, l.prover, dutch_price(ask, rules, l.at)) for l in earlier)
        state = apply_all(state, [match])


# --- all protocols: output accepted by the spec ----------------------------------------------------

@PROPERTY
@given(worlds(protocols=(OB, RR)))
def test_orderbook_and_round_robin_outputs_apply_in_order(state):
    for protocol in (orderbook, round_robin):
        after = apply_all(state, protocol(state, 9))
        assert sum(a.state == AskState.ASSIGNED for a in after.asks.values()) == len(protocol(state, 9))


@PROPERTY
@given(worlds(protocols=(RACE,)), st.data())
def test_proof_race_winner_was_first_among_eligible_valid_submitters(state, data):
    state = spec.apply(state, ops.AdvanceTime(15))[0]
    subs = []
    for ask in state.asks.values():
        good = stand_in_proof(ask.public_inputs)
        for prover in sorted(state.provers):
            if data.draw(st.booleans()):
                subs.append(RaceSubmission(ask.id, prover, data.draw(st.sampled_from((good, good, b"bad"))), ask.created_at + data.draw(st.integers(0, 20))))
    for result in proof_race(state, subs, DEFAULT_ENV, seed=3):
        ask = state.asks[result.match.ask_id]
        quoting = {p for (m, p), member in state.memberships.items() if m == ask.market_id and member.quote is not None}
        valid = [
            s for s in subs
            if s.ask_id == ask.id and s.prover in quoting and s.proof == stand_in_proof(ask.public_inputs) and s.at <= min(state.time, ask.expiry)
        ]
        won = min(s.at for s in valid if s.prover == result.match.prover)
        assert all(s.at >= won or not eligible(state, ask, s.prover, ask.max_price) for s in valid)
        assert result.match.price == ask.max_price and result.match.prover not in dict(result.losers)
        assert {p for p, _ in result.losers} == {s.prover for s in valid} - {result.match.prover}
        state = apply_all(state, [result.match])
        state, _ = spec.apply(state, ops.SubmitProof(result.match.prover, ask.id, result.proof))


@pytest.mark.parametrize("field", ["commit_window", "reveal_window"])
@pytest.mark.parametrize("value", [0, -1, 1.5, True, "1"])
def test_auction_windows_are_integers_of_at_least_one(field, value):
    """Each window is an int > 0: 1 is the least, 0, a negative, a float, a bool or a string is refused
    naming the window."""
    assert getattr(AuctionRules(**{"commit_window": 1, "reveal_window": 1}), field) == 1
    with pytest.raises(InvalidMatchingRule) as error:
        AuctionRules(**{"commit_window": 1, "reveal_window": 1, field: value})
    assert error.value.field == field


@pytest.mark.parametrize("field, value", [("floor_bps", -1), ("floor_bps", 10_001), ("floor_bps", 0.5), ("floor_bps", True),
                                          ("ramp", 0), ("ramp", -1), ("ramp", 1.5), ("ramp", True)])
def test_dutch_rules_are_a_floor_in_0_to_10000_bps_and_a_ramp_of_at_least_one(field, value):
    """floor_bps is an int in 0..10000 (both ends allowed), ramp an int > 0."""
    assert DutchRules(floor_bps=0, ramp=1).floor_bps == 0 and DutchRules(floor_bps=10_000, ramp=1).floor_bps == 10_000
    with pytest.raises(InvalidMatchingRule) as error:
        DutchRules(**{"floor_bps": 5_000, "ramp": 1, field: value})
    assert error.value.field == field


def test_of_two_commitments_at_the_same_time_the_first_binds():
    """The earliest commitment binds a prover; of two at the same instant the first listed does (a
    later one is never earlier), so a reveal that opens the second does not count."""
    state = auction_world()
    first, _ = bid(state, 0, "p0", 60, committed_at=3)
    second, reveal = bid(state, 0, "p0", 30, committed_at=3)
    assert revealed_bids(state.asks[0], RULES, [first, second], [reveal]) == {}
    assert revealed_bids(state.asks[0], RULES, [second, first], [reveal]) == {"p0": 30}


def test_the_auction_s_default_tie_seed_is_zero():
    """Equal bids are ordered by tie_rank(seed); without a seed the auction uses seed 0 (and the seed
    does decide: some other seed picks another winner)."""
    state = auction_world()
    bids = [bid(state, 0, p, 15) for p in ("p0", "p1", "p2", "p3")]
    commitments, reveals = [c for c, _ in bids], [r for _, r in bids]
    default = sealed_bid_auction(state, RULES, commitments, reveals)
    assert default == sealed_bid_auction(state, RULES, commitments, reveals, seed=0)
    assert any(sealed_bid_auction(state, RULES, commitments, reveals, seed=s) != default for s in range(1, 8))


# --- edges of the matching rules (bounds the property tests rarely draw) --------------------------

def test_dutch_price_runs_from_the_ask_s_creation():
    """Before and at created_at the price is the floor; it reaches max_price ramp seconds later."""
    import attrs

    state = build([MarketPlan(DUTCH)], provers((20, 50, 1)), [AskPlan(0, 100, 200, 100, 10_000)])
    later = attrs.evolve(state.asks[0], created_at=100)
    rules = DutchRules(floor_bps=2000, ramp=4)
    assert [dutch_price(later, rules, t) for t in (50, 100, 101, 102, 104, 200)] == [20, 20, 40, 60, 100, 100]


def test_a_dutch_lock_counts_from_the_creation_instant_up_to_now_not_after():
    from spec.matching.dutch import first_lock

    rules = DutchRules(floor_bps=2000, ramp=100)
    state = build([MarketPlan(DUTCH)], provers((20, 50, 1)), [AskPlan(0, 100, 200, 100, 10_000)])
    state = spec.apply(state, ops.AdvanceTime(60))[0]
    ask = state.asks[0]
    assert (ask.created_at, ask.expiry) == (0, 200)
    assert first_lock(state, ask, rules, [Lock(0, "p0", 0)], 0) == Match(0, "p0", 20)
    assert first_lock(state, ask, rules, [Lock(0, "p0", 60)], 0) == Match(0, "p0", 68)
    assert first_lock(state, ask, rules, [Lock(0, "p0", 61)], 0) is None


def test_a_race_submission_at_the_current_instant_counts():
    state = build([MarketPlan(RACE)], provers((30, 50, 1)), [AskPlan(0, 100, 50, 100, 10_000)])
    good = stand_in_proof(state.asks[0].public_inputs)
    (result,) = proof_race(state, [RaceSubmission(0, "p0", good, state.time)])
    assert result.match == Match(0, "p0", 100)


def test_an_ask_is_matched_up_to_its_expiry_instant():
    state = build([MarketPlan(OB)], provers((30, 50, 1)), [AskPlan(0, 100, 50, 100, 10_000)])
    state = spec.apply(state, ops.AdvanceTime(state.asks[0].expiry - state.time))[0]
    assert state.time == state.asks[0].expiry
    assert orderbook(state) == (Match(0, "p0", 30),)


@pytest.mark.parametrize("seed", [-1, 2**255, True, 1.0])
def test_a_matching_seed_is_an_integer_in_0_to_2_255(seed):
    state = build([MarketPlan(OB)], provers((30, 50, 1)), [AskPlan(0, 100, 50, 100, 10_000)])
    assert orderbook(state, seed=2**255 - 1) == orderbook(state, seed=0)
    with pytest.raises(InvalidMatchingRule) as error:
        orderbook(state, seed=seed)
    assert error.value.field == "seed"


def test_orderbook_and_reverse_dutch_default_to_tie_seed_zero():
    """Equal quotes (orderbook) and locks at one instant (reverse Dutch) are ordered by
    tie_rank(seed); without a seed both use 0, and the seed does decide."""
    quotes = provers((10, 50, 1), (10, 50, 1), (10, 50, 1), (10, 50, 1))
    book = build([MarketPlan(OB)], quotes, [AskPlan(0, 100, 50, 100, 10_000)])
    assert orderbook(book) == orderbook(book, seed=0)
    assert any(orderbook(book, seed=s) != orderbook(book) for s in range(1, 8))
    rules = DutchRules(floor_bps=2000, ramp=100)
    dutch = spec.apply(build([MarketPlan(DUTCH)], quotes, [AskPlan(0, 100, 200, 100, 10_000)]), ops.AdvanceTime(30))[0]
    locks = [Lock(0, p, 20) for p in ("p0", "p1", "p2", "p3")]
    assert reverse_dutch(dutch, rules, locks) == reverse_dutch(dutch, rules, locks, seed=0)
    assert any(reverse_dutch(dutch, rules, locks, seed=s) != reverse_dutch(dutch, rules, locks) for s in range(1, 8))


def test_proof_race_defaults_to_tie_seed_zero():
    """Valid proofs at one instant are ordered by tie_rank(seed): without a seed, seed 0."""
    state = build([MarketPlan(RACE)], provers((30, 50, 1), (30, 50, 1), (30, 50, 1), (30, 50, 1)), [AskPlan(0, 100, 50, 100, 10_000)])
    state = spec.apply(state, ops.AdvanceTime(5))[0]
    good = stand_in_proof(state.asks[0].public_inputs)
    subs = [RaceSubmission(0, p, good, 3) for p in ("p0", "p1", "p2", "p3")]
    assert proof_race(state, subs) == proof_race(state, subs, DEFAULT_ENV, seed=0)
    assert any(proof_race(state, subs, DEFAULT_ENV, seed=s) != proof_race(state, subs) for s in range(1, 8))


def test_round_robin_defaults_to_rotation_seed_zero():
    """The rotation is the members in tie_rank(seed) order; without a seed, seed 0."""
    state = build([MarketPlan(RR)], provers((10, 50, 1), (10, 50, 1), (10, 50, 1), (10, 50, 1)), [AskPlan(0, 100, 50, 100, 10_000)])
    assert round_robin(state) == round_robin(state, seed=0)
    assert round_robin(state, seed=1) != round_robin(state, seed=0)
