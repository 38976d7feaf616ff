"""Run a campaign on Dask distributed: the kind's tasks in order, minus those `--out` already
holds, submitted a window at a time to a scheduler (given, or a local cluster of this machine's
cores), in batches sized so that Dask's cost per task stays small beside the tasks' own (see
`batch_size`); each result is appended to `results.jsonl` as it arrives and, at the end, all are
merged in task order into `merged.json`.

Dask does the distribution and the fault tolerance: a worker that dies mid-task has its tasks
rerun elsewhere. Every result carries the version tag of the worker that computed it; a worker
whose code differs from this process's is refused (checked on every worker before the first task
and on every result). `serial=True` runs the same tasks in this process, without Dask: the
reference a distributed run must match.
"""
from __future__ import annotations

import itertools
import logging
import os
import time
from pathlib import Path
from typing import Callable, Mapping, Optional

import attrs

from reference.campaign import store
from reference.campaign.kinds import get_kind
from reference.campaign.tasks import Budget, CampaignError, Task, version_tag

CONNECT_TIMEOUT = 10.0
WORKER_WAIT = 30.0
BATCH_SECONDS = 0.5  # a Dask task runs campaign tasks for about this long: Dask's few ms per Dask task become < 1%
MAX_BATCH = 32
# Dask's diagnostics cost a worker CPU all the time, beside its task: the statistical profiler
# samples the running thread's stack every 10 ms (holding the GIL the task needs), the event loop's
# tick is timed every 20 ms, memory read every 100 ms. A campaign needs none of them at that rate
# (docs/benchmarks.md measures the difference); local clusters run with this, and `dask worker`
# processes take the same as DASK_* variables (docs/campaigns.md).
LOCAL_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "500ms",
}


def execute(kind_name: str, task: Task, params: Mapping) -> dict:
    """One task, on whichever process runs it: its result line, with the worker's version tag."""
    started, cpu = time.time(), time.process_time()
    kind = get_kind(kind_name)
    try:
        result = kind.run(task.payload, params)
    except Exception as exc:  # a kind's own crash is a result too (deterministic, reported as a finding)
        result = {"coverage": [], "finding": {"rule": f"task crashed: {type(exc).__name__}", "trace": f"{type(exc).__name__}: {exc}"[:5000]}}
    try:
        from distributed import get_worker

        worker = get_worker().address
    except (ImportError, ValueError):
        worker = f"serial:{os.getpid()}"
    finished = time.time()
    return {"key": task.key, "index": task.index, "kind": kind_name, "result": result,
            "meta": {"worker": worker, "seconds": round(finished - started, 6), "cpu": round(time.process_time() - cpu, 6),
                     "finished": finished, "version": version_tag()}}


def execute_batch(kind_name: str, tasks: tuple, params: Mapping) -> list[dict]:
    """Consecutive tasks in one Dask task: their result lines, in order."""
    return [execute(kind_name, task, params) for task in tasks]


