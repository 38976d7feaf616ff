"""Restaked stake as an unbounded Z3 model: I8 (no prover escapes a restaked slash) proved
inductive for any number of vaults, snapshots, tasks and slash requests.

State (`RState`): arrays over unbounded integer ids. Vaults (`v_exists`, `v_epoch`, `v_veto`);
snapshots (`s_exists`, `s_capture`, the acceptance bounds they were sent under `s_epoch` /
`s_veto`, and `s_holds[s][v]`: vault v is in snapshot s); tasks backed by restaked stake
(`backed`, `deadline`, `b_capture`, `b_epoch`, `b_veto`, `locked[a][v]`); restaked slashes,
one per (task, vault) as in the spec (`status[a][v]`, `requested_at[a]`, `veto_deadline[a][v]`);
the network's parameters (`epoch`, `veto`, `bridge`, `offset`) and the clock.

Operations mirror `spec.restaked_stake`, `spec.restaking`, `spec.relay`: create_vault,
a snapshot completing (its vaults accepted under its bounds), assignment under the key safety
rule (`key_safety`, the same inequality as `spec.restaked_stake.key_safety_rule_holds`), a proof
releasing the backing, the keeper's slash after the deadline, delivery of a slash request to the
vault chain (EXPIRED when it arrives too late), veto, execution, and the governor's parameter
change (a new bridge bound checked against backings and unresolved slashes, as the spec does).
The bridge's faults (delay, reorder, duplicate, drop, retransmit) collapse to one adversarial
choice: *when* a request is delivered (receivers are idempotent, so a copy is a no-op), and the
honest parties' obligations are guards on `advance_time`: time does not pass a backed task's
deadline + 1 (the keeper slashes then), a request's send + bridge bound (the bridge delivers by
then, retransmitting a dropped one), or a pending request's veto deadline (someone executes).
Everything else (the adversary's deliveries, vetoes, new vaults and snapshots, the governor's
parameters) is free within its guard.
"""
from __future__ import annotations

import time
from typing import Callable, Optional

import attrs
import z3

from properties.z3.isolated import SEEDS, decide, isolated_solver

INT = z3.IntSort()
ROW = z3.ArraySort(INT, INT)
RLIMIT = 40_000_000  # deterministic resource bound per check (timeouts only as a backstop)
NONE, ON_BRIDGE, PENDING, EXECUTED, VETOED, EXPIRED = range(6)
STATUS_NAMES = ("NONE", "ON_BRIDGE", "PENDING", "EXECUTED", "VETOED", "EXPIRED")

FIELDS = {
    "now": INT, "epoch": INT, "veto": INT, "bridge": INT, "offset": INT,
    "v_exists": z3.ArraySort(INT, z3.BoolSort()), "v_epoch": ROW, "v_veto": ROW,
    "s_exists": z3.ArraySort(INT, z3.BoolSort()), "s_capture": ROW, "s_epoch": ROW, "s_veto": ROW,
    "s_holds": z3.ArraySort(INT, z3.ArraySort(INT, z3.BoolSort())),
    "backed": z3.ArraySort(INT, z3.BoolSort()), "deadline": ROW, "b_capture": ROW, "b_epoch": ROW, "b_veto": ROW,
    "locked": z3.ArraySort(INT, z3.ArraySort(INT, z3.BoolSort())),
    "status": z3.ArraySort(INT, ROW), "requested_at": ROW, "veto_deadline": z3.ArraySort(INT, ROW),
}


def fresh(name: str) -> dict:
    return {f: z3.Const(f"{name}.{f}", sort) for f, sort in FIELDS.items()}


def key_safety(deadline, bridge, veto, capture, epoch):
    """deadline + 1 + bridge_delay_max + veto_duration <= capture_ts + epoch_duration."""
    return deadline + 1 + bridge + veto <= capture + epoch


# -- the inductive invariant: I8 and its strengthening, one named conjunct each -----------------

def _forall(names, body, patterns):
    vs = [z3.Int(n) for n in names]
    built = body(*vs)
    return z3.ForAll(vs, built, patterns=[z3.MultiPattern(*p(*vs)) if isinstance(p(*vs), tuple) else p(*vs) for p in patterns])


