"""The transitions over the unbounded state: the 22 of the foundation here, one
`encode_process_<op>` per `spec.*.process_<op>` (same names and helpers as
`properties/z3/transitions.py`), and the restaking operations (`restaking_ops.py`): one
transition relation, `ENCODERS`. The market operations carry their restaked parts
(`restaked.py`: an assignment's restaked backing, its release, its slash requests), and
`advance_time` the honest parties' obligations (`HonestPartyDue`, not a spec rule).

Each returns its preconditions in the spec's order, each with the spec error it raises, and its
effect. Summed collections (balances, provers, asks) are written only through
`state.write`, so their ghost aggregates follow. There is no model-bound guard: creating a
market or an ask takes the next id, whatever it is.
"""
from __future__ import annotations

from typing import Callable

import attrs
import z3

from properties.z3.model import ASSIGNED, CANCELLED, COMPLETE, DEADLINE_CROSSED, EXPIRED, INVALID_INPUTS, PAYMENT, UNASSIGNED
from properties.z3.operations import SYMBOLIC_OPERATIONS
from properties.z3.transitions import ERROR_INDEX, OK, Checks, Encoded, HonestPartyDue
from properties.z3.unbounded import restaked as R
from properties.z3.unbounded.restaking_fields import ON_BRIDGE, PENDING
from properties.z3.unbounded.state import (
    A1, B1, FACTS, all_stake_tokens, forall_ids, any_stake_token, is_known_token, is_stake_token, put, row_lambda, store2, write,
)
from spec import errors as E
from spec.types import BPS

ZERO_ROW = z3.K(z3.IntSort(), z3.IntVal(0))


@attrs.frozen
class Step:
    error: z3.ArithRef
    ok: z3.BoolRef
    post: dict
    checks: list
    effect: dict
    facts: tuple = ()  # instances of the remainder lemma the effect's ghost updates rely on


def fresh_op(name: str, prefix: str):
    """A symbolic operation `name` over unbounded ids: per-token fields are arrays over token ids."""
    from properties.z3.unbounded.restaking_ops import RESTAKING_OPERATIONS

    cls = {**SYMBOLIC_OPERATIONS, **RESTAKING_OPERATIONS}[name]
    values = {}
    for f in attrs.fields(cls):
        kind, label = f.metadata["kind"], f"{prefix}.{name}.{f.name}"
        values[f.name] = {"bool": lambda: z3.Bool(label), "per_token": lambda: z3.Const(label, A1),
                          "per_token_bool": lambda: z3.Const(label, B1), "row2": lambda: z3.Const(label, z3.ArraySort(z3.IntSort(), A1)),
                          }.get(kind, lambda: z3.Int(label))()
    return cls(**values)


def step(s: dict, op, encoders: dict | None = None) -> Step:
    """The step relation: the first failing precondition's error, the effect when all hold, the
    pre-state otherwise (leaf by leaf)."""
    encoded = (encoders or ENCODERS)[op.name](s, op)
    error = z3.IntVal(OK)
    for holds, cls in reversed(encoded.checks):
        error = z3.If(holds, error, ERROR_INDEX[cls])
    ok = z3.And([holds for holds, _ in encoded.checks])
    effect = {f: v for f, v in encoded.effect.items() if f != FACTS}
    post = {f: (v if v is s[f] else z3.If(ok, v, s[f])) for f, v in effect.items()}
    return Step(error, ok, post, list(encoded.checks), effect, tuple(encoded.effect.get(FACTS, ())))


# -- tokens -----------------------------------------------------------------------------------

def credit(s: dict, account, token, amount) -> dict:
    row = s["bal"][account]
    return write(s, "accounts", account, bal=z3.Store(row, token, row[token] + amount))


def add_token(arr, token, amount):
    return z3.Store(arr, token, arr[token] + amount)


def encode_process_mint(s: dict, op) -> Encoded:
    checks = Checks()
    checks.require(is_known_token(s, op.token), E.UnknownToken)
    checks.require(op.amount > 0, E.InvalidAmount)
    out = credit(s, op.account, op.token, op.amount)
    return Encoded(checks, put(out, supply=add_token(s["supply"], op.token, op.amount)))


