"""Delivery of bridge messages: each payload is handed to the chain it is routed to."""
from __future__ import annotations

import attrs

from spec.bridge import evolve_restaking, get_in_flight
from spec.containers import State
from spec.env import Env
from spec.errors import MessageNotDue, require
from spec.events import event
from spec.operations import DeliverMessage
from spec.restaked_stake import receive_slash_result, receive_snapshot_part
from spec.restaking import receive_slash_request
from spec.restaking_state import SlashRequest, SlashResult, SnapshotPart

RECEIVERS = {
    SnapshotPart: receive_snapshot_part,
    SlashRequest: receive_slash_request,
    SlashResult: receive_slash_result,
}


def process_deliver_message(state: State, op: DeliverMessage, env: Env):
    """Deliver an in-flight message that is due (deliver_at <= now): it leaves the bridge and
    its receiver handles it. A payload its receiver rejects is not delivered (the state is
    unchanged and the message stays in flight)."""
    message = get_in_flight(state, op.message_id)
    require(message.deliver_at <= state.time, MessageNotDue, "message_id", f"deliverable at {message.deliver_at}, now {state.time}")
    bridge = state.restaking.bridge
    state = evolve_restaking(state, bridge=attrs.evolve(bridge, in_flight=bridge.in_flight.discard(message.id)))
    state, events = RECEIVERS[type(message.payload)](state, message.payload)
    late = state.time > message.sent_at + state.config.restaking.bridge_delay_max
    return state, [event("MessageDelivered", message_id=message.id, origin=message.origin, route=message.route.value, late=late)] + events
