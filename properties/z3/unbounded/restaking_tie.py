"""The deterministic tie between `spec/` and the unbounded model's restaking operations.

A parameterized run (`RUN`: a prover, a vault, a snapshot, a market backed in the restaking
token, an ask assigned with restaked backing, a parameter change, the deadline passing, the
slash, its delivery, veto or execution, the result) is built symbolically over integer
parameters (`PARAMS`: the genesis restaking parameters, the vault's epoch, veto window and
slasher, the capture and stake of the snapshot, the slash amount, the proof time, the governor's
new parameters and who sends it, the three time steps, who vetoes). For every operation of the run, Z3
picks parameters so that every earlier step is accepted and a target of the operation holds:
each precondition failing and holding (the earlier ones holding), each integer comparison in it
at its bound and one off either way. The targets come from the encoding under test and from the
committed encoding (a drift that drops a guard loses its targets; the committed cases keep it).
Each parameter choice is then run through `spec.apply` from genesis and through the encoding
(concretely): every step must agree on the error, and the operation's post-state on the
restaking state (parameters, vaults, snapshots, backings and what they lock per vault, slash
statuses on both chains, veto deadlines) and the task it touches. Where the encoding refuses
`advance_time` because an honest party is due (`HonestPartyDue`, the model's assumption about
the keeper, the bridge and the executor) and the spec lets time pass, the case ends there: the
model is not meant to follow the spec past it. Fixed seed, fixed order.
"""
from __future__ import annotations

import types
from functools import lru_cache
from typing import Optional

import attrs
import z3

from properties.z3.concrete import Universe, to_spec_op
from properties.z3.directed import QUERY_TIMEOUT_MS, SEED, _atoms
from properties.z3.transitions import HonestPartyDue
from properties.z3.unbounded import restaked as R
from properties.z3.unbounded.restaking_fields import EXECUTED, EXPIRED, NONE, ON_BRIDGE, PENDING, VETOED
from properties.z3.unbounded.state import FIELDS, initial
from properties.z3.unbounded.transitions import ENCODERS, fresh_op, step
from spec import operations as ops
from spec.containers import Config, genesis
from spec.errors import SpecError
from spec.restaked_stake import confirmed_snapshot, free_restaked_by_vault, free_restaked_stake
from spec.restaking_state import RestakingParams
from spec.transition import apply

NOW0, PROVER, OWNER, REQUESTER, RESOLVER, GOVERNOR, OTHER = 10, 1, 2, 3, 8, 9, 4
VAULTS = (0, 1)  # the run's vault is 0; 1 never exists (a wrong vault shows there)
UNIVERSE = Universe(accounts=tuple(f"a{i}" for i in range(10)))
INTS = ("r_epoch", "r_veto", "r_bridge", "r_offset", "v_epoch", "v_veto", "cap", "stake", "slash", "ptime", "t1",
        "g_length", "g_offset", "g_epoch", "g_veto", "g_bridge", "t3", "t2")
BOOLS = ("v_instant", "v_known", "by_governor", "by_resolver")
PARAMS = {**{n: z3.Int(f"tie.{n}") for n in INTS}, **{n: z3.Bool(f"tie.{n}") for n in BOOLS}}


def domain(p: dict) -> z3.BoolRef:
    """Parameters the spec can start from: valid genesis restaking parameters, small values."""
    return z3.And(p["r_epoch"] >= 1, p["r_bridge"] >= 1, p["r_offset"] >= 0, p["r_veto"] >= 0, p["stake"] >= 0, p["slash"] >= 1,
                  p["ptime"] >= 1, p["t1"] >= 1, p["t2"] >= 1, p["t3"] >= 1, p["v_epoch"] >= 0, p["v_veto"] >= 0,
                  *[z3.And(-5 <= p[n], p[n] <= 500) for n in INTS])


def _row(at, value):
    return z3.Store(z3.K(z3.IntSort(), z3.IntVal(0)), at, value)


