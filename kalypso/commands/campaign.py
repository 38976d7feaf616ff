"""`kalypso campaign KIND --budget N|DURATION`: a long search cut into keyed tasks and run on Dask
distributed (a local cluster, or `--scheduler`); results are appended to `--out`, so running the
same command again resumes where it stopped; writes report.md, report.html and coverage.png there."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

DEFAULT_SEED = 20261202


def register(parser) -> None:
    from kalypso.args import positive_int
    from reference.campaign.kinds import KIND_NAMES

    parser.add_argument("kind", metavar="KIND", choices=KIND_NAMES, help=f"one of {', '.join(KIND_NAMES)}")
    parser.add_argument("--budget", required=True, help="a task count N, or a duration (30s, 10m, 2h)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"campaign seed (default {DEFAULT_SEED})")
    parser.add_argument("--scheduler", help="a Dask scheduler address (default: a local cluster on this machine's cores)")
    parser.add_argument("--workers", type=positive_int, help="local cluster size (default: the number of cores)")
    parser.add_argument("--out", type=Path, help="campaign directory (default report/campaign/KIND); reuse it to resume")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=JSON",
                        help="a kind parameter, e.g. --param steps=200 (see docs/campaigns.md)")
    parser.add_argument("--serial", action="store_true", help="run the tasks in this process, without Dask")
    parser.add_argument("--no-progress", action="store_true", help="no live progress display")


def _params(pairs) -> dict:
    from reference.campaign.tasks import CampaignError

    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise CampaignError("--param", f"{pair!r} is not NAME=VALUE")
        try:
            params[name] = json.loads(value)
        except json.JSONDecodeError:
            params[name] = value
    return params


class _Live:
    """A rich progress line: done (of the budget), rate, findings so far, time left."""

    def __init__(self, kind: str, enabled: bool):
        self.kind, self.enabled, self.bar, self.task = kind, enabled, None, None
        self.findings = 0
        self.started = time.perf_counter()
        self.new = 0

    def start(self, total, done, findings):
        self.findings = findings
        if not self.enabled:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self.bar = Progress(TextColumn(f"[bold]campaign {self.kind}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[rate]}"), TextColumn("[red]{task.fields[findings]} findings"),
                            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), transient=False)
        self.bar.start()
        self.task = self.bar.add_task("", total=total, completed=done, rate="", findings=findings)

    def result(self, line):
        self.new += 1
        self.findings += bool(line["result"].get("finding"))
        if self.bar is not None:
            rate = self.new / max(time.perf_counter() - self.started, 1e-9)
            self.bar.update(self.task, advance=1, rate=f"{rate:.2f} tasks/s", findings=self.findings)

    def stop(self):
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def run(args) -> int:
    from reference.campaign.engine import run_campaign
    from reference.campaign.report import write_report
    from reference.campaign.tasks import parse_budget

    out = args.out or Path("report/campaign") / args.kind
    live = _Live(args.kind, not args.no_progress)
    budget = parse_budget(args.budget)
    try:
        outcome = run_campaign(args.kind, budget, args.seed, out, scheduler=args.scheduler, workers=args.workers,
                               params=_params(args.param), serial=args.serial, on_start=live.start, on_result=live.result)
    except KeyboardInterrupt:
        live.stop()
        print(f"kalypso campaign: interrupted; run the same command to resume from {out}", file=sys.stderr)
        return 130
    finally:
        live.stop()
    for skipped in outcome.skipped:
        print(f"kalypso campaign: skipped a corrupt line: {skipped}", file=sys.stderr)
    paths = write_report(out)
    state = "complete" if outcome.complete else "stopped at its budget" if budget.seconds else "incomplete"
    print(f"{outcome.kind}: {outcome.done} results ({outcome.new} new, {outcome.workers} task slots, "
          f"{outcome.seconds:.1f}s), {outcome.findings} with findings; campaign {state}")
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0
