"""Restaked stake on the market chain: snapshots arriving over the bridge, the restaked stake a
prover can put behind tasks, the key safety rule, and slashes of restaked stake sent to the
vault chain and resolved by its answers."""
from __future__ import annotations

from typing import Optional

import attrs
from pyrsistent import pmap

from spec.bridge import enqueue, evolve_restaking
from spec.containers import Ask, State
from spec.env import Env
from spec.epochs import is_epoch_start
from spec.errors import (
    InvalidCaptureTimestamp,
    InvalidRestakingParameter,
    InvalidSlashResult,
    InvalidSnapshotPart,
    KeySafetyRuleViolated,
    NoRestakedSlash,
    NotGovernor,
    StaleCapture,
    UnknownOperator,
    UnknownSlashRequest,
    require,
)
from spec.events import Event, event
from spec.operations import ResendSlashRequest, SetRestakingParameters
from spec.restaking_state import (
    FINAL_SLASH_STATUSES,
    Backing,
    RestakedSlash,
    RestakingParams,
    Route,
    SlashRequest,
    SlashResult,
    SlashStatus,
    Snapshot,
    SnapshotPart,
)
from spec.tokens import add_to


def key_safety_rule_holds(params: RestakingParams, deadline: int, capture_ts: int) -> bool:
    """DESIGN §1 in integer seconds: the slash of a task missing `deadline` can be requested at
    deadline + 1 (I5), reaches the vault chain within bridge_delay_max and clears the veto
    window within veto_duration; all of it must happen while stake captured at capture_ts is
    slashable: deadline + 1 + bridge_delay_max + veto_duration <= capture_ts + epoch_duration."""
    return deadline + 1 + params.bridge_delay_max + params.veto_duration <= capture_ts + params.epoch_duration


def accepted_params(params: RestakingParams, backed) -> RestakingParams:
    """The parameters the key safety rule is checked under for stake from a snapshot (or a
    backing) `backed`: its own acceptance bounds (every vault in it has an epoch at least
    `backed.epoch_duration` and a veto window at most `backed.veto_duration`) with the bridge's
    current bound. A later change of the network's bounds does not change its vaults."""
    return attrs.evolve(params, epoch_duration=backed.epoch_duration, veto_duration=backed.veto_duration)


def max_restaked_proof_time(params: RestakingParams) -> int:
    """The longest proof time restaked stake can back: a snapshot is confirmed `offset` after its
    capture at the earliest, so the rule needs proof_time <=
    epoch_duration - offset - 1 - bridge_delay_max - veto_duration."""
    return params.epoch_duration - params.offset - 1 - params.bridge_delay_max - params.veto_duration


def require_restaking_feasible(params: RestakingParams, field: str) -> None:
    """Parameters under which the key safety rule holds for some task (proof time >= 1)."""
    room = max_restaked_proof_time(params)
    require(
        room >= 1, KeySafetyRuleViolated, field,
        f"epoch_duration - offset - 1 - bridge_delay_max - veto_duration = {room}: no task can be backed by restaked stake",
    )


def confirmed_snapshot(state: State) -> Optional[Snapshot]:
    """The complete snapshot with the latest capture among those at least `offset` old."""
    offset = state.config.restaking.offset
    usable = [s for s in state.restaking.snapshots.values() if s.complete and s.capture_ts + offset <= state.time]
    return max(usable, key=lambda s: s.capture_ts, default=None)


def latest_complete_capture(state: State) -> int:
    return max((s.capture_ts for s in state.restaking.snapshots.values() if s.complete), default=-1)


def encumbered(state: State, prover: str, vault_id: str, snapshot: Snapshot) -> int:
    """Restaked stake the snapshot may still show but a slash takes or took: unresolved
    requests, and executed slashes resolved at or after the snapshot's capture."""
    total = 0
    for s in state.restaking.slashes.values():
        if s.prover != prover or s.vault_id != vault_id:
            continue
        if s.status == SlashStatus.REQUESTED:
            total += s.amount
        elif s.status == SlashStatus.EXECUTED and s.resolved_at >= snapshot.capture_ts:
            total += s.slashed
    return total