def run(p: dict) -> tuple:
    """(name, field values) of the run (expressions over the parameters and the state before)."""
    who = lambda flag, yes: z3.If(flag, yes, OTHER)  # noqa: E731
    return (
        ("register_prover", lambda s: dict(sender=PROVER, reward_address=PROVER, declared_compute=10)),
        ("create_vault", lambda s: dict(sender=OWNER, vault_id=0, epoch_duration=p["v_epoch"], slasher_known=p["v_known"], instant=p["v_instant"],
                                        veto_duration=p["v_veto"], resolver=RESOLVER, shares_named=True, shares_positive=True)),
        ("deliver_snapshot", lambda s: dict(capture_ts=p["cap"], epoch_start=True, epoch_duration=s["r_epoch"], veto_duration=s["r_veto"],
                                            stakes=z3.Store(z3.K(z3.IntSort(), z3.K(z3.IntSort(), z3.IntVal(0))), PROVER, _row(0, p["stake"])))),
        ("create_market", lambda s: dict(sender=OWNER, verifier_known=True, protocol_known=True, slash_present=z3.Store(z3.K(z3.IntSort(), False), 1, True),
                                         slash_amount=_row(1, p["slash"]), slash_unknown=False, engine_key=0, platform_fee=0)),
        ("join_market", lambda s: dict(sender=PROVER, market_id=0, price=0, proposed_time=1, compute_per_request=1)),
        ("mint", lambda s: dict(account=REQUESTER, token=0, amount=100)),
        ("create_ask", lambda s: dict(sender=REQUESTER, market_id=0, max_price=10, expiry=1000, proof_time=p["ptime"], price_time_preference=0,
                                      has_private_inputs=False)),
        ("assign_task", lambda s: dict(sender=OWNER, ask_id=0, prover=PROVER, price=5, signature_valid=True)),
        ("set_restaking_parameters", lambda s: dict(sender=who(p["by_governor"], GOVERNOR), epoch_length=p["g_length"], offset=p["g_offset"],
                                                    epoch_duration=p["g_epoch"], veto_duration=p["g_veto"], bridge_delay_max=p["g_bridge"])),
        ("advance_time", lambda s: dict(seconds=p["t1"])),
        ("slash_missed_deadline", lambda s: dict(sender=REQUESTER, ask_id=0)),
        ("deliver_slash_request", lambda s: dict(ask_id=0, vault_id=0, slashed=0)),
        ("advance_time", lambda s: dict(seconds=p["t3"])),
        ("veto_slash", lambda s: dict(sender=who(p["by_resolver"], RESOLVER), ask_id=0, vault_id=0)),
        ("advance_time", lambda s: dict(seconds=p["t2"])),
        ("execute_slash", lambda s: dict(sender=REQUESTER, ask_id=0, vault_id=0, slashed=0)),
        ("deliver_slash_result", lambda s: dict(ask_id=0, vault_id=0)),
    )


BRANCHES = {14: (13,), 15: (13,), 16: (13,)}  # after the veto branch: the run executes instead


def _op(name: str, values: dict):
    template = fresh_op(name, "tie")
    out = {}
    for f in attrs.fields(type(template)):
        v = values[f.name]
        out[f.name] = v if z3.is_expr(v) else (z3.BoolVal(v) if z3.is_bool(getattr(template, f.name)) else z3.IntVal(v))
    return type(template)(**out)


def model_genesis(p: dict) -> dict:
    s = initial("tie")
    config = dict(K=1, fee=0, delay=0, comp_bps=0, burn_bps=0, restaking_token=1, r_length=1, r_governor=GOVERNOR, now=NOW0,
                  r_epoch=p["r_epoch"], r_veto=p["r_veto"], r_bridge=p["r_bridge"], r_offset=p["r_offset"])
    for f, v in config.items():
        s[f] = v if f == "K" else (v if z3.is_expr(v) else z3.IntVal(v))
    s["restaking_feasible"] = R.restaking_room(s) >= 1
    return s


def choices(p: dict) -> list:
    """The spec's choices in the run (one vault): the snapshot is the one captured at `cap`, the
    restaked part all in vault 0, the free restaked total after it what vault 0 has left."""
    return [R.CAPTURE == p["cap"], R.TAKE == _row(0, R.vsum(R.TAKE)), R.RFREE == p["stake"] - R.vsum(R.TAKE)]


