"""Campaign throughput: the same tasks run serially in one process (no Dask), then on a local
Dask cluster of 1 and of 2 worker processes (one thread each), started beforehand and warmed
with other tasks, so the timings are the tasks alone. Overhead per task = (1-worker wall -
the tasks' own seconds) / tasks; speed-up = 1-worker wall / 2-worker wall. The load average is read before
and after: on a shared machine it bounds what a second worker can give."""
from __future__ import annotations

import logging
import os
import tempfile
import time
from pathlib import Path

from reference.campaign.engine import run_campaign
from reference.campaign.tasks import Budget

CASES = {
    # kind: (tasks, params) sized so a task takes a fraction of a second to a second here
    "machines": (12, {"examples": 6, "steps": 100}),
    "differential": (40, {"steps": 100}),
    "sweep": (24, {"asks": 150, "provers": 12}),
}
QUICK = {"machines": (4, {"examples": 3, "steps": 50}), "differential": (8, {"steps": 40}), "sweep": (4, {"asks": 60, "provers": 8})}
SEED, WARM_SEED = 1, 2


def _timed(kind, count, params, out: Path, **how) -> tuple[float, float, float]:
    """(wall seconds, the tasks' own seconds summed, their CPU seconds summed) of one campaign."""
    metas = []
    start = time.perf_counter()
    outcome = run_campaign(kind, Budget(count=count), SEED, out, params=params, on_result=lambda line: metas.append(line["meta"]), **how)
    if outcome.new != count:
        raise RuntimeError(f"{kind}: {outcome.new} of {count} tasks ran")
    return time.perf_counter() - start, sum(m["seconds"] for m in metas), sum(m["cpu"] for m in metas)


def measure(kind: str, count: int, params: dict, scratch: Path, repeats: int) -> dict:
    """Serial once, then 1 and 2 workers alternately `repeats` times (both clusters up and warm);
    the best wall of each is kept, which on a shared machine is the one least slowed by others."""
    from contextlib import ExitStack

    from distributed import LocalCluster

    run_campaign(kind, Budget(count=2), WARM_SEED, scratch / f"{kind}-warm0", params=params, serial=True)
    row = {"kind": kind, "tasks": count, "load_before": os.getloadavg()[0]}
    row["serial"], _, row["cpu0"] = _timed(kind, count, params, scratch / f"{kind}-serial", serial=True)
    with ExitStack() as stack:
        clusters = {n: stack.enter_context(LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                                        dashboard_address=None, silence_logs=logging.ERROR))
                    for n in (1, 2)}
        for n, cluster in clusters.items():
            run_campaign(kind, Budget(count=2 * n), WARM_SEED, scratch / f"{kind}-warm{n}", params=params,
                         scheduler=cluster.scheduler_address)
        for rep in range(repeats):
            for n, cluster in clusters.items():
                wall, busy, cpu = _timed(kind, count, params, scratch / f"{kind}-w{n}-{rep}", scheduler=cluster.scheduler_address)
                if wall < row.get(f"w{n}", float("inf")):
                    row[f"w{n}"], row[f"busy{n}"], row[f"cpu{n}"] = wall, busy, cpu
    row["load_after"] = os.getloadavg()[0]
    return row


def run_campaign_bench(quick: bool = False) -> str:
    from reference.campaign.kinds import get_kind
    from reference.campaign.tasks import CampaignError

    cases = QUICK if quick else CASES
    rows, notes = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for kind, (count, params) in cases.items():
            try:
                get_kind(kind).precheck({**get_kind(kind).defaults, **params})
            except CampaignError as exc:
                notes.append(f"{kind}: not available ({exc}).")
                continue
            rows.append(measure(kind, count, params, Path(tmp), 1 if quick else 2))
    lines = ["## Campaigns (reference.campaign)", "",
             f"`kalypso bench --only campaign{' --quick' if quick else ''}`: {os.cpu_count()} CPUs; the same tasks (seed {SEED}) "
             "serially in one process (warmed), then on local Dask clusters of 1 and 2 worker processes (started and warmed "
             f"beforehand, run alternately {'once' if quick else 'twice'}, the best wall of each kept). Overhead per task = (1-worker wall - the tasks' own seconds on that worker) / tasks: "
             "what Dask, the result transport and the writing of results add. CPU / wall = the tasks' CPU seconds over the wall "
             "seconds: how many of the 2 cores the run actually got (2.0 would be both, fully).", "",
             "| kind | tasks | params | serial s | tasks/s serial | 1 worker s | 2 workers s | speed-up 2 vs 1 | overhead per task ms | CPU / wall: serial, 1, 2 workers | load avg before / after |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        params = cases[r["kind"]][1]
        lines.append(f"| {r['kind']} | {r['tasks']} | `{params}` | {r['serial']:.1f} | {r['tasks'] / r['serial']:.2f} | {r['w1']:.1f} | "
                     f"{r['w2']:.1f} | {r['w1'] / r['w2']:.2f}x | {1000 * (r['w1'] - r['busy1']) / r['tasks']:.0f} | "
                     f"{r['cpu0'] / r['serial']:.2f}, {r['cpu1'] / r['w1']:.2f}, {r['cpu2'] / r['w2']:.2f} | "
                     f"{r['load_before']:.2f} / {r['load_after']:.2f} |")
    lines += [""] + notes
    return "\n".join(lines)
