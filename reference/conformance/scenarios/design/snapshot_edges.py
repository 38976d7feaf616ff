"""Scenarios of `spec.restaked_stake` at its edges: which snapshot backs a task, what a slash
already took from it, how backing spans vaults, how parts merge, and the restaking parameters'
smallest valid values.

A transmitter may send any entries for vaults the network accepts (the market chain trusts
snapshots; DESIGN §1), so several scenarios state entries instead of the honest ones to put the
rule at its boundary."""
from __future__ import annotations

from properties.fixtures import GOVERNOR, MALLORY, P0, RESTAKING_ARGS, restaking_config
from properties.world import World, restaked_market, slash_pending
from reference.conformance.scenarios.design.common import RESTAKED, assign, two_operators
from reference.conformance.scenarios.design.registry import scenario
from spec import operations as ops
from spec.bridge import enqueue
from spec.restaking_state import Route, SnapshotPart

SLASHED = RESTAKED + ("slash_missed_deadline", "execute_slash")


def _set_parameters(**params):
    return ops.SetRestakingParameters(GOVERNOR, **{**RESTAKING_ARGS, **params})


def _two_vaults(entries) -> World:
    """Market 0 (slash 100 POND); p0 quoting in it without native stake; vaults v1 and v2 (epoch
    1000, veto 200); the snapshot of 1000 with `entries` arrived at 1100 and is confirmed; ask 0."""
    w = World(restaking_config()).funded()
    w.market()
    w.prover(P0, stake=0)
    w.vault("v1")
    w.vault("v2")
    w.join(P0, 0)
    w.wait(100)
    w.do(w.transmit(1_000, entries=entries))
    w.do(ops.DeliverMessage(w.message()))
    w.ask()
    return w


def _backing(capture_ts: int, amounts: dict, ask: int = 0):
    def check(pre, post) -> bool:
        backing = post.restaking.backing[ask]
        return backing.capture_ts == capture_ts and dict(backing.amounts) == amounts
    return check


# -- which snapshot, and how much of it ------------------------------------------------------------

@scenario("assign_task", requires=RESTAKED, check=_backing(1_100, {"v1": 100}))
def assign_task_restaked_latest_confirmed_snapshot():
    """Of two confirmed snapshots (captures 1000 and 1100), the latest backs the task."""
    w = restaked_market().wait_until(1_200)
    w.snapshot(1_100).wait_until(1_250)
    w.ask()
    return w.state, [assign()]


@scenario("assign_task", requires=RESTAKED, check=_backing(1_000, {"v1": 1, "v2": 99}))
def assign_task_restaked_spans_vaults():
    """Backing takes the prover's free restaked stake vault by vault in id order, down to a
    single unit: 1 from v1, the other 99 from v2."""
    w = _two_vaults(((P0, "v1", 1), (P0, "v2", 1_000)))
    return w.state, [assign()]


@scenario("assign_task", "INSUFFICIENT_STAKE", requires=RESTAKED)
def assign_task_restaked_vault_fully_locked():
    """A vault whose snapshot stake is all locked has nothing free (not one unit): task 0 locked
    v1's 100, so task 1 finds only v2's 99 for a slash amount of 100."""
    w = _two_vaults(((P0, "v1", 100), (P0, "v2", 99)))
    w.do(assign())
    w.ask()
    return w.state, [assign(ask=1)]


def _slashed_then_snapshot(result_at: int, stake: int) -> World:
    """Task 0 slashed; its restaked slash of 100 executed on the vault chain at 1401 and its
    result delivered on the market chain at `result_at`; the snapshot captured at 1500 (showing
    `stake` for p0 in v1) arrived at 1501 and is confirmed at 1550; ask 1."""
    w = slash_pending().wait_until(1_401)
    w.do(ops.ExecuteSlash(MALLORY, 0)).wait_until(result_at)
    w.do(ops.DeliverMessage(w.message())).wait_until(1_501)
    w.do(w.transmit(1_500, entries=((P0, "v1", stake),)))
    w.do(ops.DeliverMessage(w.message())).wait_until(1_550)
    w.ask()
    return w


