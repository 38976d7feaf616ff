"""Mutation score: how many mutants of the spec the vectors kill."""
from __future__ import annotations

import time

from kalypso.audit.model import Check, Status
from kalypso.audit.registry import SectionOutput, section
from kalypso.audit.sections._util import first_attr, require_attr, require_module

AREA = "Mutation score"


@section("mutation", AREA, cost=2, budgets={
    "quick": {"max_mutants": 10, "threshold": 0.8},
    "default": {"max_mutants": None, "threshold": 0.9},
    "thorough": {"max_mutants": None, "threshold": 0.9},
})
def mutation(ctx) -> SectionOutput:
    module = require_module("reference.conformance.mutation", AREA)
    mutation_score = require_attr(module, "mutation_score", AREA)
    ctx.progress("mutating", completed=0, total=None)
    start = time.perf_counter()
    result = mutation_score(max_mutants=ctx.budget["max_mutants"], seed=ctx.seed)
    seconds = time.perf_counter() - start
    killed = first_attr(result, ("killed",), 0)
    total = first_attr(result, ("total", "mutants"), 0)
    killed = len(killed) if isinstance(killed, (list, tuple)) else killed
    total = len(total) if isinstance(total, (list, tuple)) else total
    score = killed / total if total else 0.0
    survivors = first_attr(result, ("survivors", "survived"), []) or []
    ok = total > 0 and score >= ctx.budget["threshold"]
    check = Check(f"mutation score >= {ctx.budget['threshold']:.0%}", Status.PASS if ok else Status.FAIL, count=total,
                  seconds=seconds, seed=ctx.seed, detail=f"{killed}/{total} killed ({score:.1%})",
                  trace=None if ok else "\n".join(str(s) for s in list(survivors)[:20]) or None)
    return SectionOutput(checks=(check,))
