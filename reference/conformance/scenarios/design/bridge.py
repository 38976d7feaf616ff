"""Scenarios of `spec.bridge`: the bridge adversary within its bound."""
from __future__ import annotations

from properties.world import World
from reference.conformance.scenarios.design.common import two_operators
from reference.conformance.scenarios.design.registry import scenario
from spec import operations as ops


def _two_in_flight() -> World:
    """Part 0 sent at 1100 (deliverable then); part 1 sent at 1200 and delayed to 1300."""
    w = two_operators()
    w.do(w.transmit(1_000, 0, 2))
    w.wait(100)
    return w.do(w.transmit(1_000, 1, 2), ops.DelayMessage(1, 1_300))


@scenario("delay_message")
def delay_message_to_its_bound():
    """A message may be delayed up to sent_at + bridge_delay_max."""
    w = two_operators()
    w.do(w.transmit(1_000))
    return w.state, [ops.DelayMessage(0, 1_200), ops.DelayMessage(0, 1_250)]


@scenario("delay_message", "BRIDGE_DELAY_EXCEEDED")
def delay_message_past_bound():
    """Not beyond the bridge's bound."""
    w = two_operators()
    w.do(w.transmit(1_000))
    return w.state, [ops.DelayMessage(0, 1_251)]


@scenario("delay_message", "INVALID_TIME_STEP")
def delay_message_not_later():
    """A delay moves delivery later."""
    w = two_operators()
    w.do(w.transmit(1_000))
    return w.state, [ops.DelayMessage(0, 1_100)]


@scenario("delay_message", "UNKNOWN_MESSAGE")
def delay_message_unknown():
    """Only messages in flight are delayed."""
    return two_operators().state, [ops.DelayMessage(3, 1_200)]


@scenario("reorder_messages")
def reorder_messages_ok():
    """Two messages swap delivery times when both stay within their bounds."""
    w = two_operators()
    w.do(w.transmit(1_000, 0, 2), w.transmit(1_000, 1, 2), ops.DelayMessage(0, 1_200))
    return w.state, [ops.ReorderMessages(0, 1), ops.DeliverMessage(0)]


@scenario("reorder_messages", "BRIDGE_DELAY_EXCEEDED")
def reorder_messages_past_bound():
    """A swap that would deliver a message after its bound is refused."""
    return _two_in_flight().state, [ops.ReorderMessages(0, 1)]


@scenario("reorder_messages", "INVALID_REORDER")
def reorder_messages_same():
    """A message is not reordered with itself."""
    return _two_in_flight().state, [ops.ReorderMessages(1, 1)]


@scenario("reorder_messages", "UNKNOWN_MESSAGE")
def reorder_messages_unknown():
    """Both messages are in flight."""
    return _two_in_flight().state, [ops.ReorderMessages(0, 5)]


@scenario("duplicate_message")
def duplicate_message_ok():
    """A copy keeps the original's origin, payload and times."""
    w = two_operators()
    w.do(w.transmit(1_000))
    return w.state, [ops.DuplicateMessage(0)]


@scenario("duplicate_message", "UNKNOWN_MESSAGE")
def duplicate_message_unknown():
    """Only messages in flight are copied."""
    return two_operators().state, [ops.DuplicateMessage(0)]


@scenario("drop_message")
def drop_message_ok():
    """A dropped message leaves the flight (it may be retransmitted later)."""
    w = two_operators()
    w.do(w.transmit(1_000))
    return w.state, [ops.DropMessage(0)]


@scenario("drop_message", "UNKNOWN_MESSAGE")
def drop_message_unknown():
    """Only messages in flight are dropped."""
    return two_operators().state, [ops.DropMessage(1)]


@scenario("retransmit_message")
def retransmit_message_ok():
    """A dropped message is put back in flight, deliverable now (not at its old delivery time),
    keeping its first send time."""
    w = two_operators()
    w.do(w.transmit(1_000), ops.DelayMessage(0, 1_200), ops.DropMessage(0))
    w.wait(10)
    return w.state, [ops.RetransmitMessage(0), ops.DeliverMessage(0)]


@scenario("retransmit_message", "UNKNOWN_MESSAGE")
def retransmit_message_not_dropped():
    """Only dropped messages are retransmitted."""
    w = two_operators()
    w.do(w.transmit(1_000))
    return w.state, [ops.RetransmitMessage(0)]
