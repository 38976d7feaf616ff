"""The deterministic tie between `spec/` and the unbounded encoding (the machinery of
`properties.z3.directed`, run on the unbounded transitions).

The unbounded encoding is applied to a bounded instance embedded in its arrays (`embed.embed`:
entry i at id i, defaults elsewhere, ghosts equal to the sums). For every operation Z3 generates
concrete cases from the unbounded encoding's own terms, each from a state satisfying every
bounded invariant (a state the spec can be in): each precondition on both sides, each integer
comparison in a precondition at its boundary (sides equal and one apart either way), and each
post-state field and ghost aggregate changed by an accepted operation. Every case, and every
fitting step of the committed conformance vectors, is run through `spec.apply` and through the
unbounded encoding: same error class, same post-state at the instance's ids, and ghosts (moved
by deltas) equal to the sums recomputed from the spec's post-state. Fixed seed, fixed order.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

import z3

from properties.z3 import invariants as zinv
from properties.z3.concrete import ModelGap, Universe, abstract_state, proof_universe
from properties.z3.directed import COMPARISONS, DIRECTED_BOUNDS, QUERY_TIMEOUT_MS, SEED, VECTOR_BOUNDS, Case, Disagreement, Target, _atoms, concretize, spec_disagreement, spec_vector_cases
from properties.z3.model import Bounds, SState, as_python, fresh_state, leaf_names, leaves, lift, rebuild
from properties.z3.operations import FOUNDATION_OPERATIONS, fresh_op, op_domain
from properties.z3.proofs import _parse_values
from properties.z3.transitions import ERRORS, OK
from properties.z3.unbounded.embed import embed, embed_op, flat_ghosts, ghost_sums, project, project_ghosts
from properties.z3.unbounded.transitions import ENCODERS, step

__all__ = ["COMPARISONS", "check_directed", "check_vectors", "defaults", "directed_cases", "evaluator"]


def defaults(v: SState, bounds: Bounds) -> z3.BoolRef:
    """Absent entries hold the defaults (as `abstract_state` gives them): markets and asks past
    the counters, unregistered provers, non-members, no pending withdrawal."""
    def zero(x):
        return z3.Not(x) if z3.is_bool(x) else x == 0

    def blank(node):
        return z3.And([zero(leaf) for leaf in leaves(node)])

    out = []
    out += [z3.Implies(m >= v.next_market_id, blank(mk)) for m, mk in enumerate(v.markets)]
    out += [z3.Implies(n >= v.next_ask_id, blank(a)) for n, a in enumerate(v.asks)]
    out += [z3.Implies(z3.Not(p.registered), blank(p)) for p in v.provers]
    out += [z3.Implies(z3.Not(ms.member), blank(ms)) for row in v.memberships for ms in row]
    out += [z3.Implies(z3.Not(w.pending), blank(w)) for row in v.withdrawals for w in row]
    out += [z3.Implies(z3.Not(a.has_assignment), blank(a.assignment)) for a in v.asks]
    return z3.And(out)


@lru_cache(maxsize=None)
def _symbolic(name: str, bounds: Bounds, encoders_key=None):
    encoders = dict(encoders_key) if encoders_key else None
    pre_v, op_v = fresh_state(bounds, "u"), fresh_op(name, bounds, "u")
    pre, op = embed(pre_v, bounds), embed_op(op_v, bounds)
    st = step(pre, op, encoders)
    post_v, post_g = project(st.post, bounds), project_ghosts(st.post, bounds)
    pre_g = project_ghosts(pre, bounds)
    outputs = [st.error] + leaves(post_v) + post_g
    pack = z3.Function(f"u.outputs.{name}", *[o.sort() for o in outputs], z3.BoolSort())
    return pre_v, op_v, pre, op, st, post_v, post_g, pre_g, pack(*outputs)


def _key(encoders: Optional[dict]):
    return None if encoders is None else tuple(sorted(encoders.items(), key=lambda kv: kv[0]))


def evaluator(encoders: Optional[dict] = None):
    """`run(state, op, universe, bounds) -> (error class or None, post values, ghosts)`: the
    unbounded encoding on a concrete spec state and operation (values substituted, simplified)."""
    def run(state, op, universe: Universe, bounds: Bounds):
        from properties.z3.concrete import abstract_op

        pre_v, op_v, *_, post_v, post_g, _, packed = _symbolic(op.name, bounds, _key(encoders))
        values_pre, values_op = abstract_state(state, universe, bounds), abstract_op(op, state, universe)
        pairs = [(sym, lift(val)) for sym, val in zip(leaves(pre_v) + leaves(op_v), leaves(values_pre) + leaves(values_op))]
        values = _parse_values(z3.simplify(z3.substitute(packed, *pairs)).sexpr())
        n = len(leaves(post_v))
        return (None if values[0] == OK else ERRORS[values[0]]), rebuild(post_v, values[1:1 + n]), values[1 + n:]

    return run


def check_case(case: Case, universe: Universe, bounds: Bounds, run) -> Optional[Disagreement]:
    error, post, ghosts = run(case.state, case.op, universe, bounds)
    found, want = spec_disagreement(case, error, post, universe, bounds)
    if found is not None:
        return found
    sums = [as_python(z3.simplify(g)) for g in flat_ghosts(ghost_sums(want, bounds))]
    if ghosts != sums:
        return Disagreement(case, f"ghost aggregates {ghosts} != the sums of the spec's post-state {sums}")
    return None


def targets(name: str, bounds: Bounds = DIRECTED_BOUNDS, encoders: Optional[dict] = None) -> list[Target]:
    pre_v, op_v, pre, op, st, post_v, post_g, pre_g, _ = _symbolic(name, bounds, _key(encoders))
    out, prefix = [], []
    for i, (holds, error) in enumerate(st.checks):
        before = z3.And(prefix) if prefix else z3.BoolVal(True)
        out.append(Target(name, f"guard {i} {error.code} fails", z3.And(before, z3.Not(holds))))
        out.append(Target(name, f"guard {i} {error.code} holds", z3.And(before, holds)))
        for k, atom in enumerate(_atoms(holds)):
            for d in (-1, 0, 1):
                out.append(Target(name, f"guard {i} {error.code} comparison {k} at {d:+d}", z3.And(before, atom.arg(0) - atom.arg(1) == d)))
        prefix.append(holds)
    for path, a, b in zip(leaf_names(pre_v), leaves(pre_v), leaves(post_v)):
        if not z3.is_true(z3.simplify(a == b)):
            out.append(Target(name, f"effect on {path}", z3.And(st.ok, a != b)))
    for k, (a, b) in enumerate(zip(pre_g, post_g)):
        if not z3.is_true(z3.simplify(a == b)):
            out.append(Target(name, f"effect on ghost {k}", z3.And(st.ok, a != b)))
    return out


def directed_cases(name: str, bounds: Bounds = DIRECTED_BOUNDS, encoders: Optional[dict] = None,
                   only: Optional[tuple] = None) -> tuple[list[Case], list[str]]:
    """Concrete spec cases for every satisfiable target of `name` (those labelled `only`, if
    given), and the labels not reached."""
    universe = proof_universe(bounds)
    pre_v, op_v, *_ = _symbolic(name, bounds, _key(encoders))
    solver = z3.Solver()
    solver.set("timeout", QUERY_TIMEOUT_MS, "random_seed", SEED)
    every = tuple(i.id for i in zinv.AUXILIARY + zinv.PROTOCOL)
    solver.add(op_domain(op_v, bounds), zinv.hypothesis(pre_v, bounds, every), defaults(pre_v, bounds))
    terms = leaves(pre_v) + leaves(op_v)
    wanted = [t for t in targets(name, bounds, encoders) if only is None or t.label in only]
    return concretize(solver, terms, wanted, name, pre_v, op_v, universe, bounds)


def check_directed(operations: Iterable[str] = FOUNDATION_OPERATIONS, bounds: Bounds = DIRECTED_BOUNDS,
                   encoders: Optional[dict] = None) -> tuple[list[Case], list[str], list[Disagreement]]:
    """(cases, unreached targets, disagreements) over `operations`."""
    universe = proof_universe(bounds)
    run = evaluator(encoders)
    cases, missed, bad = [], [], []
    for name in operations:
        found, unreached = directed_cases(name, bounds, encoders)
        cases += found
        missed += [f"{name}: {label}" for label in unreached]
        bad += [d for d in (check_case(c, universe, bounds, run) for c in found) if d is not None]
    return cases, missed, bad


def check_vectors(root: Path, bounds: Bounds = VECTOR_BOUNDS, encoders: Optional[dict] = None,
                  operations: Iterable[str] = FOUNDATION_OPERATIONS):
    """Every fitting step of the committed vectors under `root`: (checked, skipped, disagreements)."""
    cases, skipped = spec_vector_cases(root, operations, bounds)
    run = evaluator(encoders)
    bad = []
    for case, universe in cases:
        try:
            problem = check_case(case, universe, bounds, run)
        except ModelGap:
            skipped += 1
            continue
        if problem is not None:
            bad.append(problem)
    return len(cases), skipped, bad
