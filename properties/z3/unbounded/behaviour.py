"""The step invariants over the protocol's behaviour (I13-I17) over the unbounded state, one
function per invariant, each mirroring its statement in `properties/behaviour.py`: who may act,
who gets exactly what, the withdrawal delay, stake backing at assignment, deadlines.

Each is a two-state formula `I(pre, op, post)` over the pre-state's arrays and the transition's
post-state terms, written from the rule with its own arithmetic: none calls an encoder helper
whose effect it checks (no `pay_prover`, `slash_task`, `free_stake`, `credit`, ...). The proofs
(`proofs.py`) discharge `Inv(pre) ∧ ok(pre) ⇒ I(pre, op, effect(pre))` for every operation;
one that holds of the transition alone is reported `step` (not counted as a proof).

Restaking is in the same model: I13 covers the governor-only parameter change and the
resolver-only veto, I16 the restaked part of an assignment's backing with its amounts (the
split over vaults summing, `vsum`, to what native stake leaves, each vault within its free stake
in the confirmed snapshot, under the key safety rule with the snapshot's bounds).
"""
from __future__ import annotations

import z3

from properties.z3.model import ASSIGNED, CANCELLED, COMPLETE, DEADLINE_CROSSED, EXPIRED, INVALID_INPUTS, OPEN, PAYMENT, UNASSIGNED
from properties.z3.unbounded.invariants import UInvariant, forall, member_of
from properties.z3.unbounded.restaked import vsum
from properties.z3.unbounded.restaking_fields import RESTAKING_PARAMS, VETOED
from properties.z3.unbounded.transitions import ask_exists
from spec.types import BPS

PAID = (COMPLETE, INVALID_INPUTS)
REFUNDED = (EXPIRED, CANCELLED)
CLOSING_OPS = ("submit_proof", "submit_invalid_inputs", "slash_missed_deadline", "discard_task", "cancel_ask", "expire_ask")
SELF_SERVICE = ("register_prover", "register_prover_key", "deposit_stake", "request_stake_withdrawal", "withdraw_stake",
                "join_market", "update_quote", "request_market_exit", "leave_market")
PROVER_SCALARS = ("p_reg", "p_reward", "p_declared", "p_in_use", "p_enc")
PROVER_PER_TOKEN = ("p_stake", "p_locked")
MEMBERSHIP = ("ms_member", "ms_quote", "ms_exit", "ms_price", "ms_time", "ms_compute", "ms_active")
WITHDRAWAL = ("w_pending", "w_amount", "w_avail")
ASK_RECORD = ("a_market", "a_requester", "a_max", "a_fee", "a_expiry", "a_ptime", "a_created", "a_escrow", "a_state",
              "a_private", "a_has", "a_prover", "a_price", "a_at", "a_deadline", "a_compute")


def _sender(op):
    return getattr(op, "sender", None)


def _is(sender, who) -> z3.BoolRef:
    return z3.BoolVal(False) if sender is None else sender == who


def _pending(s, p, t):
    return z3.If(s["w_pending"][p][t], s["w_amount"][p][t], 0)


def _changed_ask(pre, post, n) -> z3.BoolRef:
    return z3.And(ask_exists(pre, n), z3.Or([pre[f][n] != post[f][n] for f in ASK_RECORD]))


def _closes(pre, post, n) -> z3.BoolRef:
    return z3.And(ask_exists(pre, n), member_of(pre["a_state"][n], OPEN), z3.Not(member_of(post["a_state"][n], OPEN)))


