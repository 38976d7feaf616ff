"""`kalypso conform --adapter "<command>" [--vectors DIR]`: replay the vectors against an
implementation behind the JSON-lines adapter protocol (docs/conformance.md)."""
from __future__ import annotations

import argparse
import json
import shlex
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from reference.conformance.cases import VECTORS_DIR, case_paths
from reference.conformance.runner import DEFAULT_TIMEOUT, REFERENCE_ADAPTER, adapter_argv, check_timeout, run_conformance
from kalypso.args import output_file
from spec.errors import BadArgument, BadFile


def seconds(text: str) -> float:
    """argparse type of --timeout: a finite number of seconds > 0."""
    try:
        return check_timeout(float(text))
    except (ValueError, BadArgument):
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds > 0, got {text!r}") from None


def register(parser) -> None:
    parser.add_argument("--adapter", default=shlex.join(REFERENCE_ADAPTER),
                        help="command starting the implementation's adapter (default: the spec's reference adapter)")
    parser.add_argument("--vectors", type=Path, default=VECTORS_DIR, help="vectors directory (default: the committed vectors)")
    parser.add_argument("--timeout", type=seconds, default=DEFAULT_TIMEOUT, help="seconds allowed per case (default %(default)s)")
    parser.add_argument("--select", default=None, help="only cases whose name contains this text")
    parser.add_argument("--fail-fast", action="store_true", help="stop at the first failing case")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every case, not only failures")
    parser.add_argument("--json", type=Path, default=None, help="also write the full per-case report to this file")
    parser.add_argument("--divergence", type=Path, default=None, metavar="FILE",
                        help="instead of conformance: replay design cases on a deployed_native adapter (the EVM one) "
                             "and write the classified divergence report (markdown) to FILE (docs/evm.md)")
    parser.add_argument("--against", choices=("deployed_native", "deployed_restaking"), default="deployed_native",
                        help="with --divergence: the deployed fork the adapter runs (deployed_restaking: the design's restaking "
                             "cases on the restaking lineage, docs/divergence-restaking.md)")


def summary_table(report) -> Table:
    groups = defaultdict(lambda: [0, 0])
    for r in report.results:
        group = "/".join(r.name.split("/")[:2])
        groups[group][0 if r.passed else 1] += 1
    table = Table(title=f"conformance: {report.adapter}")
    table.add_column("module/operation")
    table.add_column("passed", justify="right")
    table.add_column("failed", justify="right")
    for group, (passed, failed) in sorted(groups.items()):
        table.add_row(group, str(passed), f"[red]{failed}[/red]" if failed else "0")
    table.add_row("[b]total[/b]", f"[b]{report.passed}[/b]", f"[b]{report.failed}[/b]")
    return table


def _check_json_target(path) -> None:
    """Refuse an unwritable --json before the run, not after it."""
    if path is None:
        return
    if path.is_dir() or not path.parent.is_dir():
        raise BadFile("--json", f"{path} is a directory or its directory does not exist")
    existed = path.exists()
    try:
        with path.open("a"):
            pass
        if not existed:
            path.unlink()
    except (OSError, ValueError) as exc:
        raise BadFile("--json", f"cannot write {path}: {getattr(exc, 'strerror', None) or exc}") from None


def run_divergence(args, console) -> int:
    """Design cases translated to deployed_native traces, replayed through the adapter, classified."""
    from reference.conformance.runner import SubprocessAdapter

    if args.against == "deployed_restaking":
        from reference.evm.restaking.diverge import command as restaking_command, divergence_report, render_markdown

        command = restaking_command(args.adapter, args.vectors, args.divergence)
    else:
        from reference.evm.diverge import divergence_report, render_markdown

        command = f"kalypso conform --adapter {shlex.quote(args.adapter)} --vectors {args.vectors} --divergence {args.divergence}"
    with SubprocessAdapter(args.adapter) as adapter:
        if args.against == "deployed_restaking":  # one clear error, not 291 refused genesis
            probe = adapter.request({"cmd": "genesis", "fork": "deployed_restaking", "config": None}, 60)
            if not probe.get("ok"):
                raise BadArgument("--adapter", f"does not run the deployed_restaking fork: {probe.get('error', probe)}")
        report = divergence_report(args.vectors, adapter=adapter, select=args.select)
    if not report.results:
        raise BadFile("--vectors", f"no design cases with a pre-state under {args.vectors}")
    output_file(args.divergence, "--divergence")
    args.divergence.write_text(render_markdown(report, command))
    counts = report.counts()
    console.print(f"{len(report.results)} design cases replayed: {counts.get('agrees', 0)} agree, "
                  f"{len(report.results) - counts.get('agrees', 0)} diverge under {len(counts) - ('agrees' in counts)} rules; "
                  f"wrote {args.divergence}")
    return 0


def run(args) -> int:
    console = Console()
    adapter_argv(args.adapter)
    _check_json_target(args.json)
    if args.divergence is not None:
        return run_divergence(args, console)
    select = (lambda name: args.select in name) if args.select else None
    if not args.vectors.is_dir():
        raise BadFile("--vectors", f"{args.vectors} is not a directory")
    total = sum(1 for p in case_paths(args.vectors) if select is None or select(p.relative_to(args.vectors).with_suffix("").as_posix()))
    if total == 0:
        raise BadFile("--vectors", f"no vector cases under {args.vectors}" + (f" matching {args.select!r}" if select else ""))
    with Progress(TextColumn("conform"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                  transient=True) as progress:
        task = progress.add_task("cases", total=total)

        def show(result):
            progress.advance(task)
            if args.verbose or not result.passed:
                mark = "[green]PASS[/green]" if result.passed else f"[red]FAIL ({result.kind})[/red]"
                progress.console.print(f"{mark} {result.name} ({result.seconds * 1000:.1f} ms)")
                if not result.passed:
                    progress.console.print(f"    {result.message}", markup=False, highlight=False)

        report = run_conformance(args.adapter, args.vectors, timeout=args.timeout,
                                 stop_at_first_failure=args.fail_fast, progress=show, select=select)
    console.print(summary_table(report))
    counts = ", ".join(f"{k}: {v}" for k, v in sorted(report.counts.items()))
    console.print(f"{report.passed}/{report.total} cases passed ({report.pass_rate:.1%}) in {report.seconds:.2f} s; "
                  f"{counts}; adapter restarts: {report.restarts}")
    if args.json:
        _write_report(args.json, report)
    return 0 if report.ok else 1


def _write_report(path, report) -> None:
    try:
        path.write_text(json.dumps({
            "adapter": report.adapter, "vectors": report.vectors_dir, "passed": report.passed, "failed": report.failed,
            "seconds": report.seconds, "restarts": report.restarts,
            "results": [{"case": r.name, "kind": r.kind, "message": r.message, "path": r.path, "seconds": r.seconds}
                        for r in report.results],
        }, indent=2) + "\n")
    except (OSError, ValueError) as exc:
        raise BadFile("--json", f"cannot write {path}: {getattr(exc, 'strerror', None) or exc}") from None
