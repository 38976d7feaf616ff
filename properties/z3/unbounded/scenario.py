"""A concrete run of the unbounded model through every restaking operation: the witnesses of
vacuity for the restaking operations (each is accepted from a state that the run reached from
genesis, on which every invariant is then checked).

The run: a prover registers; a veto vault is created; a snapshot showing the prover's stake in
it arrives; a market whose slash amount is in the restaking token is created, an ask posted and
assigned with its slash amount backed by restaked stake (native stake 0); the governor re-sets
the parameters; the deadline passes; the keeper slashes; the request reaches the vault chain and
sits in its veto window; the veto deadline passes; it is executed and the result arrives.
"""
from __future__ import annotations

from functools import lru_cache

import attrs
import z3

from properties.z3.unbounded import restaked as R
from properties.z3.unbounded.state import FIELDS, SKOLEM, initial
from properties.z3.unbounded.transitions import fresh_op, step

GOVERNOR, PROVER, OWNER, REQUESTER, RESOLVER = 9, 1, 2, 3, 8
VAULT, CAPTURE, STAKE, SLASH = 0, 5, 50, 10
CONFIG = dict(K=1, fee=0, delay=0, comp_bps=0, burn_bps=0, restaking_token=1, restaking_feasible=True, r_length=1, r_offset=0,
              r_epoch=100, r_veto=5, r_bridge=2, r_governor=GOVERNOR, now=10)
CHOICES = ((R.vsum(R.TAKE), z3.IntVal(SLASH)), (R.CAPTURE, z3.IntVal(CAPTURE)), (R.TAKE, z3.Store(z3.K(z3.IntSort(), z3.IntVal(0)), VAULT, SLASH)),
           (R.RFREE, z3.IntVal(STAKE - SLASH)))


def _row(value: int, at: int):
    return z3.Store(z3.K(z3.IntSort(), z3.IntVal(0)), at, value)


RUN = (
    ("register_prover", dict(sender=PROVER, reward_address=PROVER, declared_compute=10)),
    ("create_vault", dict(sender=OWNER, vault_id=VAULT, epoch_duration=100, slasher_known=True, instant=False, veto_duration=5,
                          resolver=RESOLVER, shares_named=True, shares_positive=True)),
    ("deliver_snapshot", dict(capture_ts=CAPTURE, epoch_start=True, epoch_duration=100, veto_duration=5,
                              stakes=z3.Store(z3.K(z3.IntSort(), z3.K(z3.IntSort(), z3.IntVal(0))), PROVER, _row(STAKE, VAULT)))),
    ("create_market", dict(sender=OWNER, verifier_known=True, protocol_known=True, slash_present=z3.Store(z3.K(z3.IntSort(), False), 1, True),
                           slash_amount=_row(SLASH, 1), slash_unknown=False, engine_key=0, platform_fee=0)),
    ("join_market", dict(sender=PROVER, market_id=0, price=0, proposed_time=1, compute_per_request=1)),
    ("mint", dict(account=REQUESTER, token=0, amount=100)),
    ("create_ask", dict(sender=REQUESTER, market_id=0, max_price=10, expiry=20, proof_time=5, price_time_preference=0, has_private_inputs=False)),
    ("assign_task", dict(sender=OWNER, ask_id=0, prover=PROVER, price=5, signature_valid=True)),
    ("set_restaking_parameters", dict(sender=GOVERNOR, epoch_length=1, offset=0, epoch_duration=100, veto_duration=5, bridge_delay_max=2)),
    ("advance_time", dict(seconds=6)),
    ("slash_missed_deadline", dict(sender=REQUESTER, ask_id=0)),
    ("deliver_slash_request", dict(ask_id=0, vault_id=VAULT, slashed=0)),
    ("veto_slash", dict(sender=RESOLVER, ask_id=0, vault_id=VAULT)),
    ("advance_time", dict(seconds=5)),
    ("execute_slash", dict(sender=REQUESTER, ask_id=0, vault_id=VAULT, slashed=SLASH)),
    ("deliver_slash_result", dict(ask_id=0, vault_id=VAULT)),
)
SKIPPED = ("veto_slash",)  # a witness only: the run executes instead of vetoing


def concrete_op(name: str, values: dict):
    template = fresh_op(name, "scenario")
    out = {}
    for f in attrs.fields(type(template)):
        v = values.get(f.name, 0)
        out[f.name] = v if z3.is_expr(v) else (z3.BoolVal(v) if z3.is_bool(getattr(template, f.name)) else z3.IntVal(v))
    return type(template)(**out)


def genesis() -> dict:
    s = initial("scenario")
    for f, v in CONFIG.items():
        s[f] = v if f == "K" else (z3.BoolVal(v) if isinstance(v, bool) else z3.IntVal(v))
    return s


@lru_cache(maxsize=None)
def states() -> tuple:
    """[(name, op, pre-state)] along the run (each op accepted from its pre-state)."""
    s, out = genesis(), []
    for name, values in RUN:
        op = concrete_op(name, values)
        out.append((name, op, s))
        if name in SKIPPED:
            continue
        st = step(s, op)
        ok = z3.simplify(z3.substitute(st.ok, *CHOICES))
        if not z3.is_true(ok):
            ok = _decide(ok)
        if not ok:
            raise AssertionError(f"the scenario's {name} is rejected by the model")
        s = {f: (st.effect[f] if f in st.effect else s[f]) for f in FIELDS}
        s = {f: (v if isinstance(v, int) else z3.simplify(z3.substitute(v, *CHOICES))) for f, v in s.items()}
    return tuple(out)


def _decide(formula) -> bool:
    solver = z3.Solver()
    solver.set("timeout", 60_000, "random_seed", 0)
    solver.add(*R.VSUM_AXIOMS, z3.Not(formula))
    return solver.check() == z3.unsat


def witness(name: str):
    """(op, pre-state) of `name`'s first occurrence in the run, or None."""
    return next(((op, s) for n, op, s in states() if n == name), None)


def check_witness(name: str, pre: dict, op, every, ok) -> z3.CheckSatResult:
    """sat when the run's state before `name` satisfies every invariant and accepts its op."""
    from properties.z3.unbounded import invariants as U

    found = witness(name)
    if found is None:
        return z3.unknown
    wop, ws = found
    pairs = [(getattr(op, f.name), getattr(wop, f.name)) for f in attrs.fields(type(op))]
    pairs += [(pre[f], z3.IntVal(ws[f]) if isinstance(ws[f], int) else ws[f]) for f in FIELDS]
    formulas = [inv.state({**ws, SKOLEM: None}) for inv in U.ALL if inv.state is not None]
    formulas.append(z3.substitute(ok, *pairs, *CHOICES))
    for formula in formulas:
        if not _decide(formula):
            return z3.unsat
    return z3.sat