def encode_authorization_step(pre, op, post) -> z3.BoolRef:
    """I13: only the account itself pays from its balance; stake leaves a prover only by its own
    withdrawal or a slash of its own task; owner-, requester- and prover-only operations were
    sent by that party; only the governor changes the restaking parameters and only a vault's
    resolver vetoes its slashes; a self-service operation changes only the sender's prover
    record, memberships and withdrawals."""
    sender, name = _sender(op), op.name
    parts = [forall(["a", "t"], lambda a, t: z3.Implies(post["bal"][a][t] < pre["bal"][a][t], _is(sender, a)),
                    lambda a, t: pre["bal"][a][t])]

    def may_take_stake(p):
        slashed = z3.BoolVal(False)
        if name in ("slash_missed_deadline", "discard_task"):
            k = op.ask_id
            slashed = z3.And(ask_exists(pre, k), pre["a_has"][k], pre["a_prover"][k] == p)
        withdrawn = _is(sender, p) if name == "withdraw_stake" else z3.BoolVal(False)
        return z3.Or(slashed, withdrawn)

    parts.append(forall(["p", "t"], lambda p, t: z3.Implies(post["p_stake"][p][t] < pre["p_stake"][p][t], may_take_stake(p)),
                        lambda p, t: pre["p_stake"][p][t]))
    if name in ("update_market", "attest_engine"):
        parts.append(sender == pre["m_owner"][op.market_id])
    elif name == "cancel_ask":
        parts.append(sender == pre["a_requester"][op.ask_id])
    elif name in ("submit_proof", "submit_invalid_inputs", "discard_task"):
        parts.append(z3.Implies(pre["a_has"][op.ask_id], sender == pre["a_prover"][op.ask_id]))
    governed = z3.Or([pre[f] != post[f] for f in RESTAKING_PARAMS])
    by_governor = _is(sender, pre["r_governor"]) if name == "set_restaking_parameters" else z3.BoolVal(False)
    parts.append(z3.Implies(governed, by_governor))

    def by_resolver(n, v):
        if name != "veto_slash":
            return z3.BoolVal(False)
        return z3.And(op.ask_id == n, op.vault_id == v, sender == pre["v_resolver"][v])

    parts.append(forall(["n", "v"], lambda n, v: z3.Implies(z3.And(pre["a_rstatus"][n][v] != VETOED, post["a_rstatus"][n][v] == VETOED),
                                                            by_resolver(n, v)), lambda n, v: pre["a_rstatus"][n][v]))
    if name in SELF_SERVICE:
        parts.append(forall(["p"], lambda p: z3.Implies(z3.Or([pre[f][p] != post[f][p] for f in PROVER_SCALARS]), p == sender),
                            lambda p: pre["p_reg"][p]))
        parts.append(forall(["p", "t"], lambda p, t: z3.Implies(
            z3.Or([pre[f][p][t] != post[f][p][t] for f in PROVER_PER_TOKEN + WITHDRAWAL]), p == sender),
            lambda p, t: pre["p_stake"][p][t]))
        parts.append(forall(["m", "p"], lambda m, p: z3.Implies(z3.Or([pre[f][m][p] != post[f][m][p] for f in MEMBERSHIP]), p == sender),
                            lambda m, p: pre["ms_member"][m][p]))
    return z3.And(parts)


