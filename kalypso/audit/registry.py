"""The section registry: a section is one function `fn(ctx) -> SectionOutput`, registered with
its budgets per profile. Adding a section to the audit is adding one decorated function."""
from __future__ import annotations

from typing import Callable

import attrs

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
    name: str
    title: str
    run: Callable
    budgets: dict
    cost: int

    def budget(self, profile: str) -> dict:
        return dict(self.budgets[profile])

    def describe_budget(self, profile: str) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.budgets[profile].items()) or "-"


SECTIONS: dict[str, Section] = {}


def section(name: str, title: str, budgets: dict, cost: int = 1):
    """Register `fn(ctx)` as audit section `name`. `budgets` maps each profile (quick, default,
    thorough) to the keyword budget the section reads from `ctx.budget`; `cost` orders sections
    longest first when they run in parallel."""
    missing = [p for p in PROFILES if p not in budgets]
    if missing:
        raise ValueError(f"section {name!r}: budgets missing for profiles {missing}")

    def wrap(fn):
        SECTIONS[name] = Section(name=name, title=title, run=fn, budgets=budgets, cost=cost)
        return fn

    return wrap


def load_sections() -> dict[str, Section]:
    """Import every built-in section module (each registers itself) and return the registry."""
    import kalypso.audit.sections  # noqa: F401

    return SECTIONS
