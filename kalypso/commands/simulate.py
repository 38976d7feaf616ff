"""`kalypso simulate`: compare the matching protocols in the market simulator; writes a results
table (markdown) and PNG figures."""
from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

from kalypso.args import non_negative_int, output_dir, positive_int


def register(parser) -> None:
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--quick", action="store_true", help="small sizes (seconds)")
    budget.add_argument("--thorough", action="store_true", help="large sizes, more seeds, more loads")
    parser.add_argument("--asks", type=positive_int, help="asks per run (overrides the budget)")
    parser.add_argument("--provers", type=positive_int, help="provers per run (overrides the budget)")
    parser.add_argument("--seeds", type=non_negative_int, nargs="+", help="seeds (overrides the budget); results are means over them")
    parser.add_argument("--out", type=Path, default=Path("report/sim"), help="output directory (default report/sim)")
    parser.add_argument("--no-progress", action="store_true", help="no live progress display")


def run(args) -> int:
    import attrs

    from reference.sim.agents import ScenarioError
    from reference.sim.experiments import DEFAULT, QUICK, THOROUGH, run_count, run_experiments
    from reference.sim.plots import all_figures
    from reference.sim.report import results_markdown

    output_dir(args.out)
    budget = QUICK if args.quick else THOROUGH if args.thorough else DEFAULT
    overrides = {k: v for k, v in (("asks", args.asks), ("provers", args.provers)) if v is not None}
    if args.seeds:
        overrides["seeds"] = tuple(args.seeds)
    budget = attrs.evolve(budget, **overrides)
    command = "kalypso simulate " + " ".join(shlex.quote(a) for a in sys.argv[2:]) if sys.argv[1:2] == ["simulate"] else "kalypso simulate"
    start = time.perf_counter()
    try:
        if args.no_progress:
            results = run_experiments(budget)
        else:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            with Progress(TextColumn("[bold]simulate"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          TextColumn("{task.description}")) as bar:
                task = bar.add_task("", total=run_count(budget))
                state = {"n": 0}

                def progress(description):
                    bar.update(task, completed=state["n"], description=description)
                    state["n"] += 1

                results = run_experiments(budget, progress=progress)
                bar.update(task, completed=run_count(budget), description="done")
    except ScenarioError as error:
        print(f"kalypso simulate: {error}", file=sys.stderr)
        return 2
    figures = all_figures(results, args.out)
    table = args.out / "results.md"
    table.write_text(results_markdown(results, command, figures))
    rejected = sum(r.spec_rejections for r in results.runs)
    print(f"wrote {table} and {len(figures)} figures to {args.out} in {time.perf_counter() - start:.1f} s "
          f"({len(results.runs)} runs, {sum(r.spec_ops for r in results.runs):,} spec operations, {rejected} rejected)")
    return 0 if rejected == 0 else 1
