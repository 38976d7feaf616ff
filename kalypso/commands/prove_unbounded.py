"""`kalypso prove` (default): the unbounded proofs (`properties.z3.unbounded`) of the protocol,
market chain and restaking in one transition relation, with obligations reported by kind."""
from __future__ import annotations

import time
from collections import Counter, defaultdict


def ids() -> tuple[str, ...]:
    from properties.z3.unbounded.proofs import ALL_IDS

    return ALL_IDS


def run_unbounded(args, console) -> int:
    from rich.progress import Progress
    from rich.table import Table

    from properties.z3.unbounded.lemma import prove_remainder_lemma, prove_summation_lemma
    from properties.z3.unbounded.proofs import COUNTED, FAILING, OPERATIONS, STEP_INVARIANTS, prove_all

    started = time.perf_counter()
    lemma = prove_summation_lemma() + prove_remainder_lemma()
    # no refresh thread: a garbage collection there could free Z3 objects while Z3 runs here
    with Progress(console=console, transient=True, auto_refresh=False) as progress:
        task = progress.add_task("proving (unbounded)", total=len(OPERATIONS))

        def advance(name):
            progress.advance(task)
            progress.refresh()

        results = prove_all(args.invariant, progress=advance)
    total = time.perf_counter() - started

    styles = {"proved": "green", "frame": "cyan", "counterexample": "bold red", "unknown": "red", "vacuous": "red"}
    table = Table(title="kalypso prove — unbounded, market chain and restaking in one model (any number of accounts, markets, asks, "
                        "provers, stake tokens, vaults, snapshots, slash requests)")
    if args.summary:
        for column in ("invariant", "obligations", "init", "frames", "from the step alone", "result", "time"):
            table.add_column(column)
        grouped = defaultdict(list)
        for r in results:
            grouped[r.invariant].append(r)
        for invariant, rows in grouped.items():
            kinds = Counter(r.kind for r in rows)
            bad = sorted({r.result for r in rows if r.result in FAILING})
            table.add_row(invariant, str(kinds["obligation"]), str(kinds["init"]), str(kinds["frame"]), str(kinds["step"]),
                          f"[{'red' if bad else 'green'}]{', '.join(bad) or 'proved'}[/]", f"{sum(r.seconds for r in rows):.2f}s")
    else:
        for column in ("invariant", "operation", "kind", "result", "time"):
            table.add_column(column)
        for r in results:
            table.add_row(r.invariant, r.operation, r.kind, f"[{styles.get(r.result, 'white')}]{r.result}[/]", f"{r.seconds:.2f}s")
    if results:
        console.print(table)
    for check in lemma:
        console.print(f"lemma, {check.name}: [{'green' if check.result == 'proved' else 'red'}]{check.result}[/]")
    failures = [r for r in results if r.result in FAILING] + [c for c in lemma if c.result != "proved"]
    for r in failures:
        console.print(f"[bold red]{getattr(r, 'invariant', 'lemma')} / {getattr(r, 'operation', r.name if hasattr(r, 'name') else '')}: "
                      f"{r.result}[/] {getattr(r, 'detail', '')}")
    for invariant in sorted({r.invariant for r in failures if hasattr(r, "invariant")}):
        from properties.z3.unbounded.counterexample import find_trace

        trace = find_trace(invariant)  # a concrete schedule of the restaking run violating it, if one exists
        if trace is not None:
            console.print(f"[bold red]counterexample trace[/]\n{trace.describe()}")
    kinds = Counter(r.kind for r in results if r.result not in FAILING)
    counted = sum(kinds[k] for k in COUNTED)
    console.print(f"unbounded model ({len(OPERATIONS)} operations, market chain and restaking): {len(results)} checks, {len(failures)} failed; {counted} proofs counted "
                  f"({kinds['obligation']} inductive obligations, {kinds['init']} at genesis, each with satisfiable hypotheses); "
                  f"not counted: {kinds['frame']} frame conditions, {kinds['step']} from the step relation alone "
                  f"(guards restated, I10, I11's enabling); total {total:.1f}s")
    step_ids = {inv.id for inv in STEP_INVARIANTS}
    behaviour = Counter(r.kind for r in results if r.result not in FAILING and r.invariant in step_ids)
    if any(r.invariant in step_ids for r in results):
        console.print(f"step invariants {min(step_ids)}-{max(step_ids)} (two-state, every operation): {behaviour['obligation']} "
                      f"obligations counted; not counted: {behaviour['step']} that the transition satisfies alone, "
                      f"{behaviour['frame']} whose formula the effect makes trivially true")
    return 1 if failures else 0
