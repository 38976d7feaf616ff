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
    values = embed(abstract_state(case.state, universe, bounds), bounds)
    values["K"] = z3.IntVal(bounds.stake_tokens)
    concrete_op = embed_op(abstract_op(case.op, case.state, universe), bounds)
    pairs = [(pre[f], values[f]) for f in pre]
    pairs += [(getattr(op, f.name), lift(getattr(concrete_op, f.name))) for f in attrs.fields(type(op))]
    solver = z3.Solver()
    solver.set("timeout", 60_000, "random_seed", 0)
    solver.add(z3.substitute(z3.And(every, ok), *pairs))
    return solver.check()
