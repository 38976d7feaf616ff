"""Inductive proofs, bounded model checking and evaluation of the encoding.

For every invariant `I` (and auxiliary invariant) and every operation `op`:
`Init => I` and `I(s) & S_I(s) & Step_op(s, op, s') => I(s')` (plus the step formula of `I`),
where `S_I` is the strengthening declared with `I` (the auxiliary invariants and the other
protocol invariants it relies on). Every member of every `S_I` is itself proved, so the
conjunction of all of them is an inductive invariant of the bounded model. I10 is proved on the
step relation: `not Pre_op(s) => s' = s`. BMC unrolls `k` steps from genesis with any
operation at each step. A failed check yields a replayable `Trace` (see `properties.z3.traces`).
"""
from __future__ import annotations

import time
from functools import lru_cache
from typing import Iterable, Optional

import attrs
import z3

from properties.z3 import invariants as zinv
from properties.z3.concrete import ModelGap, Universe, abstract_op, abstract_state, proof_universe
from properties.z3.model import (
    Bounds,
    SState,
    leaves,
    lift,
    rebuild,
    same,
)
from properties.z3.model import fresh_state
from properties.z3.operations import SYMBOLIC_OPERATIONS, fresh_op, op_domain
from properties.z3.transitions import ERRORS, OK, step

PROOF_BOUNDS = Bounds(accounts=3, markets=2, asks=3, stake_tokens=2)
OPERATION_NAMES = tuple(SYMBOLIC_OPERATIONS)
ENCODED_IDS = tuple(inv.id for inv in zinv.AUXILIARY + zinv.PROTOCOL)
ALL_IDS = ENCODED_IDS + ("I10",)
CHECK_TIMEOUT_MS = 120_000


@attrs.frozen
class ProofResult:
    """One check: `result` is "proved", "bounded-<k>" or "counterexample". `kind`: "obligation"
    (needs the invariant and its strengthening), "frame" (the operation leaves everything the
    invariant reads as it was), "step" (follows from the step relation alone, no invariant
    assumed: a guard restated, or I10 by the relation's construction), "init" or "bmc"."""

    invariant: str
    operation: str
    result: str
    seconds: float
    detail: str = ""
    trace: Optional[object] = None
    kind: str = "obligation"


def init_state(bounds: Bounds, name: str = "init") -> SState:
    """`spec.genesis(config, time)`: any config and time, nothing else."""
    s = fresh_state(bounds, name)
    zero = [z3.BoolVal(False) if z3.is_bool(leaf) else z3.IntVal(0) for leaf in leaves(s)]
    state = rebuild(s, zero)
    return attrs.evolve(state, config=s.config, time=s.time)


def _solver() -> z3.Solver:
    solver = z3.Solver()
    solver.set("timeout", CHECK_TIMEOUT_MS)
    return solver


def _small(terms, bound: int) -> z3.BoolRef:
    return z3.And([z3.And(-bound <= t, t <= bound) for t in terms if z3.is_int(t)])


def _prefer(solver: z3.Solver, constraint) -> int:
    """Keep `constraint` (in a new scope) if the solver stays satisfiable: the scopes pushed."""
    solver.push()
    solver.add(constraint)
    if solver.check() == z3.sat:
        return 1
    solver.pop()
    return 0


def _timed(invariant: str, operation: str, solver: z3.Solver, goal, started: float, on_sat, refine=None, terms=()) -> ProofResult:
    """Check `goal` under the solver's assertions. On failure, prefer a counterexample that also
    satisfies `refine` (every invariant), so that its pre-state is one the spec could be in, and
    then one with small numbers (|x| <= 10, else <= 1000) in `terms`."""
    solver.push()
    solver.add(z3.Not(goal))
    verdict = solver.check()
    out = None
    if verdict == z3.unsat:
        out = ProofResult(invariant, operation, "proved", time.perf_counter() - started)
    elif verdict == z3.sat:
        note, scopes = "", 0
        if refine is not None:
            scopes += _prefer(solver, refine)
            note = ("from a state satisfying every invariant\n" if scopes else
                    "not inductive relative to its strengthening (no state satisfying every invariant breaks it)\n")
        if terms:
            scopes += _prefer(solver, _small(terms, 10)) or _prefer(solver, _small(terms, 1000))
        solver.check()
        model = solver.model()
        for _ in range(scopes):
            solver.pop()
        try:
            trace = on_sat(model)
        except ModelGap as gap:
            out = ProofResult(invariant, operation, "counterexample", time.perf_counter() - started, note + str(gap))
        else:
            out = ProofResult(invariant, operation, "counterexample", time.perf_counter() - started, note + trace.describe(), trace)
    else:
        out = ProofResult(invariant, operation, "unknown", time.perf_counter() - started, solver.reason_unknown())
    solver.pop()
    return out