def free_restaked_by_vault(state: State, prover: str) -> dict[str, int]:
    """Per vault, the prover's stake in the confirmed snapshot less what tasks lock and slashes
    encumber (never below zero)."""
    snapshot = confirmed_snapshot(state)
    if snapshot is None:
        return {}
    out = {}
    for (operator, vault_id), amount in sorted(snapshot.stakes().items()):
        if operator == prover:
            held = state.restaking.locked.get((prover, vault_id), 0) + encumbered(state, prover, vault_id, snapshot)
            out[vault_id] = max(0, amount - held)
    return out


def free_restaked_stake(state: State, prover: str, token: str) -> int:
    """Restaked stake counts as the restaking stake token only."""
    if token != state.config.restaking.stake_token:
        return 0
    return sum(free_restaked_by_vault(state, prover).values())


def require_key_safety_rule(state: State, deadline: int, env: Env) -> Snapshot:
    """The confirmed snapshot, if a task with `deadline` may be backed by it: the rule holds
    under the snapshot's own acceptance bounds (`accepted_params`)."""
    snapshot = confirmed_snapshot(state)
    safe = key_safety_rule_holds(accepted_params(state.config.restaking, snapshot), deadline, snapshot.capture_ts)
    require(
        safe or env.unsafe_skip_key_safety_rule, KeySafetyRuleViolated, "prover",
        f"deadline {deadline} + 1 + bridge_delay_max + veto_duration {snapshot.veto_duration} > capture {snapshot.capture_ts} + epoch_duration {snapshot.epoch_duration}",
    )
    return snapshot


def lock_restaked(state: State, ask_id: int, prover: str, amount: int, snapshot: Snapshot) -> State:
    """Lock `amount` of the prover's free restaked stake for a task, vault by vault in id order."""
    free = free_restaked_by_vault(state, prover)
    amounts, locked, remaining = {}, state.restaking.locked, amount
    for vault_id, available in sorted(free.items()):
        take = min(available, remaining)
        if take > 0:
            amounts[vault_id] = take
            locked = add_to(locked, (prover, vault_id), take)
            remaining -= take
    backing = Backing(
        prover=prover, capture_ts=snapshot.capture_ts, amounts=amounts,
        epoch_duration=snapshot.epoch_duration, veto_duration=snapshot.veto_duration,
    )
    return evolve_restaking(state, locked=locked, backing=state.restaking.backing.set(ask_id, backing))


def release_restaked(state: State, ask_id: int) -> State:
    """Unlock a task's restaked backing, if it has one."""
    backing = state.restaking.backing.get(ask_id)
    if backing is None:
        return state
    locked = state.restaking.locked
    for vault_id, amount in backing.amounts.items():
        locked = add_to(locked, (backing.prover, vault_id), -amount)
    return evolve_restaking(state, locked=locked, backing=state.restaking.backing.discard(ask_id))


def _send_slash_request(state: State, slash: RestakedSlash) -> tuple[State, Event]:
    request = SlashRequest(slash.id, slash.vault_id, slash.prover, slash.capture_ts, slash.amount)
    state, message = enqueue(state, Route.TO_VAULT_CHAIN, request)
    return state, event("RestakedSlashRequested", ask_id=slash.ask_id, request_id=slash.id, vault_id=slash.vault_id, amount=slash.amount, message_id=message.id)


def request_restaked_slash(state: State, ask: Ask) -> tuple[State, list[Event]]:
    """A slashed task's restaked backing becomes one slash request per vault, sent to the
    vault chain; the backing is released (the request keeps the stake encumbered)."""
    backing = state.restaking.backing.get(ask.id)
    if backing is None:
        return state, []
    state = release_restaked(state, ask.id)
    events = []
    for vault_id, amount in sorted(backing.amounts.items()):
        slash = RestakedSlash(
            id=state.restaking.next_slash_id, ask_id=ask.id, prover=backing.prover, vault_id=vault_id,
            capture_ts=backing.capture_ts, amount=amount, deadline=ask.assignment.deadline, requested_at=state.time,
            epoch_duration=backing.epoch_duration, veto_duration=backing.veto_duration,
        )
        state = evolve_restaking(state, slashes=state.restaking.slashes.set(slash.id, slash), next_slash_id=slash.id + 1)
        state, ev = _send_slash_request(state, slash)
        events.append(ev)
    return state, events


