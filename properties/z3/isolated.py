"""A Z3 solver in a context of its own, and a verdict that does not hang on one search path.

Z3 orders terms by their ids, and the ids of the shared context depend on every term the process
built before, so a verdict there can depend on what ran first. A fresh context is not the whole
cure: Z3 keeps state across contexts (its fresh names, e.g. the `k!N` of array models, keep
counting), so an identical query in a fresh context can still take another search path after
other work in the process (R7 of the restaking model without bridge_delay_max: a counterexample
in 2,400 resource units alone, `unknown` at the resource bound after the unbounded proofs, the
timing model, the differential and the encoder mutants had run in the same process). `decide`
therefore tries a short, fixed list of seeds, each in a fresh solver under the same resource
bound, and keeps the first definite answer: the answer is a theorem of the query (sat and unsat
do not depend on the seed), only the chance of reaching it does."""
from __future__ import annotations

import z3

SEEDS = (0, 1, 2, 3)


def isolated_solver(facts, *options) -> tuple[z3.Solver, z3.Context]:
    """(solver, its context): ``facts`` translated into a fresh context, ``options`` given to
    ``Solver.set`` as name, value pairs. Later terms go in with ``.translate(ctx)``."""
    ctx = z3.Context()
    solver = z3.Solver(ctx=ctx)
    solver.set(*options)
    solver.add(*[f.translate(ctx) for f in facts])
    return solver, ctx


def decide(facts, *options, seeds=SEEDS) -> tuple[z3.CheckSatResult, z3.Solver, z3.Context]:
    """(verdict, solver, context) of the first seed that gives sat or unsat, each seed in a fresh
    solver over ``facts`` with ``options``; `unknown` (with the last solver) when none does."""
    for seed in seeds:
        solver, ctx = isolated_solver(facts, *options, "random_seed", seed)
        verdict = solver.check()
        if verdict != z3.unknown:
            break
    return verdict, solver, ctx