def honest_parties_act_by(s: dict, later) -> z3.BoolRef:
    """Time does not pass a moment by which an honest party acts: a restaked task's deadline + 1
    (the keeper slashes then), a slash request's send + bridge_delay_max (the bridge delivers it,
    retransmitting a dropped copy), a pending request's veto deadline (someone executes it)."""
    return z3.And(
        forall_ids(["honest.n"], lambda n: z3.Implies(s["a_rback"][n], later <= s["a_deadline"][n] + 1), lambda n: s["a_rback"][n]),
        forall_ids(["honest.n", "honest.v"], lambda n, v: z3.Implies(s["a_rstatus"][n][v] == ON_BRIDGE, later <= s["a_rreq"][n] + s["r_bridge"]),
                   lambda n, v: s["a_rstatus"][n][v]),
        forall_ids(["honest.n", "honest.v"], lambda n, v: z3.Implies(s["a_rstatus"][n][v] == PENDING, later <= s["a_rvd"][n][v]),
                   lambda n, v: s["a_rstatus"][n][v]),
    )


def encode_process_advance_time(s: dict, op) -> Encoded:
    checks = Checks()
    checks.require(op.seconds > 0, E.InvalidTimeStep)
    checks.require(honest_parties_act_by(s, s["now"] + op.seconds), HonestPartyDue)
    return Encoded(checks, put(s, now=s["now"] + op.seconds))


# -- markets ----------------------------------------------------------------------------------

def market_exists(s: dict, m) -> z3.BoolRef:
    return z3.And(0 <= m, m < s["next_market"])


def check_market_parameters(s: dict, op) -> z3.BoolRef:
    """At least one token; only stake tokens, each > 0; a well-formed engine key; fee >= 0."""
    return z3.And(
        z3.Or(op.slash_unknown, op.slash_present[PAYMENT], any_stake_token(s, lambda t: op.slash_present[t], "cmp.t")),
        z3.Not(op.slash_unknown),
        z3.Not(op.slash_present[PAYMENT]),
        all_stake_tokens(s, lambda t: z3.Implies(op.slash_present[t], op.slash_amount[t] > 0), "cmp.u"),
        op.engine_key >= 0,
        op.platform_fee >= 0,
    )


def slash_amounts(s: dict, op):
    return row_lambda(lambda t: z3.If(z3.And(is_stake_token(s, t), op.slash_present[t]), op.slash_amount[t], 0), "slash.t")


def restaking_feasible_if_restaked(s: dict, op) -> z3.BoolRef:
    names_restaking_token = z3.And(is_known_token(s, s["restaking_token"]), op.slash_present[s["restaking_token"]])
    return z3.Implies(names_restaking_token, s["restaking_feasible"])


def set_market(s: dict, m, **fields) -> dict:
    return put(s, **{f"m_{k}": z3.Store(s[f"m_{k}"], m, v) for k, v in fields.items()})


def encode_process_create_market(s: dict, op) -> Encoded:
    checks = Checks()
    checks.require(op.verifier_known, E.UnknownVerifier)
    checks.require(op.protocol_known, E.UnknownMatchingProtocol)
    checks.require(check_market_parameters(s, op), E.InvalidMarketParameter)
    checks.require(restaking_feasible_if_restaked(s, op), E.KeySafetyRuleViolated)
    fee = s["fee"]
    checks.require(s["bal"][op.sender][PAYMENT] >= fee, E.InsufficientBalance)
    m = s["next_market"]
    out = credit(s, op.sender, PAYMENT, -fee)
    out = put(out, treasury=add_token(s["treasury"], PAYMENT, fee), next_market=m + 1)
    out = set_market(out, m, owner=op.sender, key=op.engine_key, slash=slash_amounts(s, op), fee=op.platform_fee, attested=z3.BoolVal(False))
    return Encoded(checks, out)


