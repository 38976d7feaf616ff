"""Matching protocols as engine policies: who gets an ask, when, and at what price.

Each policy decides; the chain (`spec.apply`) checks every assignment it makes. Provers'
behaviour is stated per protocol: honest provers quote or bid as written in each class; provers
in the censoring coalition act against the target requester's asks as written in each class.
"""
from __future__ import annotations

import math

from spec.types import BPS


def score(record, price: int, proof_time: int) -> float:
    """The ask's ranking of an offer (lower is better): its price-vs-time preference weighs the
    price as a share of max_price against the time as a share of proof_time."""
    weight = record.plan.preference / BPS
    return weight * price / record.plan.max_price + (1 - weight) * proof_time / record.plan.proof_time


class Matching:
    """Base policy: standing quotes at the prover's reservation price and proposed time."""

    name = "base"
    assigns_on_proof = False

    def __init__(self, sim, market_id: int):
        self.sim, self.market_id = sim, market_id

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
        pool = self.sim.available(self.market_id)
        for ask_id in list(self.sim.pending[self.market_id]):
            if not pool:
                return
            if self.try_match(ask_id, pool):
                pool = self.sim.available(self.market_id)

    def on_timer(self, ask_id: int) -> None:
        self.try_match(ask_id)

    def try_match(self, ask_id: int, pool=None) -> bool:
        """Try to match `ask_id` now (`pool`: the available provers, if already computed);
        True if a prover was assigned or started work."""
        raise NotImplementedError


class Orderbook(Matching):
    """Standing quotes; an ask is matched on arrival (or when capacity frees) to the best-scoring
    eligible quote and pays that quote's price. Coalition members post the most aggressive
    quote (price 0, time 1 s) so they win whatever they have capacity for; a standing quote cannot
    single out the target, so they also serve other asks, at a loss."""

    name = "orderbook"

    def standing_quote(self, agent):
        return (0, 1) if agent.colluding else super().standing_quote(agent)

    def try_match(self, ask_id: int, pool=None) -> bool:
        record = self.sim.records[ask_id]
        quotes = [(a, self.sim.chain.quote(self.market_id, a.address)) for a in self.sim.candidates(ask_id, pool)]
        if not quotes:
            return False
        agent, quote = min(quotes, key=lambda aq: (score(record, aq[1].price, aq[1].proposed_time), aq[0].address))
        return self.sim.assign(ask_id, agent, quote.price)


class RoundRobin(Matching):
    """Eligible provers take asks in a fixed rotation, each at its quoted price, whatever its
    price or speed. A coalition member whose turn brings a target ask sits on it."""

    name = "round_robin"

    def __init__(self, sim, market_id):
        super().__init__(sim, market_id)
        self.turn = 0

    def try_match(self, ask_id: int, pool=None) -> bool:
        eligible = {a.address: a for a in self.sim.candidates(ask_id, pool)}
        if not eligible:
            return False
        order = sorted(a for a, agent in self.sim.agents.items() if self.market_id in agent.markets)
        for step in range(len(order)):
            address = order[(self.turn + step) % len(order)]
            if address in eligible:
                self.turn = (self.turn + step + 1) % len(order)
                return self.sim.assign(ask_id, eligible[address], self.sim.chain.quote(self.market_id, address).price)
        return False


class SealedBidAuction(Matching):
    """Per-ask sealed bids collected for `auction_window` seconds; the best score wins and is paid
    the second-score price (the highest price at which it would still have won), so bidding one's
    cost is optimal: honest provers bid (cost, proposed time). The standing quote is the reserve
    (cost). Coalition members bid (0, 1 s) on target asks only; their reserve is 0."""

    name = "sealed_bid_auction"

    def standing_quote(self, agent):
        proposed = agent.profile.proposed_time(self.work)
        return (0, proposed) if agent.colluding else (agent.profile.cost(self.work), proposed)

    def on_arrival(self, ask_id: int) -> None:
        self.open_window(ask_id)

    def on_capacity(self) -> None:
        for ask_id in list(self.sim.pending[self.market_id]):
            if not self.sim.records[ask_id].timer:
                self.open_window(ask_id)

    def open_window(self, ask_id: int) -> None:
        record = self.sim.records[ask_id]
        record.timer = True
        self.sim.schedule(min(self.sim.now + self.sim.scenario.auction_window, record.expiry), "timer", self.market_id, ask_id)

    def bid(self, agent, ask_id: int) -> tuple[int, int]:
        if self.censors(agent, ask_id):
            return 0, 1
        return agent.profile.cost(self.work), agent.profile.proposed_time(self.work)

    def try_match(self, ask_id: int, pool=None) -> bool:
        record = self.sim.records[ask_id]
        bids = [(score(record, *self.bid(a, ask_id)), a.address, a, self.bid(a, ask_id)) for a in self.sim.candidates(ask_id, pool)]
        bids = [b for b in bids if b[3][0] <= record.plan.max_price]
        if not bids:
            return False
        bids.sort(key=lambda b: b[:2])
        _, _, agent, (price, proposed) = bids[0]
        return self.sim.assign(ask_id, agent, self.second_score_price(record, bids, proposed, price))

    @staticmethod
    def second_score_price(record, bids, proposed: int, own: int) -> int:
        weight = record.plan.preference / BPS
        if len(bids) == 1 or weight == 0:
            return record.plan.max_price
        runner_up = bids[1][0]
        price = (runner_up - (1 - weight) * proposed / record.plan.proof_time) * record.plan.max_price / weight
        return max(own, min(record.plan.max_price, math.floor(price)))


