"""Z3 proofs: the inductive proofs (and bounded checks) of every invariant from
`properties.z3.prove_all`, and the key safety rule of restaked stake from
`properties.z3.synthesize_parameters` (sufficient; every weakened rule lets a prover escape)."""
from __future__ import annotations

import time
from collections import Counter, defaultdict

from kalypso.audit.model import Check, SectionOutput, Status, Table, section

AREA = "Z3 proofs"
SUFFICIENT_RULE = "key_safety_rule"
FAILING = ("counterexample", "unknown", "vacuous")


def invariant_checks(results) -> tuple[list[Check], Table]:
    """One check per invariant over all its proof obligations; a counterexample fails it."""
    by_invariant = defaultdict(list)
    for r in results:
        by_invariant[r.invariant].append(r)
    checks, rows = [], []
    for invariant, rs in by_invariant.items():
        bad = [r for r in rs if r.result in FAILING]
        kinds = defaultdict(int)
        for r in rs:
            kinds[r.result] += 1
        trace = "\n\n".join(f"{r.invariant} / {r.operation}: {r.result} {r.detail}\n{r.trace}" for r in bad[:5]) or None
        checks.append(Check(f"{invariant}: inductive over every operation", Status.FAIL if bad else Status.PASS, count=len(rs),
                            seconds=sum(r.seconds for r in rs), detail=", ".join(f"{n} {k}" for k, n in sorted(kinds.items())),
                            trace=trace))
        rows.append((invariant, str(len(rs)), ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())),
                     ", ".join(sorted({r.operation for r in bad})) or "-"))
    return checks, Table("Proof obligations per invariant", ("Invariant", "Obligations", "Results", "Failing operations"), tuple(rows))


def synthesis_checks(synthesis, seconds: float) -> list[Check]:
    checks = []
    for rc in synthesis.checks:
        expected = rc.rule == SUFFICIENT_RULE
        ok = rc.sufficient == expected
        name = (f"{rc.rule}: no schedule escapes the slash" if expected
                else f"{rc.rule} (weakened): Z3 finds an escaping schedule")
        checks.append(Check(name, Status.PASS if ok else Status.FAIL, seconds=seconds / max(1, len(synthesis.checks)),
                            detail=rc.describe()[:300], trace=None if ok else rc.describe()))
    checks.append(Check("safe parameter region: closed form == Z3 quantifier elimination",
                        Status.PASS if synthesis.closed_form_equivalent else Status.FAIL,
                        detail=f"region: {synthesis.region}"[:300],
                        trace=None if synthesis.closed_form_equivalent else synthesis.describe()))
    return checks


def unbounded_checks(results, lemma, seconds: float) -> tuple[list[Check], Table, str]:
    """One check per invariant over the unbounded proofs, obligations counted by kind."""
    from properties.z3.unbounded.proofs import COUNTED, FAILING, STEP_INVARIANTS

    step_ids = {inv.id for inv in STEP_INVARIANTS}
    by_invariant = defaultdict(list)
    for r in results:
        by_invariant[r.invariant].append(r)
    checks, rows = [], []
    for invariant, rs in by_invariant.items():
        bad = [r for r in rs if r.result in FAILING]
        kinds = Counter(r.kind for r in rs if r.result not in FAILING)
        detail = (f"{kinds['obligation']} obligations, {kinds['init']} at genesis (counted); "
                  f"{kinds['frame']} frames, {kinds['step']} from the step alone (not counted)")
        claim = "holds of every step of every operation" if invariant in step_ids else "inductive over every operation"
        checks.append(Check(f"{invariant} (unbounded): {claim}", Status.FAIL if bad else Status.PASS,
                            count=kinds["obligation"] + kinds["init"], seconds=sum(r.seconds for r in rs), detail=detail,
                            trace="\n".join(f"{r.invariant} / {r.operation}: {r.result} {r.detail}" for r in bad[:5]) or None))
        rows.append((invariant, str(kinds["obligation"]), str(kinds["init"]), str(kinds["frame"]), str(kinds["step"]),
                     ", ".join(sorted({r.operation for r in bad})) or "-"))
    failed_lemma = [c for c in lemma if c.result != "proved"]
    checks.append(Check("summation and remainder lemmas (by induction, once)", Status.FAIL if failed_lemma else Status.PASS,
                        count=len(lemma), detail=", ".join(f"{c.name}: {c.result}" for c in lemma)[:300]))
    kinds = Counter(r.kind for r in results if r.result not in FAILING)
    behaviour = Counter(r.kind for r in results if r.result not in FAILING and r.invariant in step_ids)
    note = (f"Unbounded model, market chain and restaking in one transition relation (any number of accounts, markets, asks, "
            f"provers, stake tokens, vaults, snapshots, slash requests; I8 and its strengthening R0-R6 with the rest), {seconds:.1f} s: "
            f"{sum(kinds[k] for k in COUNTED)} proofs counted ({kinds['obligation']} inductive obligations with satisfiable "
            f"hypotheses, {kinds['init']} at genesis); not counted: {kinds['frame']} frame conditions, {kinds['step']} "
            f"that follow from the step relation alone (guards restated, I10, I11's enabling, step invariants the transition "
            f"satisfies alone). Of these, the step invariants I13-I17: {behaviour['obligation']} obligations counted, "
            f"{behaviour['step']} from the transition alone, {behaviour['frame']} frames.")
    table = Table("Unbounded proof obligations by kind", ("Invariant", "Obligations", "Genesis", "Frames", "Step alone", "Failing operations"),
                  tuple(rows))
    return checks, table, note