def encode_process_update_market(s: dict, op) -> Encoded:
    checks = Checks()
    m = op.market_id
    checks.require(market_exists(s, m), E.UnknownMarket)
    checks.require(op.sender == s["m_owner"][m], E.NotMarketOwner)
    checks.require(check_market_parameters(s, op), E.InvalidMarketParameter)
    checks.require(restaking_feasible_if_restaked(s, op), E.KeySafetyRuleViolated)
    out = set_market(s, m, slash=slash_amounts(s, op), key=op.engine_key, fee=op.platform_fee,
                     attested=z3.And(s["m_attested"][m], op.engine_key == s["m_key"][m]))
    return Encoded(checks, out)


# -- provers ----------------------------------------------------------------------------------

def pending_withdrawal(s: dict, p, t):
    return z3.If(s["w_pending"][p][t], s["w_amount"][p][t], 0)


def free_stake(s: dict, p, t):
    """Stake that backs no task and is not pending withdrawal."""
    return s["p_stake"][p][t] - s["p_locked"][p][t] - pending_withdrawal(s, p, t)


def free_compute(s: dict, p):
    return s["p_declared"][p] - s["p_in_use"][p]


def check_quote(s: dict, p, price, proposed_time, compute) -> z3.BoolRef:
    return z3.And(price >= 0, proposed_time > 0, 0 < compute, compute <= s["p_declared"][p])


def set_membership(s: dict, m, p, **fields) -> dict:
    return put(s, **{f"ms_{k}": store2(s[f"ms_{k}"], m, p, v) for k, v in fields.items()})


NO_QUOTE = dict(quote=z3.BoolVal(False), price=z3.IntVal(0), time=z3.IntVal(0), compute=z3.IntVal(0))


def set_withdrawal(s: dict, p, t, pending, amount, available_at) -> dict:
    return put(s, w_pending=store2(s["w_pending"], p, t, pending), w_amount=store2(s["w_amount"], p, t, amount),
               w_avail=store2(s["w_avail"], p, t, available_at))


def encode_process_register_prover(s: dict, op) -> Encoded:
    checks = Checks()
    checks.require(z3.Not(s["p_reg"][op.sender]), E.ProverAlreadyRegistered)
    checks.require(op.declared_compute > 0, E.InvalidCompute)
    out = write(s, "provers", op.sender, p_reg=z3.BoolVal(True), p_reward=op.reward_address, p_declared=op.declared_compute,
                p_in_use=z3.IntVal(0), p_stake=ZERO_ROW, p_locked=ZERO_ROW, p_enc=z3.BoolVal(False))
    return Encoded(checks, out)


def encode_process_deposit_stake(s: dict, op) -> Encoded:
    checks = Checks()
    p, t = op.sender, op.token
    checks.require(s["p_reg"][p], E.UnknownProver)
    checks.require(is_stake_token(s, t), E.NotStakeToken)
    checks.require(op.amount > 0, E.InvalidAmount)
    checks.require(s["bal"][p][t] >= op.amount, E.InsufficientBalance)
    out = credit(s, p, t, -op.amount)
    out = write(out, "provers", p, p_stake=add_token(out["p_stake"][p], t, op.amount))
    return Encoded(checks, out)


def encode_process_request_stake_withdrawal(s: dict, op) -> Encoded:
    checks = Checks()
    p, t = op.sender, op.token
    checks.require(s["p_reg"][p], E.UnknownProver)
    checks.require(is_stake_token(s, t), E.NotStakeToken)
    checks.require(op.amount > 0, E.InvalidAmount)
    checks.require(z3.Not(s["w_pending"][p][t]), E.WithdrawalAlreadyRequested)
    checks.require(op.amount <= free_stake(s, p, t), E.InsufficientFreeStake)
    return Encoded(checks, set_withdrawal(s, p, t, z3.BoolVal(True), op.amount, s["now"] + s["delay"]))