def _goal(inv: zinv.EncodedInvariant, pre: SState, op, post: SState, bounds: Bounds):
    parts = []
    if inv.state is not None:
        parts.append(inv.state(post, bounds))
    if inv.step is not None:
        parts.append(inv.step(pre, op, post, bounds))
    return z3.And(parts)


def prove_initial(ids: Iterable[str], bounds: Bounds = PROOF_BOUNDS) -> list[ProofResult]:
    """`Init => I` for each state invariant among `ids` (A0 is assumed of the genesis config)."""
    from properties.z3.traces import Trace

    init = init_state(bounds)
    universe = proof_universe(bounds)
    out = []
    for i in ids:
        inv = zinv.BY_ID.get(i)
        if inv is None or inv.state is None:
            continue
        started = time.perf_counter()
        if i == "A0":
            out.append(ProofResult(i, "init", "assumed", time.perf_counter() - started, "a genesis parameter range, not checked by spec.Config", kind="init"))
            continue
        solver = _solver()
        solver.add(zinv.encode_config_valid(init, bounds))
        out.append(attrs.evolve(_timed(i, "init", solver, inv.state(init, bounds), started,
                                       lambda m: Trace.from_model(m, init, [], bounds, universe, f"{i} fails at genesis")), kind="init"))
    return out


def prove_operation(name: str, ids: Iterable[str], bounds: Bounds = PROOF_BOUNDS, encoders: dict | None = None,
                    strengthening: dict | None = None) -> list[ProofResult]:
    """The inductive step of each invariant in `ids` for operation `name` (I10 included);
    `strengthening` overrides the declared strengthening of some invariants."""
    from properties.z3.traces import Trace

    universe = proof_universe(bounds)
    pre = fresh_state(bounds, "s")
    op = fresh_op(name, bounds, "op")
    st = step(pre, op, bounds, encoders)
    started = time.perf_counter()
    solver = _solver()
    every_invariant = zinv.hypothesis(pre, bounds, ENCODED_IDS)
    solver.add(op_domain(op, bounds), every_invariant, st.ok)
    if solver.check() != z3.sat:
        detail = "no invariant state accepts this operation: the proofs would hold vacuously"
        return [ProofResult(i, name, "vacuous", time.perf_counter() - started, detail) for i in ids]
    out = []
    for i in ids:
        started = time.perf_counter()
        solver = _solver()
        solver.add(op_domain(op, bounds))
        if i == "I10":
            solver.add(z3.Not(st.ok))
            goal = same(pre, st.post)
        else:
            inv = zinv.BY_ID[i]
            assumed = (strengthening or {}).get(i, inv.strengthening)
            solver.add(zinv.hypothesis(pre, bounds, (i, *assumed)))
            goal = _goal(inv, pre, op, st.post, bounds)
        result = _timed(i, name, solver, goal, started,
                        lambda m, i=i: Trace.from_model(m, pre, [(op, st)], bounds, universe, f"{i} violated by {name}"),
                        refine=every_invariant, terms=leaves(pre) + leaves(op))
        if result.result == "proved":
            result = attrs.evolve(result, kind=_kind(i, pre, op, st, bounds))
        out.append(result)
    return out


def _valid(*facts) -> bool:
    """The conjunction of `facts[:-1]` implies `facts[-1]` (no invariant assumed)."""
    solver = _solver()
    solver.add(*facts[:-1], z3.Not(facts[-1]))
    return solver.check() == z3.unsat


