"""Inductive proofs over the unbounded state: for every invariant and every operation,
`Inv(s) ∧ ok_op(s) ⇒ I(effect_op(s))` (and I's step formula), where `Inv` is the conjunction of
every state invariant: the proofs hold for any number of accounts, markets, asks, provers and
stake tokens. Plus `Init ⇒ I` (genesis: any config satisfying A0, any time, nothing else).

Each result has a kind, and only the first two count as proofs:
- `obligation`: proved, and not provable from the step relation alone (without Inv);
- `init`: holds at genesis;
- `frame`: the operation writes none of the fields the invariant reads (not sent to Z3); for a
  step invariant (I13-I17, `behaviour.py`), its formula simplifies to true on the operation's
  effect (nothing it constrains is written, or it does not apply, as I14 to an operation that
  ends no task);
- `step`: follows from the step relation alone, no invariant assumed (a guard restated; I10 by
  the construction of the step relation; I11's enabling checks; a step invariant that the
  transition satisfies by its guards and effect alone).
Before an operation's proofs, Z3 finds a state satisfying every invariant that accepts the
operation (else all its obligations are `vacuous`, a failure). Z3 runs with a fixed seed and a
resource limit, so results do not depend on load.
"""
from __future__ import annotations

import time
from typing import Iterable, Optional

import attrs
import z3

from properties.z3.isolated import SEEDS, decide
from properties.z3.operations import FOUNDATION_OPERATIONS
from properties.z3.unbounded import invariants as U
from properties.z3.unbounded.behaviour import BEHAVIOUR
from properties.z3.unbounded.restaked import restaking_room
from properties.z3.unbounded.restaking_ops import RESTAKING_OPERATION_NAMES
from properties.z3.unbounded.state import FIELDS, fresh, initial
from properties.z3.unbounded.transitions import ENCODERS, fresh_op, step

RLIMIT = 5_000_000
TIMEOUT_MS = 60_000
OPERATIONS = FOUNDATION_OPERATIONS + RESTAKING_OPERATION_NAMES  # one transition relation: the market's and restaking's
STEP_INVARIANTS = BEHAVIOUR  # I13-I17: two-state, over the behaviour (`behaviour.py`)
BY_ID = {**U.BY_ID, **{inv.id: inv for inv in STEP_INVARIANTS}}
ALL_IDS = tuple(inv.id for inv in U.ALL) + ("I10",) + tuple(inv.id for inv in STEP_INVARIANTS)
# the invariants an obligation assumes besides itself when E-matching alone does not close it
# (the bounded model's minimal strengthening, plus G1 for the ghosts)
STRENGTHENING = {
    "A3": ("I2",), "A4": ("A2", "A3"), "G1": ("A1", "A4", "I2"), "I1": ("A0", "A1", "A4", "I2", "I4", "I9", "G1"), "I2": ("A1",),
    "I3": ("A1", "A2", "A3", "A4", "I2", "I7", "I9", "G1"), "I4": ("A1",), "I7": ("A1", "A2", "A4", "I2", "I9", "G1"),
    "I9": ("I7", "G1"), "I11": ("A1",), "A1": (), "A2": (),
    "I13": ("A0", "A1", "A4", "I2", "I4", "I9", "G1"), "I14": ("A0", "A1", "A4", "I2", "I4"), "I15": ("I9", "G1"),
    "I16": ("A1", "A2", "I7", "I9"), "I17": ("A1",),
}


def _arithmetic() -> tuple:
    """Facts of integer arithmetic the quantified (hence linear) solver needs: a product of
    non-negative integers is non-negative (the slash shares `amount * bps`)."""
    x, y = z3.Ints("arith.x arith.y")
    return (z3.ForAll([x, y], z3.Implies(z3.And(x >= 0, y >= 0), x * y >= 0), patterns=[x * y]),)


ARITHMETIC = _arithmetic()


@attrs.frozen
class UResult:
    invariant: str
    operation: str
    kind: str
    result: str
    seconds: float
    detail: str = ""


class Query:
    """Assertions and solver options; each `prove` runs a fresh, non-incremental solver (Z3's
    incremental mode is far slower on quantifiers). E-matching on the invariants' patterns by
    default; model-based quantifier instantiation with `mbqi`, the last resort, on every seed."""

    def __init__(self, rlimit: int = RLIMIT, mbqi: bool = False):
        self.rlimit, self.mbqi, self.assertions = rlimit, mbqi, []

    def add(self, *facts) -> None:
        self.assertions += facts

    def verdict(self, *extra) -> z3.CheckSatResult:
        return decide((*self.assertions, *extra), "timeout", TIMEOUT_MS, "rlimit", self.rlimit,
                      "smt.mbqi", self.mbqi, "auto_config", False, seeds=SEEDS if self.mbqi else SEEDS[:1])[0]

    def prove(self, goal) -> str:
        """Each conjunct of `goal`, its universal variables replaced by fresh constants (the goal
        holds iff every such instance does): ground goals, only the hypotheses quantified."""
        results = set()
        for part in goals(goal):
            verdict = self.verdict(z3.Not(normalize(part)))
            results.add("proved" if verdict == z3.unsat else "counterexample" if verdict == z3.sat else "unknown")
            if verdict != z3.unsat:
                break
        return next((r for r in ("counterexample", "unknown") if r in results), "proved")


