"""`kalypso prove`: the Z3 proofs of docs/proofs.md, as a table of invariant, operation, result
and time; exits 1 if any check fails (counterexample, unknown or vacuous). By default the
unbounded proofs (`prove_unbounded`); `--bounded` runs the bounded model (A, M, N, K fixed)."""
from __future__ import annotations

import time
from collections import Counter, defaultdict
from pathlib import Path

from kalypso.args import output_dir, positive_int
from spec.errors import BadArgument


def register(parser) -> None:
    parser.add_argument("--invariant", metavar="ID", help="prove only this invariant (I1-I12, or an auxiliary A0-A4, G1)")
    parser.add_argument("--bounded", action="store_true",
                        help="run the bounded model (fixed numbers of accounts, markets, asks) instead of the unbounded proofs; "
                             "--bounds, --depth and --traces imply it")
    parser.add_argument("--depth", type=positive_int, metavar="K", help="also run bounded model checking from genesis to depth K")
    parser.add_argument("--bounds", default=None, metavar="A,M,N,K",
                        help="accounts, markets, asks, stake tokens of the bounded model (default 3,2,3,2)")
    parser.add_argument("--timing", action="store_true", help="also check the key safety rule and synthesize its parameter region")
    parser.add_argument("--traces", metavar="DIR", help="write each counterexample as a replayable vector (JSON) into DIR")
    parser.add_argument("--summary", action="store_true", help="one row per invariant instead of one per (invariant, operation)")


def _bounds(text: str | None):
    from properties.z3.model import Bounds
    from properties.z3.proofs import PROOF_BOUNDS

    if text is None:
        return PROOF_BOUNDS
    try:
        accounts, markets, asks, stake_tokens = (int(x) for x in text.split(","))
    except ValueError:
        raise BadArgument("--bounds", f"must be four integers A,M,N,K, got {text!r}") from None
    if min(accounts, markets, asks, stake_tokens) < 1 or stake_tokens > 3:
        raise BadArgument("--bounds", "every bound >= 1 and at most 3 stake tokens")
    return Bounds(accounts=accounts, markets=markets, asks=asks, stake_tokens=stake_tokens)


def run(args) -> int:
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from properties.z3 import prove_all, synthesize_parameters
    from properties.z3.proofs import ALL_IDS, OPERATION_NAMES
    from spec.codec import dumps

    console = Console()
    if not (args.bounded or args.bounds or args.depth or args.traces):
        from kalypso.commands.prove_unbounded import ids, run_unbounded

        if args.invariant is not None and args.invariant not in ids():
            raise BadArgument("--invariant", f"must be one of {', '.join(ids())}, got {args.invariant!r}")
        code = run_unbounded(args, console)
        if args.timing:
            synthesis = synthesize_parameters()
            console.print("[bold]key safety rule of restaked stake[/]")
            console.print(synthesis.describe())
            if not synthesis.checks[0].sufficient or not synthesis.closed_form_equivalent:
                code = 1
        return code
    if args.invariant is not None and args.invariant not in ALL_IDS + ("I8",):
        raise BadArgument("--invariant", f"must be one of {', '.join(ALL_IDS + ('I8',))}, got {args.invariant!r}")
    bounds = _bounds(args.bounds)
    started = time.perf_counter()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"proving ({bounds})", total=len(OPERATION_NAMES))
        results = [] if args.invariant == "I8" else prove_all(args.invariant, args.depth, bounds=bounds, progress=lambda name: progress.advance(task))
        if args.invariant in (None, "I8"):
            from properties.z3.restaking import prove as prove_restaking

            restaking = prove_restaking()
        else:
            restaking = []
    total = time.perf_counter() - started

    styles = {"proved": "green", "assumed": "yellow", "counterexample": "bold red", "unknown": "red", "vacuous": "red"}
    table = Table(title=f"kalypso prove — bounded model {bounds}", show_lines=False)
    for column in ("invariant", "operation", "result", "time"):
        table.add_column(column, justify="right" if column == "time" else "left")
    if args.summary:
        grouped = defaultdict(list)
        for r in results:
            grouped[r.invariant].append(r)
        for invariant, rows in grouped.items():
            bad = [r for r in rows if r.result in ("counterexample", "unknown", "vacuous")]
            result = bad[0].result if bad else ", ".join(sorted({r.result for r in rows}))
            table.add_row(invariant, f"{len(rows)} checks", f"[{styles.get(bad[0].result if bad else 'proved', 'white')}]{result}[/]",
                          f"{sum(r.seconds for r in rows):.2f}s")
    else:
        for r in results:
            style = styles.get(r.result, "cyan")
            table.add_row(r.invariant, r.operation, f"[{style}]{r.result}[/]", f"{r.seconds:.2f}s")
    console.print(table)
    if restaking:
        rtable = Table(title="kalypso prove — restaked stake, unbounded (any number of vaults, snapshots, tasks, slashes)")
        for column in ("invariant", "obligations", "frames", "result", "time"):
            rtable.add_column(column)
        grouped = defaultdict(list)
        for r in restaking:
            grouped[r.invariant].append(r)
        for invariant, rows in grouped.items():
            real = [r for r in rows if r.kind == "obligation"]
            bad = sorted({r.result for r in real if r.result != "proved"})
            rtable.add_row(invariant, str(len(real)), str(len(rows) - len(real)),
                           f"[{'red' if bad else 'green'}]{', '.join(bad) or 'proved'}[/]", f"{sum(r.seconds for r in rows):.2f}s")
        console.print(rtable)

    failures = [r for r in results if r.result in ("counterexample", "unknown", "vacuous")]
    failures += [r for r in restaking if r.kind == "obligation" and r.result != "proved"]
    for r in failures:
        console.print(f"[bold red]{r.invariant} / {r.operation}: {r.result}[/]\n{r.detail}")
    if args.traces and failures:
        out = output_dir(Path(args.traces), "--traces")
        for n, r in enumerate(f for f in failures if f.trace is not None):
            path = out / f"{r.invariant}-{r.operation}-{n}.json"
            path.write_text(dumps(r.trace.as_vector()))
            console.print(f"trace written to {path}")
    if args.timing:
        synthesis = synthesize_parameters()
        console.print("[bold]key safety rule of restaked stake[/]")
        console.print(synthesis.describe())
        if not synthesis.checks[0].sufficient or not synthesis.closed_form_equivalent:
            failures.append(synthesis)
    proved = sum(r.result == "proved" for r in results)
    bounded = sum(r.result.startswith("bounded-") for r in results)
    kinds = Counter(r.kind for r in results if r.result == "proved")
    console.print(f"{len(results)} checks: {proved} proved, {bounded} bounded, {len(failures)} failed; total {total:.1f}s")
    console.print(f"bounded model {bounds}, proved checks by kind: {kinds['obligation']} inductive obligations, "
                  f"{kinds['init']} at genesis, {kinds['frame']} frame conditions, {kinds['step']} from the step relation alone "
                  f"(guards restated, I10); only obligations and genesis checks count as proofs")
    if restaking:
        rk = Counter(r.kind for r in restaking)
        rp = sum(r.kind == "obligation" and r.result == "proved" for r in restaking)
        console.print(f"restaked stake (unbounded): {rp} of {rk['obligation']} obligations proved (init included), {rk['frame']} frame conditions")
    return 1 if failures else 0
