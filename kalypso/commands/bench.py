"""`kalypso bench`: run every available bench section and write docs/benchmarks.md, refreshing
the sections that ran and preserving the others."""
from __future__ import annotations

import re
import shlex
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from kalypso.args import output_file
from spec.errors import BadArgument
from spec.jsonsafe import read_bytes


def zk_bench(quick: bool) -> str:
    from reference.zk.bench import run_zk_bench

    return run_zk_bench(quick=quick)


def verify_bench(quick: bool) -> str:
    from reference.zk.verify_bench import run_verify_bench

    return run_verify_bench(rounds=5 if quick else 11)


def fast_bench(quick: bool) -> str:
    from reference.fast.bench import fast_path_section

    return fast_path_section(quick=quick)


def engine_bench(quick: bool) -> str:
    from reference.engine.bench import run_engine_bench

    return run_engine_bench()


def sim_bench(quick: bool) -> str:
    from reference.sim.bench import run_sim_bench

    return run_sim_bench()


def evm_bench(quick: bool) -> str:
    from reference.evm.bench import run_evm_bench

    return run_evm_bench(quick=quick)


def campaign_bench(quick: bool) -> str:
    from reference.campaign.bench import run_campaign_bench

    return run_campaign_bench(quick=quick)


BENCHES = {
    # section: (function returning the section's markdown, title); each imports its area when it runs
    "zk": (zk_bench, "Groth16 prover (reference.zk)"),
    "verify": (verify_bench, "Groth16 verifier (reference.zk.verifier)"),
    "fast": (fast_bench, "Fast MSM / NTT (reference.fast)"),
    "engine": (engine_bench, "Matching engine (reference.engine)"),
    "sim": (sim_bench, "Market simulator (reference.sim)"),
    "evm": (evm_bench, "EVM harness (reference.evm)"),
    "campaign": (campaign_bench, "Campaigns (reference.campaign)"),
}
BEGIN = "<!-- bench:{} -->"
END = "<!-- /bench:{} -->"


def register(parser) -> None:
    parser.add_argument("--only", action="append", metavar="SECTION", help=f"run only these sections ({', '.join(BENCHES)})")
    parser.add_argument("--quick", action="store_true", help="small sizes, for the sections that offer them")
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"), help="file to write (default docs/benchmarks.md)")


def run_bench(name: str, quick: bool = False) -> str:
    """The markdown of one section (its own heading dropped), or a line saying why it is not available
    (a dependency it imports is missing)."""
    bench, _ = BENCHES[name]
    try:
        body = bench(quick).strip()
    except ImportError as missing:
        return f"Not available: {missing}."
    lines = body.splitlines()
    return "\n".join(lines[1:]).strip() if lines and lines[0].startswith("## ") else body


def existing_sections(text: str) -> dict[str, str]:
    out = {}
    for name in BENCHES:
        match = re.search(re.escape(BEGIN.format(name)) + r"\n(.*?)\n" + re.escape(END.format(name)), text, re.S)
        if match:
            out[name] = match.group(1)
    return out


def render(sections: dict[str, str], header: dict[str, str]) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`kalypso bench`); each section is refreshed when it runs and kept otherwise.",
        "",
        f"Last run: {header['date']} — `{header['command']}` on {header['cpus']} CPUs ({header['cpu']}), Python {header['python']}, commit `{header['commit']}`.",
    ]
    for name, (_, title) in BENCHES.items():
        body = sections.get(name, "Not run yet.")
        lines += ["", f"## {title}", "", BEGIN.format(name), body, END.format(name)]
    return "\n".join(lines) + "\n"


def run(args) -> int:
    from reference.machine import machine

    only = [n.strip() for item in (args.only or []) for n in item.split(",") if n.strip()]
    if args.only is not None and not only:
        raise BadArgument("--only", f"names no section (an empty --only would run everything); known: {list(BENCHES)}")
    names = only or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        raise BadArgument("--only", f"unknown section(s) {unknown}; known: {list(BENCHES)}")
    output_file(args.out)
    sections = existing_sections(read_bytes(args.out, "--out").decode("utf-8", "replace")) if args.out.exists() else {}
    info = machine()
    for name in names:
        print(f"bench {name} ...", flush=True)
        start = time.perf_counter()
        body = run_bench(name, args.quick)
        if body.startswith("Not available") and name in sections and "Not available" not in sections[name]:
            print(f"bench {name}: {body} (kept the previous results)")
            continue
        stamp = f"_{info['date']}, {info['cpus']} CPUs ({info['cpu']}), {time.perf_counter() - start:.1f} s._"
        sections[name] = f"{stamp}\n\n{body}"
        print(f"bench {name}: {time.perf_counter() - start:.1f} s")
    command = "kalypso bench " + " ".join(shlex.quote(a) for a in sys.argv[2:]) if sys.argv[1:2] == ["bench"] else "kalypso bench"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(sections, info | {"command": command.strip(), "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}))
    print(f"wrote {args.out}")
    return 0
