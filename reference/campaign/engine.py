"""Run a campaign on Dask distributed: the kind's tasks in order, minus those `--out` already
holds, submitted a window at a time to a scheduler (given, or a local cluster of this machine's
cores); each result is appended to `results.jsonl` as it arrives and, at the end, all are
merged in task order into `merged.json`.

Dask does the distribution and the fault tolerance: a worker that dies mid-task has its tasks
rerun elsewhere. Every result carries the version tag of the worker that computed it; a worker
whose code differs from this process's is refused (checked on every worker before the first task
and on every result). `serial=True` runs the same tasks in this process, without Dask: the
reference a distributed run must match.
"""
from __future__ import annotations

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
        from distributed import Client, LocalCluster
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
        n = workers or os.cpu_count() or 1
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.ERROR)
        client = Client(cluster, set_as_default=False)
    return client, cluster


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
            slots = _distributed(kind_name, params, pending, deadline, scheduler, workers, local, accept)
    finally:
        appender.close()
        store.write_merged(out, lines)
    complete = budget.count is not None and all(t.key in done for t in _pending(kind, seed, params, budget, set()))
    return Outcome(out, kind_name, len(lines), new, findings, loaded.skipped, time.perf_counter() - start, slots, complete)


def _distributed(kind_name, params, pending, deadline, scheduler, workers, local, accept) -> int:
    from distributed import as_completed

    client, cluster = _client(scheduler, workers)
    try:
        slots = _check_workers(client, local, get_kind(kind_name))
        window = max(2, 2 * slots)
        futures = {}

        def submit() -> bool:
            task = next(pending, None)
            if task is None or (deadline is not None and time.monotonic() >= deadline):
                return False
            future = client.submit(execute, kind_name, task, params, key=f"campaign-{kind_name}-{local}-{task.index}", pure=False)
            futures[future] = task
            if queue is not None:
                queue.add(future)
            return True

        queue = None
        for _ in range(window):
            if not submit():
                break
        if not futures:
            return slots
        queue = as_completed(list(futures), loop=client.loop)
        for future in queue:
            futures.pop(future)
            if future.status == "error":
                exc = future.exception()
                raise CampaignError(f"task {future.key}", f"failed on the cluster: {type(exc).__name__}: {exc}")
            if future.status == "cancelled":
                continue
            accept(future.result())
            future.release()
            if deadline is not None and time.monotonic() >= deadline:
                for waiting in list(futures):
                    waiting.cancel()
                break
            submit()
        return slots
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