def invariants(s: dict, rule=key_safety) -> list[tuple[str, str, z3.BoolRef]]:
    """(id, statement, formula). `I8` is the property; the `R*` are its strengthening."""
    st, vd = s["status"], s["veto_deadline"]
    return [
        ("R1", "parameters are positive; veto windows and offsets >= 0",
         z3.And(s["epoch"] > 0, s["veto"] >= 0, s["bridge"] > 0, s["offset"] >= 0)),
        ("R2", "a vault's veto window is shorter than its epoch",
         _forall(["v"], lambda v: z3.Implies(s["v_exists"][v], z3.And(s["v_epoch"][v] > 0, s["v_veto"][v] >= 0, s["v_veto"][v] < s["v_epoch"][v])),
                 [lambda v: s["v_exists"][v]])),
        ("R3", "every vault in a snapshot exists and meets the snapshot's acceptance bounds",
         _forall(["c", "v"], lambda c, v: z3.Implies(z3.And(s["s_exists"][c], s["s_holds"][c][v]),
                                                      z3.And(s["v_exists"][v], s["v_epoch"][v] >= s["s_epoch"][c], s["v_veto"][v] <= s["s_veto"][c])),
                 [lambda c, v: s["s_holds"][c][v]])),
        ("R4", "every vault a task locks exists and meets its backing's bounds",
         _forall(["a", "v"], lambda a, v: z3.Implies(s["locked"][a][v],
                                                      z3.And(s["v_exists"][v], s["v_epoch"][v] >= s["b_epoch"][a], s["v_veto"][v] <= s["b_veto"][a])),
                 [lambda a, v: s["locked"][a][v]])),
        ("R5", "a task with a lock or a slash meets the key safety rule under its bounds and the bridge bound now",
         _forall(["a", "v"], lambda a, v: z3.Implies(z3.Or(s["locked"][a][v], st[a][v] == ON_BRIDGE, st[a][v] == PENDING),
                                                      rule(s["deadline"][a], s["bridge"], s["b_veto"][a], s["b_capture"][a], s["b_epoch"][a])),
                 [lambda a, v: s["locked"][a][v], lambda a, v: st[a][v]])),
        ("R6", "the keeper: a backed task's deadline + 1 is not past; a lock belongs to a backed task",
         _forall(["a", "v"], lambda a, v: z3.Implies(s["locked"][a][v], z3.And(s["backed"][a], s["now"] <= s["deadline"][a] + 1)),
                 [lambda a, v: s["locked"][a][v]])),
        ("R6b", "a backed task has no slash yet",
         _forall(["a", "v"], lambda a, v: z3.Implies(s["backed"][a], st[a][v] == NONE), [lambda a, v: st[a][v]])),
        ("R7", "a slash on the bridge was requested at deadline + 1 and delivering it now clears its vault's veto window in time",
         _forall(["a", "v"], lambda a, v: z3.Implies(st[a][v] == ON_BRIDGE,
                                                      z3.And(s["requested_at"][a] == s["deadline"][a] + 1,
                                                             s["now"] + s["v_veto"][v] <= s["b_capture"][a] + s["v_epoch"][v],
                                                             s["v_exists"][v], s["v_epoch"][v] >= s["b_epoch"][a], s["v_veto"][v] <= s["b_veto"][a])),
                 [lambda a, v: st[a][v]])),
        ("R8", "a pending request's veto deadline is within its vault's window and not past",
         _forall(["a", "v"], lambda a, v: z3.Implies(st[a][v] == PENDING,
                                                      z3.And(s["now"] <= vd[a][v], vd[a][v] <= s["b_capture"][a] + s["v_epoch"][v], s["v_exists"][v])),
                 [lambda a, v: st[a][v]])),
        ("R9", "statuses are in range",
         _forall(["a", "v"], lambda a, v: z3.And(st[a][v] >= NONE, st[a][v] <= EXPIRED), [lambda a, v: st[a][v]])),
        ("I8", "no restaked slash requested on time expires: no prover escapes",
         _forall(["a", "v"], lambda a, v: st[a][v] != EXPIRED, [lambda a, v: st[a][v]])),
    ]


# -- operations: (guard, post) from (state, fresh arguments) ------------------------------------

@attrs.frozen
class ROp:
    name: str
    build: Callable  # (state, args) -> (guard, {changed field: term})
    args: tuple


def _row_set(arr, i, j, value):
    return z3.Store(arr, i, z3.Store(arr[i], j, value))


def _advance(s, d):
    a, v = z3.Ints("adv.a adv.v")
    later = s["now"] + d
    guard = z3.And(d > 0,
                   z3.ForAll([a, v], z3.Implies(s["locked"][a][v], later <= s["deadline"][a] + 1), patterns=[s["locked"][a][v]]),
                   z3.ForAll([a, v], z3.Implies(s["status"][a][v] == ON_BRIDGE, later <= s["requested_at"][a] + s["bridge"]), patterns=[s["status"][a][v]]),
                   z3.ForAll([a, v], z3.Implies(s["status"][a][v] == PENDING, later <= s["veto_deadline"][a][v]), patterns=[s["status"][a][v]]))
    return guard, {"now": later}