def encode_process_withdraw_stake(s: dict, op) -> Encoded:
    checks = Checks()
    p, t = op.sender, op.token
    checks.require(s["p_reg"][p], E.UnknownProver)
    checks.require(is_stake_token(s, t), E.NotStakeToken)
    checks.require(s["w_pending"][p][t], E.NoWithdrawalRequest)
    checks.require(s["now"] >= s["w_avail"][p][t], E.WithdrawalNotReady)
    amount = s["w_amount"][p][t]
    out = credit(s, p, t, amount)
    out = write(out, "provers", p, p_stake=add_token(out["p_stake"][p], t, -amount))
    out = set_withdrawal(out, p, t, z3.BoolVal(False), z3.IntVal(0), z3.IntVal(0))
    return Encoded(checks, out)


def encode_process_join_market(s: dict, op) -> Encoded:
    checks = Checks()
    p, m = op.sender, op.market_id
    checks.require(s["p_reg"][p], E.UnknownProver)
    checks.require(market_exists(s, m), E.UnknownMarket)
    checks.require(z3.Not(s["ms_member"][m][p]), E.AlreadyMember)
    checks.require(check_quote(s, p, op.price, op.proposed_time, op.compute_per_request), E.InvalidQuote)
    out = set_membership(s, m, p, member=z3.BoolVal(True), quote=z3.BoolVal(True), price=op.price, time=op.proposed_time,
                         compute=op.compute_per_request, active=z3.IntVal(0), exit=z3.BoolVal(False))
    return Encoded(checks, out)


def encode_process_update_quote(s: dict, op) -> Encoded:
    checks = Checks()
    p, m = op.sender, op.market_id
    checks.require(s["p_reg"][p], E.UnknownProver)
    checks.require(s["ms_member"][m][p], E.NotMember)
    checks.require(z3.Not(s["ms_exit"][m][p]), E.ExitRequested)
    checks.require(check_quote(s, p, op.price, op.proposed_time, op.compute_per_request), E.InvalidQuote)
    out = set_membership(s, m, p, quote=z3.BoolVal(True), price=op.price, time=op.proposed_time, compute=op.compute_per_request)
    return Encoded(checks, out)


def encode_process_request_market_exit(s: dict, op) -> Encoded:
    checks = Checks()
    p, m = op.sender, op.market_id
    checks.require(s["ms_member"][m][p], E.NotMember)
    checks.require(z3.Not(s["ms_exit"][m][p]), E.ExitRequested)
    return Encoded(checks, set_membership(s, m, p, exit=z3.BoolVal(True), **NO_QUOTE))


def encode_process_leave_market(s: dict, op) -> Encoded:
    checks = Checks()
    p, m = op.sender, op.market_id
    checks.require(s["ms_member"][m][p], E.NotMember)
    checks.require(s["ms_active"][m][p] == 0, E.TasksInFlight)
    out = set_membership(s, m, p, member=z3.BoolVal(False), active=z3.IntVal(0), exit=z3.BoolVal(False), **NO_QUOTE)
    return Encoded(checks, out)


# -- asks -------------------------------------------------------------------------------------

def ask_exists(s: dict, n) -> z3.BoolRef:
    return z3.And(0 <= n, n < s["next_ask"])


def close_ask_with_refund(s: dict, n, outcome: int) -> dict:
    """Return the whole escrow to the requester and close the ask with `outcome`."""
    out = credit(s, s["a_requester"][n], PAYMENT, s["a_escrow"][n])
    return write(out, "asks", n, a_escrow=z3.IntVal(0), a_state=z3.IntVal(outcome))


def encode_process_create_ask(s: dict, op) -> Encoded:
    checks = Checks()
    m = op.market_id
    checks.require(market_exists(s, m), E.UnknownMarket)
    checks.require(op.max_price > 0, E.InvalidAskParameter)
    checks.require(op.expiry > s["now"], E.InvalidAskParameter)
    checks.require(op.proof_time > 0, E.InvalidAskParameter)
    checks.require(z3.And(0 <= op.price_time_preference, op.price_time_preference <= BPS), E.InvalidAskParameter)
    checks.require(z3.Or(z3.Not(op.has_private_inputs), s["m_attested"][m]), E.EngineNotAttested)
    escrow = op.max_price + s["m_fee"][m]
    checks.require(s["bal"][op.sender][PAYMENT] >= escrow, E.InsufficientBalance)
    n = s["next_ask"]
    zero = z3.IntVal(0)
    out = credit(s, op.sender, PAYMENT, -escrow)
    out = write(out, "asks", n, a_market=m, a_requester=op.sender, a_max=op.max_price, a_fee=s["m_fee"][m], a_expiry=op.expiry,
                a_ptime=op.proof_time, a_created=s["now"], a_escrow=escrow, a_state=z3.IntVal(UNASSIGNED),
                a_private=op.has_private_inputs, a_has=z3.BoolVal(False), a_prover=zero, a_price=zero, a_at=zero,
                a_deadline=zero, a_compute=zero, a_locked=ZERO_ROW)
    return Encoded(checks, put(out, next_ask=n + 1))


