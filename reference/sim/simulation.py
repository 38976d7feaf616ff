"""Discrete-event market simulation: requesters post asks, a matching protocol picks provers,
provers prove (or crash, churn offline, or censor), keepers expire and slash. Every protocol
action is a `spec.apply` on the simulated chain."""
from __future__ import annotations

import heapq
import math
import random
from typing import Optional

import attrs

from reference.sim.agents import AskPlan, ProverProfile, ScenarioError, capacity_per_second, make_asks, make_provers
from reference.sim.chain import KEEPER, Chain
from spec import operations as ops
from spec.types import AskState

PROTOCOLS = ("proof_race", "round_robin", "sealed_bid_auction", "orderbook", "reverse_dutch")
PAYMENT_FUNDS = 10**15
SLASH_AMOUNT = 1_000


@attrs.frozen
class Scenario:
    """One simulation run. `load` is offered demand over expected capacity; `coalition` the
    fraction of provers that collude to censor `target`'s asks."""

    protocol: str = "orderbook"
    provers: int = 24
    requesters: int = 4
    asks: int = 600
    load: float = 0.6
    work: float = 60.0
    seed: int = 1
    coalition: float = 0.0
    target: str = "requester-0"
    auction_window: int = 10
    dutch_duration: int = 60
    dutch_floor: float = 0.2
    race_width: int = 3
    markets: int = 1
    pooled: bool = True
    burst_period: Optional[int] = None
    slot_choices: tuple = (1, 2, 3)

    def validate(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise ScenarioError("protocol", f"must be one of {PROTOCOLS}")
        if not 0.0 <= self.coalition < 1.0:
            raise ScenarioError("coalition", "must be in [0, 1)")
        if self.load <= 0:
            raise ScenarioError("load", "must be > 0")
        if self.work <= 0:
            raise ScenarioError("work", "must be > 0")
        if self.markets not in (1, 2):
            raise ScenarioError("markets", "must be 1 or 2")
        if not self.pooled and any(s % 2 for s in self.slot_choices):
            raise ScenarioError("slot_choices", "must be even when capacity is partitioned across 2 markets")
        if self.auction_window < 2:
            raise ScenarioError("auction_window", "must be >= 2 seconds (commit and reveal)")
        if self.dutch_duration < 1:
            raise ScenarioError("dutch_duration", "must be >= 1 second")
        if self.requesters < 1:
            raise ScenarioError("requesters", "must be >= 1")
        if self.race_width < 1:
            raise ScenarioError("race_width", "must be >= 1")
        if not 0.0 <= self.dutch_floor < 1.0:
            raise ScenarioError("dutch_floor", "must be in [0, 1)")


@attrs.define
class AskRecord:
    plan: AskPlan
    ask_id: int
    market_id: int
    expiry: int
    outcome: Optional[AskState] = None
    assigned_at: Optional[int] = None
    prover: Optional[str] = None
    price: Optional[int] = None
    done_at: Optional[int] = None
    racers: dict = attrs.Factory(dict)
    timer: bool = False


@attrs.define
class Job:
    ask_id: int
    prover: str
    start: int
    end: int
    fails: bool
    race: bool = False
    censor: bool = False
    live: bool = True


@attrs.define
class Agent:
    """A prover identity on chain (a partitioned prover has one per market)."""

    address: str
    profile: ProverProfile
    slots: int
    markets: tuple
    online: bool = True
    busy: int = 0
    colluding: bool = False
    online_since: int = 0
    online_periods: list = attrs.Factory(list)
    work_periods: list = attrs.Factory(list)
    wins: int = 0
    earned: int = 0
    slashed: int = 0


class Simulation:
    def __init__(self, scenario: Scenario, observer=None, matching=None):
        from reference.sim.protocols import make_matching

        scenario.validate()
        self.scenario = s = scenario
        self.chain = Chain(observer=observer)
        self.now = 0
        self._heap: list = []
        self._seq = 0
        self.profiles = make_provers(s.provers, s.seed, s.slot_choices)
        reference_cost = sorted(p.cost(s.work) for p in self.profiles)[len(self.profiles) // 2]
        rate = s.load * capacity_per_second(self.profiles, s.work)
        self.plans = make_asks(s.asks, rate, s.requesters, s.work, reference_cost, s.seed, s.markets,
                               s.burst_period, s.target)
        coalition_size = round(s.coalition * len(self.profiles))
        chosen = random.Random(f"{s.seed}/coalition").sample(range(len(self.profiles)), coalition_size)
        self.colluders = {self.profiles[i].name for i in chosen}
        self.market_ids = [self.chain.create_market(s.protocol, SLASH_AMOUNT) for _ in range(s.markets)]
        self.agents: dict[str, Agent] = {}
        self.records: dict[int, AskRecord] = {}
        self.pending: dict[int, list[int]] = {m: [] for m in self.market_ids}
        self.jobs: dict[tuple, Job] = {}
        self.requotes = 0
        self.matching = {m: (matching or make_matching)(s.protocol, self, m) for m in self.market_ids}
        self._setup_participants()

    # -- event queue -------------------------------------------------------------------------
    def schedule(self, t: int, kind: str, *payload) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (max(t, self.now), self._seq, kind, payload))

    def rng(self, *key) -> random.Random:
        return random.Random("/".join(map(str, (self.scenario.seed, *key))))

    # -- set-up through the spec ---------------------------------------------------------------
    def _setup_participants(self) -> None:
        s, chain = self.scenario, self.chain
        for r in range(s.requesters):
            chain.submit(ops.Mint(f"requester-{r}", chain.payment_token, PAYMENT_FUNDS))
        for p in self.profiles:
            if s.pooled or s.markets == 1:
                identities = [(p.name, p.slots, tuple(self.market_ids))]
            else:
                identities = [(f"{p.name}/m{m}", p.slots // 2, (m,)) for m in self.market_ids]
            for address, slots, markets in identities:
                agent = Agent(address, p, slots, markets, colluding=p.name in self.colluders)
                self.agents[address] = agent
                stake = SLASH_AMOUNT * slots * 2
                chain.submit(ops.Mint(address, chain.stake_token, stake))
                chain.submit(ops.RegisterProver(address, address, slots))
                chain.submit(ops.DepositStake(address, chain.stake_token, stake))
                for m in markets:
                    price, proposed = self.matching[m].standing_quote(agent)
                    chain.submit(ops.JoinMarket(address, m, price, proposed, 1))
                self._schedule_churn(agent, 0)
        for plan in self.plans:
            self.schedule(plan.time, "arrive", plan.index)

    def _schedule_churn(self, agent: Agent, count: int) -> None:
        rng = self.rng("churn", agent.profile.name, count)
        mean = agent.profile.mean_online if agent.online else agent.profile.mean_offline
        self.schedule(self.now + max(1, math.ceil(rng.expovariate(1 / mean))), "churn", agent.address, count + 1)

    # -- the run ---------------------------------------------------------------------------------
    def run(self):
        from reference.sim.metrics import summarise

        arrivals_left = len(self.plans)
        handlers = {"arrive": self._arrive, "churn": self._churn, "finish": self._finish,
                    "expire": self._expire, "deadline": self._deadline, "timer": self._timer}
        while self._heap:
            t, _, kind, payload = heapq.heappop(self._heap)
            if arrivals_left == 0 and self.open_asks == 0:
                break
            self.now = t
            self.chain.advance_to(t)
            if kind == "arrive":
                arrivals_left -= 1
            handlers[kind](*payload)
        for agent in self.agents.values():
            if agent.online:
                agent.online_periods.append((agent.online_since, self.now))
        return summarise(self)

    @property
    def open_asks(self) -> int:
        return sum(1 for r in self.records.values() if r.outcome is None)

    def _arrive(self, index: int) -> None:
        plan = self.plans[index]
        market_id = self.market_ids[plan.market]
        matching = self.matching[market_id]
        expiry = self.now + plan.expiry_window + (plan.proof_time if matching.assigns_on_proof else 0)
        ask_id = self.chain.state.next_ask_id
        events = self.chain.submit(ops.CreateAsk(plan.requester, market_id, plan.max_price, expiry, plan.proof_time,
                                                 plan.preference, f"ask-{index}".encode()))
        if events is None:
            return
        self.records[ask_id] = AskRecord(plan, ask_id, market_id, expiry)
        self.pending[market_id].append(ask_id)
        self.schedule(expiry + 1, "expire", ask_id)
        matching.on_arrival(ask_id)

    def _churn(self, address: str, count: int) -> None:
        agent = self.agents[address]
        if agent.online:
            agent.online_periods.append((agent.online_since, self.now))
            agent.online = False
            for job in [j for j in self.jobs.values() if j.prover == address and j.live]:
                self._stop_job(job)
        else:
            agent.online, agent.online_since = True, self.now
        self._schedule_churn(agent, count)
        if agent.online:
            self.capacity_changed()

    def _expire(self, ask_id: int) -> None:
        record = self.records[ask_id]
        if self.chain.state.asks[ask_id].state != AskState.UNASSIGNED:
            return
        self._unpend(record)
        if self.chain.submit(ops.ExpireAsk(KEEPER, ask_id)) is not None:
            record.outcome = AskState.EXPIRED
        for job in list(record.racers.values()):
            self._stop_job(job)

    def _deadline(self, ask_id: int) -> None:
        record = self.records[ask_id]
        if self.chain.state.asks[ask_id].state != AskState.ASSIGNED:
            return
        job = self.jobs.get((ask_id, record.prover))
        if job is not None and job.live:
            self._stop_job(job)
        if self.chain.submit(ops.SlashMissedDeadline(KEEPER, ask_id)) is not None:
            record.outcome = AskState.DEADLINE_CROSSED
            agent = self.agents[record.prover]
            agent.slashed += sum(self.chain.state.markets[record.market_id].slash_amount.values())
            self.after_release(agent)

    def _timer(self, market_id: int, ask_id: int) -> None:
        self.records[ask_id].timer = False
        if self.records[ask_id].outcome is None and ask_id in self.pending[market_id]:
            self.matching[market_id].on_timer(ask_id)

    def _unpend(self, record: AskRecord) -> None:
        if record.ask_id in self.pending[record.market_id]:
            self.pending[record.market_id].remove(record.ask_id)

    # -- provers' work -------------------------------------------------------------------------
    def duration(self, agent: Agent, ask_id: int) -> tuple[int, bool]:
        """How long `agent` takes on `ask_id`, and whether it crashes (common random numbers)."""
        rng = self.rng("job", agent.profile.name, ask_id)
        seconds = max(1, math.ceil(agent.profile.nominal_time(self.scenario.work) * rng.lognormvariate(0, 0.12)))
        return seconds, rng.random() > agent.profile.reliability

    def free(self, agent: Agent) -> bool:
        return agent.online and agent.busy < agent.slots

    def start_job(self, agent: Agent, ask_id: int, race: bool = False, censor: bool = False) -> Job:
        seconds, fails = self.duration(agent, ask_id)
        job = Job(ask_id, agent.address, self.now, self.now + seconds, fails, race=race, censor=censor)
        self.jobs[(ask_id, agent.address)] = job
        agent.busy += 1
        if not censor:
            self.schedule(job.end, "finish", ask_id, agent.address)
        return job

    def _stop_job(self, job: Job) -> None:
        """A job ends without a proof (lost race, crash, offline, deadline): its compute is spent."""
        if not job.live:
            return
        job.live = False
        agent = self.agents[job.prover]
        agent.busy -= 1
        if not job.censor:
            agent.work_periods.append((job.start, min(self.now, job.end), False))
        self.records[job.ask_id].racers.pop(job.prover, None)
        self.capacity_changed()

    def _finish(self, ask_id: int, address: str) -> None:
        job = self.jobs.get((ask_id, address))
        if job is None or not job.live:
            return
        if job.fails:
            self._stop_job(job)
            return
        record = self.records[ask_id]
        matching = self.matching[record.market_id]
        if job.race:
            matching.race_finished(record, job)
            return
        if self.chain.prove(ask_id, address) is not None:
            self.complete(record, job)

    def complete(self, record: AskRecord, job: Job) -> None:
        """The proof was accepted on chain."""
        agent = self.agents[job.prover]
        job.live = False
        agent.busy -= 1
        agent.work_periods.append((job.start, self.now, True))
        agent.wins += 1
        agent.earned += record.price
        record.outcome, record.done_at = AskState.COMPLETE, self.now
        self.after_release(agent)

    def assign(self, ask_id: int, agent: Agent, price: int) -> bool:
        """The engine assigns on chain; the prover starts proving (or, if colluding against the
        ask's requester, sits on it until the deadline)."""
        record = self.records[ask_id]
        events = self.chain.assign(ask_id, agent.address, price)
        if events is None:
            return False
        record.assigned_at, record.prover, record.price = self.now, agent.address, price
        self._unpend(record)
        self.schedule(self.chain.state.asks[ask_id].assignment.deadline + 1, "deadline", ask_id)
        censor = agent.colluding and record.plan.target
        self.start_job(agent, ask_id, censor=censor)
        return True

    def after_release(self, agent: Agent) -> None:
        """Compute or stake came back: re-post quotes the spec auto-cancelled, then rematch."""
        for m in agent.markets:
            membership = self.chain.state.memberships.get((m, agent.address))
            if membership is not None and membership.quote is None and not membership.exit_requested:
                price, proposed = self.matching[m].standing_quote(agent)
                if self.chain.submit(ops.UpdateQuote(agent.address, m, price, proposed, 1)) is not None:
                    self.requotes += 1
        self.capacity_changed()

    def capacity_changed(self) -> None:
        for m in self.market_ids:
            if self.pending[m]:
                self.matching[m].on_capacity()

    # -- what the engine sees --------------------------------------------------------------------
    def available(self, market_id: int) -> list[tuple[Agent, object]]:
        """(agent, quote) of provers online with a free slot that the spec lets take one more task
        of `market_id` now (active quote, free compute and stake)."""
        return [(agent, self.chain.quote(market_id, agent.address)) for agent in self.agents.values()
                if market_id in agent.markets and self.free(agent) and self.chain.can_take(market_id, agent.address)]

    def candidates(self, ask_id: int, pool=None) -> list[Agent]:
        """Provers the engine may assign `ask_id` to now: available (see `available`), the ask not
        expired, and their quote within its bounds (quote price <= max_price, proposed_time <= proof_time)."""
        record = self.records[ask_id]
        if self.now > record.expiry:
            return []
        pool = self.available(record.market_id) if pool is None else pool
        return [agent for agent, quote in pool
                if quote.price <= record.plan.max_price and quote.proposed_time <= record.plan.proof_time]
