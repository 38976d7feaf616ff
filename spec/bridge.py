"""The bridge between the market chain and the vault chain: an explicit queue of messages, each
deliverable from its `deliver_at`. The environment (an adversary within the bridge's bound)
delays, reorders, duplicates and drops messages and retransmits dropped ones; delivery is in
`spec.relay`."""
from __future__ import annotations

import attrs

from spec.containers import State
from spec.env import Env
from spec.errors import BridgeDelayExceeded, InvalidReorder, InvalidTimeStep, UnknownMessage, require
from spec.events import event
from spec.operations import DelayMessage, DropMessage, DuplicateMessage, ReorderMessages, RetransmitMessage
from spec.restaking_state import Message, Payload, Route


def evolve_restaking(state: State, **changes) -> State:
    return attrs.evolve(state, restaking=attrs.evolve(state.restaking, **changes))


def enqueue(state: State, route: Route, payload: Payload) -> tuple[State, Message]:
    """Send `payload` now; it is deliverable at once unless the environment delays it."""
    bridge = state.restaking.bridge
    message = Message(id=bridge.next_id, origin=bridge.next_id, route=route, payload=payload, sent_at=state.time, deliver_at=state.time)
    bridge = attrs.evolve(bridge, in_flight=bridge.in_flight.set(message.id, message), next_id=bridge.next_id + 1)
    return evolve_restaking(state, bridge=bridge), message


def latest_delivery(state: State, message: Message) -> int:
    """The bridge's bound: delivery at most `bridge_delay_max` after the first send."""
    return message.sent_at + state.config.restaking.bridge_delay_max


def get_in_flight(state: State, message_id: int, field: str = "message_id") -> Message:
    in_flight = state.restaking.bridge.in_flight
    require(message_id in in_flight, UnknownMessage, field, f"no message {message_id} in flight")
    return in_flight[message_id]


def _with_in_flight(state: State, *messages: Message) -> State:
    bridge = state.restaking.bridge
    in_flight = bridge.in_flight
    for m in messages:
        in_flight = in_flight.set(m.id, m)
    return evolve_restaking(state, bridge=attrs.evolve(bridge, in_flight=in_flight))


def process_delay_message(state: State, op: DelayMessage, env: Env):
    """Move a message's delivery later, to at most `sent_at + bridge_delay_max`."""
    message = get_in_flight(state, op.message_id)
    require(op.deliver_at > message.deliver_at, InvalidTimeStep, "deliver_at", f"must be after the current delivery time {message.deliver_at}")
    bound = latest_delivery(state, message)
    require(op.deliver_at <= bound, BridgeDelayExceeded, "deliver_at", f"{op.deliver_at} > sent_at + bridge_delay_max = {bound}")
    new = _with_in_flight(state, attrs.evolve(message, deliver_at=op.deliver_at))
    return new, [event("MessageDelayed", message_id=message.id, deliver_at=op.deliver_at)]


def process_reorder_messages(state: State, op: ReorderMessages, env: Env):
    """Swap the delivery times of two in-flight messages, each staying within its bound."""
    require(op.first != op.second, InvalidReorder, "second", "must differ from first")
    first = get_in_flight(state, op.first, "first")
    second = get_in_flight(state, op.second, "second")
    require(second.deliver_at <= latest_delivery(state, first), BridgeDelayExceeded, "first", f"message {first.id} would be delivered after its bound")
    require(first.deliver_at <= latest_delivery(state, second), BridgeDelayExceeded, "second", f"message {second.id} would be delivered after its bound")
    new = _with_in_flight(state, attrs.evolve(first, deliver_at=second.deliver_at), attrs.evolve(second, deliver_at=first.deliver_at))
    return new, [event("MessagesReordered", first=first.id, second=second.id)]


def process_duplicate_message(state: State, op: DuplicateMessage, env: Env):
    """Put a copy of an in-flight message on the bridge (same origin, payload and times)."""
    message = get_in_flight(state, op.message_id)
    bridge = state.restaking.bridge
    copy = attrs.evolve(message, id=bridge.next_id)
    new = evolve_restaking(state, bridge=attrs.evolve(bridge, next_id=bridge.next_id + 1))
    new = _with_in_flight(new, copy)
    return new, [event("MessageDuplicated", message_id=message.id, copy_id=copy.id)]


def process_drop_message(state: State, op: DropMessage, env: Env):
    """Lose an in-flight message; it may be retransmitted later."""
    message = get_in_flight(state, op.message_id)
    bridge = state.restaking.bridge
    bridge = attrs.evolve(bridge, in_flight=bridge.in_flight.discard(message.id), dropped=bridge.dropped.set(message.id, message))
    return evolve_restaking(state, bridge=bridge), [event("MessageDropped", message_id=message.id)]


def process_retransmit_message(state: State, op: RetransmitMessage, env: Env):
    """Put a dropped message back in flight, deliverable now; it keeps its first send time, so
    a retransmission after the bound is a late delivery."""
    bridge = state.restaking.bridge
    require(op.message_id in bridge.dropped, UnknownMessage, "message_id", f"no dropped message {op.message_id}")
    message = attrs.evolve(bridge.dropped[op.message_id], deliver_at=state.time)
    bridge = attrs.evolve(bridge, dropped=bridge.dropped.discard(message.id), in_flight=bridge.in_flight.set(message.id, message))
    return evolve_restaking(state, bridge=bridge), [event("MessageRetransmitted", message_id=message.id)]
