"""`kalypso vectors generate | check | coverage | mutation`: the conformance vectors."""
from __future__ import annotations

import shlex
from pathlib import Path

from kalypso.args import output_dir, output_file, positive_int
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from reference.conformance.cases import DEFAULT_FORK, VECTORS_DIR, VECTORS_ROOT, load_cases
from reference.conformance.generate import TRACE_COUNT, TRACE_STEPS, coverage_of, coverage_table, generate
from reference.conformance.runner import case_shape_error
from reference.conformance.scenarios import FORKS, GENESIS_FORKS
from reference.conformance.traces import DEFAULT_SEED
from spec.errors import BadArgument, BadFile

DOCS = VECTORS_ROOT.parent / "docs"


def register(parser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    g = sub.add_parser("generate", help="regenerate every case, schema.json and manifest.json (byte-identical)")
    g.add_argument("--fork", choices=sorted((*FORKS, *GENESIS_FORKS)), default=DEFAULT_FORK,
                   help="the fork whose vectors to write (default %(default)s)")
    g.add_argument("--out", type=Path, default=None, help="output directory (default: the fork's committed vectors, vectors/<fork>)")
    g.add_argument("--traces", type=positive_int, default=TRACE_COUNT, help="random traces (default %(default)s)")
    g.add_argument("--steps", type=positive_int, default=TRACE_STEPS, help="operations per random trace (default %(default)s)")
    g.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the random traces (default %(default)s)")
    g.add_argument("--search-findings", action="store_true",
                   help="deployed_native: search the findings anew (seeded, about a minute) instead of rebuilding them from the committed traces")
    c = sub.add_parser("check", help="validate every case against the schema and replay it on the spec")
    c.add_argument("--vectors", type=Path, default=VECTORS_DIR)
    v = sub.add_parser("coverage", help="steps per operation and per error code")
    v.add_argument("--vectors", type=Path, default=VECTORS_DIR)
    m = sub.add_parser("mutation", help="mutation score of the vectors against named spec mutants")
    m.add_argument("--vectors", type=Path, default=VECTORS_DIR)
    m.add_argument("--mutant", action="append", default=None, help="run only this mutant (repeatable)")
    m.add_argument("--jobs", type=positive_int, default=2, help="adapter processes at a time (default %(default)s)")
    m.add_argument("--out", type=Path, default=DOCS / "mutation.md", help="markdown report (default: docs/mutation.md)")
    m.add_argument("--list", action="store_true", help="list the mutants and exit")
    m.add_argument("--generated", action="store_true",
                   help="the AST-generated mutants of spec/ instead of the named ones (report: docs/mutation-generated.md)")
    m.add_argument("--module", action="append", default=None,
                   help="with --generated: only this spec module's mutants, e.g. spec.restaking (repeatable)")
    m.add_argument("--vectors-only", action="store_true",
                   help="with --generated: the vectors' own score (no tests), written to docs/mutation-vectors.md")
    m.add_argument("--sample", type=positive_int, default=None, metavar="N",
                   help="with --generated: a seeded sample of N behavioural mutants (seed 0)")


def run(args) -> int:
    return {"generate": _generate, "check": _check, "coverage": _coverage, "mutation": _mutation}[args.action](args, Console())


def _generate(args, console) -> int:
    if args.out is None:
        args.out = VECTORS_ROOT / args.fork
    output_dir(args.out)
    if args.fork in GENESIS_FORKS:
        return _generate_from_genesis(args, console)
    default_out = args.out.resolve() == VECTORS_DIR.resolve()
    docs = DOCS / "vectors.md" if default_out and (DOCS / "vectors.md").exists() else None
    report = generate(args.out, traces=args.traces, steps=args.steps, seed=args.seed, docs=docs, fork=args.fork)
    console.print(f"wrote {report.cases} cases ({report.scenario_cases} scenarios, {report.trace_cases} random traces) "
                  f"to {args.out}" + (f"; coverage table in {docs}" if docs else ""))
    if report.skipped:
        console.print(f"{len(report.skipped)} scenarios skipped (their operations are not in this spec): "
                      + ", ".join(report.skipped[:5]) + (" ..." if len(report.skipped) > 5 else ""))
    for mismatch in report.mismatches:
        console.print(f"[red]scenario mismatch[/red] {mismatch}", markup=True)
    if not report.coverage.complete:
        console.print(f"[red]coverage incomplete[/red]: add scenarios in reference/conformance/scenarios/{args.fork}/ for operations "
                      f"{list(report.coverage.missing_operations)} and errors {list(report.coverage.missing_errors)}")
    return 0 if report.coverage.complete and not report.mismatches else 1


def _generate_from_genesis(args, console) -> int:
    """deployed_native: its scenario cases and its findings (rebuilt from the committed traces, or
    searched anew with --search-findings); deployed_restaking: its scenario cases and findings."""
    if args.fork == "deployed_restaking":
        from reference.conformance.deployed_restaking.findings import write_findings as write_restaking_findings
        from reference.conformance.deployed_restaking.generate import generate as generate_restaking

        cases = generate_restaking(args.out)
        findings = write_restaking_findings(args.out / "findings")
        console.print(f"wrote {cases} {args.fork} scenario cases and {len(findings)} findings to {args.out}")
        return 0
    from reference.conformance.deployed_native.findings import write_findings
    from reference.conformance.deployed_native.generate import generate as generate_fork

    cases = generate_fork(args.out)
    findings = write_findings(args.search_findings, args.out / "findings")
    console.print(f"wrote {cases} {args.fork} scenario cases and {len(findings)} findings to {args.out}")
    return 0


def _check(args, console) -> int:
    from reference.conformance.check import check_vectors

    report = check_vectors(_vectors_dir(args.vectors))
    for failure in report.failures[:50]:
        console.print(failure, markup=False, highlight=False)
    console.print(f"{report.cases} cases: {len(report.schema_errors)} schema errors, {len(report.noncanonical)} not canonical, "
                  f"{report.replay.failed} replay failures on the spec, coverage "
                  f"{'complete' if report.coverage.complete else 'INCOMPLETE'} ({report.seconds:.1f} s)")
    return 0 if report.ok else 1


def _vectors_dir(path: Path) -> Path:
    if not path.is_dir():
        raise BadFile("--vectors", f"{path} is not a directory")
    return path


def _coverage(args, console) -> int:
    cases = [c.data for c in load_cases(_vectors_dir(args.vectors)) if "unreadable" not in c.data and case_shape_error(c.data) is None]
    coverage = coverage_of(cases)
    ops = Table(title=f"operations ({len(cases)} cases)")
    for col in ("operation", "accepted steps", "rejected steps"):
        ops.add_column(col, justify="left" if col == "operation" else "right")
    for op, n in coverage.accepted.items():
        ops.add_row(op, str(n), str(coverage.rejected[op]), style="red" if op in coverage.missing_operations else None)
    errors = Table(title="error codes")
    errors.add_column("error code")
    errors.add_column("steps", justify="right")
    for code, n in coverage.errors.items():
        errors.add_row(code, str(n), style="red" if code in coverage.missing_errors else None)
    console.print(ops, errors)
    if not coverage.complete:
        console.print(coverage_table(coverage, len(cases)).splitlines()[-1])
    return 0 if coverage.complete else 1


def _mutation(args, console) -> int:
    from reference.conformance.mutants import MUTANTS
    from reference.conformance.mutation import mutation_score, render_markdown

    if args.generated:
        return _generated_mutation(args, console)
    if args.module:
        raise BadArgument("--module", "only with --generated")
    if args.vectors_only or args.sample:
        raise BadArgument("--vectors-only" if args.vectors_only else "--sample", "only with --generated")
    if args.list:
        for m in MUTANTS:
            print(f"{m.name:36} {m.target:36} {m.description}" + ("" if m.applicable() else " (not applicable to this spec)"))
        return 0
    known = {m.name for m in MUTANTS}
    unknown = [n for n in args.mutant or () if n not in known]
    if unknown:
        raise BadArgument("--mutant", f"{unknown[0]!r} is not one of {sorted(known)} (see --list)")
    _vectors_dir(args.vectors)
    if args.out:
        output_file(args.out)
    names = args.mutant or [m.name for m in MUTANTS if m.applicable()]
    with Progress(TextColumn("mutants"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                  transient=True) as progress:
        task = progress.add_task("mutants", total=len(names))

        def show(result):
            progress.advance(task)
            colour = {"killed": "green", "survived": "red", "stale": "yellow"}[result.status]
            progress.console.print(f"[{colour}]{result.status:8}[/{colour}] {result.name} "
                                   f"{('by ' + result.killed_by) if result.killed_by else result.reason}")

        report = mutation_score(names, args.vectors, jobs=args.jobs, progress=show)
    if not report.baseline_ok:
        console.print(f"[red]the unmutated adapter fails the vectors[/red]: {report.baseline_failure}")
        return 2
    command = "kalypso vectors mutation" + (" " + " ".join(f"--mutant {shlex.quote(n)}" for n in args.mutant) if args.mutant else "")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(render_markdown(report, command))
    counted = len(report.killed) + len(report.survivors)
    console.print(f"mutation score {report.score:.3f}: {len(report.killed)}/{counted} killed, {len(report.stale)} stale, "
                  f"{report.seconds:.1f} s with {report.jobs} processes" + (f"; written to {args.out}" if args.out else ""))
    console.print("survivors: " + (", ".join(r.name for r in report.survivors) or "none"))
    for r in report.stale:
        console.print(f"[yellow]stale[/yellow] {r.reason}")
    return 0 if not report.survivors and not report.stale else 1


def _generated_mutation(args, console) -> int:
    from reference.conformance.fastsuite import judge_mutants
    from reference.conformance.generated import ALL_MODULES, generated_mutants
    from reference.conformance.generated_report import render_generated_markdown, render_vectors_only_markdown

    modules = tuple(args.module or ALL_MODULES)
    unknown = [m for m in modules if m not in ALL_MODULES]
    if unknown:
        raise BadArgument("--module", f"{unknown[0]!r} is not one of {list(ALL_MODULES)}")
    if args.mutant:
        raise BadArgument("--mutant", "not with --generated (use --module)")
    if args.vectors != VECTORS_DIR:
        raise BadArgument("--vectors", "not with --generated (each module is judged by its own forks' vectors)")
    every = generated_mutants(modules)
    if args.list:
        for m in every:
            print(f"{m.name:56} {m.kind:10} {m.description}")
        return 0
    out = args.out if args.out != DOCS / "mutation.md" else DOCS / "mutation-generated.md"
    if out:
        output_file(out)
    judged = [m for m in every if m.kind == "behaviour"]
    if args.sample:
        from reference.conformance.generated import sample

        judged = sample(judged, args.sample, 0)
    if args.vectors_only:
        out = None if args.sample else (args.out if args.out != DOCS / "mutation.md" else DOCS / "mutation-vectors.md")
    elif args.sample:
        out = None  # a partial score is printed, never written over the report
    names = [m.name for m in judged]
    with Progress(TextColumn("mutants"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                  transient=True) as progress:
        task = progress.add_task("mutants", total=len(names))

        def show(result):
            progress.advance(task)
            if result.status != "killed":
                progress.console.print(f"[red]{result.status:8}[/red] {result.name} {result.description}")

        report = judge_mutants(judged, jobs=args.jobs, progress=show, vectors_only=args.vectors_only)
    if not report.baseline_ok:
        console.print(f"[red]the unmutated spec fails its own fast suite[/red]: {report.baseline_failure}")
        return 2
    command = ("kalypso vectors mutation --generated" + (f" --jobs {args.jobs}" if args.jobs != 2 else "")
               + (" --vectors-only" if args.vectors_only else "") + (f" --sample {args.sample}" if args.sample else "")
               + "".join(f" --module {m}" for m in args.module or ()))
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        render = render_vectors_only_markdown if args.vectors_only else render_generated_markdown
        out.write_text(render(report, every, command))
    counted = len(report.killed) + len(report.survivors)
    console.print(f"generated mutants{' (vectors only)' if args.vectors_only else ''}: score {report.score:.3f}, "
                  f"{len(report.killed)}/{counted} killed in {report.seconds:.0f} s "
                  f"with {report.jobs} processes" + (f"; written to {out}" if out else ""))
    console.print("survivors: " + (", ".join(r.name for r in report.survivors) or "none"))
    return 0 if not report.survivors else 1