def _create_vault(s, v, epoch, veto):
    guard = z3.And(z3.Not(s["v_exists"][v]), epoch > 0, veto >= 0, veto < epoch)
    return guard, {"v_exists": z3.Store(s["v_exists"], v, True), "v_epoch": z3.Store(s["v_epoch"], v, epoch), "v_veto": z3.Store(s["v_veto"], v, veto)}


def _snapshot(s, c, capture, holds):
    """Snapshot c completes: captured before now, its parts stamped with the network's bounds
    in force when each was sent (the weakest is kept: any epoch <= and veto >= some past
    bounds; here the bounds in force now, the general case by R3 on each part), every vault in
    it accepted under them (the vault chain refuses others)."""
    v = z3.Int("snap.v")
    guard = z3.And(z3.Not(s["s_exists"][c]), capture < s["now"],
                   z3.ForAll([v], z3.Implies(holds[v], z3.And(s["v_exists"][v], s["v_epoch"][v] >= s["epoch"], s["v_veto"][v] <= s["veto"])), patterns=[holds[v]]))
    return guard, {"s_exists": z3.Store(s["s_exists"], c, True), "s_capture": z3.Store(s["s_capture"], c, capture),
                   "s_epoch": z3.Store(s["s_epoch"], c, s["epoch"]), "s_veto": z3.Store(s["s_veto"], c, s["veto"]),
                   "s_holds": z3.Store(s["s_holds"], c, holds)}


def _assign(s, a, c, proof_time, take, rule=key_safety):
    """Task a (fresh) is backed by the confirmed snapshot c under the key safety rule with c's
    bounds; it locks some of c's vaults (`take`)."""
    v = z3.Int("assign.v")
    deadline = s["now"] + proof_time
    guard = z3.And(z3.Not(s["backed"][a]), proof_time > 0, s["s_exists"][c], s["s_capture"][c] + s["offset"] <= s["now"],
                   rule(deadline, s["bridge"], s["s_veto"][c], s["s_capture"][c], s["s_epoch"][c]),
                   z3.ForAll([v], z3.And(z3.Not(s["locked"][a][v]), s["status"][a][v] == NONE), patterns=[s["locked"][a][v]]),
                   z3.ForAll([v], z3.Implies(take[v], s["s_holds"][c][v]), patterns=[take[v]]))
    return guard, {"backed": z3.Store(s["backed"], a, True), "deadline": z3.Store(s["deadline"], a, deadline),
                   "b_capture": z3.Store(s["b_capture"], a, s["s_capture"][c]), "b_epoch": z3.Store(s["b_epoch"], a, s["s_epoch"][c]),
                   "b_veto": z3.Store(s["b_veto"], a, s["s_veto"][c]), "locked": z3.Store(s["locked"], a, take)}


def _no_locks():
    return z3.K(INT, z3.BoolVal(False))


def _submit_proof(s, a):
    guard = z3.And(s["backed"][a], s["now"] <= s["deadline"][a])
    return guard, {"backed": z3.Store(s["backed"], a, False), "locked": z3.Store(s["locked"], a, _no_locks())}


def _slash(s, a):
    """The keeper slashes task a after its deadline: one request per locked vault, on the bridge."""
    v = z3.Int("slash.v")
    row = z3.Array("slash.row", INT, INT)
    guard = z3.And(s["backed"][a], s["now"] > s["deadline"][a],
                   z3.ForAll([v], row[v] == z3.If(s["locked"][a][v], ON_BRIDGE, s["status"][a][v]), patterns=[row[v]]))
    return guard, {"backed": z3.Store(s["backed"], a, False), "locked": z3.Store(s["locked"], a, _no_locks()),
                   "status": z3.Store(s["status"], a, row), "requested_at": z3.Store(s["requested_at"], a, s["now"])}


def _deliver(s, a, v):
    """The request (a, v) reaches the vault chain (whenever the adversary lets it): EXPIRED if
    its veto window would end after the capture stops being slashable, else PENDING."""
    ends = s["now"] + s["v_veto"][v]
    late = ends > s["b_capture"][a] + s["v_epoch"][v]
    guard = s["status"][a][v] == ON_BRIDGE
    return guard, {"status": _row_set(s["status"], a, v, z3.If(late, EXPIRED, PENDING)),
                   "veto_deadline": _row_set(s["veto_deadline"], a, v, ends)}