def batch_size(mean_seconds: Optional[float], remaining: Optional[int], slots: int) -> int:
    """How many campaign tasks one Dask task runs: one until a task's time is known, then about
    BATCH_SECONDS' worth (at most MAX_BATCH); with the end in sight (`remaining`, for a count
    budget), no more than a share of the rest that keeps every slot busy to the end."""
    if not mean_seconds or mean_seconds <= 0:
        return 1
    size = max(1, min(MAX_BATCH, int(BATCH_SECONDS / mean_seconds)))
    if remaining is not None:
        size = min(size, max(1, remaining // (2 * slots)))
    return size


@attrs.frozen
class Outcome:
    out: Path
    kind: str
    done: int
    new: int
    findings: int
    skipped: tuple[str, ...]
    seconds: float
    workers: int
    complete: bool


def _params(kind, overrides: Optional[Mapping]) -> dict:
    params = dict(kind.defaults)
    for name, value in (overrides or {}).items():
        if name not in params:
            raise CampaignError(f"--param {name}", f"the {kind.name} kind has no parameter {name!r} (it has {', '.join(sorted(params)) or 'none'})")
        params[name] = value
    return params


def _pending(kind, seed: int, params, budget: Budget, done: set[str]):
    """The kind's tasks not yet in `done`: the first `budget.count` tasks, or all (for a duration)."""
    for task in kind.tasks(seed, params):
        if budget.count is not None and task.index >= budget.count:
            return
        if task.key not in done:
            yield task


def _check_version(line: dict, local: str) -> None:
    remote = line["meta"].get("version")
    if remote != local:
        raise CampaignError(f"worker {line['meta'].get('worker')}", f"runs project version {remote}, this campaign {local}: "
                            "start workers from the same checkout")


def _client(scheduler: Optional[str], workers: Optional[int]):
    """A connected client and how many task slots it has; the caller closes both."""
    try:
        from distributed import Client
    except ImportError as exc:  # a declared dependency; say so rather than fail later
        raise CampaignError("distributed", f"Dask distributed is not installed: {exc}") from None
    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise CampaignError(f"--scheduler {scheduler}", f"unreachable: {type(exc).__name__}: {exc}") from None
        cluster = None
        try:
            client.wait_for_workers(1, timeout=WORKER_WAIT)
        except (TimeoutError, OSError) as exc:
            client.close()
            raise CampaignError(f"--scheduler {scheduler}", f"no worker joined within {WORKER_WAIT:g}s: {exc}") from None
    else:
        cluster = local_cluster(workers or os.cpu_count() or 1)
        client = Client(cluster, set_as_default=False)
    return client, cluster


def local_cluster(n: int):
    """A Dask cluster on this machine: `n` single-threaded worker processes (each under a nanny
    that restarts it if it dies), with Dask's diagnostics slowed to LOCAL_CONFIG."""
    import dask
    from distributed import LocalCluster

    with dask.config.set(LOCAL_CONFIG):  # the nannies hand this config to the worker processes they start
        return LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                            silence_logs=logging.ERROR)


def _check_workers(client, local: str, kind) -> int:
    tags = client.run(version_tag)
    for address, tag in sorted(tags.items()):
        if tag != local:
            raise CampaignError(f"worker {address}", f"runs project version {tag}, this campaign {local}: "
                                "start workers from the same checkout")
    threads = client.nthreads()
    if kind.single_threaded:
        for address, n in sorted(threads.items()):
            if n != 1:
                raise CampaignError(f"worker {address}", f"has {n} threads; the {kind.name} kind needs workers "
                                    "started with --nthreads 1 (its tasks set process-wide state)")
    return sum(threads.values())


def run_campaign(kind_name: str, budget: Budget, seed: int, out: Path, *, scheduler: Optional[str] = None,
                 workers: Optional[int] = None, params: Optional[Mapping] = None, serial: bool = False,
                 on_start: Callable = lambda total, done, findings: None, on_result: Callable = lambda line: None) -> Outcome:
    """Run (or resume) the campaign in `out`; see the module docstring."""
    start = time.perf_counter()
    kind = get_kind(kind_name)
    params = _params(kind, params)
    kind.precheck(params)
    out = Path(out)
    local = version_tag()
    store.open_campaign(out, store.manifest_of(kind_name, seed, params, local))
    loaded = store.load_results(out, kind_name, local)
    lines = list(loaded.lines)
    done = loaded.keys
    findings = sum(1 for line in lines if line["result"].get("finding"))
    on_start(budget.count, len(lines), findings)
    deadline = None if budget.seconds is None else time.monotonic() + budget.seconds
    pending = _pending(kind, seed, params, budget, done)
    appender = store.Appender(out)
    new = 0

    def accept(line: dict) -> None:
        nonlocal new, findings
        _check_version(line, local)
        if "unavailable" in line["result"]:
            raise CampaignError(f"worker {line['meta']['worker']}", str(line["result"]["unavailable"]))
        if line["key"] in done:
            return
        done.add(line["key"])
        appender.write(line)
        lines.append(line)
        new += 1
        findings += bool(line["result"].get("finding"))
        on_result(line)

    slots = 1
    try:
        if serial:
            for task in pending:
                if deadline is not None and time.monotonic() >= deadline:
                    break
                accept(execute(kind_name, task, params))
        else:
            slots = _distributed(kind_name, params, pending, deadline, budget.count, scheduler, workers, local, accept)
    finally:
        appender.close()
        store.write_merged(out, lines)
    complete = budget.count is not None and all(t.key in done for t in _pending(kind, seed, params, budget, set()))
    return Outcome(out, kind_name, len(lines), new, findings, loaded.skipped, time.perf_counter() - start, slots, complete)


def _distributed(kind_name, params, pending, deadline, count, scheduler, workers, local, accept) -> int:
    """Keep `2 x slots` Dask tasks on the cluster (each worker has its next batch at hand when one
    ends), refilled one per finished batch; results are fetched by Dask's event loop as they
    complete (`as_completed(with_results=True)`), so writing them never delays the next. A batch
    lost with its worker is rerun by Dask; its results are the same wherever it runs."""
    from distributed import as_completed

    client, cluster = _client(scheduler, workers)
    try:
        slots = _check_workers(client, local, get_kind(kind_name))
        queue = as_completed(loop=client.loop, with_results=True, raise_errors=False)
        in_flight, ahead = set(), []
        timing = [0.0, 0]  # seconds and count of the tasks finished in this run

        def submit() -> bool:
            if deadline is not None and time.monotonic() >= deadline:
                return False
            if not ahead:
                ahead.extend(itertools.islice(pending, 1))
            if not ahead:
                return False
            remaining = None if count is None else count - ahead[0].index
            size = batch_size(timing[0] / timing[1] if timing[1] else None, remaining, slots)
            ahead.extend(itertools.islice(pending, size - len(ahead)))
            batch = tuple(ahead[:size])
            del ahead[:size]
            future = client.submit(execute_batch, kind_name, batch, params, pure=False,
                                   key=f"campaign-{kind_name}-{local}-{batch[0].index}+{len(batch)}")
            in_flight.add(future)
            queue.add(future)
            return True

        for _ in range(max(2, 2 * slots)):
            if not submit():
                break
        if not in_flight:
            return slots
        for future, result in queue:
            in_flight.discard(future)
            if future.status == "error":
                raise CampaignError(f"task {future.key}", f"failed on the cluster: {type(result).__name__}: {result}")
            if future.status == "cancelled":
                continue
            future.release()
            for line in result:
                timing[0] += line["meta"]["seconds"]
                timing[1] += 1
                accept(line)
            if deadline is not None and time.monotonic() >= deadline:
                for waiting in list(in_flight):
                    waiting.cancel()
                break
            submit()
        return slots
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
