"""Vacuity: before an operation's obligations count, a concrete state must satisfy every
hypothesis they assume. Z3 generates one (the directed case where every precondition of the
operation holds, from a state satisfying the bounded invariants), it is embedded into the
unbounded arrays, and Z3 checks that every unbounded ∀-invariant and the operation's guard hold
on it (ground arrays: the quantifiers are decided by model-based instantiation)."""
from __future__ import annotations

from functools import lru_cache

import attrs
import z3

from properties.z3.concrete import abstract_op, abstract_state, proof_universe
from properties.z3.directed import DIRECTED_BOUNDS
from properties.z3.model import lift
from properties.z3.unbounded.embed import embed, embed_op


@lru_cache(maxsize=None)
def witness_case(name: str):
    from properties.z3.unbounded.directed import directed_cases, targets

    wanted = [t.label for t in targets(name) if t.label.endswith(" holds")][-1:]
    cases, _ = directed_cases(name, encoders=None, only=tuple(wanted))
    return cases[0] if cases else None


def check_witness(name: str, pre: dict, op, every, ok) -> z3.CheckSatResult:
    """sat when the generated witness satisfies `every ∧ ok` (the hypotheses of `name`'s obligations)."""
    case = witness_case(name)
    if case is None:
        return z3.unknown
    bounds, universe = DIRECTED_BOUNDS, proof_universe(DIRECTED_BOUNDS)
    values = embed(abstract_state(case.state, universe, bounds), bounds)  # K a Python int: token quantifiers expanded
    concrete_op = embed_op(abstract_op(case.op, case.state, universe), bounds)
    pairs = [(getattr(op, f.name), lift(getattr(concrete_op, f.name))) for f in attrs.fields(type(op))]
    pairs += [(pre[f], values[f]) for f in pre if f != "K"] + [(pre["K"], z3.IntVal(bounds.stake_tokens))]
    # `every` is `U.hypothesis(pre)`, here built on the witness itself (the same formulas with K
    # fixed, so no token quantifier is left); every conjunct is closed (true or false), so the
    # conjunction holds iff each does: one small query per conjunct
    from properties.z3.unbounded import invariants as U

    conjuncts = [inv.state(values) for inv in U.ALL if inv.state is not None]
    for formula in conjuncts + [z3.substitute(ok, *pairs)]:
        solver = z3.Solver()
        solver.set("timeout", 60_000, "random_seed", 0)
        solver.add(formula)
        verdict = solver.check()
        if verdict == z3.unknown:  # the same closed formula, shown true the other way round
            solver = z3.Solver()
            solver.set("timeout", 60_000, "random_seed", 0)
            solver.add(z3.Not(formula))
            verdict = _flip(solver.check())
        if verdict != z3.sat:
            return verdict
    return z3.sat


def _flip(verdict: z3.CheckSatResult) -> z3.CheckSatResult:
    """The verdict on a closed formula from the verdict on its negation."""
    return z3.sat if verdict == z3.unsat else z3.unsat if verdict == z3.sat else z3.unknown
