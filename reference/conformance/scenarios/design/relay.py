"""Scenarios of `spec.relay`: delivering bridge messages."""
from __future__ import annotations

import attrs

from properties.fixtures import MALLORY, P0, P1
from properties.world import restaked_market, slash_pending, slash_requested
from reference.conformance.scenarios.design.common import RESTAKED, two_operators
from reference.conformance.scenarios.design.registry import scenario
from spec import operations as ops


@scenario("deliver_message")
def deliver_message_snapshot_in_any_order():
    """Parts arrive in any order; the snapshot completes with the last one."""
    w = two_operators()
    w.do(w.transmit(1_000, 0, 2), w.transmit(1_000, 1, 2))
    return w.state, [ops.DeliverMessage(1), ops.DeliverMessage(0)]


@scenario("deliver_message")
def deliver_message_duplicate_part_ignored():
    """A part delivered twice is ignored the second time."""
    w = two_operators()
    w.do(w.transmit(1_000))
    return w.state, [ops.DuplicateMessage(0), ops.DeliverMessage(0), ops.DeliverMessage(1)]


@scenario("deliver_message", "UNKNOWN_MESSAGE")
def deliver_message_unknown():
    """Only messages in flight are delivered."""
    return two_operators().state, [ops.DeliverMessage(7)]


@scenario("deliver_message", "MESSAGE_NOT_DUE")
def deliver_message_before_due():
    """A delayed message is not delivered before its delivery time."""
    w = two_operators()
    w.do(w.transmit(1_000), ops.DelayMessage(0, 1_150))
    w.wait(49)
    return w.state, [ops.DeliverMessage(0)]


@scenario("deliver_message", "INVALID_SNAPSHOT_PART")
def deliver_message_part_index_out_of_range():
    """A part's index is below its count; a rejected part stays in flight."""
    w = two_operators()
    w.do(w.transmit(1_000, index=1, count=1, entries=((P0, "v1", 666),)))
    return w.state, [ops.DeliverMessage(0)]


@scenario("deliver_message", "INVALID_SNAPSHOT_PART")
def deliver_message_part_unsorted():
    """Entries are sorted by (operator, vault)."""
    w = two_operators()
    w.do(w.transmit(1_000, entries=((P1, "v1", 333), (P0, "v1", 666))))
    return w.state, [ops.DeliverMessage(0)]


@scenario("deliver_message", "INVALID_SNAPSHOT_PART")
def deliver_message_part_count_disagrees():
    """All parts of a capture agree on their count."""
    w = two_operators()
    w.do(w.transmit(1_000, 0, 2), w.transmit(1_000, 1, 3, entries=((P1, "v1", 333),)), ops.DeliverMessage(0))
    return w.state, [ops.DeliverMessage(1)]


@scenario("deliver_message", "INVALID_SNAPSHOT_PART")
def deliver_message_part_negative_stake():
    """Snapshot stakes are >= 0."""
    w = two_operators()
    w.do(w.transmit(1_000, entries=((P0, "v1", -1),)))
    return w.state, [ops.DeliverMessage(0)]


@scenario("deliver_message", "UNKNOWN_OPERATOR")
def deliver_message_part_unknown_operator():
    """Snapshot operators are registered provers."""
    w = two_operators()
    w.do(w.transmit(1_000, entries=((MALLORY, "v1", 10),)))
    return w.state, [ops.DeliverMessage(0)]


@scenario("deliver_message", "STALE_CAPTURE", requires=RESTAKED)
def deliver_message_part_older_than_snapshot():
    """A capture older than the latest complete snapshot is refused."""
    w = restaked_market()
    w.do(w.transmit(900, entries=((P0, "v1", 1_000),)))
    return w.state, [ops.DeliverMessage(w.message())]


@scenario("deliver_message", "STALE_CAPTURE")
def deliver_message_part_no_longer_slashable():
    """A capture whose stake is no longer slashable (capture + epoch_duration <= now) is refused."""
    w = two_operators()
    w.do(w.transmit(1_000))
    w.wait_until(2_000)
    return w.state, [ops.DeliverMessage(0)]


@scenario("deliver_message", requires=RESTAKED)
def deliver_message_slash_request_to_veto_vault():
    """A slash request reaching a veto vault waits for its veto deadline (arrival + veto_duration)."""
    w = slash_requested()
    return w.state, [ops.DeliverMessage(w.message())]


@scenario("deliver_message", requires=RESTAKED)
def deliver_message_slash_request_to_instant_vault():
    """A slash request reaching an instant vault executes at once; the result goes back over the bridge."""
    w = slash_requested("instant")
    return w.state, [ops.DeliverMessage(w.message()), ops.DeliverMessage(w.message() + 1)]


@scenario("deliver_message", requires=RESTAKED + ("drop_message", "retransmit_message"))
def deliver_message_slash_request_too_late():
    """A request retransmitted so late that its veto window would end after the stake stops being
    slashable expires on arrival; its delivery is flagged late."""
    w = slash_requested()
    message = w.message()
    w.do(ops.DropMessage(message))
    w.wait_until(1_801)
    return w.state, [ops.RetransmitMessage(message), ops.DeliverMessage(message), ops.DeliverMessage(message + 1)]


@scenario("deliver_message", requires=RESTAKED + ("duplicate_message",))
def deliver_message_duplicate_slash_request_ignored():
    """The vault chain ignores a slash request it already received."""
    w = slash_requested()
    message = w.message()
    return w.state, [ops.DuplicateMessage(message), ops.DeliverMessage(message), ops.DeliverMessage(message + 1)]


@scenario("deliver_message", requires=RESTAKED + ("execute_slash",))
def deliver_message_slash_result():
    """The executed slash's result resolves the restaked slash on the market chain; a copy is ignored."""
    w = slash_pending().wait(200)
    w.do(ops.ExecuteSlash(MALLORY, 0))
    message = w.message()
    return w.state, [ops.DuplicateMessage(message), ops.DeliverMessage(message), ops.DeliverMessage(message + 1)]


@scenario("deliver_message", "INVALID_SLASH_RESULT", requires=RESTAKED + ("execute_slash",))
def deliver_message_slash_result_not_final():
    """A slash result must carry a final status. No operation sends another, so this pre-state is
    constructed: the result in flight says PENDING."""
    from spec.restaking_state import SlashStatus

    w = slash_pending().wait(200)
    w.do(ops.ExecuteSlash(MALLORY, 0))
    bridge = w.state.restaking.bridge
    message = bridge.in_flight[w.message()]
    forged = attrs.evolve(message, payload=attrs.evolve(message.payload, status=SlashStatus.PENDING))
    restaking = attrs.evolve(w.state.restaking, bridge=attrs.evolve(bridge, in_flight=bridge.in_flight.set(message.id, forged)))
    return attrs.evolve(w.state, restaking=restaking), [ops.DeliverMessage(message.id)]
