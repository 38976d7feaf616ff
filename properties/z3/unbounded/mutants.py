"""Encoder mutants of the unbounded encoding: hand edits that drift from the spec (a dropped
guard, an off-by-one, a swapped recipient, a lost effect, a wrong lock). The deterministic tie
(`properties.z3.unbounded.directed`: Z3-generated cases plus the vector steps) must catch each."""
from __future__ import annotations

from functools import partial
from typing import Callable

import attrs
import z3

from properties.z3 import mutants
from properties.z3.model import COMPLETE, PAYMENT
from properties.z3.unbounded import transitions as T
from properties.z3.unbounded.state import put, row_lambda, write
from spec import errors as E

UMutant = partial(mutants.EncoderMutant, table=T.ENCODERS)
drop_guard = partial(mutants.drop_guard, table=T.ENCODERS)
off_by_one = partial(mutants.off_by_one, table=T.ENCODERS)


def _with_effect(operation: str, effect: Callable) -> Callable:
    def encoder(s, op):
        return attrs.evolve(T.ENCODERS[operation](s, op), effect=effect(s, op))
    return encoder


def _proof_paying_the_requester(s, op):
    """Swapped recipients: the price to the requester, max_price - price to the reward address."""
    n = op.ask_id
    price = s["a_price"][n]
    out = T.release_task(s, n)
    out = T.credit(out, s["a_requester"][n], PAYMENT, price)
    out = T.credit(out, out["p_reward"][s["a_prover"][n]], PAYMENT, s["a_max"][n] - price)
    out = put(out, treasury=T.add_token(out["treasury"], PAYMENT, s["a_fee"][n]))
    return write(out, "asks", n, a_escrow=z3.IntVal(0), a_state=z3.IntVal(COMPLETE))


def _withdrawal_to_reward_address(s, op):
    """Swapped recipient: withdrawn stake credited to the prover's reward address."""
    p, t = op.sender, op.token
    amount = s["w_amount"][p][t]
    out = T.credit(s, s["p_reward"][p], t, amount)
    out = write(out, "provers", p, p_stake=T.add_token(out["p_stake"][p], t, -amount))
    return T.set_withdrawal(out, p, t, z3.BoolVal(False), z3.IntVal(0), z3.IntVal(0))


def _mint_without_supply(s, op):
    return T.credit(s, op.account, op.token, op.amount)


def _assign_locking_one_more(s, op):
    """Off-by-one in an effect: the prover's locked stake grows by slash_amount + 1 per token."""
    out = T.encode_process_assign_task(s, op).effect
    p = op.prover
    locked = out["p_locked"][p]
    return write(out, "provers", p, p_locked=row_lambda(lambda t: z3.If(T.is_stake_token(s, t), locked[t] + 1, locked[t]), "mut.t"))


UNBOUNDED_MUTANTS = (
    UMutant("assign-free-compute-dropped", "assign_task", "dropped guard: free compute at assignment", drop_guard("assign_task", E.InsufficientCompute)),
    UMutant("proof-deadline-dropped", "submit_proof", "dropped guard: the proof deadline", drop_guard("submit_proof", E.DeadlinePassed)),
    UMutant("update-market-owner-dropped", "update_market", "dropped guard: only the owner", drop_guard("update_market", E.NotMarketOwner)),
    UMutant("slash-at-deadline", "slash_missed_deadline", "off-by-one: slash at the deadline", off_by_one("slash_missed_deadline", E.DeadlineNotPassed)),
    UMutant("withdraw-early", "withdraw_stake", "off-by-one: withdrawal a second early", off_by_one("withdraw_stake", E.WithdrawalNotReady)),
    UMutant("expire-at-expiry", "expire_ask", "off-by-one: expiry at the expiry", off_by_one("expire_ask", E.AskNotExpired)),
    UMutant("proof-pays-requester", "submit_proof", "swapped recipients: price and refund", _with_effect("submit_proof", _proof_paying_the_requester)),
    UMutant("withdraw-to-reward-address", "withdraw_stake", "swapped recipient: withdrawal to the reward address",
            _with_effect("withdraw_stake", _withdrawal_to_reward_address)),
    UMutant("mint-without-supply", "mint", "lost effect: mint without supply", _with_effect("mint", _mint_without_supply)),
    UMutant("assign-locks-one-more", "assign_task", "off-by-one effect: one more unit locked", _with_effect("assign_task", _assign_locking_one_more)),
)


def _slash_charging_the_next_vault(s, op):
    """Wrong vault charged: the slash request of each vault the task locked goes to the next vault id."""
    from properties.z3.unbounded.restaking_fields import ON_BRIDGE

    n = op.ask_id
    out = T.encode_process_slash_missed_deadline(s, op).effect
    backed, lock, status = s["a_rback"][n], s["a_rlock"][n], s["a_rstatus"][n]
    return write(out, "asks", n, a_rstatus=row_lambda(lambda v: z3.If(z3.And(backed, lock[v - 1] > 0), ON_BRIDGE, status[v]), "mut.v"))


RESTAKING_MUTANTS = (
    UMutant("assign-key-safety-dropped", "assign_task", "dropped guard: the key safety rule at a restaked assignment",
            drop_guard("assign_task", E.KeySafetyRuleViolated)),
    UMutant("veto-at-veto-deadline", "veto_slash", "off-by-one: a veto at the veto deadline itself", off_by_one("veto_slash", E.VetoPeriodEnded)),
    UMutant("slash-charges-next-vault", "slash_missed_deadline", "wrong vault charged: the restaked slash sent for the next vault",
            _with_effect("slash_missed_deadline", _slash_charging_the_next_vault)),
    UMutant("parameters-governor-dropped", "set_restaking_parameters", "dropped guard: only the governor sets the parameters",
            drop_guard("set_restaking_parameters", E.NotGovernor)),
)