def encode_exact_payouts_step(pre, op, post) -> z3.BoolRef:
    """I14: a step that ends tasks moves exactly, per token: a completed or invalid-inputs task
    pays its price to the prover's reward address, max_price - price back to the requester and
    escrow - max_price (the fee) to the treasury; an expired or cancelled ask refunds its escrow;
    a slashed task refunds its escrow, gives each locked amount's compensation share to the
    requester, burns its burn share and sends the rest to the treasury. Nothing else moves.
    The ask that ends is the operation's (stated: no other ask closes)."""
    if op.name not in CLOSING_OPS:
        return z3.BoolVal(True)  # behaviour.py checks nothing for it: reported as not applicable
    k = op.ask_id
    closes = _closes(pre, post, k)
    paid = z3.And(closes, member_of(post["a_state"][k], PAID))
    refunded = z3.And(closes, member_of(post["a_state"][k], REFUNDED))
    crossed = z3.And(closes, post["a_state"][k] == DEADLINE_CROSSED)
    escrow, max_price, price = pre["a_escrow"][k], pre["a_max"][k], pre["a_price"][k]
    prover, requester = pre["a_prover"][k], pre["a_requester"][k]
    reward, locked = pre["p_reward"][prover], pre["a_locked"][k]

    def compensation(t):
        return locked[t] * pre["comp_bps"] / BPS

    def burn(t):
        return locked[t] * pre["burn_bps"] / BPS

    def when(cond, value):
        return z3.If(cond, value, 0)

    def balance(a, t):
        payment = (when(z3.And(paid, a == reward), price) + when(z3.And(paid, a == requester), max_price - price)
                   + when(z3.And(z3.Or(refunded, crossed), a == requester), escrow))
        return when(t == PAYMENT, payment) + when(z3.And(crossed, a == requester), compensation(t))

    return z3.And(
        forall(["n"], lambda n: z3.Implies(_closes(pre, post, n), n == k), lambda n: pre["a_state"][n]),
        forall(["n"], lambda n: post["a_escrow"][n] - pre["a_escrow"][n] == when(_closes(pre, post, n), -pre["a_escrow"][n]),
               lambda n: pre["a_escrow"][n]),
        forall(["a", "t"], lambda a, t: post["bal"][a][t] - pre["bal"][a][t] == balance(a, t), lambda a, t: pre["bal"][a][t]),
        forall(["t"], lambda t: post["treasury"][t] - pre["treasury"][t]
               == when(z3.And(paid, t == PAYMENT), escrow - max_price) + when(crossed, locked[t] - compensation(t) - burn(t)),
               lambda t: pre["treasury"][t]),
        forall(["t"], lambda t: post["burnt"][t] - pre["burnt"][t] == when(crossed, burn(t)), lambda t: pre["burnt"][t]),
        forall(["p", "t"], lambda p, t: post["p_stake"][p][t] - pre["p_stake"][p][t] == when(z3.And(crossed, p == prover), -locked[t]),
               lambda p, t: pre["p_stake"][p][t]),
    )


def encode_withdrawal_delay_step(pre, op, post) -> z3.BoolRef:
    """I15: a withdrawal request becomes available stake_withdrawal_delay after it is made; stake
    leaves only when the request is available, exactly its amount, to the prover's own balance."""
    return z3.And(
        forall(["p", "t"], lambda p, t: z3.Implies(z3.And(z3.Not(pre["w_pending"][p][t]), post["w_pending"][p][t]),
                                                   post["w_avail"][p][t] == post["now"] + pre["delay"]),
               lambda p, t: pre["w_pending"][p][t]),
        forall(["p", "t"], lambda p, t: z3.Implies(z3.And(pre["w_pending"][p][t], z3.Not(post["w_pending"][p][t])), z3.And(
            pre["now"] >= pre["w_avail"][p][t],
            pre["p_stake"][p][t] - post["p_stake"][p][t] == pre["w_amount"][p][t],
            post["bal"][p][t] - pre["bal"][p][t] == pre["w_amount"][p][t])),
            lambda p, t: pre["w_pending"][p][t]),
    )


