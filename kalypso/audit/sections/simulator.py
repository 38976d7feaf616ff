"""Simulator summary: the market simulation at a small size, every action through `spec.apply`,
the invariants checked on the simulated states, determinism, and the headline table and plots."""
from __future__ import annotations

from kalypso.audit.registry import SectionOutput, section
from kalypso.audit.sections._util import require_module

AREA = "Market simulator"


@section("simulator", AREA, cost=2, budgets={
    "quick": {"asks": 150, "provers": 12, "coalitions": (0.0, 0.25)},
    "default": {"asks": 600, "provers": 24, "coalitions": (0.0, 0.1, 0.25, 0.5)},
    "thorough": {"asks": 2000, "provers": 40, "coalitions": (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)},
})
def simulator(ctx) -> SectionOutput:
    audit = require_module("reference.sim.audit", AREA)
    return audit.audit_simulation(ctx)
