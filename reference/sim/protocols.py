"""Matching protocols: the simulator feeds `spec.matching` the engine's view and the provers'
protocol inputs (bids, locks, race submissions); the spec's protocol functions decide who gets an
ask and at what price, and the chain (`spec.apply`) checks every assignment.

The provers' behaviour is stated per protocol: honest provers quote, bid, lock or race as written
in each class; provers in the censoring coalition act against the target requester's asks as
written in each class.
"""
from __future__ import annotations

import hashlib
import math

import attrs

from spec.env import DEFAULT_ENV, stand_in_proof
from spec.matching import (AuctionRules, BidCommitment, BidReveal, DutchRules, Lock, RaceSubmission, bid_commitment,
                           dutch_price, revealed_bids)
from spec.matching.auction import auction_winner
from spec.matching.dutch import first_lock
from spec.matching.orderbook import best_quote
from spec.matching.race import race_result
from spec.matching.round_robin import next_in_rotation
from spec.types import BPS


def engine_view(sim, market_id: int):
    """The chain state as the matching engine sees it: quotes of provers that are offline or
    have no free slot in `market_id` are withdrawn (the engine knows their liveness)."""
    state = sim.chain.state
    memberships = state.memberships
    for agent in sim.agents.values():
        if market_id in agent.markets and not sim.free(agent):
            key = (market_id, agent.address)
            membership = memberships.get(key)
            if membership is not None and membership.quote is not None:
                memberships = memberships.set(key, attrs.evolve(membership, quote=None))
    return attrs.evolve(state, memberships=memberships)


class Matching:
    """Base policy: standing quotes at the prover's reservation price and proposed time."""

    name = "base"
    assigns_on_proof = False

    def __init__(self, sim, market_id: int):
        self.sim, self.market_id = sim, market_id
        self.seed = sim.scenario.seed

    @property
    def work(self) -> float:
        return self.sim.scenario.work

    def standing_quote(self, agent) -> tuple[int, int]:
        return agent.profile.reservation(self.work), agent.profile.proposed_time(self.work)

    def censors(self, agent, ask_id: int) -> bool:
        return agent.colluding and self.sim.records[ask_id].plan.target

    def on_arrival(self, ask_id: int) -> None:
        self.try_match(ask_id)

    def on_capacity(self) -> None:
        for ask_id in list(self.sim.pending[self.market_id]):
            if not any(self.sim.free(a) for a in self.sim.agents.values() if self.market_id in a.markets):
                return
            self.try_match(ask_id)

    def on_timer(self, ask_id: int) -> None:
        self.try_match(ask_id)

    def try_match(self, ask_id: int) -> bool:
        """Try to match `ask_id` now; True if a prover was assigned or started work."""
        raise NotImplementedError

    def assign(self, match) -> bool:
        return match is not None and self.sim.assign(match.ask_id, self.sim.agents[match.prover], match.price)

    def view_and_ask(self, ask_id: int):
        view = engine_view(self.sim, self.market_id)
        return view, view.asks[ask_id]


class Orderbook(Matching):
    """`spec.matching.orderbook`: an ask is matched on arrival (or when capacity frees) to the
    eligible standing quote that best fits its requester's preference, paid that quote. Coalition
    members post the most aggressive quote (price 0, 1 s) so they win whatever they have capacity
    for; a standing quote cannot single out the target, so they also serve other asks, at a loss."""

    name = "orderbook"

    def standing_quote(self, agent):
        return (0, 1) if agent.colluding else super().standing_quote(agent)

    def try_match(self, ask_id: int) -> bool:
        if self.sim.now > self.sim.records[ask_id].expiry:
            return False
        view, ask = self.view_and_ask(ask_id)
        return self.assign(best_quote(view, ask, self.seed))