def symbolic_run(index: int, encoders: Optional[dict], p: dict = PARAMS):
    """The state before step `index` and the constraints that every earlier step is accepted."""
    s, accepted = model_genesis(p), []
    steps = run(p)
    for i in range(index):
        if i in BRANCHES.get(index, ()):
            continue
        name, values = steps[i]
        st = step(s, _op(name, values(s)), encoders)
        accepted.append(st.ok)
        s = {f: st.effect.get(f, s[f]) for f in FIELDS}
    name, values = steps[index]
    return s, _op(name, values(s)), accepted


@attrs.frozen
class Target:
    index: int
    label: str
    formula: z3.BoolRef


def targets(index: int, encoders: Optional[dict]) -> list[Target]:
    s, op, _ = symbolic_run(index, encoders)
    checks = (encoders or ENCODERS)[op.name](s, op).checks
    out, prefix = [], []
    for i, (holds, error) in enumerate(checks):
        before = z3.And(prefix) if prefix else z3.BoolVal(True)
        out.append(Target(index, f"guard {i} {error.code} fails", z3.And(before, z3.Not(holds))))
        out.append(Target(index, f"guard {i} {error.code} holds", z3.And(before, holds)))
        for k, atom in enumerate(_atoms(holds)):
            for d in (-1, 0, 1):
                out.append(Target(index, f"guard {i} {error.code} comparison {k} at {d:+d}", z3.And(before, atom.arg(0) - atom.arg(1) == d)))
        prefix.append(holds)
    return out


def solve(index: int, target: z3.BoolRef, encoders: Optional[dict]) -> Optional[dict]:
    _, _, accepted = symbolic_run(index, encoders)
    solver = z3.Solver()
    solver.set("timeout", QUERY_TIMEOUT_MS, "random_seed", SEED)
    solver.add(domain(PARAMS), *choices(PARAMS), *accepted, target)
    if solver.check() != z3.sat:
        return None
    model = solver.model()
    return {n: (z3.is_true(model.eval(v, model_completion=True)) if n in BOOLS else model.eval(v, model_completion=True).as_long())
            for n, v in PARAMS.items()}


# -- the concrete side: the spec and the encoding on one parameter choice ------------------------

STATUS = {"PENDING": PENDING, "EXECUTED": EXECUTED, "VETOED": VETOED, "EXPIRED": EXPIRED}
ASK_STATE = ("UNASSIGNED", "ASSIGNED", "COMPLETE", "INVALID_INPUTS", "DEADLINE_CROSSED", "EXPIRED", "CANCELLED")


def acct(i: int) -> str:
    return UNIVERSE.accounts[i]


def spec_genesis(v: dict):
    params = RestakingParams(stake_token="POND", epoch_length=1, offset=v["r_offset"], epoch_duration=v["r_epoch"], veto_duration=v["r_veto"],
                             bridge_delay_max=v["r_bridge"], governor=acct(GOVERNOR))
    config = Config(stake_tokens=("POND",), market_creation_fee=0, stake_withdrawal_delay=0, slash_compensation_bps=0, slash_burn_bps=0,
                    restaking=params)
    return genesis(config, NOW0)


def _slash_of(state, vault: str):
    return next((s for _, s in sorted(state.restaking.slashes.items()) if s.ask_id == 0 and s.vault_id == vault), None)


def _message(state, kind, match) -> int:
    found = [m.id for _, m in sorted(state.restaking.bridge.in_flight.items()) if isinstance(m.payload, kind) and match(m.payload)]
    return found[0] if found else 10**6


