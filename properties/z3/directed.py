"""The deterministic tie between `spec/` and the encoding: boundary- and effect-directed cases.

For every operation, Z3 generates concrete cases from the encoding itself, each from a state
satisfying every invariant (so it is a state the spec can be in):

- **guards**: for each precondition, a model on each side of it (every earlier one holding);
- **boundaries**: for each integer comparison inside a precondition, models with its two sides
  equal and one apart either way (`lhs - rhs` in -1, 0, 1), every earlier precondition holding;
- **effects**: for each post-state field the effect can change, a model where the operation is
  accepted and that field changes.

Each model is made concrete (`to_spec_state`, `to_spec_op`: real signatures, stand-in proofs),
run through `spec.apply`, and the encoding evaluated on the same concrete values
(`properties.z3.proofs.evaluate`): both must give the same error class and the same post-state.
`spec_vector_cases` adds the spec's own boundary cases: every step of the committed conformance
vectors whose state fits a model instance (restaking states and steps the model's bounds cannot
hold are skipped and counted) (a guard or effect the encoding lacks is caught there,
since targets drawn from the encoding cannot name it). Z3 runs with a fixed seed, and the
queries are built in a fixed order: the same cases every run.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Optional

import attrs
import z3

import spec
from properties.z3 import invariants as zinv
from properties.z3.concrete import ModelGap, Universe, abstract_state, proof_universe, to_spec_op, to_spec_state
from properties.z3.model import Bounds, as_python, leaf_names, leaves, rebuild
from properties.z3.model import fresh_state
from properties.z3.operations import FOUNDATION_OPERATIONS, fresh_op, op_domain
from properties.z3.transitions import ENCODERS, ModelBoundExceeded, step
from spec.codec import decode_op, decode_state
from spec.errors import SpecError

DIRECTED_BOUNDS = Bounds(accounts=3, markets=2, asks=2, stake_tokens=1)
QUERY_TIMEOUT_MS = 10_000
SEED = 20261202
COMPARISONS = (z3.Z3_OP_LE, z3.Z3_OP_LT, z3.Z3_OP_GE, z3.Z3_OP_GT, z3.Z3_OP_EQ)


@attrs.frozen
class Target:
    operation: str
    label: str
    constraint: object


@attrs.frozen
class Case:
    """A concrete case: where it came from, the spec state and operation."""

    operation: str
    label: str
    state: spec.State
    op: object


@attrs.frozen
class Disagreement:
    case: Case
    detail: str


def _atoms(expr) -> list:
    """Integer comparisons inside a Boolean term, each once, in a fixed (pre-order) order."""
    out, seen = [], set()

    def go(e):
        if z3.is_app(e) and e.decl().kind() in COMPARISONS and e.num_args() == 2 and z3.is_int(e.arg(0)):
            key = e.sexpr()
            if key not in seen and not (z3.is_int_value(e.arg(0)) and z3.is_int_value(e.arg(1))):
                seen.add(key)
                out.append(e)
            return
        for child in e.children() if z3.is_app(e) else ():
            go(child)

    go(expr)
    return out


def targets(name: str, bounds: Bounds = DIRECTED_BOUNDS, encoders: Optional[dict] = None):
    """The symbolic pre-state and operation and the targets for operation `name`."""
    encoders = encoders or ENCODERS
    pre, op = fresh_state(bounds, "d"), fresh_op(name, bounds, "d")
    encoded = encoders[name](pre, op, bounds)
    st = step(pre, op, bounds, encoders)
    out, prefix = [], []
    for i, (holds, error) in enumerate(encoded.checks):
        before = z3.And(prefix) if prefix else z3.BoolVal(True)
        if error is ModelBoundExceeded:
            prefix.append(holds)
            continue
        out.append(Target(name, f"guard {i} {error.code} fails", z3.And(before, z3.Not(holds))))
        out.append(Target(name, f"guard {i} {error.code} holds", z3.And(before, holds)))
        for k, atom in enumerate(_atoms(holds)):
            for d in (-1, 0, 1):
                out.append(Target(name, f"guard {i} {error.code} comparison {k} at {d:+d}", z3.And(before, atom.arg(0) - atom.arg(1) == d)))
        prefix.append(holds)
    for path, a, b in zip(leaf_names(pre), leaves(pre), leaves(st.post)):
        if not z3.is_true(z3.simplify(a == b)):
            out.append(Target(name, f"effect on {path}", z3.And(st.ok, a != b)))
    return pre, op, out


def _small(terms, bound: int):
    return z3.And([z3.And(-bound <= t, t <= bound) for t in terms if z3.is_int(t)])


def concretize(solver, terms, wanted, name: str, pre, op, universe, bounds) -> tuple[list[Case], list[str]]:
    """One spec case per reachable target (a model with small numbers where possible: |x| <= 10,
    then <= 1000, then any), and the labels of targets with no model or no concrete state."""
    cases, missed = [], []
    for target in wanted:
        solver.push()
        solver.add(target.constraint)
        found = None
        for size in (10, 1000, None):
            solver.push()
            if size is not None:
                solver.add(_small(terms, size))
            if solver.check() == z3.sat:
                found = solver.model()
            solver.pop()
            if found is not None:
                break
        solver.pop()
        if found is None:
            missed.append(target.label)
            continue
        values = lambda s: rebuild(s, [as_python(found.eval(leaf, model_completion=True)) for leaf in leaves(s)])  # noqa: E731
        try:
            state = to_spec_state(values(pre), universe, bounds)
            cases.append(Case(name, target.label, state, to_spec_op(values(op), state, universe)))
        except ModelGap as gap:
            missed.append(f"{target.label} ({gap})")
    return cases, missed


def directed_cases(name: str, bounds: Bounds = DIRECTED_BOUNDS, encoders: Optional[dict] = None) -> tuple[list[Case], list[str]]:
    """Concrete cases for every satisfiable target of `name` (with small numbers where
    possible), and the labels of targets no invariant state reaches (unsat, or not concretizable)."""
    universe = proof_universe(bounds)
    pre, op, wanted = targets(name, bounds, encoders)
    solver = z3.Solver()
    solver.set("timeout", QUERY_TIMEOUT_MS, "random_seed", SEED)
    solver.add(op_domain(op, bounds), zinv.hypothesis(pre, bounds, tuple(i.id for i in zinv.AUXILIARY + zinv.PROTOCOL)))
    terms = leaves(pre) + leaves(op)
    return concretize(solver, terms, wanted, name, pre, op, universe, bounds)


def check_case(case: Case, universe: Universe, bounds: Bounds, evaluate_fn=None) -> Optional[Disagreement]:
    """Run the case through `spec.apply` and the encoding; a disagreement, or None."""
    from properties.z3.proofs import evaluate

    error, post = (evaluate_fn or evaluate)(case.state, case.op, universe, bounds)
    return spec_disagreement(case, error, post, universe, bounds)[0]


def spec_disagreement(case: Case, error, post, universe: Universe, bounds: Bounds):
    """(the disagreement of an encoding's outcome `error`, `post` with `spec.apply` on the case, or
    None; the spec's post-state abstracted as the encoding states it)."""
    try:
        expected, _ = spec.apply(case.state, case.op)
        expected_error = None
    except SpecError as exc:
        expected, expected_error = case.state, type(exc)
    if error is not expected_error:
        return Disagreement(case, f"encoding: {error and error.code}, spec: {expected_error and expected_error.code}"), None
    want = abstract_state(expected, universe, bounds)
    if post != want:
        diff = [n for n, a, b in zip(leaf_names(post), leaves(post), leaves(want)) if a != b]
        return Disagreement(case, f"post-states differ at {', '.join(diff[:6])}"), want
    return None, want


def check_directed(operations: Iterable[str] = FOUNDATION_OPERATIONS, bounds: Bounds = DIRECTED_BOUNDS,
                   encoders: Optional[dict] = None) -> tuple[list[Case], list[str], list[Disagreement]]:
    """Every directed case of every operation, checked: (cases, unreached targets, disagreements).
    `encoders` replaces the encoding under test (the evaluation uses it too)."""
    from properties.z3.proofs import evaluate_with

    universe = proof_universe(bounds)
    cases, missed, bad = [], [], []
    for name in operations:
        found, unreached = directed_cases(name, bounds, encoders)
        cases += found
        missed += [f"{name}: {label}" for label in unreached]
        for case in found:
            problem = check_case(case, universe, bounds, evaluate_with(encoders))
            if problem is not None:
                bad.append(problem)
    return cases, missed, bad


# -- the spec's own boundary cases: the committed conformance vectors ---------------------------

VECTOR_BOUNDS = Bounds(accounts=12, markets=3, asks=4, stake_tokens=1)


def _names(state: spec.State, op) -> tuple[str, ...]:
    names = set()
    for account, _ in state.balances:
        names.add(account)
    for market in state.markets.values():
        names.add(market.owner)
    for prover in state.provers.values():
        names |= {prover.address, prover.reward_address}
    for ask in state.asks.values():
        names.add(ask.requester)
        if ask.assignment is not None:
            names.add(ask.assignment.prover)
    for (_, prover) in state.memberships:
        names.add(prover)
    for (prover, _) in state.withdrawals:
        names.add(prover)
    for field in ("sender", "account", "reward_address", "prover"):
        if isinstance(getattr(op, field, None), str):
            names.add(getattr(op, field))
    return tuple(sorted(names))


def spec_vector_cases(root: Path, operations: Iterable[str] = FOUNDATION_OPERATIONS, bounds: Bounds = VECTOR_BOUNDS):
    """(case, universe) for every step of the scenario vectors under `root` whose operation is in
    the model and whose state fits `bounds` (restaking and wider states are skipped), in path order;
    and the number of steps skipped."""
    wanted = set(operations)
    out, skipped = [], 0
    for path in sorted(root.glob("*/*/*.json")):
        if path.parts[-3] in ("zk", "traces", "transition"):
            continue
        case = json.loads(path.read_text())
        state = decode_state(case["pre_state"])
        for i, step_ in enumerate(case["operations"]):
            try:
                op = decode_op({"op": step_["op"], "args": step_["args"]})
            except SpecError:
                break
            if op.name in wanted:
                names = _names(state, op)
                universe = Universe(accounts=names + tuple(f"pad{j}" for j in range(bounds.accounts - len(names))))
                try:
                    if len(names) > bounds.accounts:
                        raise ModelGap("too many accounts")
                    abstract_state(state, universe, bounds)
                    out.append((Case(op.name, f"{path.parent.parent.name}/{path.parent.name}/{path.stem} step {i}", state, op), universe))
                except (ModelGap, KeyError, ValueError):
                    skipped += 1
            else:
                skipped += 1
            try:
                state, _ = spec.apply(state, op)
            except SpecError:
                pass
    return out, skipped


def check_vectors(root: Path, bounds: Bounds = VECTOR_BOUNDS, encoders: Optional[dict] = None,
                  operations: Iterable[str] = FOUNDATION_OPERATIONS):
    """Every fitting vector step checked: (cases checked, skipped, disagreements)."""
    from properties.z3.proofs import evaluate_with

    cases, skipped = spec_vector_cases(root, operations, bounds)
    bad = []
    evaluate_fn = evaluate_with(encoders)
    for case, universe in cases:
        try:
            problem = check_case(case, universe, bounds, evaluate_fn)
        except ModelGap:
            skipped += 1
            continue
        if problem is not None and problem.detail.startswith("encoding: MODEL_BOUND_EXCEEDED"):
            skipped += 1
        elif problem is not None:
            bad.append(problem)
    return len(cases), skipped, bad