class RoundRobin(Matching):
    """`spec.matching.round_robin`: a market's k-th ask goes to the first eligible prover from
    rotation position k on, at its quoted price, whatever its price or speed. A coalition member
    whose turn brings a target ask sits on it."""

    name = "round_robin"

    def try_match(self, ask_id: int) -> bool:
        if self.sim.now > self.sim.records[ask_id].expiry:
            return False
        view, ask = self.view_and_ask(ask_id)
        return self.assign(next_in_rotation(view, ask, self.seed))


class SealedBidAuction(Matching):
    """`spec.matching.auction`: commit-reveal sealed bids, commitments in the first half of the
    auction window, reveals in the second; the lowest eligible bid wins and is paid the second
    lowest (max_price if alone), so bidding one's cost is optimal: honest provers free during the
    commit window bid their cost, and their standing quote (the reserve) is that cost. Coalition
    members bid 0 on target asks only; their reserve is 0. An ask whose auction had no eligible
    bid stays open until it expires (the rules hold one auction per ask)."""

    name = "sealed_bid_auction"

    def __init__(self, sim, market_id):
        super().__init__(sim, market_id)
        window = max(2, sim.scenario.auction_window)
        self.rules = AuctionRules(commit_window=window // 2, reveal_window=window - window // 2)
        self.bids: dict[int, dict[str, int]] = {}

    def standing_quote(self, agent):
        proposed = agent.profile.proposed_time(self.work)
        return (0, proposed) if agent.colluding else (agent.profile.cost(self.work), proposed)

    def bid(self, agent, ask_id: int) -> int:
        return 0 if self.censors(agent, ask_id) else agent.profile.cost(self.work)

    def on_arrival(self, ask_id: int) -> None:
        self.bids[ask_id] = {}
        self.collect(ask_id)
        ask = self.sim.chain.state.asks[ask_id]
        self.sim.schedule(min(self.rules.close(ask), self.sim.records[ask_id].expiry), "timer", self.market_id, ask_id)

    def on_capacity(self) -> None:
        for ask_id in list(self.sim.pending[self.market_id]):
            if self.sim.now < self.rules.commit_end(self.sim.chain.state.asks[ask_id]):
                self.collect(ask_id)

    def collect(self, ask_id: int) -> None:
        """Provers free now commit a bid (once per ask)."""
        record = self.sim.records[ask_id]
        for agent in self.sim.candidates(ask_id):
            price = self.bid(agent, ask_id)
            if agent.address not in self.bids[ask_id] and price <= record.plan.max_price:
                self.bids[ask_id][agent.address] = (price, self.sim.now)

    def try_match(self, ask_id: int) -> bool:
        view, ask = self.view_and_ask(ask_id)
        commitments, reveals = [], []
        for prover, (price, at) in sorted(self.bids.get(ask_id, {}).items()):
            salt = hashlib.sha256(f"{self.seed}/{ask_id}/{prover}".encode()).digest()
            commitments.append(BidCommitment(ask_id, prover, bid_commitment(ask.market_id, ask_id, prover, price, salt), at))
            reveals.append(BidReveal(ask_id, prover, price, salt, self.rules.commit_end(ask)))
        match = auction_winner(view, ask, revealed_bids(ask, self.rules, commitments, reveals), self.seed)
        self.bids.pop(ask_id, None)
        return self.assign(match)


class ReverseDutch(Matching):
    """`spec.matching.dutch`: the price rises from `dutch_floor` x max_price to max_price over
    `dutch_duration` seconds; a free eligible prover locks as soon as the price reaches its
    reservation (cost plus markup) and the earliest lock wins at the price of its instant.
    Coalition members lock target asks at once."""

    name = "reverse_dutch"

    def __init__(self, sim, market_id):
        super().__init__(sim, market_id)
        self.rules = DutchRules(floor_bps=int(sim.scenario.dutch_floor * BPS), ramp=sim.scenario.dutch_duration)
        self.locks: dict[int, dict[str, Lock]] = {}
        self.next_check: dict[int, int] = {}

    def standing_quote(self, agent):
        return (0, agent.profile.proposed_time(self.work)) if agent.colluding else super().standing_quote(agent)

    def accepts_at(self, agent, ask_id: int) -> int:
        return 0 if self.censors(agent, ask_id) else agent.profile.reservation(self.work)

    def try_match(self, ask_id: int) -> bool:
        sim = self.sim
        ask = sim.chain.state.asks[ask_id]
        locks = self.locks.setdefault(ask_id, {})
        price_now = dutch_price(ask, self.rules, sim.now)
        waiting = []
        for agent in sim.candidates(ask_id):
            reservation = self.accepts_at(agent, ask_id)
            if reservation <= price_now and agent.address not in locks:
                locks[agent.address] = Lock(ask_id, agent.address, sim.now)
            elif reservation <= ask.max_price:
                waiting.append(reservation)
        if locks:
            view, ask = self.view_and_ask(ask_id)
            match = first_lock(view, ask, self.rules, locks.values(), self.seed)
            if match is not None:
                self.locks.pop(ask_id, None)
                self.next_check.pop(ask_id, None)
                return self.assign(match)
        if waiting:
            floor = ask.max_price * self.rules.floor_bps // BPS
            span = max(1, ask.max_price - floor)
            when = ask.created_at + math.ceil((min(waiting) - floor) / span * self.rules.ramp)
            when = max(sim.now + 1, when)
            if when < self.next_check.get(ask_id, math.inf):
                self.next_check[ask_id] = when
                sim.schedule(when, "timer", self.market_id, ask_id)
        return False

    def on_timer(self, ask_id: int) -> None:
        if self.next_check.get(ask_id) == self.sim.now:
            del self.next_check[ask_id]
        self.try_match(ask_id)


class ProofRace(Matching):
    """`spec.matching.race`: free eligible provers whose cost is below the ask's max_price race;
    the `race_width` fastest of them start at once (a slower prover expects to lose and stays
    out); the earliest valid submission wins, is assigned and paid max_price in the same block,
    the others' work is wasted. The ask's expiry covers matching plus proving. Coalition members
    do not race target asks."""

    name = "proof_race"
    assigns_on_proof = True

    def standing_quote(self, agent):
        return agent.profile.cost(self.work), agent.profile.proposed_time(self.work)

    def try_match(self, ask_id: int) -> bool:
        record = self.sim.records[ask_id]
        room = self.sim.scenario.race_width - len(record.racers)
        if room <= 0:
            return False
        entrants = [a for a in self.sim.candidates(ask_id) if a.address not in record.racers
                    and not self.censors(a, ask_id) and a.profile.cost(self.work) < record.plan.max_price]
        for agent in sorted(entrants, key=lambda a: (-a.profile.speed, a.address))[:room]:
            record.racers[agent.address] = self.sim.start_job(agent, ask_id, race=True)
        return bool(entrants)

    def race_finished(self, record, job) -> None:
        sim = self.sim
        if record.outcome is not None or record.ask_id not in sim.pending[self.market_id]:
            sim._stop_job(job)
            return
        state = sim.chain.state
        ask = state.asks[record.ask_id]
        submission = RaceSubmission(record.ask_id, job.prover, stand_in_proof(ask.public_inputs), sim.now)
        result = race_result(state, ask, [submission], DEFAULT_ENV, self.seed)
        if result is None or sim.chain.assign(record.ask_id, job.prover, result.match.price) is None:
            sim._stop_job(job)
            return
        record.assigned_at, record.prover, record.price = sim.now, job.prover, result.match.price
        sim._unpend(record)
        sim.schedule(sim.chain.state.asks[record.ask_id].assignment.deadline + 1, "deadline", record.ask_id)
        record.racers.pop(job.prover, None)
        for other in list(record.racers.values()):
            sim._stop_job(other)
        if sim.chain.prove(record.ask_id, job.prover) is not None:
            sim.complete(record, job)


MATCHINGS = {cls.name: cls for cls in (ProofRace, RoundRobin, SealedBidAuction, Orderbook, ReverseDutch)}


def make_matching(protocol: str, sim, market_id: int) -> Matching:
    return MATCHINGS[protocol](sim, market_id)