def _kind(i: str, pre: SState, op, st, bounds: Bounds) -> str:
    """How a proved obligation holds: "step" if it follows from the step relation alone, "frame"
    if the operation leaves the invariant's value unchanged (and its step part follows from the
    step alone), else "obligation"."""
    domain = op_domain(op, bounds)
    if i == "I10":
        return "step"
    inv = zinv.BY_ID[i]
    goal = _goal(inv, pre, op, st.post, bounds)
    if _valid(domain, goal):
        return "step"
    step_part = inv.step(pre, op, st.post, bounds) if inv.step is not None else z3.BoolVal(True)
    if inv.state is not None and _valid(domain, st.ok, inv.state(st.post, bounds) == inv.state(pre, bounds)) and _valid(domain, step_part):
        return "frame"
    return "obligation"


def bmc(depth: int, ids: Iterable[str], bounds: Bounds = PROOF_BOUNDS, encoders: dict | None = None) -> list[ProofResult]:
    """Bounded model checking from genesis: no trace of up to `depth` operations (any operation,
    any arguments in the model's universe) violates any of `ids`."""
    from properties.z3.traces import Trace

    universe = proof_universe(bounds)
    started = time.perf_counter()
    states = [init_state(bounds, "bmc0")]
    steps = []
    solver = _solver()
    solver.add(zinv.encode_config_valid(states[0], bounds))
    for d in range(depth):
        pre, post = states[-1], fresh_state(bounds, f"bmc{d + 1}")
        post = attrs.evolve(post, config=pre.config)
        kind = z3.Int(f"bmc{d}.kind")
        options = []
        choices = []
        for k, name in enumerate(OPERATION_NAMES):
            op = fresh_op(name, bounds, f"bmc{d}")
            st = step(pre, op, bounds, encoders)
            options.append(z3.And(kind == k, op_domain(op, bounds), same(post, st.post)))
            choices.append((op, st))
        solver.add(z3.Or(options))
        states.append(post)
        steps.append((kind, choices))
    build = time.perf_counter() - started
    out = []
    for i in ids:
        inv = zinv.BY_ID.get(i)
        if inv is None:
            continue
        t0 = time.perf_counter()
        violations = []
        for d in range(1, depth + 1):
            if inv.state is not None:
                violations.append(z3.Not(inv.state(states[d], bounds)))
            if inv.step is not None:
                for k, (op, st) in enumerate(steps[d - 1][1]):
                    violations.append(z3.And(steps[d - 1][0] == k, z3.Not(inv.step(states[d - 1], op, st.post, bounds))))

        def on_sat(model, i=i):
            chosen = [choices[model.eval(kind, model_completion=True).as_long()] for kind, choices in steps]
            return Trace.from_model(model, states[0], chosen, bounds, universe, f"{i} violated within {depth} steps")

        result = _timed(i, "bmc", solver, z3.Not(z3.Or(violations)) if violations else z3.BoolVal(True), t0, on_sat)
        if result.result == "proved":
            result = attrs.evolve(result, result=f"bounded-{depth}", seconds=result.seconds + build / max(1, len(list(ids)) or 1))
        out.append(result)
    return out


def prove_all(invariant: str | None = None, depth: int | None = None, bounds: Bounds = PROOF_BOUNDS,
              operations: Iterable[str] | None = None, encoders: dict | None = None, progress=None) -> list[ProofResult]:
    """Every inductive proof (the auxiliary invariants first, then I1-I7, I9, I10), optionally
    restricted to one invariant id and some operations; with `depth`, BMC to that depth as well."""
    ids = ALL_IDS if invariant is None else (invariant,)
    unknown = [i for i in ids if i not in ALL_IDS]
    if unknown:
        raise ValueError(f"invariant: {unknown[0]!r} is not one of {list(ALL_IDS)}")
    names = tuple(operations) if operations is not None else OPERATION_NAMES
    results = prove_initial(ids, bounds)
    for name in names:
        results += prove_operation(name, ids, bounds, encoders)
        if progress:
            progress(name)
    if depth:
        results += bmc(depth, [i for i in ids if i != "I10"], bounds, encoders)
    return results