class ReverseDutch(Matching):
    """The offered price rises linearly from `dutch_floor` x max_price to max_price over
    `dutch_duration` seconds; the first eligible prover whose reservation (cost plus markup) is
    reached accepts at the current offer. Coalition members accept target asks at once."""

    name = "reverse_dutch"

    def __init__(self, sim, market_id):
        super().__init__(sim, market_id)
        self.next_check: dict[int, int] = {}

    def standing_quote(self, agent):
        return (0, agent.profile.proposed_time(self.work)) if agent.colluding else super().standing_quote(agent)

    def floor(self, record) -> int:
        return int(record.plan.max_price * self.sim.scenario.dutch_floor)

    def offer(self, record, t: int) -> int:
        floor, top = self.floor(record), record.plan.max_price
        elapsed = min(1.0, (t - record.plan.time) / self.sim.scenario.dutch_duration)
        return min(top, math.ceil(floor + (top - floor) * elapsed))

    def accepts_at(self, agent, ask_id: int) -> int:
        return 0 if self.censors(agent, ask_id) else agent.profile.reservation(self.work)

    def try_match(self, ask_id: int, pool=None) -> bool:
        record = self.sim.records[ask_id]
        offer = self.offer(record, self.sim.now)
        takers = [(self.accepts_at(a, ask_id), a.profile.proposed_time(self.work), a.address, a)
                  for a in self.sim.candidates(ask_id, pool)]
        takers = [t for t in takers if t[0] <= record.plan.max_price]
        ready = sorted(t for t in takers if t[0] <= offer)
        if ready:
            self.next_check.pop(ask_id, None)
            return self.sim.assign(ask_id, ready[0][3], offer)
        if takers:
            floor, top = self.floor(record), record.plan.max_price
            lowest = min(t[0] for t in takers)
            when = record.plan.time + math.ceil((lowest - floor) / max(1, top - floor) * self.sim.scenario.dutch_duration)
            when = max(self.sim.now + 1, when)
            if when < self.next_check.get(ask_id, math.inf):
                self.next_check[ask_id] = when
                self.sim.schedule(when, "timer", self.market_id, ask_id)
        return False

    def on_timer(self, ask_id: int) -> None:
        if self.next_check.get(ask_id) == self.sim.now:
            del self.next_check[ask_id]
        self.try_match(ask_id)


class ProofRace(Matching):
    """Eligible provers with a free slot whose cost is below the ask's max_price race: the
    `race_width` fastest of them start proving at once (a slower prover expects to lose and
    stays out); the first to finish is assigned and paid max_price in the same block, the
    others' work is wasted. The ask's expiry covers matching plus proving. Coalition members
    simply do not race target asks."""

    name = "proof_race"
    assigns_on_proof = True

    def standing_quote(self, agent):
        return agent.profile.cost(self.work), agent.profile.proposed_time(self.work)

    def try_match(self, ask_id: int, pool=None) -> bool:
        record = self.sim.records[ask_id]
        room = self.sim.scenario.race_width - len(record.racers)
        if room <= 0:
            return False
        entrants = [a for a in self.sim.candidates(ask_id, pool) if a.address not in record.racers
                    and not self.censors(a, ask_id) and a.profile.cost(self.work) < record.plan.max_price]
        for agent in sorted(entrants, key=lambda a: (-a.profile.speed, a.address))[:room]:
            record.racers[agent.address] = self.sim.start_job(agent, ask_id, race=True)
        return bool(entrants)

    def race_finished(self, record, job) -> None:
        sim = self.sim
        if record.outcome is not None or record.ask_id not in sim.pending[self.market_id]:
            sim._stop_job(job)
            return
        if sim.chain.assign(record.ask_id, self.market_id, job.prover, record.plan.max_price) is None:
            sim._stop_job(job)
            return
        record.assigned_at, record.prover, record.price = sim.now, job.prover, record.plan.max_price
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