def spec_ops(name: str, values: dict, state) -> list:
    """The spec operation(s) the model's step stands for, on spec state `state`."""
    from spec.restaking_state import SlashRequest, SlashResult

    if name == "create_vault":
        slasher = ("instant" if values["instant"] else "veto") if values["slasher_known"] else "unknown"
        return [ops.CreateVault(sender=acct(values["sender"]), vault_id=f"v{values['vault_id']}", epoch_duration=values["epoch_duration"],
                                slasher=slasher, veto_duration=values["veto_duration"], resolver=acct(values["resolver"]),
                                operator_shares={acct(PROVER): 1})]
    if name == "deliver_snapshot":
        stake = values["stake"]
        entries = ((acct(PROVER), "v0", stake),) if stake != 0 else ()
        return [ops.TransmitSnapshotPart(sender=acct(OWNER), capture_ts=values["capture_ts"], index=0, count=1, entries=entries),
                lambda st: ops.DeliverMessage(message_id=st.restaking.bridge.next_id - 1)]
    if name == "set_restaking_parameters":
        return [ops.SetRestakingParameters(sender=acct(values["sender"]), **{k: values[k] for k in (
            "epoch_length", "offset", "epoch_duration", "veto_duration", "bridge_delay_max")})]
    if name in ("deliver_slash_request", "deliver_slash_result", "veto_slash", "execute_slash"):
        slash = _slash_of(state, f"v{values['vault_id']}")
        rid = slash.id if slash is not None else 10**6
        if name == "deliver_slash_request":
            return [ops.DeliverMessage(message_id=_message(state, SlashRequest, lambda p: p.request_id == rid))]
        if name == "deliver_slash_result":
            return [ops.DeliverMessage(message_id=_message(state, SlashResult, lambda p: p.request_id == rid))]
        cls = ops.VetoSlash if name == "veto_slash" else ops.ExecuteSlash
        return [cls(sender=acct(values["sender"]), request_id=rid)]
    ns = types.SimpleNamespace(name=name, **values)
    if name == "create_market":
        ns.slash_present, ns.slash_amount = (False, True), (0, values["slash_amount"])
    return [to_spec_op(ns, state, UNIVERSE)]


def spec_step(state, name: str, values: dict):
    """(error class or None, post-state) of the spec on the step."""
    current = state
    for op in spec_ops(name, values, state):
        op = op(current) if callable(op) else op
        try:
            current, _ = apply(current, op)
        except SpecError as e:
            return type(e), state
    return None, current


def _decide(formula) -> bool:
    f = z3.simplify(formula)
    if z3.is_true(f) or z3.is_false(f):
        return z3.is_true(f)
    solver = z3.Solver()
    solver.set("timeout", QUERY_TIMEOUT_MS, "random_seed", SEED)
    solver.add(*R.VSUM_AXIOMS, z3.Not(f))
    return solver.check() == z3.unsat


def _value(term):
    t = z3.simplify(term)
    if z3.is_int_value(t):
        return t.as_long()
    if z3.is_true(t) or z3.is_false(t):
        return z3.is_true(t)
    x = z3.FreshConst(t.sort(), "val")
    solver = z3.Solver()
    solver.set("timeout", QUERY_TIMEOUT_MS, "random_seed", SEED)
    solver.add(*R.VSUM_AXIOMS, x == t)
    solver.check()
    out = solver.model().eval(x, model_completion=True)
    return out.as_long() if z3.is_int_value(out) else z3.is_true(out)


def spec_choices(state, need: int) -> list:
    """The spec's choices at an assignment from `state`: its confirmed snapshot, its greedy split
    of `need` over the vaults (vault ids `v<i>`), and the free total left after it."""
    snapshot = confirmed_snapshot(state)
    take, remaining = {}, need
    for vault_id, available in sorted(free_restaked_by_vault(state, acct(PROVER)).items()):
        take[vault_id], remaining = min(available, remaining), remaining - min(available, remaining)
    row = z3.K(z3.IntSort(), z3.IntVal(0))
    for vault_id, amount in take.items():
        row = z3.Store(row, int(vault_id[1:]), amount)
    total = sum(take.values())
    left = free_restaked_stake(state, acct(PROVER), "POND") - total
    return [(R.vsum(R.TAKE), z3.IntVal(total)), (R.CAPTURE, z3.IntVal(snapshot.capture_ts if snapshot else -1)), (R.TAKE, row),
            (R.RFREE, z3.IntVal(max(left, 0)))]


