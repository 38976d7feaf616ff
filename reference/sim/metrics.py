"""What a run measured."""
from __future__ import annotations

from collections import Counter

import attrs

from spec.types import AskState


def percentile(values, q: float) -> float:
    """Nearest-rank percentile (q in [0, 100]); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return float(ordered[int(rank) - 1])


def mean(values) -> float:
    return sum(values) / len(values) if values else 0.0


@attrs.frozen
class RunResult:
    protocol: str
    seed: int
    coalition: float
    pooled: bool
    asks: int
    completed: int
    expired: int
    slashed: int
    mean_time: float
    mean_match_delay: float
    p50_time: float
    p99_time: float
    mean_price: float
    price_ratio: float
    utilisation: float
    useful_utilisation: float
    wasted: float
    cost_per_proof: float
    top_share: float
    hhi: float
    earning_provers: int
    target_asks: int
    target_missed: int
    coalition_slashed: int
    requotes: int
    spec_ops: int
    spec_rejections: int
    rejections: tuple[str, ...] = ()

    @property
    def missed(self) -> float:
        return (self.expired + self.slashed) / self.asks if self.asks else 0.0

    @property
    def censored(self) -> float:
        """Fraction of the target requester's asks not proven by their deadline."""
        return self.target_missed / self.target_asks if self.target_asks else 0.0


def clipped(periods, until) -> int:
    """Seconds of `periods` ((start, end, ...) tuples) before `until` (all of them if None)."""
    return sum(max(0, (p[1] if until is None else min(p[1], until)) - p[0]) for p in periods)


def summarise(sim) -> RunResult:
    """Utilisation is measured over the arrival window [0, last arrival], so the drain at the end
    of a run does not dilute it; it is speed-weighted (work units, not slot-seconds)."""
    records = list(sim.records.values())
    done = [r for r in records if r.outcome == AskState.COMPLETE]
    times = [r.done_at - r.plan.time for r in done]
    agents = list(sim.agents.values())
    window = max((r.plan.time for r in records), default=0)
    work = sum(a.profile.speed * clipped(a.work_periods, window) for a in agents)
    useful = sum(a.profile.speed * clipped([p for p in a.work_periods if p[2]], window) for a in agents)
    online = sum(a.profile.speed * a.slots * clipped(a.online_periods, window) for a in agents)
    wins = Counter()
    for a in agents:
        wins[a.profile.name] += a.wins
    shares = [w / len(done) for w in wins.values()] if done else []
    targets = [r for r in records if r.plan.target]
    return RunResult(
        protocol=sim.scenario.protocol,
        seed=sim.scenario.seed,
        coalition=sim.scenario.coalition,
        pooled=sim.scenario.pooled,
        asks=len(records),
        completed=len(done),
        expired=sum(1 for r in records if r.outcome == AskState.EXPIRED),
        slashed=sum(1 for r in records if r.outcome == AskState.DEADLINE_CROSSED),
        mean_time=mean(times),
        mean_match_delay=mean([r.assigned_at - r.plan.time for r in records if r.assigned_at is not None]),
        p50_time=percentile(times, 50),
        p99_time=percentile(times, 99),
        mean_price=mean([r.price for r in done]),
        price_ratio=mean([r.price / r.plan.max_price for r in done]),
        utilisation=work / online if online else 0.0,
        useful_utilisation=useful / online if online else 0.0,
        wasted=(work - useful) / work if work else 0.0,
        cost_per_proof=sum(a.profile.cost_rate * clipped(a.work_periods, None) for a in agents) / len(done) if done else 0.0,
        top_share=max(shares, default=0.0),
        hhi=sum(s * s for s in shares),
        earning_provers=sum(1 for w in wins.values() if w),
        target_asks=len(targets),
        target_missed=sum(1 for r in targets if r.outcome != AskState.COMPLETE),
        coalition_slashed=sum(a.slashed for a in agents if a.colluding),
        requotes=sim.requotes,
        spec_ops=sum(sim.chain.applied.values()),
        spec_rejections=sum(sim.chain.rejected.values()),
        rejections=tuple(sim.chain.rejections),
    )
