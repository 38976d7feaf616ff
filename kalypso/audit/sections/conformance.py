"""Vector self-check (schema, canonical form, coverage, the spec replays every vector) and
conformance of the reference adapter over the JSON-lines adapter protocol."""
from __future__ import annotations

import time
from collections import Counter

from kalypso.audit.model import Check, SectionOutput, Status, Table, section

AREA = "Vectors and conformance"


def case_failure(result) -> str:
    return f"{result.name} [{result.kind}] {result.path}: {result.message}".strip()


@section("conformance", AREA, cost=2, budgets={"quick": {}, "default": {}, "thorough": {}})
def conformance(ctx) -> SectionOutput:
    from reference.conformance.check import check_vectors
    from reference.conformance.runner import REFERENCE_ADAPTER, run_conformance

    ctx.progress("vector self-check", completed=0, total=None)
    start = time.perf_counter()
    report = check_vectors()
    failures = list(report.failures)
    checks = [Check("vector self-check: schema, canonical JSON, coverage, spec replay", Status.PASS if report.ok else Status.FAIL,
                    count=report.cases, seconds=time.perf_counter() - start,
                    detail=f"{report.cases} cases; {len(report.schema_errors)} schema errors, {len(report.noncanonical)} "
                           f"non-canonical, {report.replay.failed} replay failures",
                    trace="\n".join(failures[:20]) or None)]
    done = [0]

    def progress(_result):
        done[0] += 1
        ctx.progress("reference adapter", completed=done[0], total=report.cases)

    start = time.perf_counter()
    replay = run_conformance(REFERENCE_ADAPTER, progress=progress)
    checks.append(Check(f"conformance: `{replay.adapter}`", Status.PASS if replay.ok else Status.FAIL, count=replay.total,
                        seconds=time.perf_counter() - start,
                        detail=f"{replay.passed}/{replay.total} cases pass, {replay.restarts} adapter restarts",
                        trace="\n".join(case_failure(r) for r in replay.failures[:20]) or None))
    groups = Counter()
    failed = Counter()
    for r in replay.results:
        group = "/".join(r.name.split("/")[:2])
        groups[group] += 1
        failed[group] += not r.passed
    table = Table("Reference adapter by module/operation", ("Module/operation", "Cases", "Failed"),
                  tuple((g, str(groups[g]), str(failed[g])) for g in sorted(groups)))
    return SectionOutput(checks=tuple(checks), tables=(table,))
