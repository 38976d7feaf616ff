"""Simulator summary: the market simulation at the audit's budget with every protocol action
through `spec.apply` and every transition invariant checked on it, plus a determinism check."""
from __future__ import annotations

import time

from kalypso.audit.model import Check, SectionOutput, Status, Table, section

AREA = "Market simulator"


def invariant_observer(invariants, failures: list):
    """Check every transition invariant on each applied operation; keep the first failures."""

    def observe(pre, op, post, events):
        if len(failures) < 5:
            found = invariants.transition_violations(pre, op, post, events) + invariants.state_violations(post)
            if found:
                failures.append(f"t={pre.time} {op!r}\n  " + "\n  ".join(found))

    return observe


@section("simulator", AREA, cost=2, budgets={
    "quick": {"asks": 80, "provers": 9, "seeds": (1,), "loads": (0.6,), "coalitions": (0.0, 0.25), "checked_asks": 40},
    "default": {"asks": 500, "provers": 24, "seeds": (1, 2), "loads": (0.3, 0.6), "coalitions": (0.0, 0.1, 0.25, 0.5), "checked_asks": 150},
    "thorough": {"asks": 2000, "provers": 40, "seeds": (1, 2, 3, 4, 5), "loads": (0.2, 0.4, 0.6, 0.8), "coalitions": (0.0, 0.1, 0.2, 0.3, 0.4, 0.5), "checked_asks": 500},
})
def simulator(ctx) -> SectionOutput:
    from properties import invariants
    from reference.sim import PROTOCOLS, Scenario, Simulation
    from reference.sim.experiments import Budget, run_count, run_experiments
    from reference.sim.plots import all_figures
    from reference.sim.report import (AUTO_CANCEL_HEADERS, CENSORSHIP_HEADERS, COMPARISON_HEADERS, RACE_WIDTH_HEADERS,
                                      auto_cancel_rows, censorship_rows, comparison_rows, race_width_rows)

    b = ctx.budget
    checks = []
    total = len(PROTOCOLS) + 1
    for i, protocol in enumerate(PROTOCOLS):
        ctx.progress(f"invariants under {protocol}", completed=i, total=total)
        failures: list[str] = []
        scenario = Scenario(protocol=protocol, asks=b["checked_asks"], provers=b["provers"], seed=ctx.seed, coalition=0.25)
        start = time.perf_counter()
        result = Simulation(scenario, observer=invariant_observer(invariants, failures)).run()
        ok = not failures and result.spec_rejections == 0
        trace = "\n\n".join(failures + list(result.rejections)) or None
        checks.append(Check(f"{protocol}: every transition invariant holds, no spec rejection", Status.PASS if ok else Status.FAIL,
                            count=result.spec_ops, seconds=time.perf_counter() - start, seed=ctx.seed,
                            detail=f"{result.asks} asks, 25% censoring coalition; {result.spec_rejections} rejected", trace=trace))
    ctx.progress("determinism", completed=len(PROTOCOLS), total=total)
    start = time.perf_counter()
    scenario = Scenario(protocol="sealed_bid_auction", asks=b["checked_asks"], provers=b["provers"], seed=ctx.seed)
    first, second = Simulation(scenario).run(), Simulation(scenario).run()
    checks.append(Check("same seed, same results", Status.PASS if first == second else Status.FAIL, count=2,
                        seconds=time.perf_counter() - start, seed=ctx.seed,
                        trace=None if first == second else f"{first}\n!=\n{second}"))
    budget = Budget(asks=b["asks"], provers=b["provers"], seeds=tuple(b["seeds"]), loads=tuple(b["loads"]),
                    coalitions=tuple(b["coalitions"]))
    count = run_count(budget)
    done = [0]

    def progress(description):
        ctx.progress(f"experiments: {description}", completed=done[0], total=count)
        done[0] += 1

    start = time.perf_counter()
    results = run_experiments(budget, progress=progress)
    rejected = sum(r.spec_rejections for r in results.runs)
    checks.append(Check("experiments ran through the spec", Status.PASS if rejected == 0 else Status.FAIL,
                        count=sum(r.spec_ops for r in results.runs), seconds=time.perf_counter() - start, seed=None,
                        detail=f"{len(results.runs)} runs, seeds {list(budget.seeds)}, {rejected} rejected operations"))
    figures = all_figures(results, ctx.out_dir / "sim")
    tables = (
        Table("Protocol comparison (means over seeds)", COMPARISON_HEADERS, tuple(comparison_rows(results))),
        Table("Censorship of one requester", CENSORSHIP_HEADERS, tuple(censorship_rows(results))),
        Table("Auto-cancel across markets", AUTO_CANCEL_HEADERS, tuple(auto_cancel_rows(results))),
        Table("Proof race: racers per ask", RACE_WIDTH_HEADERS, tuple(race_width_rows(results))),
    )
    return SectionOutput(checks=tuple(checks), tables=tables, figures=tuple(figures), notes=(
        "At the default profile these are the experiments of docs/simulation.md (`kalypso simulate`).",))