_SKOLEMS = [0]


def normalize(e):
    """Reads of stores and lambdas reduced in a ground term: select(store(a, i, v), j) becomes
    If(i == j, v, select(a, j)), select(lambda x. b, j) becomes b[x := j] (the array axioms, applied
    up front, so that the hypotheses' triggers meet plain selects)."""
    memo = {}

    def go(x):
        key = x.get_id()
        if key in memo:
            return memo[key]
        if z3.is_quantifier(x) or not z3.is_app(x) or x.num_args() == 0:
            out = x
        else:
            children = [go(c) for c in x.children()]
            out = _select(children[0], children[1]) if z3.is_select(x) else x.decl()(*children) if children else x
        memo[key] = out
        return out

    return go(e)


def _select(arr, index):
    if z3.is_store(arr):
        return z3.If(arr.arg(1) == index, arr.arg(2), _select(arr.arg(0), index))
    if z3.is_quantifier(arr) and arr.is_lambda():
        return normalize(z3.substitute_vars(arr.body(), index))
    if z3.is_app(arr) and arr.decl().kind() == z3.Z3_OP_ITE:
        return z3.If(arr.arg(0), _select(arr.arg(1), index), _select(arr.arg(2), index))
    if z3.is_const_array(arr):
        return arr.arg(0)
    return z3.Select(arr, index)


def goals(goal) -> list:
    """`goal` as a list of ground conjuncts: conjunctions split, ∀-variables made fresh constants."""
    if z3.is_and(goal):
        return [g for child in goal.children() for g in goals(child)]
    if z3.is_quantifier(goal) and goal.is_forall():
        _SKOLEMS[0] += 1
        names = [goal.var_name(i) for i in range(goal.num_vars())]
        consts = [z3.Const(f"sk{_SKOLEMS[0]}.{n}", goal.var_sort(i)) for i, n in enumerate(names)]
        return goals(z3.substitute_vars(goal.body(), *reversed(consts)))
    return [goal]


def reads(formula) -> set[str]:
    """The state fields a formula mentions (by the name of their constants)."""
    names, seen = set(), set()

    def go(e):
        if e.get_id() in seen:
            return
        seen.add(e.get_id())
        if z3.is_quantifier(e):
            go(e.body())
            return
        if z3.is_const(e) and e.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            names.add(str(e).split(".", 1)[-1])
        for child in e.children() if z3.is_app(e) else ():
            go(child)

    go(formula)
    return names & set(FIELDS)


def writes(pre: dict, effect: dict) -> set[str]:
    return {f for f in FIELDS if effect[f] is not pre[f] and not z3.eq(z3.simplify(effect[f] == pre[f]), z3.BoolVal(True))}


def genesis_config(init: dict) -> z3.BoolRef:
    """What genesis checks of a config: A0, and the restaking parameters as `RestakingParams`
    validates them, `restaking_feasible` being `require_restaking_feasible` of them."""
    return z3.And(U.encode_config_valid(init), init["r_length"] >= 1, init["r_epoch"] >= 1, init["r_bridge"] >= 1,
                  init["r_offset"] >= 0, init["r_veto"] >= 0, init["restaking_feasible"] == (restaking_room(init) >= 1))


def prove_initial(ids: Iterable[str]) -> list[UResult]:
    init = initial()
    out = []
    for i in ids:
        inv = BY_ID.get(i)
        if inv is None or inv.state is None:
            continue
        started = time.perf_counter()
        query = Query()
        query.add(genesis_config(init))
        out.append(UResult(i, "init", "init", query.prove(inv.state(init)), time.perf_counter() - started))
    return out


def _goal(inv: U.UInvariant, pre: dict, op, post: dict):
    return z3.And([f for f in (inv.state(post) if inv.state else None, inv.step(pre, op, post) if inv.step else None) if f is not None])


RESTAKING_IDS = frozenset(inv.id for inv in U.RESTAKING_AUXILIARY + U.RESTAKING_PROTOCOL)
MARKET_STATE_IDS = tuple(i for i in U.STATE_IDS if i not in RESTAKING_IDS)


def hypotheses_for(invariant: str, pre: dict, every):
    """What an obligation assumes: every state invariant for the restaking ones (I8, R0-R6); the
    market chain's for the others (none of them needs the restaking strengthening, and fewer
    quantifiers keep a failing goal cheap; assuming less proves no less)."""
    return every if invariant in RESTAKING_IDS else U.hypothesis(pre, MARKET_STATE_IDS)