def encode_backing_at_assignment_step(pre, op, post) -> z3.BoolRef:
    """I16: an assignment is backed by >= the market's slash amount: per token, native stake
    first, min(slash amount, free native stake), and restaked stake (the restaking token only)
    the rest, whose split over vaults sums (`vsum`) to it, each vault within the prover's free
    stake in the confirmed snapshot, under the key safety rule with the snapshot's bounds; the
    prover's locked stake grows by exactly the native part and its compute in use by the quote's
    compute, within its declared compute."""
    def assigned(n):
        return z3.And(ask_exists(pre, n), pre["a_state"][n] == UNASSIGNED, post["a_state"][n] == ASSIGNED)

    def per_token(n, t):
        m, p = pre["a_market"][n], post["a_prover"][n]
        amount, native = pre["m_slash"][m][t], post["a_locked"][n][t]
        restaked = z3.If(z3.And(t == pre["restaking_token"], post["a_rback"][n]), vsum(post["a_rlock"][n]), 0)
        free = pre["p_stake"][p][t] - pre["p_locked"][p][t] - _pending(pre, p, t)
        return z3.And(native + restaked == amount, native == z3.If(amount < z3.If(free > 0, free, 0), amount, z3.If(free > 0, free, 0)),
                      post["p_locked"][p][t] - pre["p_locked"][p][t] == native)

    def compute(n):
        m, p = pre["a_market"][n], post["a_prover"][n]
        return z3.And(post["a_compute"][n] == pre["ms_compute"][m][p], post["p_in_use"][p] - pre["p_in_use"][p] == post["a_compute"][n],
                      post["p_in_use"][p] <= post["p_declared"][p])

    def usable(c):
        return z3.And(pre["s_complete"][c], c + pre["r_offset"] <= pre["now"])

    def restaked_backing(n):
        """From the confirmed snapshot (the latest usable one), under the key safety rule with its bounds."""
        c = post["a_rcap"][n]
        return z3.And(usable(c), forall(["d"], lambda d: z3.Implies(usable(d), d <= c), lambda d: pre["s_complete"][d]),
                      post["a_repoch"][n] == pre["s_epoch"][c], post["a_rveto"][n] == pre["s_veto"][c],
                      post["a_deadline"][n] + 1 + pre["r_bridge"] + pre["s_veto"][c] <= c + pre["s_epoch"][c])

    def per_vault(n, v):
        """Each vault's share is within the prover's free stake in it: its stake in the snapshot
        less what tasks lock and slashes encumber (the spec's `locked`, `encumbered`)."""
        c, p, share = post["a_rcap"][n], post["a_prover"][n], post["a_rlock"][n][v]
        free = pre["s_stake"][c][p][v] - pre["g_rlock"][p][v] - pre["g_enc"][p][v][c]
        return z3.And(0 <= share, share <= z3.If(free > 0, free, 0))

    return z3.And(
        forall(["n", "t"], lambda n, t: z3.Implies(assigned(n), per_token(n, t)), lambda n, t: pre["a_locked"][n][t]),
        forall(["n"], lambda n: z3.Implies(assigned(n), compute(n)), lambda n: pre["a_state"][n]),
        forall(["n"], lambda n: z3.Implies(z3.And(assigned(n), post["a_rback"][n]), restaked_backing(n)), lambda n: pre["a_rback"][n]),
        forall(["n", "v"], lambda n, v: z3.Implies(z3.And(assigned(n), post["a_rback"][n]), per_vault(n, v)), lambda n, v: pre["a_rlock"][n][v]),
    )


def encode_deadlines_step(pre, op, post) -> z3.BoolRef:
    """I17: an assignment is made at the current time with deadline now + proof_time; an ask
    expires only strictly after its expiry and is cancelled only while unassigned."""
    def body(n):
        before, after = pre["a_state"][n], post["a_state"][n]
        return z3.And(
            z3.Implies(z3.And(before == UNASSIGNED, after == ASSIGNED),
                       z3.And(post["a_at"][n] == pre["now"], post["a_deadline"][n] == pre["now"] + pre["a_ptime"][n])),
            z3.Implies(after == EXPIRED, pre["now"] > pre["a_expiry"][n]),
            z3.Implies(after == CANCELLED, before == UNASSIGNED))
    return forall(["n"], lambda n: z3.Implies(_changed_ask(pre, post, n), body(n)), lambda n: pre["a_state"][n])


BEHAVIOUR = (
    UInvariant("I13", "authorization", step=encode_authorization_step),
    UInvariant("I14", "exact_payouts", step=encode_exact_payouts_step),
    UInvariant("I15", "withdrawal_delay", step=encode_withdrawal_delay_step),
    UInvariant("I16", "backing_at_assignment", step=encode_backing_at_assignment_step),
    UInvariant("I17", "deadlines", step=encode_deadlines_step),
)