def encode_process_cancel_ask(s: dict, op) -> Encoded:
    checks = Checks()
    n = op.ask_id
    checks.require(ask_exists(s, n), E.UnknownAsk)
    checks.require(op.sender == s["a_requester"][n], E.NotRequester)
    checks.require(s["a_state"][n] == UNASSIGNED, E.AskNotUnassigned)
    return Encoded(checks, close_ask_with_refund(s, n, CANCELLED))


def encode_process_expire_ask(s: dict, op) -> Encoded:
    checks = Checks()
    n = op.ask_id
    checks.require(ask_exists(s, n), E.UnknownAsk)
    checks.require(s["a_state"][n] == UNASSIGNED, E.AskNotUnassigned)
    checks.require(s["now"] > s["a_expiry"][n], E.AskNotExpired)
    return Encoded(checks, close_ask_with_refund(s, n, EXPIRED))


# -- tasks ------------------------------------------------------------------------------------

def fits(s: dict, p, m, compute, rfree) -> z3.BoolRef:
    """The prover could take one more task of market m now (`rfree`: its free restaked total)."""
    def covered(t):
        return free_stake(s, p, t) + z3.If(t == s["restaking_token"], rfree, 0) >= s["m_slash"][m][t]
    return z3.And(free_compute(s, p) >= compute,
                  all_stake_tokens(s, lambda t: z3.Implies(s["m_slash"][m][t] > 0, covered(t)), "fits.t"))


def cancel_quotes_that_no_longer_fit(s: dict, p, matched) -> dict:
    """Auto-cancel the prover's quotes in other markets that no longer fit its free compute or
    stake (native, and restaked: `restaked.rfree_after`)."""
    rfree = R.rfree_after(s)

    def cancel(m):
        return z3.And(m != matched, s["ms_quote"][m][p], z3.Not(fits(s, p, m, s["ms_compute"][m][p], rfree)))

    def cleared(field, value):
        return row_lambda(lambda m: z3.Store(s[field][m], p, z3.If(cancel(m), value, s[field][m][p])), f"cancel.{field}")

    return put(s, ms_quote=cleared("ms_quote", z3.BoolVal(False)), ms_price=cleared("ms_price", z3.IntVal(0)),
               ms_time=cleared("ms_time", z3.IntVal(0)), ms_compute=cleared("ms_compute", z3.IntVal(0)))


