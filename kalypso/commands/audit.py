"""`kalypso audit`: run every registered check and write report/audit.md and report/audit.html."""
from __future__ import annotations

import os
import shlex
import sys
import time
from pathlib import Path

from kalypso.args import output_dir, positive_int
from spec.errors import BadArgument

DEFAULT_SEED = 20261124


def register(parser) -> None:
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--quick", action="store_true", help="small budgets (under 2 minutes on 2 cores)")
    budget.add_argument("--thorough", action="store_true", help="long budgets (tens of minutes)")
    parser.add_argument("--only", action="append", metavar="SECTION",
                        help="run only this section (repeatable, or comma-separated); see --list")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed for every randomised check (default {DEFAULT_SEED})")
    parser.add_argument("--jobs", type=positive_int, default=min(2, os.cpu_count() or 1),
                        help="sections run in this many worker processes (default: min(2, CPUs))")
    parser.add_argument("--out", type=Path, default=Path("report"), help="report directory (default report/)")
    parser.add_argument("--strict", action="store_true", help="also exit non-zero when a section is not available")
    parser.add_argument("--list", action="store_true", help="list the sections and their budgets, then exit")
    parser.add_argument("--no-progress", action="store_true", help="no live progress display")


def run(args) -> int:
    from kalypso.audit.registry import SECTIONS
    from kalypso.audit.report import write_reports
    from kalypso.audit.runner import exit_code, run_sections, select
    from reference.machine import machine

    profile = "quick" if args.quick else "thorough" if args.thorough else "default"
    if args.list:
        for name, sec in SECTIONS.items():
            print(f"{name:<12} {sec.title:<28} {profile}: {sec.describe_budget(profile)}")
        return 0
    only = [n.strip() for item in (args.only or []) for n in item.split(",") if n.strip()]
    if args.only is not None and not only:
        raise BadArgument("--only", "names no section (an empty --only would run everything); see --list")
    try:
        names = select(only)
    except ValueError as error:
        raise BadArgument("--only", str(error)) from None
    out = output_dir(args.out)
    start = time.perf_counter()
    results = run_sections(names, profile, args.seed, out, jobs=args.jobs,
                           show_progress=not args.no_progress)
    meta = machine() | {
        "profile": profile,
        "seed": args.seed,
        "seconds": time.perf_counter() - start,
        "command": "kalypso audit " + " ".join(shlex.quote(a) for a in sys.argv[2:]) if sys.argv[1:2] == ["audit"] else "kalypso audit",
    }
    md, page = write_reports(results, meta, out)
    code = exit_code(results, strict=args.strict)
    for r in results:
        print(f"{r.status.value.upper():>13}  {r.title}  ({r.seconds:.1f} s)")
    print(f"wrote {md} and {page} in {meta['seconds']:.1f} s; exit {code}")
    return code