def process_resend_slash_request(state: State, op: ResendSlashRequest, env: Env):
    """Anyone sends again the unresolved restaked slash requests of a task (the vault chain
    ignores a request it already has)."""
    pending = [s for _, s in sorted(state.restaking.slashes.items()) if s.ask_id == op.ask_id and s.status == SlashStatus.REQUESTED]
    require(len(pending) > 0, NoRestakedSlash, "ask_id", f"task {op.ask_id} has no unresolved slash of restaked stake")
    events = []
    for slash in pending:
        state, ev = _send_slash_request(state, slash)
        events.append(ev)
    return state, events


def receive_slash_result(state: State, result: SlashResult) -> tuple[State, list[Event]]:
    """The vault chain's answer resolves a requested slash (once; a repeat is ignored). A vetoed
    or expired slash is recorded as such."""
    slashes = state.restaking.slashes
    require(result.request_id in slashes, UnknownSlashRequest, "request_id", f"no restaked slash {result.request_id}")
    require(result.status in FINAL_SLASH_STATUSES, InvalidSlashResult, "status", f"{result.status.value} is not a final status")
    slash = slashes[result.request_id]
    if slash.status != SlashStatus.REQUESTED:
        return state, [event("DuplicateIgnored", request_id=slash.id)]
    resolved = attrs.evolve(slash, status=result.status, slashed=result.slashed, resolved_at=state.time)
    new = evolve_restaking(state, slashes=slashes.set(slash.id, resolved))
    return new, [event("RestakedSlashResolved", ask_id=slash.ask_id, request_id=slash.id, status=result.status.value, slashed=result.slashed)]


def receive_snapshot_part(state: State, part: SnapshotPart) -> tuple[State, list[Event]]:
    """A snapshot part arrives (in any order). A part already received is ignored. Otherwise:
    the capture is a protocol epoch start before now, newer than the latest complete snapshot
    and still slashable (capture_ts + epoch_duration > now); 0 <= index < count, count as in the
    capture's other parts; entries sorted, each (operator, vault) once across parts, operators
    registered provers, amounts >= 0. The snapshot keeps the weakest acceptance bounds of its
    parts. It is complete when all parts arrived and confirmed `offset` after its capture."""
    params = state.config.restaking
    snapshot = state.restaking.snapshots.get(part.capture_ts)
    if snapshot is not None and snapshot.parts.get(part.index) == part.entries and snapshot.count == part.count:
        return state, [event("DuplicateIgnored", capture_ts=part.capture_ts, index=part.index)]
    require(is_epoch_start(part.capture_ts, params.epoch_length), InvalidCaptureTimestamp, "capture_ts", f"must be a multiple of epoch_length {params.epoch_length}")
    require(0 <= part.capture_ts < state.time, InvalidCaptureTimestamp, "capture_ts", f"must be in 0..{state.time - 1}")
    newest = latest_complete_capture(state)
    require(part.capture_ts > newest, StaleCapture, "capture_ts", f"not newer than the complete snapshot of {newest}")
    require(part.capture_ts + params.epoch_duration > state.time, StaleCapture, "capture_ts", "no longer slashable (capture_ts + epoch_duration <= now)")
    require(part.count >= 1, InvalidSnapshotPart, "count", "must be >= 1")
    require(0 <= part.index < part.count, InvalidSnapshotPart, "index", f"must be in 0..{part.count - 1}")
    if snapshot is not None:
        require(part.count == snapshot.count, InvalidSnapshotPart, "count", f"the capture's other parts say {snapshot.count}")
        require(part.index not in snapshot.parts, InvalidSnapshotPart, "index", f"part {part.index} already received with other entries")
    keys = [(op, vault) for op, vault, _ in part.entries]
    require(keys == sorted(set(keys)), InvalidSnapshotPart, "entries", "must be sorted by (operator, vault_id) without repeats")
    seen = snapshot.stakes() if snapshot is not None else pmap()
    for operator, vault_id, amount in part.entries:
        require(amount >= 0, InvalidSnapshotPart, "entries", f"stake of {operator} in {vault_id!r} must be >= 0")
        require(operator in state.provers, UnknownOperator, "entries", f"{operator} is not a registered prover")
        require((operator, vault_id) not in seen, InvalidSnapshotPart, "entries", f"({operator}, {vault_id!r}) is in another part")
    if snapshot is None:
        snapshot = Snapshot(capture_ts=part.capture_ts, count=part.count, epoch_duration=part.epoch_duration, veto_duration=part.veto_duration)
    snapshot = attrs.evolve(
        snapshot, parts=snapshot.parts.set(part.index, part.entries),
        epoch_duration=min(snapshot.epoch_duration, part.epoch_duration), veto_duration=max(snapshot.veto_duration, part.veto_duration),
    )
    events = [event("SnapshotPartReceived", capture_ts=part.capture_ts, index=part.index, count=part.count)]
    snapshots = state.restaking.snapshots
    if snapshot.complete:
        snapshot = attrs.evolve(snapshot, completed_at=state.time)
        snapshots = pmap({c: s for c, s in snapshots.items() if s.complete or c > part.capture_ts})
        events.append(event("SnapshotCompleted", capture_ts=part.capture_ts, usable_at=part.capture_ts + params.offset))
    return evolve_restaking(state, snapshots=snapshots.set(part.capture_ts, snapshot)), events


