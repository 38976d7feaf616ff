"""Scenarios at the market chain's and the bridge's edges: the smallest slash amount, a task
whose backing is split so that one side holds a single unit, reorders and deliveries exactly at
the bridge's bound."""
from __future__ import annotations

from pyrsistent import pmap

from properties.fixtures import P0, restaking_config
from properties.world import World, restaked_market
from reference.conformance.scenarios.design.common import RESTAKED, assign, create, two_operators
from reference.conformance.scenarios.design.registry import scenario
from spec import operations as ops


@scenario("create_market", check=lambda pre, post: post.markets[0].slash_amount == pmap({"POND": 1}))
def create_market_slash_of_one():
    """The smallest slash amount, one unit, is valid."""
    return World().funded().state, [create(slash={"POND": 1})]


def _split(native: int, restaked: int):
    def check(pre, post) -> bool:
        backing = post.restaking.backing.get(0)
        return (post.asks[0].assignment.locked == ({"POND": native} if native else {})
                and (backing.amounts if backing else {}) == ({"v1": restaked} if restaked else {}))
    return check


@scenario("assign_task", requires=RESTAKED, check=_split(99, 1))
def assign_task_restaked_one_unit():
    """Native stake backs 99 of the slash amount 100; restaked stake backs the last unit, and is
    locked for it (vault v1, capture 1000)."""
    w = restaked_market(native_stake=99)
    w.ask()
    return w.state, [assign()]


@scenario("assign_task", requires=RESTAKED, check=_split(1, 99))
def assign_task_native_one_unit():
    """One unit of native stake backs the task first and is locked; restaked stake covers 99."""
    w = restaked_market(native_stake=1)
    w.ask()
    return w.state, [assign()]


@scenario("assign_task", "KEY_SAFETY_RULE", requires=RESTAKED)
def assign_task_restaked_one_unit_past_rule():
    """A single unit of restaked stake behind a task needs the key safety rule: proof time 600
    (deadline 1700 + 1 + 150 + 200 > 1000 + 1000) is refused though native stake covers 99."""
    w = restaked_market(native_stake=99)
    w.ask(proof_time=600)
    return w.state, [assign()]


def _sent_together() -> World:
    """Snapshot parts 0 and 1 both sent at 1100 (bound 1250); part 1 delayed to its bound."""
    w = two_operators()
    return w.do(w.transmit(1_000, 0, 2), w.transmit(1_000, 1, 2), ops.DelayMessage(1, 1_250))


@scenario("reorder_messages", check=lambda pre, post: post.restaking.bridge.in_flight[0].deliver_at == 1_100)
def reorder_messages_at_both_bounds():
    """A reorder may move a message to its bound exactly, either as first or as second: message 0
    takes message 1's 1250 (its bound), then swapping back moves message 0's 1250 onto message 1."""
    return _sent_together().state, [ops.ReorderMessages(0, 1), ops.ReorderMessages(0, 1)]


@scenario("deliver_message", check=lambda pre, post: 1 not in post.restaking.bridge.in_flight)
def deliver_message_at_bound_not_late():
    """A message delivered at sent_at + bridge_delay_max itself is on time (late = false)."""
    w = _sent_together().wait_until(1_250)
    return w.state, [ops.DeliverMessage(1)]


@scenario("deliver_message", check=lambda pre, post: 0 not in post.restaking.bridge.in_flight)
def deliver_message_after_bound_late():
    """One second after its bound a delivery is late (a dropped message retransmitted then)."""
    w = _sent_together().wait_until(1_251)
    return w.state, [ops.DeliverMessage(0)]
