"""Run audit sections (in-process or in worker processes) with a live progress display."""
from __future__ import annotations

import multiprocessing
import queue as queue_module
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Iterable, Optional

from kalypso.audit.model import Check, Context, NotAvailable, SectionResult, Status, section_status
from kalypso.audit.registry import SECTIONS


def run_section(name: str, profile: str, seed: int, out_dir: Path, progress=None) -> SectionResult:
    """Run one registered section; a missing area is NOT_AVAILABLE, a crash is a FAIL with its traceback."""
    sec = SECTIONS[name]
    ctx = Context(profile=profile, budget=sec.budget(profile), seed=seed, out_dir=Path(out_dir),
                  progress=progress or (lambda *a, **k: None))
    start = time.perf_counter()
    common = dict(name=name, title=sec.title, seed=seed, budget=sec.describe_budget(profile))
    try:
        output = sec.run(ctx)
    except NotAvailable as why:
        return SectionResult(status=Status.NOT_AVAILABLE, seconds=time.perf_counter() - start,
                             checks=(Check(name, Status.NOT_AVAILABLE, detail=str(why)),), **common)
    except Exception as error:  # a crashing section is reported as a failure, never lost
        seconds = time.perf_counter() - start
        check = Check(f"{name} (crashed)", Status.FAIL, seconds=seconds, seed=seed,
                      detail=f"{type(error).__name__}: {error}", trace=traceback.format_exc())
        return SectionResult(status=Status.FAIL, seconds=seconds, checks=(check,), **common)
    return SectionResult(
        status=section_status(output.checks),
        seconds=time.perf_counter() - start,
        checks=tuple(output.checks),
        tables=tuple(output.tables),
        figures=tuple(str(f) for f in output.figures),
        notes=tuple(output.notes),
        **common,
    )


def _worker(name, profile, seed, out_dir, events):
    def progress(description, completed=None, total=None):
        events.put((name, description, completed, total))

    return run_section(name, profile, seed, out_dir, progress)


class _Display:
    """One rich progress row per section; silent when `enabled` is false."""

    def __init__(self, names: Iterable[str], titles: dict, enabled: bool):
        self.enabled = enabled
        self.rows = {}
        if not enabled:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(SpinnerColumn(), TextColumn("[bold]{task.fields[section]:<28}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.description}"))
        for name in names:
            self.rows[name] = self.progress.add_task("waiting", total=None, section=titles[name], start=False)

    def __enter__(self):
        if self.enabled:
            self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        if self.enabled:
            self.progress.__exit__(*exc)

    def update(self, name, description, completed=None, total=None):
        if not self.enabled:
            return
        row = self.rows[name]
        self.progress.start_task(row)
        fields = {"description": description}
        if total is not None:
            fields["total"] = total
        if completed is not None:
            fields["completed"] = completed
        self.progress.update(row, **fields)

    def done(self, result: SectionResult):
        if not self.enabled:
            return
        colour = {Status.PASS: "green", Status.FAIL: "red", Status.NOT_AVAILABLE: "yellow"}[result.status]
        row = self.rows[result.name]
        self.progress.start_task(row)
        task = self.progress.tasks[[t.id for t in self.progress.tasks].index(row)]
        total = task.total or 1
        self.progress.update(row, total=total, completed=total,
                             description=f"[{colour}]{result.status.value}[/] ({result.seconds:.1f} s)")
        self.progress.stop_task(row)


def run_sections(names: list[str], profile: str, seed: int, out_dir: Path, jobs: int = 1,
                 show_progress: bool = True) -> list[SectionResult]:
    """Run `names` and return their results in the given order; `jobs` > 1 runs sections in
    that many worker processes, most expensive first."""
    titles = {n: SECTIONS[n].title for n in names}
    results: dict[str, SectionResult] = {}
    with _Display(names, titles, show_progress) as display:
        if jobs <= 1 or len(names) <= 1:
            for name in names:
                result = run_section(name, profile, seed, out_dir, lambda *a, _n=name, **k: display.update(_n, *a, **k))
                results[name] = result
                display.done(result)
        else:
            context = multiprocessing.get_context("spawn")
            with context.Manager() as manager:
                events = manager.Queue()
                order = sorted(names, key=lambda n: -SECTIONS[n].cost)
                with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
                    futures = {pool.submit(_worker, n, profile, seed, str(out_dir), events): n for n in order}
                    pending = set(futures)
                    while pending:
                        _drain(events, display)
                        for future in [f for f in pending if f.done()]:
                            pending.discard(future)
                            results[futures[future]] = _result_of(future, futures[future], titles, profile, seed)
                            display.done(results[futures[future]])
                        time.sleep(0.1)
                    _drain(events, display)
    return [results[n] for n in names]


def _drain(events, display) -> None:
    while True:
        try:
            name, description, completed, total = events.get_nowait()
        except queue_module.Empty:
            return
        display.update(name, description, completed, total)


def _result_of(future, name, titles, profile, seed) -> SectionResult:
    try:
        return future.result()
    except Exception as error:  # the worker process itself died
        check = Check(f"{name} (worker died)", Status.FAIL, seed=seed, detail=f"{type(error).__name__}: {error}",
                      trace="".join(traceback.format_exception(error)))
        return SectionResult(name=name, title=titles[name], status=Status.FAIL, seconds=0.0, seed=seed,
                             budget=SECTIONS[name].describe_budget(profile), checks=(check,))


def exit_code(results: list[SectionResult], strict: bool = False) -> int:
    """1 if any section failed (or, with `strict`, was not available), else 0."""
    bad = {Status.FAIL} | ({Status.NOT_AVAILABLE} if strict else set())
    return 1 if any(r.status in bad for r in results) else 0


def select(names: Optional[list[str]]) -> list[str]:
    """The sections to run: all registered, in registry order, or the named ones (validated)."""
    if not names:
        return list(SECTIONS)
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        raise ValueError(f"--only: unknown section(s) {unknown}; known: {list(SECTIONS)}")
    return list(names)
