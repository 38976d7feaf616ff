"""Deployed Kalypso: the deployed_native fork (master-66d489f, read from the Solidity) against its
own vectors on the reference adapter and, where the contracts and npm are present, on the real
bytecode (the EVM adapter); the design-vs-deployed divergence table; and every invariant the
deployed contracts violate, with its minimal trace and the bytecode's replay of it."""
from __future__ import annotations

import json
import sys
import time
from collections import Counter

from kalypso.audit.model import Check, NotAvailable, SectionOutput, Status, Table, section

AREA = "Deployed Kalypso"


def _conformance_check(label: str, report) -> Check:
    return Check(f"fork conformance, {label}: every deployed_native vector", Status.PASS if report.ok else Status.FAIL,
                 count=report.total, seconds=report.seconds,
                 detail=f"{report.passed}/{report.total} cases pass, {report.restarts} adapter restarts",
                 trace="\n".join(f"{r.name} [{r.kind}] {r.message}" for r in report.failures[:10]) or None)


def _trace_text(finding) -> str:
    data = json.loads(finding.path.read_text())
    lines = [f"vector: {finding.path.relative_to(finding.path.parents[3])}"]
    for i, step in enumerate(data["operations"]):
        args = ", ".join(f"{k}={v}" for k, v in step["args"].items() if k not in ("signature",))
        lines.append(f"{i:3d} {step['op']}({args[:140]})")
    return "\n".join(lines)


def _finding_rows(findings, replays, fork_violations) -> tuple:
    rows = []
    for f in findings:
        replay = replays.get((f.invariant, f.name))
        if replay is None:
            evm = "not replayed (no contracts or npm)"
            seen = "-"
        else:
            evm = "bytecode agrees on every step and the projection" if replay.agrees else f"DISAGREES: {replay.outcome}"
            seen = ", ".join(f"{k}={v if v is not None else 0}" for k, v in replay.evidence.items())
        rows.append((f.invariant, f.rule, f"{len(json.loads(f.path.read_text())['operations'])} steps: "
                     f"{f.path.parent.name}/{f.path.name}", "; ".join(fork_violations[(f.invariant, f.name)]), evm, seen,
                     f"{f.fix} (spec/deployed_native/fixes.py, Z3-proven)" if f.fix else "-"))
    return tuple(rows)


@section("deployed", AREA, cost=3, budgets={
    "quick": {"evm": True, "divergence": False, "search": False, "random_traces": 10},
    "default": {"evm": True, "divergence": True, "search": False, "random_traces": 60},
    "thorough": {"evm": True, "divergence": True, "search": True, "random_traces": 400},
})
def deployed(ctx) -> SectionOutput:
    from properties import deployed_native as props
    from properties import deployed_native_search as search_mod
    from properties.z3 import deployed_native as zd
    from reference.conformance import runner
    from reference.conformance.deployed_native import findings as findings_mod
    from reference.conformance.deployed_native import generate
    from reference.evm import compile as evm_compile

    if not generate.FORK_DIR.exists():
        raise NotAvailable(f"{AREA}: no vectors at {generate.FORK_DIR}")
    checks, tables, notes = [], [], []

    ctx.progress("reference adapter on deployed_native vectors", completed=0, total=None)
    reference = runner.run_conformance([sys.executable, "-m", "spec.adapter"], generate.FORK_DIR)
    checks.append(_conformance_check("reference adapter (`python -m spec.adapter`)", reference))

    fork_violations = {}
    for f in findings_mod.FINDINGS:
        start = time.perf_counter()
        operations = findings_mod.committed_operations(f)
        steps, final, kept = search_mod.run_ops(operations)
        shown = [v for v in props.violations(steps, final).get(f.invariant, []) if f.match in v]
        fork_violations[(f.invariant, f.name)] = shown
        checks.append(Check(f"finding {f.invariant} ({f.name}): the fork violates it on a {len(operations)}-step trace from genesis",
                            Status.PASS if shown and len(kept) == len(operations) else Status.FAIL, count=len(operations),
                            seconds=time.perf_counter() - start, detail=("VIOLATED: " + "; ".join(shown))[:300] if shown else
                            "the committed trace no longer violates the invariant: regenerate the findings", trace=_trace_text(f)))
    if ctx.budget["search"]:
        for f in findings_mod.FINDINGS:
            start = time.perf_counter()
            again = findings_mod.search(f) == findings_mod.committed_operations(f)
            checks.append(Check(f"finding {f.invariant} ({f.name}): the seeded search finds the committed trace again",
                                Status.PASS if again else Status.FAIL, seconds=time.perf_counter() - start, seed=f.seed))

    for z3_check in zd.CHECKS:
        start = time.perf_counter()
        result = z3_check()
        checks.append(Check(f"Z3: {result.name}", Status.PASS if result.holds else Status.FAIL, seconds=time.perf_counter() - start,
                            detail=result.detail + (f"; witness {result.witness}" if result.witness else "")))

    replays = {}
    reason = evm_compile.missing_reason() if ctx.budget["evm"] else "not in this profile"
    if not reason:
        # compile (or load) once here: an adapter compiling cold in its own process answers no
        # 'genesis' within the runner's case timeout, and every case would restart it
        from reference.evm.errors import EvmHarnessError

        ctx.progress("compiling the master-66d489f contracts (cached after the first run)", completed=0, total=None)
        try:
            evm_compile.compile_kalypso(evm_compile.default_contracts_dir())
        except EvmHarnessError as exc:
            reason = str(exc)
    if reason:
        for name in ("fork conformance, EVM adapter (master-66d489f bytecode)", "findings replayed on the bytecode",
                     "design vectors on the bytecode: divergence report"):
            checks.append(Check(name, Status.NOT_AVAILABLE, detail=f"needs the contracts and the npm toolchain: {reason}"))
    else:
        contracts = str(evm_compile.default_contracts_dir())
        adapter = [sys.executable, "-m", "reference.evm.adapter", "--contracts", contracts]
        ctx.progress("EVM adapter on deployed_native vectors", completed=0, total=None)
        checks.append(_conformance_check(f"EVM adapter on the master-66d489f bytecode (`{contracts}`)",
                                         runner.run_conformance(adapter, generate.FORK_DIR)))
        from reference.conformance.deployed_native import replay as replay_mod

        for r in replay_mod.replay_findings(adapter):
            replays[(r.finding.invariant, r.finding.name)] = r
            checks.append(Check(f"finding {r.finding.invariant} ({r.finding.name}) replayed on the bytecode",
                                Status.PASS if r.agrees else Status.FAIL, count=r.steps, seconds=r.seconds,
                                detail=("the contracts answer every step and the final projection as the fork does; "
                                        + ", ".join(f"{k}={v if v is not None else 0}" for k, v in r.evidence.items()))
                                if r.agrees else f"the bytecode departs from the fork: {r.outcome}"))
        checks.append(_random_traces(ctx, adapter))
        if ctx.budget["divergence"]:
            tables.append(_divergence(ctx, checks))
    tables.insert(0, Table("Invariants the deployed contracts violate (findings)",
                           ("Invariant", "Deployed rule that breaks it", "Trace", "Violation (fork)", "EVM replay", "Evidence read from the bytecode",
                            "Smallest fix"),
                           _finding_rows(findings_mod.FINDINGS, replays, fork_violations)))
    held = sorted(f"{i.id} {i.name}" for i in props.ALL if f"{i.id} {i.name}" not in props.VIOLATED)
    notes.append("Invariants checked on the fork and not violated by any trace searched (Hypothesis machine "
                 "`DeployedNativeMachine` in the machines section, the counterexample search): " + ", ".join(held) + ".")
    notes.append("A finding is a trace from genesis that the fork accepts step by step and that violates the invariant; "
                 "it is committed as a replayable vector under vectors/deployed_native/findings/ and replayed on the "
                 "real bytecode. The invariants are the design's (ids kept) or the contracts' own stated bounds (D ids); "
                 "none is weakened to make the fork pass.")
    from kalypso.audit.sections.deployed_restaking import restaking_part

    more_checks, more_tables, more_notes = restaking_part(ctx)
    checks += more_checks
    tables += more_tables
    notes += more_notes
    groups = Counter("/".join(r.name.split("/")[:2]) for r in reference.results)
    tables.append(Table("deployed_native vectors by module/operation", ("Module/operation", "Cases"),
                        tuple((g, str(n)) for g, n in sorted(groups.items()))))
    return SectionOutput(checks=tuple(checks), tables=tuple(tables), notes=tuple(notes))