def not_inductive_alone(invariant: str, bounds: Bounds = PROOF_BOUNDS) -> list[str]:
    """The operations whose inductive step fails for `invariant` without any strengthening."""
    return [r.operation for name in OPERATION_NAMES
            for r in prove_operation(name, [invariant], bounds, strengthening={invariant: ()}) if r.result != "proved"]


def minimize_strengthening(invariant: str, bounds: Bounds = PROOF_BOUNDS) -> tuple[str, ...]:
    """Greedily drop members of `invariant`'s declared strengthening while every operation's
    inductive step still proves: a minimal (not necessarily minimum) strengthening."""
    kept = list(zinv.BY_ID[invariant].strengthening)
    for candidate in list(kept):
        trial = tuple(k for k in kept if k != candidate)
        if all(r.result == "proved" for name in OPERATION_NAMES
               for r in prove_operation(name, [invariant], bounds, strengthening={invariant: trial})):
            kept.remove(candidate)
    return tuple(kept)


# -- evaluation on concrete values (the differential against the spec) -------------------------

@lru_cache(maxsize=None)
def _symbolic_step(name: str, bounds: Bounds):
    pre = fresh_state(bounds, "e")
    op = fresh_op(name, bounds, "e")
    return pre, op, step(pre, op, bounds)


def evaluate(state, op, universe: Universe, bounds: Bounds):
    """Run the encoding on a spec state and operation: the error class (None when accepted) and
    the post-state values the encoding yields. Concrete values are substituted for the symbolic
    pre-state and operation and the step terms simplified."""
    pre, sop, st = _symbolic_step(op.name, bounds)
    return _evaluate_on(pre, sop, st, _packer(op.name, bounds), state, op, universe, bounds)


def evaluate_with(encoders: dict | None):
    """`evaluate` for the encoding `encoders` (the default encoding when None)."""
    if encoders is None:
        return evaluate
    steps, packers = {}, {}

    def run(state, op, universe: Universe, bounds: Bounds):
        key = (op.name, bounds)
        if key not in steps:
            pre, sop = fresh_state(bounds, "e"), fresh_op(op.name, bounds, "e")
            steps[key] = (pre, sop, step(pre, sop, bounds, encoders))
            packers[key] = z3.Function(f"outputs.{op.name}", z3.IntSort(), *[o.sort() for o in leaves(steps[key][2].post)], z3.BoolSort())
        pre, sop, st = steps[key]
        return _evaluate_on(pre, sop, st, packers[key], state, op, universe, bounds)

    return run


def _evaluate_on(pre, sop, st, pack, state, op, universe: Universe, bounds: Bounds):
    values_pre = abstract_state(state, universe, bounds)
    values_op = abstract_op(op, state, universe)
    pairs = [(sym, lift(val)) for sym, val in zip(leaves(pre) + leaves(sop), leaves(values_pre) + leaves(values_op))]
    values = _parse_values(z3.simplify(z3.substitute(pack(st.error, *leaves(st.post)), *pairs)).sexpr())
    post = rebuild(st.post, values[1:])
    return (None if values[0] == OK else ERRORS[values[0]]), post


@lru_cache(maxsize=None)
def _packer(name: str, bounds: Bounds):
    """An uninterpreted function over (error, post-state leaves): one term to substitute into."""
    _, _, st = _symbolic_step(name, bounds)
    return z3.Function(f"outputs.{name}", z3.IntSort(), *[o.sort() for o in leaves(st.post)], z3.BoolSort())


def _parse_values(text: str) -> list:
    """The arguments of `(f v1 v2 ...)` where each value is a numeral, `(- n)`, `true` or `false`."""
    tokens = text.replace("(", " ( ").replace(")", " ) ").split()[2:-1]
    out, negate = [], False
    for token in tokens:
        if token == "(" or token == ")":
            continue
        if token == "-":
            negate = True
        elif token in ("true", "false"):
            out.append(token == "true")
        else:
            value = int(token)
            out.append(-value if negate else value)
            negate = False
    return out