@scenario("assign_task", "INSUFFICIENT_STAKE", requires=SLASHED)
def assign_task_restaked_slash_resolved_at_capture():
    """A slash resolved at the snapshot's capture itself may not be in it: it still encumbers the
    snapshot's stake (190 shown, 100 slashed: 90 free < 100)."""
    w = _slashed_then_snapshot(1_500, 190)
    return w.state, [assign(ask=1)]


@scenario("assign_task", requires=SLASHED, check=_backing(1_500, {"v1": 100}, ask=1))
def assign_task_restaked_slash_resolved_before_capture():
    """A slash resolved before the snapshot's capture is in it: it no longer encumbers (100 shown, 100 free)."""
    w = _slashed_then_snapshot(1_450, 100)
    return w.state, [assign(ask=1)]


# -- snapshot parts --------------------------------------------------------------------------------

@scenario("deliver_message", "STALE_CAPTURE")
def deliver_message_part_between_complete_snapshots():
    """A part must be newer than the newest complete snapshot, not merely than some complete one:
    with the snapshots of 1000 and 1200 complete, a part of 1100 is stale."""
    w = two_operators()
    w.snapshot(1_000).wait_until(1_300)
    w.snapshot(1_200)
    w.do(w.transmit(1_100))
    return w.state, [ops.DeliverMessage(w.message())]


@scenario("deliver_message", "INVALID_CAPTURE_TIMESTAMP")
def deliver_message_part_capture_now():
    """The market chain checks a part's capture itself: one captured now is refused (the vault
    chain never sends one, this part is put on the bridge directly)."""
    w = two_operators()
    part = SnapshotPart(1_100, 0, 1, ((P0, "v1", 666),), epoch_duration=1_000, veto_duration=200)
    w.state, message = enqueue(w.state, Route.TO_MARKET_CHAIN, part)
    return w.state, [ops.DeliverMessage(message.id)]


@scenario("deliver_message", check=lambda pre, post: post.restaking.snapshots[1_000].stakes()[(P0, "v1")] == 0)
def deliver_message_part_zero_stake():
    """An entry may show a stake of 0."""
    w = two_operators()
    w.do(w.transmit(1_000, entries=((P0, "v1", 0),)))
    return w.state, [ops.DeliverMessage(w.message())]


def _weakest_bounds(pre, post) -> bool:
    snapshot = post.restaking.snapshots[1_000]
    return snapshot.complete and (snapshot.epoch_duration, snapshot.veto_duration) == (1_000, 200)


@scenario("deliver_message", requires=("set_restaking_parameters",), check=_weakest_bounds)
def deliver_message_parts_under_different_bounds():
    """Parts sent under different network bounds make a snapshot with the weakest of them: part 0
    sent under (epoch 1000, veto 200), part 1 after the governor set (1100, 100); the snapshot
    keeps epoch 1000 and veto 200."""
    w = two_operators()
    w.do(w.transmit(1_000, 0, 2), _set_parameters(epoch_duration=1_100, veto_duration=100), w.transmit(1_000, 1, 2, entries=()))
    return w.state, [ops.DeliverMessage(0), ops.DeliverMessage(1)]


# -- restaking parameters --------------------------------------------------------------------------

@scenario("set_restaking_parameters")
def set_restaking_parameters_room_for_one_second():
    """Parameters leaving restaked stake a proof time of exactly 1 are feasible:
    402 - 50 - 1 - 150 - 200 = 1."""
    return World(restaking_config()).state, [_set_parameters(epoch_duration=402)]


@scenario("set_restaking_parameters")
def set_restaking_parameters_smallest_lengths():
    """Epoch length and bridge bound of one second are valid."""
    return World(restaking_config()).state, [_set_parameters(epoch_length=1, bridge_delay_max=1)]