def _divergence(ctx, checks) -> Table:
    """The design vectors on the bytecode, classified by the EVM tool (reference.evm.diverge)."""
    from reference.conformance import cases

    try:
        from reference.evm import diverge
    except ImportError as missing:
        checks.append(Check("design vectors on the bytecode: divergence report", Status.NOT_AVAILABLE,
                            detail=f"the EVM divergence tool is not available ({missing})"))
        return Table("Design vs deployed divergence", ("Rule", "Cases", "What the deployed contracts do"), ())
    ctx.progress("design vectors on the bytecode", completed=0, total=None)
    start = time.perf_counter()
    report = diverge.divergence_report(cases.VECTORS_DIR)
    counts = report.counts()
    checks.append(Check("design vectors on the bytecode: divergence report", Status.PASS if report.results else Status.FAIL,
                        count=len(report.results), seconds=time.perf_counter() - start,
                        detail=f"{counts.get('agrees', 0)} agree, {len(report.results) - counts.get('agrees', 0)} diverge "
                               f"under {len([r for r in counts if r != 'agrees'])} rules"))
    rows = tuple((rule, str(n), diverge.RULES.get(rule, "the design and the bytecode agree"))
                 for rule, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return Table("Design vs deployed divergence (design vectors on the bytecode, classified by rule)",
                 ("Rule", "Cases", "What the deployed contracts do"), rows)


def _random_traces(ctx, adapter) -> Check:
    """Seeded random traces (rejected steps kept) replayed on the bytecode: every step agrees."""
    from reference.conformance.cases import CaseFile
    from reference.conformance.deployed_native.traces import random_action_lists, trace_case
    from reference.conformance.runner import SubprocessAdapter, replay_case

    count = ctx.budget["random_traces"]
    ctx.progress("random traces on the bytecode", completed=0, total=count)
    start, steps, failures = time.perf_counter(), 0, []
    with SubprocessAdapter(adapter) as session:
        for i, actions in enumerate(random_action_lists(count, seed=ctx.seed)):
            case = trace_case(actions)
            steps += len(case["operations"])
            result = replay_case(session, CaseFile(f"random/{i}", None, case), 300)
            if not result.passed:
                failures.append(f"trace {i} {actions}: {result.message}")
            ctx.progress("random traces on the bytecode", completed=i + 1, total=count)
    return Check(f"random differential traces on the bytecode ({count} traces, seed {ctx.seed})",
                 Status.PASS if not failures else Status.FAIL, count=count, seconds=time.perf_counter() - start, seed=ctx.seed,
                 detail=f"{steps} steps (rejected ones included), {len(failures)} traces disagree",
                 trace="\n".join(failures[:5]) or None)