def process_set_restaking_parameters(state: State, op: SetRestakingParameters, env: Env):
    """The governor replaces the restaking parameters (stake token and governor stay). Each
    length is > 0 (offset and veto_duration >= 0); the key safety rule must leave room for a
    task (proof time >= 1) and keep holding for every task restaked stake backs now and every
    unresolved restaked slash (its request may still be on the bridge), under the new bridge
    bound and the bounds its vaults were accepted under. Snapshots keep
    their own bounds, so new epoch / veto bounds apply to snapshots sent from now on."""
    params = state.config.restaking
    require(op.sender == params.governor, NotGovernor, "sender", f"only {params.governor} may set restaking parameters")
    for name in ("epoch_length", "epoch_duration", "bridge_delay_max"):
        require(getattr(op, name) > 0, InvalidRestakingParameter, name, "must be > 0")
    for name in ("offset", "veto_duration"):
        require(getattr(op, name) >= 0, InvalidRestakingParameter, name, "must be >= 0")
    new_params = attrs.evolve(
        params, epoch_length=op.epoch_length, offset=op.offset, epoch_duration=op.epoch_duration,
        veto_duration=op.veto_duration, bridge_delay_max=op.bridge_delay_max,
    )
    require_restaking_feasible(new_params, "epoch_duration")
    for ask_id, backing in sorted(state.restaking.backing.items()):
        deadline = state.asks[ask_id].assignment.deadline
        require(
            key_safety_rule_holds(accepted_params(new_params, backing), deadline, backing.capture_ts), KeySafetyRuleViolated, "bridge_delay_max",
            f"task {ask_id} (deadline {deadline}, capture {backing.capture_ts}) would break the rule",
        )
    for _, slash in sorted(state.restaking.slashes.items()):
        if slash.status != SlashStatus.REQUESTED:
            continue
        require(
            key_safety_rule_holds(accepted_params(new_params, slash), slash.deadline, slash.capture_ts), KeySafetyRuleViolated, "bridge_delay_max",
            f"unresolved slash {slash.id} of task {slash.ask_id} (deadline {slash.deadline}, capture {slash.capture_ts}) would break the rule",
        )
    new = attrs.evolve(state, config=attrs.evolve(state.config, restaking=new_params))
    return new, [event("RestakingParametersSet", **{k: getattr(op, k) for k in ("epoch_length", "offset", "epoch_duration", "veto_duration", "bridge_delay_max")})]

