"""Scenarios of `spec.slashing`: slashing missed deadlines and discarding tasks."""
from __future__ import annotations

from properties.fixtures import ALICE, CAROL, MALLORY, P0
from properties.world import World, assigned_task, open_ask, proof, restaked_task
from reference.conformance.scenarios.design.common import RESTAKED, assign
from reference.conformance.scenarios.design.registry import scenario
from spec import operations as ops
from spec.types import AskState
from spec.containers import Config


def _slashed(pre, post):
    c = pre.config
    compensation, burn = 100 * c.slash_compensation_bps // 10_000, 100 * c.slash_burn_bps // 10_000
    return (post.asks[0].state == AskState.DEADLINE_CROSSED and post.provers[P0].stake["POND"] == pre.provers[P0].stake["POND"] - 100
            and post.balances[(ALICE, "POND")] == pre.balances[(ALICE, "POND")] + compensation and post.burnt["POND"] == burn
            and post.treasury.get("POND", 0) == 100 - compensation - burn
            and post.balances[(ALICE, "USDC")] == pre.balances[(ALICE, "USDC")] + pre.asks[0].escrow)


@scenario("slash_missed_deadline", check=_slashed)
def slash_missed_deadline_ok():
    """One second after the deadline anyone slashes: half compensates the requester, a quarter burns,
    the rest goes to the treasury; the escrow is refunded in full."""
    w = assigned_task()
    w.wait_until(w.deadline() + 1)
    return w.state, [ops.SlashMissedDeadline(MALLORY, 0)]


@scenario("slash_missed_deadline")
def slash_missed_deadline_rounding():
    """Compensation and burn round down; the treasury takes the remainder."""
    config = Config(slash_compensation_bps=3_333, slash_burn_bps=1_111, stake_withdrawal_delay=60)
    w = assigned_task(config, slash={"POND": 101}, fee=3)
    w.wait_until(w.deadline() + 500)
    return w.state, [ops.SlashMissedDeadline(CAROL, 0)]


@scenario("slash_missed_deadline")
def slash_missed_deadline_two_tokens():
    """Every locked token is slashed."""
    config = Config(stake_tokens=("POND", "ETH"), slash_compensation_bps=7_000, slash_burn_bps=0)
    w = World(config).funded()
    w.market(slash={"POND": 100, "ETH": 33})
    w.prover(P0)
    w.do(ops.DepositStake(P0, "ETH", 50))
    w.join(P0, 0)
    w.ask()
    w.assign()
    w.wait_until(w.deadline() + 1)
    return w.state, [ops.SlashMissedDeadline(MALLORY, 0)]


@scenario("slash_missed_deadline")
def slash_missed_deadline_frees_capacity():
    """After a slash the prover's compute is free, its in-flight count drops and it may leave."""
    w = World().funded()
    w.market()
    w.prover(P0, compute=1, stake=250)
    w.join(P0, 0)
    w.ask()
    w.ask(expires_in=1_000)
    w.assign(0)
    w.wait_until(w.deadline() + 1)
    return w.state, [ops.SlashMissedDeadline(MALLORY, 0), assign(1), ops.DiscardTask(P0, 1),
                     ops.RequestMarketExit(P0, 0), ops.LeaveMarket(P0, 0)]


@scenario("slash_missed_deadline", "DEADLINE_NOT_PASSED")
def slash_missed_deadline_at_deadline():
    """At the deadline itself the prover may still deliver: no slash."""
    w = assigned_task()
    w.wait_until(w.deadline())
    return w.state, [ops.SlashMissedDeadline(MALLORY, 0)]


@scenario("slash_missed_deadline", "ASK_NOT_ASSIGNED")
def slash_missed_deadline_twice():
    """A task is slashed once (I5)."""
    w = assigned_task()
    w.wait_until(w.deadline() + 1)
    return w.state, [ops.SlashMissedDeadline(MALLORY, 0), ops.SlashMissedDeadline(CAROL, 0)]


@scenario("slash_missed_deadline", "ASK_NOT_ASSIGNED")
def slash_missed_deadline_completed():
    """A completed task is not slashed."""
    w = assigned_task().do(ops.SubmitProof(P0, 0, proof()))
    w.wait(1_000)
    return w.state, [ops.SlashMissedDeadline(MALLORY, 0)]


@scenario("slash_missed_deadline", "UNKNOWN_ASK")
def slash_missed_deadline_unknown():
    """The ask must exist."""
    return assigned_task().state, [ops.SlashMissedDeadline(MALLORY, 2)]


def _discarded(pre, post):
    return (post.asks[0].state == AskState.DEADLINE_CROSSED and post.provers[P0].stake["POND"] == pre.provers[P0].stake["POND"] - 100
            and post.balances[(ALICE, "USDC")] == pre.balances[(ALICE, "USDC")] + pre.asks[0].escrow)


@scenario("discard_task", check=_discarded)
def discard_task_ok():
    """The assigned prover gives a task up and is slashed at once; the requester is refunded."""
    return assigned_task().state, [ops.DiscardTask(P0, 0)]


@scenario("discard_task")
def discard_task_at_deadline():
    """A discard is possible up to the deadline."""
    w = assigned_task()
    w.wait_until(w.deadline())
    return w.state, [ops.DiscardTask(P0, 0)]


@scenario("discard_task", "DEADLINE_PASSED")
def discard_task_after_deadline():
    """After the deadline the task is slashed for the missed deadline instead."""
    w = assigned_task()
    w.wait_until(w.deadline() + 1)
    return w.state, [ops.DiscardTask(P0, 0)]


@scenario("discard_task", "NOT_ASSIGNED_PROVER")
def discard_task_by_other():
    """Only the assigned prover discards."""
    return assigned_task().state, [ops.DiscardTask(ALICE, 0)]


@scenario("discard_task", "ASK_NOT_ASSIGNED")
def discard_task_unassigned():
    """Only assigned asks."""
    return open_ask().state, [ops.DiscardTask(P0, 0)]


@scenario("discard_task", "UNKNOWN_ASK")
def discard_task_unknown():
    """The ask must exist."""
    return open_ask().state, [ops.DiscardTask(P0, 8)]


@scenario("discard_task", requires=RESTAKED)
def discard_task_restaked():
    """Discarding a restaked task sends a slash request for its restaked backing."""
    return restaked_task().state, [ops.DiscardTask(P0, 0)]
