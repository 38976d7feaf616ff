"""Vector self-check (the committed vectors replay byte-identically through the spec) and
conformance of the reference adapter over the JSON-lines protocol."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from kalypso.audit.model import Check, Status
from kalypso.audit.registry import SectionOutput, section
from kalypso.audit.sections._util import first_attr, require_attr, require_module

AREA = "Vectors and conformance"
VECTORS = Path("vectors")


def outcome_check(name: str, outcome, seconds: float) -> Check:
    """A conformance/self-check outcome (object or list of failures) as one check."""
    failures = first_attr(outcome, ("failures", "mismatches", "errors"), None)
    if failures is None and isinstance(outcome, (list, tuple)):
        failures = outcome
    failures = list(failures or [])
    total = first_attr(outcome, ("total", "cases", "checked", "count"), None)
    if isinstance(total, (list, tuple)):
        total = len(total)
    ok = first_attr(outcome, ("ok", "passed"), not failures)
    trace = "\n\n".join(str(f) for f in failures[:5]) or None
    return Check(name, Status.PASS if ok and not failures else Status.FAIL, count=total, seconds=seconds,
                 detail=f"{len(failures)} failure(s)" if failures else "all cases match", trace=trace)


@section("conformance", AREA, cost=1, budgets={"quick": {}, "default": {}, "thorough": {}})
def conformance(ctx) -> SectionOutput:
    module = require_module("reference.conformance", AREA)
    check_vectors = require_attr(module, "check_vectors", AREA)
    run_conformance = require_attr(module, "run_conformance", AREA)
    checks = []
    ctx.progress("vector self-check", completed=0, total=2)
    start = time.perf_counter()
    checks.append(outcome_check("vector self-check (spec replays every vector)", check_vectors(VECTORS), time.perf_counter() - start))
    ctx.progress("reference adapter", completed=1, total=2)
    start = time.perf_counter()
    adapter = [sys.executable, "-m", "spec.adapter"]
    checks.append(outcome_check(f"conformance: {' '.join(adapter[1:])}", run_conformance(adapter, VECTORS), time.perf_counter() - start))
    ctx.progress("done", completed=2, total=2)
    return SectionOutput(checks=tuple(checks))
