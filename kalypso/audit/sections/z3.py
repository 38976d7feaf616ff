"""Z3 proofs: every invariant's inductive proof / bounded check from `properties.z3.prove_all`."""
from __future__ import annotations

import time

from kalypso.audit.model import Check, Status
from kalypso.audit.registry import SectionOutput, section
from kalypso.audit.sections._util import first_attr, require_attr, require_module

AREA = "Z3 proofs"


def proof_check(result, seed: int) -> Check:
    """One ProofResult as a check; a failed proof carries its counterexample."""
    name = str(first_attr(result, ("name", "invariant", "id"), "proof"))
    ok = first_attr(result, ("ok", "proved", "passed", "holds"))
    if ok is None:
        ok = str(first_attr(result, ("status",), "")).lower() in ("proved", "pass", "ok", "unsat", "holds")
    counterexample = first_attr(result, ("counterexample", "trace", "model"))
    detail = first_attr(result, ("detail", "message", "kind", "method"), "")
    return Check(name, Status.PASS if ok else Status.FAIL, count=first_attr(result, ("depth", "steps", "count")),
                 seconds=float(first_attr(result, ("seconds", "elapsed", "time"), 0.0) or 0.0), seed=None,
                 detail=str(detail), trace=None if ok or counterexample is None else str(counterexample))


@section("z3", AREA, cost=2, budgets={
    "quick": {"depth": 2},
    "default": {"depth": None},
    "thorough": {"depth": 8},
})
def z3_proofs(ctx) -> SectionOutput:
    module = require_module("properties.z3", AREA)
    prove_all = require_attr(module, "prove_all", AREA)
    ctx.progress("proving", completed=0, total=None)
    start = time.perf_counter()
    results = prove_all(depth=ctx.budget["depth"])
    checks = tuple(proof_check(r, ctx.seed) for r in results)
    ctx.progress(f"{len(checks)} proofs in {time.perf_counter() - start:.1f} s", completed=len(checks), total=len(checks))
    return SectionOutput(checks=checks, notes=("Depth `None` is the encoding's own default depth.",))
