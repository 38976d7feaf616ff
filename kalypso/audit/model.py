"""An audit section and what it reports: a section is one function `fn(ctx) -> SectionOutput` with
its title and budgets per profile; it reports checks with status, counts, timings, seeds and
counterexample traces."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Callable, Optional

import attrs


class Status(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    NOT_AVAILABLE = "not available"


class NotAvailable(Exception):
    """What a section checks cannot run on this machine (no CUDA device, no node, ...): reported, never a pass."""


@attrs.frozen
class Check:
    name: str
    status: Status
    count: Optional[int] = None
    seconds: float = 0.0
    seed: Optional[int] = None
    detail: str = ""
    trace: Optional[str] = None


@attrs.frozen
class Table:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@attrs.frozen
class SectionResult:
    name: str
    title: str
    status: Status
    seconds: float
    seed: int
    budget: str
    checks: tuple[Check, ...] = ()
    tables: tuple[Table, ...] = ()
    figures: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def counts(self) -> dict[Status, int]:
        return {status: sum(1 for c in self.checks if c.status == status) for status in Status}


def section_status(checks) -> Status:
    """FAIL if any check failed, else NOT_AVAILABLE if nothing ran, else PASS."""
    statuses = {c.status for c in checks}
    if Status.FAIL in statuses:
        return Status.FAIL
    if not statuses or statuses == {Status.NOT_AVAILABLE}:
        return Status.NOT_AVAILABLE
    return Status.PASS


Progress = Callable[..., None]


@attrs.frozen
class Context:
    """What a section runs with: its budget (from the profile), the seed, where to write files,
    and a progress callback `progress(description, completed=None, total=None)`."""

    profile: str
    budget: dict
    seed: int
    out_dir: Path
    progress: Progress = lambda *args, **kwargs: None


PROFILES = ("quick", "default", "thorough")


@attrs.frozen
class SectionOutput:
    """What a section function returns; the runner adds status, timing and seed."""

    checks: tuple = ()
    tables: tuple = ()
    figures: tuple = ()
    notes: tuple = ()


@attrs.frozen
class Section:
    """One audit section: `run(ctx) -> SectionOutput`, its budgets per profile, and its `cost`
    (sections run longest first when they run in parallel)."""

    name: str
    title: str
    run: Callable
    budgets: dict
    cost: int

    def budget(self, profile: str) -> dict:
        return dict(self.budgets[profile])

    def describe_budget(self, profile: str) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.budgets[profile].items()) or "-"


def section(name: str, title: str, budgets: dict, cost: int = 1) -> Callable[[Callable], Section]:
    """Make `fn(ctx)` the audit section `name` (the decorated name is the `Section`). `budgets` maps
    each profile (quick, default, thorough) to the keyword budget the section reads from
    `ctx.budget`. The audit runs the sections listed in `kalypso.audit.registry`."""
    missing = [p for p in PROFILES if p not in budgets]
    if missing:
        raise ValueError(f"section {name!r}: budgets missing for profiles {missing}")
    return lambda fn: Section(name=name, title=title, run=fn, budgets=budgets, cost=cost)
