"""The behaviour invariants I13-I17 hold on real steps and catch a seeded bug each: a step of
the spec whose post-state (or operation) is altered the way a bug would alter it."""
import attrs
import pytest

import spec
from properties import behaviour
from properties.fixtures import ALICE, CAROL, MALLORY, P0
from properties.world import World, assigned_task, open_ask, proof
from spec import operations as ops


def step(world, op):
    pre = world.state
    post, events = spec.apply(pre, op)
    return pre, op, post, events


def _with_balance(state, account, token, delta):
    return attrs.evolve(state, balances=state.balances.set((account, token), state.balances.get((account, token), 0) + delta))


def test_real_steps_satisfy_every_behaviour_invariant():
    w = assigned_task()
    checks = (behaviour.authorization, behaviour.exact_payouts, behaviour.withdrawal_delay, behaviour.backing_at_assignment, behaviour.deadlines)
    for op in (ops.SubmitProof(P0, 0, proof()),):
        pre, op, post, events = step(w, op)
        assert [v for c in checks for v in c(pre, op, post, events)] == []
    w = assigned_task()
    w.wait_until(w.deadline() + 1)
    pre, op, post, events = step(w, ops.SlashMissedDeadline(MALLORY, 0))
    assert [v for c in checks for v in c(pre, op, post, events)] == []


def test_authorization_catches_a_stranger_paying_and_a_non_owner():
    pre, op, post, events = step(open_ask(), ops.CancelAsk(ALICE, 0))
    token = pre.config.payment_token
    assert behaviour.authorization(pre, op, _with_balance(_with_balance(post, CAROL, token, -1), ALICE, token, 1), events)
    w = open_ask()
    market = w.state.markets[0]
    assert behaviour.authorization(w.state, ops.UpdateMarket(MALLORY, 0, dict(market.slash_amount), market.engine_key, 0), w.state, [])
    assert behaviour.authorization(w.state, ops.CancelAsk(MALLORY, 0), w.state, [])


def test_exact_payouts_catch_a_swapped_recipient_and_a_lost_fee():
    pre, op, post, events = step(assigned_task(), ops.SubmitProof(P0, 0, proof()))
    assert behaviour.exact_payouts(pre, op, post, events) == []
    token, ask = pre.config.payment_token, pre.asks[0]
    reward = pre.provers[P0].reward_address
    price = ask.assignment.price
    swapped = _with_balance(_with_balance(post, reward, token, -price), ask.requester, token, price)
    assert behaviour.exact_payouts(pre, op, swapped, events)
    lost_fee = attrs.evolve(post, treasury=pre.treasury)
    assert behaviour.exact_payouts(pre, op, lost_fee, events)


def test_exact_payouts_catch_a_wrong_slash_split():
    w = assigned_task()
    w.wait_until(w.deadline() + 1)
    pre, op, post, events = step(w, ops.SlashMissedDeadline(MALLORY, 0))
    token = next(iter(pre.asks[0].assignment.locked))
    assert behaviour.exact_payouts(pre, op, attrs.evolve(post, burnt=post.burnt.set(token, post.burnt.get(token, 0) + 1)), events)


def test_withdrawal_delay_catches_an_early_withdrawal():
    w = assigned_task()
    w.do(ops.RequestStakeWithdrawal(P0, "POND", 10))
    request = w.state.withdrawals[(P0, "POND")]
    assert request.available_at == w.state.time + w.state.config.stake_withdrawal_delay
    w.wait_until(request.available_at)
    pre, op, post, events = step(w, ops.WithdrawStake(P0, "POND"))
    assert behaviour.withdrawal_delay(pre, op, post, events) == []
    early = attrs.evolve(pre, time=request.available_at - 1)
    assert behaviour.withdrawal_delay(early, op, attrs.evolve(post, time=early.time), events)


def test_backing_and_deadlines_catch_a_short_lock_and_an_off_by_one_deadline():
    w = open_ask()
    pre, op, post, events = step(w, w.assignment(0, P0, 100))
    assert behaviour.backing_at_assignment(pre, op, post, events) == [] and behaviour.deadlines(pre, op, post, events) == []
    ask = post.asks[0]
    token = next(iter(ask.assignment.locked))
    short = attrs.evolve(ask.assignment, locked={token: ask.assignment.locked[token] - 1})
    assert behaviour.backing_at_assignment(pre, op, attrs.evolve(post, asks=post.asks.set(0, attrs.evolve(ask, assignment=short))), events)
    late = attrs.evolve(ask.assignment, deadline=ask.assignment.deadline + 1)
    assert behaviour.deadlines(pre, op, attrs.evolve(post, asks=post.asks.set(0, attrs.evolve(ask, assignment=late))), events)
