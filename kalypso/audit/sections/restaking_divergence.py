"""Two more parts of the restaking lineage in the "Deployed Kalypso" section: the design's
restaking cases classified against the deployed rules (docs/divergence-restaking.md: computed on
the fork's reference adapter, and on the L2 bytecode where its build is cached, which must agree
case by case), and the escape search (the negative control of the key safety rule) under the
deployed rules and with the rule switched on."""
from __future__ import annotations

import time
from pathlib import Path

from kalypso.audit.model import Check, Status, Table

ROOT = Path(__file__).resolve().parents[3]


def _status(ok: bool) -> Status:
    return Status.PASS if ok else Status.FAIL


def divergence_part(ctx, build) -> tuple[list, list]:
    """Checks and the figures table of the restaking divergence report; `build` is the cached L2
    build or None (then the bytecode half is reported as not available by the caller)."""
    from reference.evm.restaking.diverge import REPORT, _Session, command, divergence_report, render_markdown
    from reference.evm.restaking.diverge_rules import KINDS, RULES
    from spec.adapter import Session

    ctx.progress("design restaking cases on deployed_restaking (reference adapter)", completed=0, total=None)
    start = time.perf_counter()
    report = divergence_report(ROOT / "vectors" / "design", adapter=_Session(Session()))
    classified = all(r.rule in RULES for r in report.results)
    same_file = render_markdown(report, command()) == (ROOT / REPORT).read_text()
    kinds = report.kinds()
    checks = [Check("restaking divergence: every design restaking case classified under a cited rule, the committed report "
                    "regenerates", _status(classified and same_file), count=len(report.results), seconds=time.perf_counter() - start,
                    detail=", ".join(f"{KINDS[k]}: {kinds.get(k, 0)}" for k in KINDS) + ("" if same_file else
                                                                                         f"; {REPORT} is stale: regenerate it"))]
    if build is not None:
        from reference.evm.restaking.adapter import RestakingSession

        ctx.progress("design restaking cases on the L2 bytecode", completed=0, total=None)
        start = time.perf_counter()
        chain = divergence_report(ROOT / "vectors" / "design", adapter=_Session(RestakingSession(build)))
        differ = [a.case for a, b in zip(report.results, chain.results) if a != b]
        checks.append(Check("restaking divergence on the L2 bytecode: the same classification, case by case", _status(not differ),
                            count=len(chain.results), seconds=time.perf_counter() - start,
                            detail="identical" if not differ else f"{len(differ)} differ, e.g. {differ[:3]}"))
    rows = tuple((f"`{rule}`", RULES[rule][0], str(n), RULES[rule][2] or "-")
                 for rule, n in sorted(report.counts().items(), key=lambda kv: (-kv[1], kv[0])))
    table = Table(f"Restaking lineage: design restaking cases against the deployed rules ({len(report.results)} cases; "
                  f"same {kinds.get('same', 0)}, different rule {kinds.get('rule', 0)}, not expressible on L2 {kinds.get('none', 0)}; "
                  f"{REPORT})", ("Rule", "Kind", "Cases", "Contract function"), rows)
    return checks, [table]


def escape_part(ctx) -> list:
    """The escape search under the deployed rules (must find one), under the earlier deadline-only
    I8 rule (must find one: the slash's latency escapes within one cooldown of its bound) and
    under the I8 fix (must not; 600 examples, 2,000 in the thorough profile)."""
    from properties.deployed_restaking_escape import find_escape, run_ops
    from spec.deployed_restaking.fixes import apply_with

    ctx.progress("escape search on deployed_restaking", completed=0, total=None)
    start = time.perf_counter()
    found = find_escape()
    escapes = run_ops(found).escapes() if found else []
    checks = [Check("restaking escape search, deployed rules (no key safety rule): a prover misses its deadline, is reported "
                    "promptly and keeps its restaked stake", _status(bool(escapes)), count=len(found or []),
                    seconds=time.perf_counter() - start, detail=escapes[0] if escapes else "no escape found")]
    start = time.perf_counter()
    budget = 2_000 if ctx.budget["search"] else 600  # the deployed rules need about 500 examples
    old = find_escape(apply_with("I8-deadline-only"), max_examples=budget)
    old_escapes = run_ops(old, apply_with("I8-deadline-only")).escapes() if old else []
    checks.append(Check("restaking escape search under the earlier fix (deadline - capture <= epoch, no latency): an escape "
                        "within one submissionCooldown of the bound", _status(bool(old_escapes)), count=len(old or []),
                        seconds=time.perf_counter() - start, detail=old_escapes[0] if old_escapes else f"none found in {budget} examples"))
    start = time.perf_counter()
    fixed = find_escape(apply_with("I8"), max_examples=budget)
    checks.append(Check("restaking escape search with the key safety rule on (fix I8: deadline + 1 + submissionCooldown <= "
                        "capture + epoch): no escape", _status(fixed is None),
                        seconds=time.perf_counter() - start, detail=f"none found in {budget} examples" if fixed is None
                        else f"escape found: {run_ops(fixed, apply_with('I8')).escapes()[:1]}"))
    return checks
