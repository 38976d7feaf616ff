"""The experiments behind docs/simulation.md: protocol comparison, censorship, auto-cancel."""
from __future__ import annotations

from typing import Callable, Optional, Sequence

import attrs

from reference.sim.metrics import RunResult, mean
from reference.sim.simulation import PROTOCOLS, Scenario, Simulation

Progress = Callable[[str], None]


@attrs.frozen
class Budget:
    asks: int = 500
    provers: int = 24
    seeds: tuple[int, ...] = (1, 2)
    loads: tuple[float, ...] = (0.3, 0.6)
    coalitions: tuple[float, ...] = (0.0, 0.1, 0.25, 0.5)


AUTO_CANCEL_LOAD = 0.8
RACE_WIDTHS = (1, 2, 3, 6)
RACE_WIDTH_LOAD = 0.6
QUICK = Budget(asks=150, provers=12, seeds=(1,), loads=(0.6,), coalitions=(0.0, 0.25))
DEFAULT = Budget()
THOROUGH = Budget(asks=2000, provers=40, seeds=(1, 2, 3, 4, 5), loads=(0.2, 0.4, 0.6, 0.8),
                  coalitions=(0.0, 0.1, 0.2, 0.3, 0.4, 0.5))


@attrs.frozen
class Row:
    """Means over seeds of one (protocol, setting)."""

    protocol: str
    setting: str
    runs: tuple[RunResult, ...]

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return mean([getattr(r, name) for r in self.runs])


@attrs.frozen
class Results:
    budget: Budget
    comparison: tuple[Row, ...]
    censorship: tuple[Row, ...]
    auto_cancel: tuple[Row, ...]
    race_width: tuple[Row, ...] = ()

    @property
    def runs(self) -> list[RunResult]:
        groups = (self.comparison, self.censorship, self.auto_cancel, self.race_width)
        return [r for rows in groups for row in rows for r in row.runs]


def _rows(settings, budget: Budget, total: list, progress: Progress, observer) -> tuple[Row, ...]:
    rows = []
    for protocol, label, overrides in settings:
        runs = []
        for seed in budget.seeds:
            total[0] += 1
            progress(f"{protocol} {label} seed {seed}")
            scenario = Scenario(protocol=protocol, asks=budget.asks, provers=budget.provers, seed=seed, **overrides)
            runs.append(Simulation(scenario, observer=observer).run())
        rows.append(Row(protocol, label, tuple(runs)))
    return tuple(rows)


def run_experiments(budget: Budget = DEFAULT, progress: Optional[Progress] = None, observer=None,
                    protocols: Sequence[str] = PROTOCOLS) -> Results:
    """Every experiment at `budget`; `progress(description)` is called before each run."""
    progress = progress or (lambda _d: None)
    count = [0]
    comparison = _rows([(p, f"load {load}", {"load": load}) for load in budget.loads for p in protocols],
                       budget, count, progress, observer)
    censorship = _rows([(p, f"coalition {c:.0%}", {"coalition": c}) for c in budget.coalitions for p in protocols],
                       budget, count, progress, observer)
    auto_cancel = _rows([("orderbook", label, {"markets": 2, "pooled": pooled, "burst_period": 900,
                                               "slot_choices": (2, 4), "load": AUTO_CANCEL_LOAD})
                         for label, pooled in (("auto-cancel (pooled quotes)", True), ("no auto-cancel (split capacity)", False))],
                        budget, count, progress, observer)
    race_width = _rows([("proof_race", f"{width} racers per ask, load {RACE_WIDTH_LOAD}",
                         {"race_width": width, "load": RACE_WIDTH_LOAD}) for width in RACE_WIDTHS],
                       budget, count, progress, observer) if "proof_race" in protocols else ()
    return Results(budget, comparison, censorship, auto_cancel, race_width)


def run_count(budget: Budget, protocols: Sequence[str] = PROTOCOLS) -> int:
    races = len(RACE_WIDTHS) if "proof_race" in protocols else 0
    return len(budget.seeds) * (len(protocols) * (len(budget.loads) + len(budget.coalitions)) + 2 + races)