def _veto(s, a, v):
    guard = z3.And(s["status"][a][v] == PENDING, s["now"] < s["veto_deadline"][a][v])
    return guard, {"status": _row_set(s["status"], a, v, VETOED)}


def _execute(s, a, v):
    guard = z3.And(s["status"][a][v] == PENDING, s["now"] >= s["veto_deadline"][a][v], s["now"] <= s["b_capture"][a] + s["v_epoch"][v])
    return guard, {"status": _row_set(s["status"], a, v, EXECUTED)}


def _set_parameters(s, epoch, veto, bridge, offset, rule=key_safety):
    """The governor: any bounds; a bridge bound every backing and unresolved slash still meets
    the rule under (as `spec.restaked_stake.process_set_restaking_parameters`)."""
    a, v = z3.Ints("gov.a gov.v")
    guard = z3.And(epoch > 0, veto >= 0, bridge > 0, offset >= 0,
                   z3.ForAll([a, v], z3.Implies(z3.Or(s["locked"][a][v], s["status"][a][v] == ON_BRIDGE, s["status"][a][v] == PENDING),
                                                rule(s["deadline"][a], bridge, s["b_veto"][a], s["b_capture"][a], s["b_epoch"][a])),
                             patterns=[s["locked"][a][v], s["status"][a][v]]))
    return guard, {"epoch": epoch, "veto": veto, "bridge": bridge, "offset": offset}


def operations(rule=key_safety) -> list[ROp]:
    I, B = z3.Int, z3.Bool
    return [
        ROp("advance_time", lambda s, x: _advance(s, *x), (I("x.seconds"),)),
        ROp("create_vault", lambda s, x: _create_vault(s, *x), (I("x.v"), I("x.epoch"), I("x.veto"))),
        ROp("complete_snapshot", lambda s, x: _snapshot(s, *x), (I("x.c"), I("x.capture"), z3.Array("x.holds", INT, z3.BoolSort()))),
        ROp("assign_task", lambda s, x: _assign(s, *x, rule=rule), (I("x.a"), I("x.c"), I("x.proof_time"), z3.Array("x.take", INT, z3.BoolSort()))),
        ROp("submit_proof", lambda s, x: _submit_proof(s, *x), (I("x.a"),)),
        ROp("slash_missed_deadline", lambda s, x: _slash(s, *x), (I("x.a"),)),
        ROp("deliver_slash_request", lambda s, x: _deliver(s, *x), (I("x.a"), I("x.v"))),
        ROp("veto_slash", lambda s, x: _veto(s, *x), (I("x.a"), I("x.v"))),
        ROp("execute_slash", lambda s, x: _execute(s, *x), (I("x.a"), I("x.v"))),
        ROp("set_restaking_parameters", lambda s, x: _set_parameters(s, *x, rule=rule), (I("x.epoch"), I("x.veto"), I("x.bridge"), I("x.offset"))),
    ]


def _reads(formula) -> set[str]:
    names = set()

    def go(e):
        if z3.is_const(e) and e.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            names.add(str(e).split(".", 1)[-1])
        for child in e.children() if z3.is_app(e) else ():
            go(child)
        if z3.is_quantifier(e):
            go(e.body())

    go(formula)
    return names & set(FIELDS)


@attrs.frozen
class RResult:
    invariant: str
    operation: str
    kind: str  # "obligation" (proved by Z3) or "frame" (the operation writes nothing it reads)
    result: str
    seconds: float
    detail: str = ""


