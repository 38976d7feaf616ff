"""Mutation score: how many named mutants of the spec the conformance vectors kill."""
from __future__ import annotations

import random
import time

from kalypso.audit.model import Check, SectionOutput, Status, Table, section

AREA = "Mutation score"


@section("mutation", AREA, cost=3, budgets={
    "quick": {"max_mutants": 4, "threshold": 0.95},
    "default": {"max_mutants": None, "threshold": 0.95},
    "thorough": {"max_mutants": None, "threshold": 0.95},
})
def mutation(ctx) -> SectionOutput:
    from reference.conformance.mutants import MUTANTS
    from reference.conformance.mutation import mutation_score

    names = sorted(m.name for m in MUTANTS)
    if ctx.budget["max_mutants"] is not None and ctx.budget["max_mutants"] < len(names):
        names = sorted(random.Random(ctx.seed).sample(names, ctx.budget["max_mutants"]))
    done = [0]

    def progress(result):
        done[0] += 1
        ctx.progress(f"{result.name}: {result.status}", completed=done[0], total=len(names))

    ctx.progress("baseline (unmutated adapter)", completed=0, total=len(names))
    start = time.perf_counter()
    report = mutation_score(names, jobs=1, progress=progress)
    seconds = time.perf_counter() - start
    threshold = ctx.budget["threshold"]
    if not report.baseline_ok:
        return SectionOutput(checks=(Check("unmutated adapter passes every case", Status.FAIL, count=report.cases,
                                           seconds=seconds, trace=report.baseline_failure),))
    killed, survivors = len(report.killed), len(report.survivors)
    ok = report.score >= threshold
    check = Check(f"mutation score >= {threshold:.0%}", Status.PASS if ok else Status.FAIL, count=len(names),
                  seconds=seconds, seed=ctx.seed,
                  detail=f"{killed} killed, {survivors} survived, {len(report.stale)} stale; score {report.score:.1%}",
                  trace=None if ok else "\n".join(f"survived: {r.name}: {r.description}" for r in report.survivors))
    table = Table("Mutants", ("Mutant", "Status", "Killed by", "Time (s)"),
                  tuple((r.name, r.status, r.killed_by or r.reason, f"{r.seconds:.2f}") for r in report.results))
    notes = () if ctx.budget["max_mutants"] is None else (
        f"Budget: {len(names)} of {len(MUTANTS)} mutants, sampled with the audit seed.",)
    return SectionOutput(checks=(check,), tables=(table,), notes=notes)