def model_step(s: dict, name: str, values, encoders, pairs: list):
    """(error class or None, post-state) of the encoding, concretely."""
    op = _op(name, values)
    st = step(s, op, encoders)
    for holds, error in st.checks:
        if not _decide(z3.substitute(holds, *pairs)):
            return error, s
    post = {f: z3.simplify(z3.substitute(st.effect.get(f, s[f]), *pairs)) if not isinstance(s[f], int) else s[f] for f in FIELDS}
    return None, post


def _python(values: dict) -> dict:
    return {k: (_value(v) if z3.is_expr(v) and not z3.is_array(v) else v) for k, v in values.items()}


def project_differences(spec_state, s: dict, v: dict) -> list[str]:
    """Where the encoding's post-state differs from the spec's on the restaking state and the task."""
    from properties.z3.model import ASK

    r, params = spec_state.restaking, spec_state.config.restaking
    got, want = {}, {}

    def pair(key, model_term, spec_value):
        got[key], want[key] = _value(model_term), spec_value

    pair("time", s["now"], spec_state.time)
    for f, name in (("r_epoch", "epoch_duration"), ("r_veto", "veto_duration"), ("r_bridge", "bridge_delay_max"), ("r_offset", "offset"),
                    ("r_length", "epoch_length")):
        pair(f, s[f], getattr(params, name))
    for vault in VAULTS:
        spec_vault = r.vault_chain.vaults.get(f"v{vault}")
        pair(f"vault {vault} exists", s["v_exists"][vault], spec_vault is not None)
        if spec_vault is not None:
            pair(f"vault {vault} epoch", s["v_epoch"][vault], spec_vault.epoch_duration)
            pair(f"vault {vault} veto", s["v_veto"][vault], spec_vault.veto_duration)
            pair(f"vault {vault} instant", s["v_instant"][vault], spec_vault.slasher.value == "instant")
    snap = r.snapshots.get(v["cap"])
    complete = snap is not None and snap.complete
    pair("snapshot complete", s["s_complete"][v["cap"]], complete)
    if complete:
        pair("snapshot bounds", s["s_epoch"][v["cap"]] * 100_000 + s["s_veto"][v["cap"]], snap.epoch_duration * 100_000 + snap.veto_duration)
        for vault in VAULTS:
            pair(f"snapshot stake {vault}", s["s_stake"][v["cap"]][PROVER][vault], snap.stakes().get((acct(PROVER), f"v{vault}"), 0))
    pair("latest capture", s["s_latest"], max((c for c, x in r.snapshots.items() if x.complete), default=-1))
    ask = spec_state.asks.get(0)
    if ask is not None:
        pair("ask state", s["a_state"][0], ASK[ask.state])
        if ask.assignment is not None:
            pair("native lock", s["a_locked"][0][1], ask.assignment.locked.get("POND", 0))
    prover = spec_state.provers.get(acct(PROVER))
    if prover is not None:
        pair("prover native locked", s["p_locked"][PROVER][1], prover.locked.get("POND", 0))
    backing = r.backing.get(0)
    pair("backed", s["a_rback"][0], backing is not None)
    if backing is not None:
        pair("backing capture", s["a_rcap"][0], backing.capture_ts)
        pair("backing bounds", s["a_repoch"][0] * 100_000 + s["a_rveto"][0], backing.epoch_duration * 100_000 + backing.veto_duration)
    for vault in VAULTS:
        name = f"v{vault}"
        if backing is not None:
            pair(f"backing lock {vault}", s["a_rlock"][0][vault], backing.amounts.get(name, 0))
        pair(f"restaked locked {vault}", s["g_rlock"][PROVER][vault], r.locked.get((acct(PROVER), name), 0))
        slash = _slash_of(spec_state, name)
        status, done = _value(s["a_rstatus"][0][vault]), _value(s["a_rdone"][0][vault])
        request = r.vault_chain.requests.get(slash.id) if slash is not None else None
        got[f"slash {vault}"] = (status, done, _value(s["a_rlock"][0][vault]) if status != NONE else 0)
        if slash is None:
            want[f"slash {vault}"] = (NONE, False, 0)
        else:
            final = slash.status.value != "REQUESTED"
            vault_status = STATUS[request.status.value] if request is not None else ON_BRIDGE
            want[f"slash {vault}"] = (STATUS[slash.status.value] if final else vault_status, final, slash.amount)
            if request is not None and request.status.value == "PENDING":
                pair(f"veto deadline {vault}", s["a_rvd"][0][vault], request.veto_deadline)
    return [f"{k}: encoding {got[k]} != spec {want[k]}" for k in got if got[k] != want[k]]


