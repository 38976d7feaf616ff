"""Encoder mutants: the encoding drifting from the spec the way a hand edit would (a dropped
guard, an off-by-one comparison, a swapped recipient, a lost effect, a wrong error, an extra
guard). The directed check (`properties.z3.directed`) must catch each one deterministically:
some case where the mutated encoding and `spec.apply` disagree."""
from __future__ import annotations

from typing import Callable, Mapping

import attrs
import z3

from properties.z3 import transitions as T
from properties.z3.model import PAYMENT, COMPLETE, add_at, get_at, set_at
from spec import errors as E

FLIP = {z3.Z3_OP_LE: lambda a, b: a < b, z3.Z3_OP_LT: lambda a, b: a <= b,
        z3.Z3_OP_GE: lambda a, b: a > b, z3.Z3_OP_GT: lambda a, b: a >= b}


@attrs.frozen
class EncoderMutant:
    """`encoder` in place of `operation`'s encoder of `table` (the bounded encoding's ENCODERS, or
    the unbounded one's: `properties.z3.unbounded.mutants`)."""

    name: str
    operation: str
    description: str
    encoder: Callable
    table: Mapping = attrs.field(default=T.ENCODERS, repr=False)

    def encoders(self) -> dict:
        return {**self.table, self.operation: self.encoder}


def _checks_mutant(operation: str, change, table: Mapping = T.ENCODERS) -> Callable:
    def encoder(state, op, *bounds):  # the unbounded encoders take no bounds
        encoded = table[operation](state, op, *bounds)
        return attrs.evolve(encoded, checks=T.Checks(change(list(encoded.checks), state, op)))
    return encoder


def drop_guard(operation: str, error, table: Mapping = T.ENCODERS) -> Callable:
    """The guard raising `error` is left out."""
    return _checks_mutant(operation, lambda checks, s, o: [(h, e) for h, e in checks if e is not error], table)


def off_by_one(operation: str, error, table: Mapping = T.ENCODERS) -> Callable:
    """The first ordering comparison of the guard raising `error` made strict / non-strict."""
    def change(checks, state, op):
        out = []
        for holds, e in checks:
            if e is error:
                atom = next(a for a in _comparisons(holds) if a.decl().kind() in FLIP)
                holds = z3.substitute(holds, (atom, FLIP[atom.decl().kind()](atom.arg(0), atom.arg(1))))
            out.append((holds, e))
        return out
    return _checks_mutant(operation, change, table)


def wrong_error(operation: str, error, instead) -> Callable:
    """The guard raising `error` raises `instead`."""
    return _checks_mutant(operation, lambda checks, s, o: [(h, instead if e is error else e) for h, e in checks])


def extra_guard(operation: str, guard: Callable, error) -> Callable:
    """A guard the spec does not have, checked last."""
    return _checks_mutant(operation, lambda checks, s, o: checks + [(guard(s, o), error)])


def _comparisons(expr) -> list:
    out = []

    def go(e):
        if z3.is_app(e) and e.decl().kind() in FLIP:
            out.append(e)
        for child in e.children() if z3.is_app(e) else ():
            go(child)

    go(expr)
    return out


def submit_proof_paying_the_requester(state, op, bounds):
    """Swapped recipients: the price goes to the requester, the refund to the reward address."""
    encoded = T.ENCODERS["submit_proof"](state, op, bounds)
    ask = get_at(state.asks, op.ask_id)
    assignment = ask.assignment
    released = T.release_task(state, bounds, ask)
    reward = get_at(released.provers, assignment.prover).reward_address
    balances = T.credit(released.balances, ask.requester, PAYMENT, assignment.price)
    balances = T.credit(balances, reward, PAYMENT, ask.max_price - assignment.price)
    effect = attrs.evolve(released, balances=balances, treasury=add_at(released.treasury, PAYMENT, ask.fee),
                          asks=set_at(released.asks, op.ask_id, attrs.evolve(ask, escrow=z3.IntVal(0), state=z3.IntVal(COMPLETE))))
    return attrs.evolve(encoded, effect=effect)


def withdraw_stake_to_the_treasury(state, op, bounds):
    """Swapped recipient: the withdrawn stake is credited to the treasury, not the prover."""
    encoded = T.ENCODERS["withdraw_stake"](state, op, bounds)
    request = T.get_withdrawal(state, op.sender, op.token - 1)
    return attrs.evolve(encoded, effect=attrs.evolve(encoded.effect, balances=state.balances,
                                                     treasury=add_at(state.treasury, op.token, request.amount)))


def mint_without_supply(state, op, bounds):
    """A lost effect: minting does not raise the supply."""
    encoded = T.ENCODERS["mint"](state, op, bounds)
    return attrs.evolve(encoded, effect=attrs.evolve(encoded.effect, supply=state.supply))


ENCODER_MUTANTS = (
    EncoderMutant("drop_insufficient_compute", "assign_task", "assign_task without the free-compute guard (I3)",
                  drop_guard("assign_task", E.InsufficientCompute)),
    EncoderMutant("drop_deadline_passed", "submit_proof", "submit_proof accepted after the deadline",
                  drop_guard("submit_proof", E.DeadlinePassed)),
    EncoderMutant("drop_not_owner", "update_market", "anyone may update a market",
                  drop_guard("update_market", E.NotMarketOwner)),
    EncoderMutant("slash_at_the_deadline", "slash_missed_deadline", "time >= deadline instead of time > deadline",
                  off_by_one("slash_missed_deadline", E.DeadlineNotPassed)),
    EncoderMutant("withdraw_one_second_early", "withdraw_stake", "time > available_at instead of >=",
                  off_by_one("withdraw_stake", E.WithdrawalNotReady)),
    EncoderMutant("submit_at_deadline_refused", "submit_proof", "time < deadline instead of <=",
                  off_by_one("submit_proof", E.DeadlinePassed)),
    EncoderMutant("expire_at_expiry", "expire_ask", "an ask expires at its expiry, not after",
                  off_by_one("expire_ask", E.AskNotExpired)),
    EncoderMutant("price_to_requester", "submit_proof", "swapped recipients of the price and the refund",
                  submit_proof_paying_the_requester),
    EncoderMutant("withdrawal_to_treasury", "withdraw_stake", "withdrawn stake credited to the treasury",
                  withdraw_stake_to_the_treasury),
    EncoderMutant("mint_without_supply", "mint", "mint does not raise the supply", mint_without_supply),
    EncoderMutant("wrong_error_cancel", "cancel_ask", "cancel_ask by a stranger reports UNKNOWN_ASK",
                  wrong_error("cancel_ask", E.NotRequester, E.UnknownAsk)),
    EncoderMutant("extra_guard_deposit", "deposit_stake", "deposits of 1 refused",
                  extra_guard("deposit_stake", lambda s, o: o.amount > 1, E.InvalidAmount)),
)