def encode_process_assign_task(s: dict, op) -> Encoded:
    checks = Checks()
    n, p = op.ask_id, op.prover
    m = s["a_market"][n]
    private = s["a_private"][n]
    checks.require(ask_exists(s, n), E.UnknownAsk)
    checks.require(s["a_state"][n] == UNASSIGNED, E.AskNotUnassigned)
    checks.require(s["now"] <= s["a_expiry"][n], E.AskExpired)
    checks.require(z3.Or(z3.Not(private), s["m_attested"][m]), E.EngineNotAttested)
    checks.require(op.signature_valid, E.BadEngineSignature)
    checks.require(s["p_reg"][p], E.UnknownProver)
    checks.require(s["ms_member"][m][p], E.NotMember)
    checks.require(z3.Not(s["ms_exit"][m][p]), E.ExitRequested)
    checks.require(s["ms_quote"][m][p], E.QuoteInactive)
    checks.require(op.price <= s["a_max"][n], E.PriceAboveMax)
    checks.require(op.price >= s["ms_price"][m][p], E.PriceBelowQuote)
    checks.require(s["ms_time"][m][p] <= s["a_ptime"][n], E.ProofTimeExceeded)
    compute = s["ms_compute"][m][p]
    checks.require(free_compute(s, p) >= compute, E.InsufficientCompute)
    slash = s["m_slash"][m]
    rt = s["restaking_token"]

    def native(t):  # free native stake backs the task first
        free = free_stake(s, p, t)
        return z3.If(slash[t] < free, slash[t], free)

    need = R.restaked_need(s, m, native(rt))
    restaked_covers = R.split_valid(s, p, need)
    checks.require(all_stake_tokens(s, lambda t: z3.Implies(slash[t] > 0, z3.Or(free_stake(s, p, t) >= slash[t], z3.And(t == rt, restaked_covers))),
                                    "assign.t"), E.InsufficientStake)
    checks.require(z3.Or(z3.Not(private), s["p_enc"][p]), E.ProverKeyMissing)
    deadline = s["now"] + s["a_ptime"][n]
    checks.require(z3.Implies(need > 0, R.key_safety_rule_holds(deadline, s["r_bridge"], s["s_veto"][R.CAPTURE], R.CAPTURE, s["s_epoch"][R.CAPTURE])),
                   E.KeySafetyRuleViolated)
    native_lock = row_lambda(lambda t: z3.If(is_stake_token(s, t), native(t), 0), "assign.native")
    locked = s["p_locked"][p]
    out = write(s, "provers", p, p_in_use=s["p_in_use"][p] + compute, p_locked=row_lambda(lambda t: locked[t] + native_lock[t], "assign.lock"))
    out = set_membership(out, m, p, active=s["ms_active"][m][p] + 1)
    out = write(out, "asks", n, a_state=z3.IntVal(ASSIGNED), a_has=z3.BoolVal(True), a_prover=p, a_price=op.price, a_at=s["now"],
                a_deadline=deadline, a_compute=compute, a_locked=native_lock)
    out = R.lock_restaked(out, n, need)
    return Encoded(checks, cancel_quotes_that_no_longer_fit(out, p, m))


def get_assigned_task(s: dict, checks: Checks, n, sender) -> None:
    """An assigned ask whose assigned prover is `sender`."""
    checks.require(ask_exists(s, n), E.UnknownAsk)
    checks.require(s["a_state"][n] == ASSIGNED, E.AskNotAssigned)
    checks.require(sender == s["a_prover"][n], E.NotAssignedProver)


def release_task(s: dict, n, slashed: bool = False) -> dict:
    """Unlock the task's stake (native, and restaked: given back, or turned into slash requests
    when `slashed`) and compute and take it off the prover's in-flight count."""
    p, m = s["a_prover"][n], s["a_market"][n]
    locked, held = s["p_locked"][p], s["a_locked"][n]
    s = R.request_restaked_slash(s, n) if slashed else R.release_restaked(s, n)
    out = write(s, "provers", p, p_in_use=s["p_in_use"][p] - s["a_compute"][n],
                p_locked=row_lambda(lambda t: locked[t] - held[t], "release.t"))
    return set_membership(out, m, p, active=s["ms_active"][m][p] - 1)


def pay_prover(s: dict, n, outcome: int) -> dict:
    """Price to the prover's reward address, max_price - price to the requester, fee to the treasury."""
    price = s["a_price"][n]
    out = release_task(s, n)
    out = credit(out, out["p_reward"][s["a_prover"][n]], PAYMENT, price)
    out = credit(out, s["a_requester"][n], PAYMENT, s["a_max"][n] - price)
    out = put(out, treasury=add_token(out["treasury"], PAYMENT, s["a_fee"][n]))
    return write(out, "asks", n, a_escrow=z3.IntVal(0), a_state=z3.IntVal(outcome))


def encode_process_submit_proof(s: dict, op) -> Encoded:
    checks = Checks()
    get_assigned_task(s, checks, op.ask_id, op.sender)
    checks.require(s["now"] <= s["a_deadline"][op.ask_id], E.DeadlinePassed)
    checks.require(op.proof_valid, E.InvalidProof)
    return Encoded(checks, pay_prover(s, op.ask_id, COMPLETE))


