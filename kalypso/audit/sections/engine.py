"""Matching engine: the fast orderbook engine (`reference.engine`) diffed against the spec's
orderbook (`spec.matching.orderbook`) on seeded worlds of provers and asks."""
from __future__ import annotations

import time

from kalypso.audit.model import Check, SectionOutput, Status, section

AREA = "Matching engine"


@section("engine", AREA, cost=1, budgets={
    "quick": {"worlds": 1, "provers": 40, "asks": 80},
    "default": {"worlds": 8, "provers": 150, "asks": 400},
    "thorough": {"worlds": 20, "provers": 600, "asks": 2000},
})
def engine(ctx) -> SectionOutput:
    from reference.engine import bench as worlds
    from reference.engine.fast import FastOrderbook
    from spec.matching import orderbook as spec_orderbook

    b = ctx.budget
    checks = []
    for k in range(b["worlds"]):
        ctx.progress(f"world {k + 1}", completed=k, total=b["worlds"])
        seed = ctx.seed + k
        start = time.perf_counter()
        state = worlds.with_asks(worlds.provers_world(b["provers"], seed), worlds.random_asks(b["asks"], seed=seed))
        expected = spec_orderbook(state, seed % 2**32)
        got = FastOrderbook.match(state, seed % 2**32)
        first = next((i for i, (e, g) in enumerate(zip(expected, got)) if e != g), None)
        ok = tuple(got) == tuple(expected)
        trace = None if ok else (f"spec: {len(expected)} matches, fast engine: {len(got)}\n"
                                 + (f"first difference at match {first}: spec {expected[first]} vs fast {got[first]}" if first is not None else ""))
        checks.append(Check(f"world {k + 1}: fast orderbook == spec.matching.orderbook", Status.PASS if ok else Status.FAIL,
                            count=len(expected), seconds=time.perf_counter() - start, seed=seed,
                            detail=f"{b['provers']} provers, {b['asks']} asks, {len(expected)} matches", trace=trace))
    ctx.progress("done", completed=b["worlds"], total=b["worlds"])
    return SectionOutput(checks=tuple(checks))