@attrs.frozen
class TieCase:
    index: int
    label: str
    params: dict


def run_case(case: TieCase, encoders: Optional[dict] = None) -> Optional[str]:
    """Both sides on the case's parameters; a description of the first disagreement, or None."""
    from spec.provers import free_native_stake

    v = case.params
    pc = {n: (z3.BoolVal(x) if isinstance(x, bool) else z3.IntVal(x)) for n, x in v.items()}
    spec_state, s = spec_genesis(v), model_genesis(pc)
    s = {f: (x if isinstance(x, int) else z3.simplify(x)) for f, x in s.items()}
    steps = run(pc)
    for i in range(case.index + 1):
        if i in BRANCHES.get(case.index, ()):
            continue
        name, values_fn = steps[i]
        values = values_fn(s)
        python = _python(values)
        python.update(stake=v["stake"], slash_amount=v["slash"]) if name in ("deliver_snapshot", "create_market") else None
        pairs = []
        if name == "assign_task":
            prover, market = spec_state.provers.get(acct(PROVER)), spec_state.markets.get(0)
            slash = market.slash_amount.get("POND", 0) if market is not None else 0
            native = min(slash, free_native_stake(spec_state, prover, "POND")) if prover is not None else slash
            pairs = spec_choices(spec_state, slash - native)
        serr, spec_post = spec_step(spec_state, name, python)
        merr, model_post = model_step(s, name, values, encoders, pairs)
        where = f"step {i} {name} ({case.label})"
        if merr is HonestPartyDue and serr is None:
            return None  # time would pass a moment an honest party acts by: the model's assumption, not a drift
        if serr is not merr:
            return f"{where}: spec {serr.code if serr else 'accepts'}, encoding {merr.code if merr else 'accepts'}"
        if i == case.index and serr is None:
            diffs = project_differences(spec_post, model_post, v)
            if diffs:
                return f"{where}: " + "; ".join(diffs)
        if serr is not None:
            return None  # both reject the same way: nothing after it runs
        spec_state, s = spec_post, model_post
    return None


OPERATION_STEPS = {name: i for i, (name, _) in reversed(list(enumerate(run(PARAMS))))}  # each operation's first step


@lru_cache(maxsize=None)
def _cases(key, indices: tuple) -> tuple:
    encoders = dict(key) if key else None
    out, unreached = [], []
    for index in indices:
        seen = set()
        for target in targets(index, encoders) + (targets(index, None) if encoders else []):
            if (target.label, str(target.formula.sexpr())) in seen:
                continue
            seen.add((target.label, str(target.formula.sexpr())))
            params = solve(index, target.formula, encoders)
            if params is None:
                unreached.append(f"{index} {run(PARAMS)[index][0]}: {target.label}")
            else:
                out.append(TieCase(index, target.label, params))
    return tuple(out), tuple(unreached)


def check_restaking_tie(encoders: Optional[dict] = None, operations: Optional[tuple] = None) -> tuple[list, list, list]:
    """(cases, unreached targets, disagreements) over the run's steps of `operations` (default:
    every step)."""
    key = None if encoders is None else tuple(sorted(encoders.items(), key=lambda kv: kv[0]))
    steps = run(PARAMS)
    indices = tuple(i for i, (name, _) in enumerate(steps) if operations is None or name in operations)
    cases, unreached = _cases(key, indices)
    bad = [d for d in (run_case(c, encoders) for c in cases) if d is not None]
    return list(cases), list(unreached), bad