def prove_operation(name: str, ids: Iterable[str] = ALL_IDS, encoders: Optional[dict] = None, witness=None) -> list[UResult]:
    """Every invariant in `ids` for operation `name` (see the module docstring for the kinds).
    `witness(name, pre, op, every, ok)` decides whether the hypotheses are satisfiable (vacuity);
    by default a Z3-generated concrete state (`witness.check_witness`)."""
    from properties.z3.unbounded import scenario
    from properties.z3.unbounded.witness import check_witness

    if name in RESTAKING_OPERATION_NAMES:
        check_witness = scenario.check_witness  # noqa: F811  (the bounded model has no restaking: the run's states)

    pre, op = fresh("s"), fresh_op(name, "op")
    st = step(pre, op, encoders)
    written = writes(pre, st.effect)
    after = fresh("t")
    post = {**pre, **{f: after[f] for f in written}}  # fresh constants: what an invariant reads of the post-state
    every = U.hypothesis(pre)
    vacuity = {}

    def enabled():
        """Some concrete state satisfies every hypothesis (computed once, when first needed)."""
        if not vacuity:
            started = time.perf_counter()
            vacuity["verdict"] = (witness or check_witness)(name, pre, op, every, st.ok)
            vacuity["seconds"] = time.perf_counter() - started
        return vacuity["verdict"]

    terms = {**pre, **st.effect}  # the goal is stated on the effect's terms (selects of stores and lambdas reduce)

    def query(goal, hypotheses, rlimit=RLIMIT, mbqi=False) -> Query:
        q = Query(rlimit, mbqi)
        q.add(*hypotheses, st.ok, *st.facts, *ARITHMETIC)
        return q

    out = []
    for i in ids:
        started = time.perf_counter()
        if i == "I10":
            rejected = Query()
            rejected.add(z3.Not(st.ok))
            result = rejected.prove(z3.And([st.post[f] == pre[f] for f in FIELDS]))
            out.append(UResult(i, name, "step", result, time.perf_counter() - started, "the rejected step is the identity"))
            continue
        inv = BY_ID[i]
        goal = _goal(inv, pre, op, terms)
        if inv.state is None and z3.is_true(z3.simplify(goal)):
            out.append(UResult(i, name, "frame", "frame", time.perf_counter() - started, f"{name}'s effect makes {i} true by simplification (it writes nothing {i} constrains, or {i} does not apply)"))
            continue
        state_frame = inv.state is not None and not (reads(inv.state(post)) & written)
        step_alone = inv.step is None or query(None, (), RLIMIT // 10).prove(inv.step(pre, op, terms)) == "proved"
        if state_frame and step_alone:
            out.append(UResult(i, name, "frame", "frame", time.perf_counter() - started,
                               f"{name} writes none of {sorted(reads(inv.state(post)))}" + ("; its step part holds of the step alone" if inv.step else "")))
            continue
        if (inv.state is None and step_alone) or query(goal, (), RLIMIT // 10).prove(goal) == "proved":
            out.append(UResult(i, name, "step", "proved", time.perf_counter() - started, "follows from the step relation alone"))
            continue
        if enabled() != z3.sat:
            out.append(UResult(i, name, "obligation", "vacuous", time.perf_counter() - started,
                               f"no concrete state satisfying every invariant accepts {name} ({enabled()})"))
            continue
        result = query(goal, (hypotheses_for(i, pre, every),)).prove(goal)
        if result == "unknown":  # E-matching ran out of instances: model-based instantiation on the strengthening
            strengthening = tuple(j for j in (i,) + STRENGTHENING.get(i, ()) if j in U.BY_ID)  # state invariants only
            result = query(goal, (U.hypothesis(pre, strengthening),), mbqi=True).prove(goal)
        out.append(UResult(i, name, "obligation", result, time.perf_counter() - started))
    return out


def liveness_enabled() -> list[UResult]:
    """I11 (enabling): past its bound an open ask can be closed now by anyone: expire_ask is
    accepted for an existing UNASSIGNED ask once now > expiry, slash_missed_deadline for an
    ASSIGNED one once now > deadline (from the step relation: `step` checks)."""
    out = []
    for name, state, bound in (("expire_ask", 0, "a_expiry"), ("slash_missed_deadline", 1, "a_deadline")):
        started = time.perf_counter()
        pre, op = fresh("s"), fresh_op(name, "op")
        st = step(pre, op)
        n = op.ask_id
        query = Query()
        query.add(0 <= n, n < pre["next_ask"], pre["a_state"][n] == state, pre["now"] > pre[bound][n])
        out.append(UResult("I11", f"{name} enabled", "step", query.prove(st.ok), time.perf_counter() - started,
                           f"{name} succeeds once now > {bound[2:]}"))
    return out


def prove_all(invariant: Optional[str] = None, operations: Iterable[str] = OPERATIONS, encoders: Optional[dict] = None,
              progress=None) -> list[UResult]:
    ids = ALL_IDS if invariant is None else (invariant,)
    unknown = [i for i in ids if i not in ALL_IDS]
    if unknown:
        raise ValueError(f"invariant: {unknown[0]!r} is not one of {list(ALL_IDS)}")
    out = prove_initial(ids)
    for name in operations:
        out += prove_operation(name, ids, encoders)
        if progress:
            progress(name)
    if invariant in (None, "I11"):
        out += liveness_enabled()
    return out


COUNTED = ("obligation", "init")
FAILING = ("counterexample", "unknown", "vacuous")