def prove(rule=key_safety, timeout_ms: int = 60_000, only: Optional[tuple] = None) -> list[RResult]:
    """Init => each conjunct; for each operation and conjunct: (all conjuncts)(s) & guard & s' = post
    => conjunct(s'). A conjunct reading nothing the operation writes is a frame condition,
    reported as such and not sent to Z3. Before an operation's obligations, Z3 checks that some
    invariant state enables it (else `vacuous`)."""
    out = []
    pre = fresh("s")
    pre_inv = invariants(pre, rule)
    every = z3.And([f for _, _, f in pre_inv])
    started = time.perf_counter()
    init = _initial()
    for iid, _, formula in invariants(init, rule):
        solver = z3.Solver()
        solver.set("timeout", timeout_ms)
        solver.add(init["epoch"] > 0, init["veto"] >= 0, init["bridge"] > 0, init["offset"] >= 0, z3.Not(formula))
        verdict = solver.check()
        out.append(RResult(iid, "init", "obligation", "proved" if verdict == z3.unsat else str(verdict), time.perf_counter() - started))
    for op in operations(rule):
        if only is not None and op.name not in only:
            continue
        guard, changes = op.build(pre, op.args)
        after = fresh("t")
        post = {**pre, **{f: after[f] for f in changes}}
        facts = (every, guard, *[after[f] == term for f, term in changes.items()])
        options = ("timeout", timeout_ms, "rlimit", RLIMIT)
        solver, ctx = isolated_solver(facts, *options, "random_seed", SEEDS[0])
        enabled = solver.check()
        for (iid, _, _), (_, _, formula) in zip(pre_inv, invariants(post, rule)):
            started = time.perf_counter()
            if not (_reads(formula) & set(changes)):
                out.append(RResult(iid, op.name, "frame", "frame", 0.0, f"{op.name} writes none of {sorted(_reads(formula))}"))
                continue
            if enabled == z3.unsat:
                out.append(RResult(iid, op.name, "obligation", "vacuous", time.perf_counter() - started, "no invariant state enables it"))
                continue
            solver.push()
            solver.add(z3.Not(formula).translate(ctx))
            verdict, witness, wctx = solver.check(), solver, ctx
            if verdict == z3.unknown:  # another search path: a fresh, non-incremental solver on each seed
                verdict, witness, wctx = decide(facts + (z3.Not(formula),), *options)
            detail = "" if verdict != z3.sat else _describe(witness.model(), pre, op, wctx)
            solver.pop()
            result = "proved" if verdict == z3.unsat else "counterexample" if verdict == z3.sat else "unknown"
            out.append(RResult(iid, op.name, "obligation", result, time.perf_counter() - started, detail))
    return out


def _initial() -> dict:
    s = fresh("init")
    never = z3.K(INT, z3.BoolVal(False))
    return {**s, "v_exists": never, "s_exists": never, "backed": never,
            "s_holds": z3.K(INT, never), "locked": z3.K(INT, never), "status": z3.K(INT, z3.K(INT, z3.IntVal(NONE)))}


def _describe(model, pre, op, ctx) -> str:
    keys = ("now", "epoch", "veto", "bridge", "offset")
    parts = [f"{k}={model.eval(pre[k].translate(ctx), model_completion=True)}" for k in keys]
    parts += [f"{a}={model.eval(a.translate(ctx), model_completion=True)}" for a in op.args if a.sort() == INT]
    return f"{op.name} from " + ", ".join(parts)


WEAKENED_RULES = {
    "without the + 1 (DESIGN's continuous form)": lambda d, b, v, c, e: d + b + v <= c + e,
    "without bridge_delay_max": lambda d, b, v, c, e: d + 1 + v <= c + e,
    "without veto_duration": lambda d, b, v, c, e: d + 1 + b <= c + e,
}
ESCAPE_OPERATIONS = ("advance_time", "assign_task", "slash_missed_deadline", "deliver_slash_request")


def prove_with_current_bounds(timeout_ms: int = 60_000) -> list[RResult]:
    """The pre-fix rule: assignment checked with the network's *current* bounds, the backing
    recording them instead of the snapshot's. The proof must fail (the escape through a
    parameter change: the snapshot's vaults need not meet the current bounds)."""
    original = _assign

    def current(s, a, c, proof_time, take, rule=key_safety):
        snapshot_bounds = {**s, "s_epoch": z3.K(INT, s["epoch"]), "s_veto": z3.K(INT, s["veto"])}
        guard, changes = original(snapshot_bounds, a, c, proof_time, take, rule=rule)
        return guard, changes

    globals()["_assign"] = current
    try:
        return prove(timeout_ms=timeout_ms, only=ESCAPE_OPERATIONS)
    finally:
        globals()["_assign"] = original


def safe_region(timeout_ms: int = 60_000) -> dict[int, list[RResult]]:
    """The key safety rule's region re-derived from this model: for rules of the form
    `deadline + k + bridge + veto <= capture + epoch`, the obligations that fail for k = 0 and
    k = 1 (the model proves k = 1 and refutes k = 0: the least k is 1, the spec's rule)."""
    out = {}
    for k in (0, 1):
        rule = (lambda k: (lambda d, b, v, c, e: d + k + b + v <= c + e))(k)
        out[k] = [r for r in prove(rule, timeout_ms, only=ESCAPE_OPERATIONS) if r.result not in ("proved", "frame")]
    return out
