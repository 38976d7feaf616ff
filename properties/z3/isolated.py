"""A Z3 solver in a context of its own. Z3 orders terms by their ids, and the ids of the shared
context depend on every term the process built before, so a verdict there can depend on what ran
first (R7 of the restaking model without veto_duration: a counterexample alone, `unknown` after the
full model had run in the same process)."""
from __future__ import annotations

import z3


def isolated_solver(facts, *options) -> tuple[z3.Solver, z3.Context]:
    """(solver, its context): ``facts`` translated into a fresh context, ``options`` given to
    ``Solver.set`` as name, value pairs. Later terms go in with ``.translate(ctx)``."""
    ctx = z3.Context()
    solver = z3.Solver(ctx=ctx)
    solver.set(*options)
    solver.add(*[f.translate(ctx) for f in facts])
    return solver, ctx
