"""Campaign throughput: the same tasks run serially in one process (no Dask), then on a local
Dask cluster of 1 and of 2 worker processes (the engine's own `local_cluster`, one thread each),
each started and warmed beforehand and run `repeats` times, the median kept.

Besides the walls it accounts for CPU: the tasks' own CPU (measured inside each task), and the CPU
of every process of the run (this one, which holds the client, the scheduler and the nannies, and
the workers under it). Their difference per task is what the engine costs a machine, a figure
that holds on a busy machine, where walls do not. Worker busy = the tasks' own seconds over
(workers x wall): what is left is waiting for work, the tail, and Dask's own threads."""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from reference.campaign.engine import local_cluster, run_campaign
from reference.campaign.tasks import Budget

CASES = {
    # kind: (tasks, params), sized so a task takes a fraction of a second to a second or two on a quiet core
    "machines": (24, {"examples": 3, "steps": 100}),
    "differential": (80, {"steps": 100}),
    "sweep": (48, {"asks": 150, "provers": 12}),
}
QUICK = {"machines": (4, {"examples": 3, "steps": 50}), "differential": (8, {"steps": 40}), "sweep": (4, {"asks": 60, "provers": 8})}
SEED, WARM_SEED = 1, 2
REPEATS = 3


def _cpu_all() -> float:
    """User + system CPU seconds of this process and of every live process under it."""
    import psutil

    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.NoSuchProcess:  # a helper process that ended meanwhile
            pass
    return total


def _timed(kind, count, params, out: Path, **how) -> dict:
    """One campaign: wall seconds, the tasks' own seconds and CPU summed, all processes' CPU."""
    metas = []
    cpu, start = _cpu_all(), time.perf_counter()
    outcome = run_campaign(kind, Budget(count=count), SEED, out, params=params, on_result=lambda line: metas.append(line["meta"]), **how)
    wall, cpu = time.perf_counter() - start, _cpu_all() - cpu
    if outcome.new != count:
        raise RuntimeError(f"{kind}: {outcome.new} of {count} tasks ran")
    return {"wall": wall, "busy": sum(m["seconds"] for m in metas), "cpu": sum(m["cpu"] for m in metas), "all": cpu}


def measure(kind: str, count: int, params: dict, scratch: Path, repeats: int) -> dict:
    """Serial once (after two warming tasks), then each cluster size in turn: started, warmed with
    4 tasks per worker of another seed, run `repeats` times; the run of median wall is kept."""
    run_campaign(kind, Budget(count=2), WARM_SEED, scratch / f"{kind}-warm0", params=params, serial=True)
    row = {"kind": kind, "tasks": count, "load_before": os.getloadavg()[0]}
    row[0] = _timed(kind, count, params, scratch / f"{kind}-serial", serial=True)
    for n in (1, 2):
        with local_cluster(n) as cluster:
            address = cluster.scheduler_address
            run_campaign(kind, Budget(count=4 * n), WARM_SEED, scratch / f"{kind}-warm{n}", params=params, scheduler=address)
            runs = [_timed(kind, count, params, scratch / f"{kind}-w{n}-{rep}", scheduler=address) for rep in range(repeats)]
        row[n] = sorted(runs, key=lambda r: r["wall"])[len(runs) // 2]
        row[f"walls{n}"] = [r["wall"] for r in runs]
    row["load_after"] = os.getloadavg()[0]
    return row


def _row(r: dict, params: dict) -> str:
    n = r["tasks"]
    per_task = lambda x: f"{1000 * x / n:.0f}"  # noqa: E731
    spread = lambda k: f"{min(r[k]):.1f}-{max(r[k]):.1f}"  # noqa: E731
    return (f"| {r['kind']} | {n} | `{params}` | {r[0]['wall']:.1f} | {r[1]['wall']:.1f} ({spread('walls1')}) | "
            f"{r[2]['wall']:.1f} ({spread('walls2')}) | {r[1]['wall'] / r[2]['wall']:.2f}x | "
            f"{per_task(r[0]['cpu'])} / {per_task(r[1]['cpu'])} / {per_task(r[2]['cpu'])} | "
            f"{per_task(r[1]['all'] - r[1]['cpu'])} / {per_task(r[2]['all'] - r[2]['cpu'])} | "
            f"{per_task(r[1]['wall'] - r[1]['busy'])} | "
            f"{100 * r[1]['busy'] / r[1]['wall']:.0f}% / {100 * r[2]['busy'] / (2 * r[2]['wall']):.0f}% | "
            f"{r['load_before']:.2f} / {r['load_after']:.2f} |")


def run_campaign_bench(quick: bool = False) -> str:
    from reference.campaign.kinds import get_kind
    from reference.campaign.tasks import CampaignError

    cases = QUICK if quick else CASES
    repeats = 1 if quick else REPEATS
    rows, notes = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for kind, (count, params) in cases.items():
            try:
                get_kind(kind).precheck({**get_kind(kind).defaults, **params})
            except CampaignError as exc:
                notes.append(f"{kind}: not available ({exc}).")
                continue
            rows.append(measure(kind, count, params, Path(tmp), repeats))
    lines = ["## Campaigns (reference.campaign)", "",
             f"`kalypso bench --only campaign{' --quick' if quick else ''}`: {os.cpu_count()} CPUs; the same tasks (seed {SEED}) "
             "serially in one process (warmed), then on a local Dask cluster of 1, then of 2 worker processes (the engine's "
             f"own, one thread each; started and warmed beforehand; run {'once' if repeats == 1 else f'{repeats} times'}, the "
             "median wall kept, the range in brackets). Task CPU = the tasks' own CPU per task. Engine CPU = the CPU of every process of the run (client, "
             "scheduler, nannies, workers) beyond the tasks' own, per task: what Dask, the result transport and the writing of "
             "results cost the machine. Wall overhead = (1-worker wall - the tasks' own seconds) / tasks. Worker busy = the "
             "tasks' own seconds over workers x wall (the rest: waiting for work, the tail of the last tasks, Dask's threads).",
             "",
             "| kind | tasks | params | serial s | 1 worker s | 2 workers s | speed-up 2 vs 1 | task CPU ms: serial / 1 / 2 workers "
             "| engine CPU per task ms: 1 / 2 workers | wall overhead per task ms | worker busy: 1 / 2 workers | load avg before / after |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    lines += [_row(r, cases[r["kind"]][1]) for r in rows]
    lines += [""] + notes
    return "\n".join(lines)
