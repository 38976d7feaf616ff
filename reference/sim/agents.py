"""Simulated participants: provers with heterogeneous hardware and requesters' ask streams."""
from __future__ import annotations

import math
import random
from typing import Optional

import attrs

from spec.types import BPS

TIERS = (
    # name, speed (work units per second per slot), cost (payment units per slot-second), reliability
    ("accelerated", 4.0, 40_000, 0.995),
    ("gpu", 2.0, 15_000, 0.98),
    ("cpu", 1.0, 6_000, 0.95),
)
QUOTE_SAFETY = 1.25


class ScenarioError(ValueError):
    """A simulation parameter is out of range; names the field and the rule."""

    def __init__(self, field: str, rule: str):
        super().__init__(f"{field}: {rule}")
        self.field, self.rule = field, rule


@attrs.frozen
class ProverProfile:
    """A prover's hardware and behaviour. Cost and time per proof follow from `work / speed`."""

    name: str
    tier: str
    speed: float
    cost_rate: int
    reliability: float
    slots: int
    markup: float
    mean_online: float
    mean_offline: float

    def nominal_time(self, work: float) -> float:
        return work / self.speed

    def cost(self, work: float) -> int:
        """What one proof costs this prover (payment-token units)."""
        return int(self.cost_rate * self.nominal_time(work))

    def proposed_time(self, work: float) -> int:
        return math.ceil(self.nominal_time(work) * QUOTE_SAFETY)

    def reservation(self, work: float) -> int:
        """The lowest price it takes when it names its price: cost plus its markup."""
        return int(self.cost(work) * (1 + self.markup))


@attrs.frozen
class AskPlan:
    """A request a requester will post: when, where, and its price/time terms."""

    index: int
    time: int
    requester: str
    market: int
    max_price: int
    proof_time: int
    expiry_window: int
    preference: int
    target: bool


def make_provers(count: int, seed: int, slot_choices=(1, 2, 3)) -> tuple[ProverProfile, ...]:
    """`count` provers, tiers in rotation, every other trait drawn from `seed`."""
    if count < 1:
        raise ScenarioError("provers", "must be >= 1")
    rng = random.Random(f"{seed}/provers")
    out = []
    for i in range(count):
        tier, speed, cost_rate, reliability = TIERS[i % len(TIERS)]
        out.append(ProverProfile(
            name=f"prover-{i:03d}",
            tier=tier,
            speed=speed * rng.lognormvariate(0, 0.15),
            cost_rate=int(cost_rate * rng.lognormvariate(0, 0.15)),
            reliability=reliability,
            slots=rng.choice(slot_choices),
            markup=rng.uniform(0.1, 0.6),
            mean_online=rng.uniform(2_400, 7_200),
            mean_offline=rng.uniform(300, 1_200),
        ))
    return tuple(out)


def capacity_per_second(provers, work: float) -> float:
    """Expected proofs per second the population can deliver (online fraction included)."""
    return sum(p.slots * p.speed / work * p.mean_online / (p.mean_online + p.mean_offline) for p in provers)


def make_asks(count: int, rate: float, requesters: int, work: float, reference_cost: int, seed: int,
              markets: int = 1, burst_period: Optional[int] = None, target: Optional[str] = None) -> tuple[AskPlan, ...]:
    """A Poisson stream of `count` asks at `rate` per second from `requesters` requesters.
    With `markets` = 2 and a `burst_period`, demand alternates between the markets (90/10)."""
    if count < 1:
        raise ScenarioError("asks", "must be >= 1")
    if rate <= 0:
        raise ScenarioError("load", "must give a positive arrival rate")
    rng = random.Random(f"{seed}/asks")
    styles = [random.Random(f"{seed}/requester/{r}").randint(0, BPS) for r in range(requesters)]
    t = 0.0
    out = []
    for i in range(count):
        t += rng.expovariate(rate)
        r = rng.randrange(requesters)
        if markets == 1:
            market = 0
        else:
            hot = int(t // burst_period) % markets if burst_period else 0
            market = hot if rng.random() < 0.9 else rng.choice([m for m in range(markets) if m != hot])
        out.append(AskPlan(
            index=i,
            time=max(1, math.ceil(t)),
            requester=f"requester-{r}",
            market=market,
            max_price=int(reference_cost * rng.uniform(1.3, 3.0)),
            proof_time=math.ceil(work * rng.uniform(1.2, 2.5)),
            expiry_window=rng.randint(30, 120),
            preference=styles[r],
            target=target == f"requester-{r}",
        ))
    return tuple(out)
