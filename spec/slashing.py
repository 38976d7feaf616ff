"""Slashing: a missed deadline (anyone, strictly after it, once) or a discard by the prover."""
from __future__ import annotations

import attrs

from spec.asks import close_ask_with_refund, get_ask
from spec.containers import Ask, State
from spec.env import Env
from spec.errors import AskNotAssigned, DeadlineNotPassed, DeadlinePassed, require
from spec.events import Event, event
from spec.operations import DiscardTask, SlashMissedDeadline
from spec.restaked_stake import request_restaked_slash
from spec.tasks import get_assigned_task, release_task
from spec.tokens import add_to, credit
from spec.types import BPS, AskState


def slash_task(state: State, ask: Ask) -> tuple[State, list[Event]]:
    """Take the task's locked native stake from the prover: `slash_compensation_bps` of it to
    the requester, `slash_burn_bps` burnt, the rest to the treasury; its restaked backing
    becomes slash requests to the vault chain. The requester's escrow is refunded in full and
    the ask ends DEADLINE_CROSSED."""
    assignment = ask.assignment
    state, restaked_events = request_restaked_slash(state, ask)
    state = release_task(state, ask)
    prover = state.provers[assignment.prover]
    stake, balances, burnt, treasury = prover.stake, state.balances, state.burnt, state.treasury
    for token, amount in sorted(assignment.locked.items()):
        compensation = amount * state.config.slash_compensation_bps // BPS
        burn = amount * state.config.slash_burn_bps // BPS
        stake = add_to(stake, token, -amount)
        balances = credit(balances, ask.requester, token, compensation)
        burnt = add_to(burnt, token, burn)
        treasury = add_to(treasury, token, amount - compensation - burn)
    state = attrs.evolve(
        state,
        provers=state.provers.set(prover.address, attrs.evolve(prover, stake=stake)),
        balances=balances,
        burnt=burnt,
        treasury=treasury,
    )
    return close_ask_with_refund(state, ask, AskState.DEADLINE_CROSSED), restaked_events


def process_slash_missed_deadline(state: State, op: SlashMissedDeadline, env: Env):
    """Anyone slashes an assigned task strictly after its deadline (I5); it can happen once,
    since the ask leaves ASSIGNED."""
    ask = get_ask(state, op.ask_id)
    require(ask.state == AskState.ASSIGNED, AskNotAssigned, "ask_id", f"ask {ask.id} is {ask.state.value}")
    require(state.time > ask.assignment.deadline, DeadlineNotPassed, "ask_id", f"deadline {ask.assignment.deadline}, now {state.time}")
    new, restaked_events = slash_task(state, ask)
    return new, [event("TaskSlashed", ask_id=ask.id, prover=ask.assignment.prover, reason="missed_deadline")] + restaked_events


def process_discard_task(state: State, op: DiscardTask, env: Env):
    """The assigned prover gives a task up before its deadline and is slashed at once."""
    ask, assignment = get_assigned_task(state, op.ask_id, op.sender)
    require(state.time <= assignment.deadline, DeadlinePassed, "ask_id", f"deadline {assignment.deadline}, now {state.time}")
    new, restaked_events = slash_task(state, ask)
    return new, [event("TaskSlashed", ask_id=ask.id, prover=assignment.prover, reason="discarded")] + restaked_events