@section("z3", AREA, cost=2, budgets={
    "quick": {"depth": None, "invariant": "I2", "bounded": False},
    "default": {"depth": None, "invariant": None, "bounded": False},
    "thorough": {"depth": 3, "invariant": None, "bounded": True},
})
def z3_proofs(ctx) -> SectionOutput:
    from properties.z3 import prove_all, synthesize_parameters
    from properties.z3.proofs import OPERATION_NAMES
    from properties.z3.unbounded.lemma import prove_remainder_lemma, prove_summation_lemma
    from properties.z3.unbounded.proofs import prove_all as prove_unbounded

    total = len(OPERATION_NAMES) or None
    done = [0]

    def progress(name):
        done[0] += 1
        ctx.progress(f"proved {name}", completed=done[0], total=total)

    start = time.perf_counter()
    unbounded = prove_unbounded(invariant=ctx.budget["invariant"], progress=progress)
    checks, utable, unote = unbounded_checks(unbounded, prove_summation_lemma() + prove_remainder_lemma(), time.perf_counter() - start)
    tables = [utable]
    if not ctx.budget.get("bounded"):
        notes = [unote, "The bounded model (kalypso prove --bounded) runs in the thorough budget."]
        return _restaking_and_synthesis(ctx, checks, tables, notes, done, total, synthesize_parameters)
    done[0] = 0
    start = time.perf_counter()
    results = prove_all(invariant=ctx.budget["invariant"], depth=ctx.budget["depth"], progress=progress)
    bchecks, table = invariant_checks(results)
    checks += bchecks
    tables.append(table)
    notes = [unote, f"Bounded model: {len(results)} proof obligations in {time.perf_counter() - start:.1f} s. A counterexample, an "
             f"unknown (solver timeout) or a vacuous obligation (no valid state accepts the operation) fails; `assumed` and `vacuous` obligations are listed below."]
    notes += [f"{r.invariant} / {r.operation}: {r.result} ({r.detail})" for r in results if r.result in ("assumed", "vacuous")]
    if ctx.budget["invariant"]:
        notes.append(f"Budget: invariant {ctx.budget['invariant']} only.")
    kinds = Counter(r.kind for r in results if r.result == "proved")
    notes.append(f"Bounded model, proved checks by kind: {kinds['obligation']} inductive obligations, {kinds['init']} at genesis "
                 f"(the proofs); {kinds['frame']} frame conditions and {kinds['step']} from the step relation alone "
                 f"(guards restated, I10), not counted as proofs.")
    return _restaking_and_synthesis(ctx, checks, tables, notes, done, total, synthesize_parameters)


def _restaking_and_synthesis(ctx, checks, tables, notes, done, total, synthesize_parameters) -> SectionOutput:
    ctx.progress("key safety rule: synthesis", completed=done[0], total=total)
    start = time.perf_counter()
    checks += synthesis_checks(synthesize_parameters(), time.perf_counter() - start)
    if not ctx.budget["invariant"]:
        from properties.z3.restaking import prove as prove_restaking

        ctx.progress("restaked stake: the amount-free timing model", completed=done[0], total=total)
        start = time.perf_counter()
        restaking = prove_restaking()
        real = [r for r in restaking if r.kind == "obligation"]
        bad = [r for r in real if r.result != "proved"]
        checks.append(Check("I8 (second model: restaking alone, amounts abstracted): inductive for any number of vaults, snapshots, tasks, slashes",
                            Status.FAIL if bad else Status.PASS, count=len(real), seconds=time.perf_counter() - start,
                            detail=f"{len(real) - len(bad)} of {len(real)} obligations proved, {len(restaking) - len(real)} frame conditions not counted",
                            trace="\n".join(f"{r.invariant} / {r.operation}: {r.result} {r.detail}" for r in bad) or None))
    return SectionOutput(checks=tuple(checks), tables=tuple(tables), notes=tuple(notes))