def encode_process_submit_invalid_inputs(s: dict, op) -> Encoded:
    checks = Checks()
    n = op.ask_id
    get_assigned_task(s, checks, n, op.sender)
    checks.require(s["now"] <= s["a_deadline"][n], E.DeadlinePassed)
    checks.require(z3.Or(z3.Not(s["a_private"][n]), s["m_attested"][s["a_market"][n]]), E.EngineNotAttested)
    checks.require(op.signature_valid, E.BadEngineSignature)
    return Encoded(checks, pay_prover(s, n, INVALID_INPUTS))


# -- slashing ---------------------------------------------------------------------------------

def slash_task(s: dict, n) -> dict:
    """The locked stake leaves the prover: compensation to the requester, a share burnt, the rest
    to the treasury; the escrow is refunded and the ask ends DEADLINE_CROSSED."""
    p, requester, amount = s["a_prover"][n], s["a_requester"][n], s["a_locked"][n]
    out = release_task(s, n, slashed=True)

    def part(t, value):
        return z3.If(is_stake_token(s, t), value, 0)

    def compensation(t):
        return amount[t] * s["comp_bps"] / BPS

    def burn(t):
        return amount[t] * s["burn_bps"] / BPS

    stake, bal, burnt, treasury = out["p_stake"][p], out["bal"][requester], out["burnt"], out["treasury"]
    out = write(out, "provers", p, p_stake=row_lambda(lambda t: stake[t] - part(t, amount[t]), "slash.stake"))
    out = write(out, "accounts", requester, bal=row_lambda(lambda t: bal[t] + part(t, compensation(t)), "slash.comp"))
    out = put(out, burnt=row_lambda(lambda t: burnt[t] + part(t, burn(t)), "slash.burn"),
              treasury=row_lambda(lambda t: treasury[t] + part(t, amount[t] - compensation(t) - burn(t)), "slash.rest"))
    return close_ask_with_refund(out, n, DEADLINE_CROSSED)


def encode_process_slash_missed_deadline(s: dict, op) -> Encoded:
    checks = Checks()
    n = op.ask_id
    checks.require(ask_exists(s, n), E.UnknownAsk)
    checks.require(s["a_state"][n] == ASSIGNED, E.AskNotAssigned)
    checks.require(s["now"] > s["a_deadline"][n], E.DeadlineNotPassed)
    return Encoded(checks, slash_task(s, n))


def encode_process_discard_task(s: dict, op) -> Encoded:
    checks = Checks()
    get_assigned_task(s, checks, op.ask_id, op.sender)
    checks.require(s["now"] <= s["a_deadline"][op.ask_id], E.DeadlinePassed)
    return Encoded(checks, slash_task(s, op.ask_id))


# -- engine attestation and prover keys --------------------------------------------------------

def encode_process_attest_engine(s: dict, op) -> Encoded:
    checks = Checks()
    m = op.market_id
    checks.require(market_exists(s, m), E.UnknownMarket)
    checks.require(op.sender == s["m_owner"][m], E.NotMarketOwner)
    checks.require(op.measurement_valid, E.BadAttestation)
    checks.require(op.attestation_valid, E.BadAttestation)
    return Encoded(checks, set_market(s, m, attested=z3.BoolVal(True)))


def encode_process_register_prover_key(s: dict, op) -> Encoded:
    checks = Checks()
    checks.require(s["p_reg"][op.sender], E.UnknownProver)
    checks.require(op.encryption_key_valid, E.InvalidProverKey)
    return Encoded(checks, write(s, "provers", op.sender, p_enc=z3.BoolVal(True)))


ENCODERS: dict[str, Callable] = {name[len("encode_process_"):]: fn for name, fn in dict(globals()).items()
                                 if name.startswith("encode_process_")}
from properties.z3.unbounded.restaking_ops import RESTAKING_ENCODERS  # noqa: E402  (they build on this module's helpers)

ENCODERS.update(RESTAKING_ENCODERS)
