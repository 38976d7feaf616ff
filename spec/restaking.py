"""The vault chain (Symbiotic-style): vaults with epochs, deposits, withdrawals claimable after
the next epoch ends, stake delegated to operators, and slashers (instant or veto).

Slashing rule (pro-rata): a slash of `amount` for capture t takes from the vault's slashable
pool, active stake plus every withdrawal bucket of an epoch after t's epoch (those are not
claimable before t + epoch_duration). It is capped by the operator's stake at t less what was
already slashed for t, and by the pool. Each part of the pool loses `amount * part // pool`;
the few units rounding leaves are taken one each from the active stake, then the buckets in
epoch order, from parts that still hold some. Nothing goes below zero."""
from __future__ import annotations

import attrs
from pyrsistent import pmap

from spec.bridge import enqueue, evolve_restaking
from spec.containers import State
from spec.env import Env
from spec.epochs import epoch_at, is_epoch_start
from spec.errors import (
    InsufficientShares,
    InvalidAmount,
    InvalidCaptureTimestamp,
    InvalidSnapshotPart,
    InvalidVaultParameter,
    NothingToClaim,
    NotResolver,
    NotVetoSlasher,
    SlashPeriodEnded,
    SlashRequestCompleted,
    UnknownOperator,
    UnknownSlashRequest,
    UnknownVault,
    VaultExists,
    VetoPeriodEnded,
    VetoPeriodNotEnded,
    WithdrawalNotClaimable,
    require,
)
from spec.events import Event, event
from spec.operations import CreateVault, ExecuteSlash, TransmitSnapshotPart, VaultClaim, VaultDeposit, VaultWithdraw, VetoSlash
from spec.restaking_state import (
    RestakingParams,
    Route,
    SlasherKind,
    SlashRequest,
    SlashResult,
    SlashStatus,
    SnapshotPart,
    Vault,
    VaultChain,
    VaultSlashRequest,
)
from spec.tokens import add_to


def get_vault(chain: VaultChain, vault_id: str, field: str = "vault_id") -> Vault:
    require(vault_id in chain.vaults, UnknownVault, field, f"no vault {vault_id!r}")
    return chain.vaults[vault_id]


def vault_epoch(vault: Vault, time: int) -> int:
    return epoch_at(time, vault.created_at, vault.epoch_duration)


def active_at(vault: Vault, time: int) -> int:
    """The vault's active stake at the end of second `time` (0 before its first checkpoint)."""
    value = 0
    for ts, active in vault.history:
        if ts > time:
            break
        value = active
    return value


def operator_stake_at(vault: Vault, operator: str, time: int) -> int:
    """Stake the vault delegates to `operator` for the network at `time`."""
    shares = vault.operator_shares.get(operator, 0)
    return active_at(vault, time) * shares // sum(vault.operator_shares.values())


def _set_active(vault: Vault, active: int, time: int) -> Vault:
    history = vault.history[:-1] if vault.history and vault.history[-1][0] == time else vault.history
    return attrs.evolve(vault, active=active, history=history + ((time, active),))


def _with_vault(state: State, vault: Vault, **chain_changes) -> State:
    chain = state.restaking.vault_chain
    chain = attrs.evolve(chain, vaults=chain.vaults.set(vault.id, vault), **chain_changes)
    return evolve_restaking(state, vault_chain=chain)


def _to_shares(amount: int, total_amount: int, total_shares: int) -> int:
    """Shares worth `amount` (virtual offset of one share and one unit, rounded down)."""
    return amount * (total_shares + 1) // (total_amount + 1)


def _to_amount(shares: int, total_amount: int, total_shares: int) -> int:
    """What `shares` are worth; never more than `total_amount`."""
    return shares * (total_amount + 1) // (total_shares + 1)


def process_create_vault(state: State, op: CreateVault, env: Env):
    """A curator creates a vault with a fresh id, epoch_duration > 0 and a slasher: instant
    (veto_duration 0) or veto (0 < veto_duration < epoch_duration, with a resolver). Operators
    get stake in proportion to their shares (at least one, each > 0)."""
    chain = state.restaking.vault_chain
    require(op.vault_id not in chain.vaults, VaultExists, "vault_id", f"vault {op.vault_id!r} exists")
    require(op.epoch_duration > 0, InvalidVaultParameter, "epoch_duration", "must be > 0")
    kinds = [k.value for k in SlasherKind]
    require(op.slasher in kinds, InvalidVaultParameter, "slasher", f"must be one of {kinds}")
    if op.slasher == SlasherKind.INSTANT.value:
        require(op.veto_duration == 0, InvalidVaultParameter, "veto_duration", "must be 0 for an instant slasher")
    else:
        require(0 < op.veto_duration < op.epoch_duration, InvalidVaultParameter, "veto_duration", "must be in 1..epoch_duration - 1")
    require(len(op.operator_shares) > 0, InvalidVaultParameter, "operator_shares", "must name at least one operator")
    require(all(s > 0 for s in op.operator_shares.values()), InvalidVaultParameter, "operator_shares", "every share must be > 0")
    vault = Vault(
        id=op.vault_id, curator=op.sender, created_at=chain.time, epoch_duration=op.epoch_duration,
        slasher=SlasherKind(op.slasher), veto_duration=op.veto_duration, resolver=op.resolver, operator_shares=op.operator_shares,
    )
    new = _with_vault(state, vault)
    return new, [event("VaultCreated", vault_id=vault.id, epoch_duration=vault.epoch_duration, slasher=vault.slasher.value)]


def process_vault_deposit(state: State, op: VaultDeposit, env: Env):
    """A staker deposits `amount` > 0 of collateral for vault shares (at least one)."""
    chain = state.restaking.vault_chain
    vault = get_vault(chain, op.vault_id)
    require(op.amount > 0, InvalidAmount, "amount", "must be > 0")
    total = sum(vault.active_shares.values())
    shares = _to_shares(op.amount, vault.active, total)
    require(shares > 0, InvalidAmount, "amount", "too small to mint a share")
    vault = _set_active(vault, vault.active + op.amount, chain.time)
    vault = attrs.evolve(vault, active_shares=add_to(vault.active_shares, op.sender, shares))
    new = _with_vault(state, vault, deposited=chain.deposited + op.amount)
    return new, [event("VaultDeposited", vault_id=vault.id, staker=op.sender, amount=op.amount, shares=shares)]


def process_vault_withdraw(state: State, op: VaultWithdraw, env: Env):
    """A staker redeems `shares` of active stake into the withdrawal bucket of the next vault
    epoch, claimable once that epoch ended (so it stays slashable for a whole epoch)."""
    chain = state.restaking.vault_chain
    vault = get_vault(chain, op.vault_id)
    held = vault.active_shares.get(op.sender, 0)
    require(0 < op.shares <= held, InsufficientShares, "shares", f"must be in 1..{held} (shares held)")
    amount = _to_amount(op.shares, vault.active, sum(vault.active_shares.values()))
    epoch = vault_epoch(vault, chain.time) + 1
    bucket, bucket_total = vault.buckets.get(epoch, 0), vault.bucket_shares.get(epoch, 0)
    claim = _to_shares(amount, bucket, bucket_total)
    require(amount > 0 and claim > 0, InvalidAmount, "shares", "too few to withdraw anything")
    vault = _set_active(vault, vault.active - amount, chain.time)
    vault = attrs.evolve(
        vault,
        active_shares=add_to(vault.active_shares, op.sender, -op.shares),
        buckets=vault.buckets.set(epoch, bucket + amount),
        bucket_shares=vault.bucket_shares.set(epoch, bucket_total + claim),
        claims=add_to(vault.claims, (op.sender, epoch), claim),
    )
    new = _with_vault(state, vault)
    return new, [event("VaultWithdrawalRequested", vault_id=vault.id, staker=op.sender, amount=amount, epoch=epoch)]


def process_vault_claim(state: State, op: VaultClaim, env: Env):
    """A staker claims its share of the bucket of `epoch` once that vault epoch ended."""
    chain = state.restaking.vault_chain
    vault = get_vault(chain, op.vault_id)
    require(vault_epoch(vault, chain.time) > op.epoch, WithdrawalNotClaimable, "epoch", f"vault epoch {op.epoch} has not ended")
    claim = vault.claims.get((op.sender, op.epoch), 0)
    require(claim > 0, NothingToClaim, "epoch", f"{op.sender} has no withdrawal in epoch {op.epoch}")
    # a bucket slashed to zero (zero entries are dropped) still owes its claims nothing: read 0
    bucket, bucket_total = vault.buckets.get(op.epoch, 0), vault.bucket_shares.get(op.epoch, 0)
    amount = _to_amount(claim, bucket, bucket_total)
    vault = attrs.evolve(
        vault,
        buckets=add_to(vault.buckets, op.epoch, -amount),
        bucket_shares=add_to(vault.bucket_shares, op.epoch, -claim),
        claims=vault.claims.discard((op.sender, op.epoch)),
    )
    new = _with_vault(state, vault, claimed=chain.claimed + amount)
    return new, [event("VaultWithdrawalClaimed", vault_id=vault.id, staker=op.sender, amount=amount)]


def slashable_until(vault: Vault, capture_ts: int) -> int:
    """Stake captured at t is slashable until t + epoch_duration (inclusive)."""
    return capture_ts + vault.epoch_duration


def slash_vault(vault: Vault, operator: str, capture_ts: int, amount: int, time: int) -> tuple[Vault, int]:
    """Apply the pro-rata slashing rule (module docstring); returns the vault and the amount slashed."""
    after = vault_epoch(vault, capture_ts) + 1
    buckets = sorted((e, b) for e, b in vault.buckets.items() if e >= after)
    parts = [vault.active] + [b for _, b in buckets]
    pool = sum(parts)
    already = vault.slashed_for_capture.get((operator, capture_ts), 0)
    taken = min(amount, operator_stake_at(vault, operator, capture_ts) - already, pool)
    if taken <= 0:
        return vault, 0
    cuts = [taken * p // pool for p in parts]
    for i, part in enumerate(parts):
        if sum(cuts) == taken:
            break
        if part - cuts[i] > 0:
            cuts[i] += 1
    vault = _set_active(vault, vault.active - cuts[0], time)
    new_buckets = vault.buckets
    for (epoch, bucket), cut in zip(buckets, cuts[1:]):
        new_buckets = new_buckets.set(epoch, bucket - cut)
    vault = attrs.evolve(
        vault,
        buckets=new_buckets,
        slashed_for_capture=add_to(vault.slashed_for_capture, (operator, capture_ts), taken),
        slashed=vault.slashed + taken,
    )
    return vault, taken


def _finish(state: State, request: VaultSlashRequest, status: SlashStatus, slashed: int) -> tuple[State, list[Event]]:
    """Record the request's final status and send the result back to the market chain."""
    chain = state.restaking.vault_chain
    done = attrs.evolve(request, status=status, slashed=slashed)
    state = evolve_restaking(state, vault_chain=attrs.evolve(chain, requests=chain.requests.set(done.id, done)))
    state, message = enqueue(state, Route.TO_MARKET_CHAIN, SlashResult(request_id=done.id, status=status, slashed=slashed))
    return state, [event("VaultSlashResolved", request_id=done.id, status=status.value, slashed=slashed, message_id=message.id)]


def _execute(state: State, request: VaultSlashRequest) -> tuple[State, list[Event]]:
    chain = state.restaking.vault_chain
    vault, slashed = slash_vault(chain.vaults[request.vault_id], request.operator, request.capture_ts, request.amount, chain.time)
    return _finish(_with_vault(state, vault), request, SlashStatus.EXECUTED, slashed)


def receive_slash_request(state: State, request: SlashRequest) -> tuple[State, list[Event]]:
    """A slash request arrives on the vault chain. A request already received is ignored
    (idempotent). The vault must exist, the operator hold shares in it, the amount be > 0 and
    the capture in the past. Instant slasher: executed now if the capture is still slashable.
    Veto slasher: pending until `now + veto_duration`, if that is still within the slashable
    window. Otherwise it is EXPIRED: the stake was no longer slashable when the request arrived."""
    chain = state.restaking.vault_chain
    if request.request_id in chain.requests:
        return state, [event("DuplicateIgnored", request_id=request.request_id)]
    vault = get_vault(chain, request.vault_id)
    require(request.operator in vault.operator_shares, UnknownOperator, "operator", f"{request.operator} has no stake in vault {vault.id!r}")
    require(request.amount > 0, InvalidAmount, "amount", "must be > 0")
    require(request.capture_ts < chain.time, InvalidCaptureTimestamp, "capture_ts", f"must be before now ({chain.time})")
    veto_deadline = chain.time + vault.veto_duration
    record = VaultSlashRequest(
        id=request.request_id, vault_id=vault.id, operator=request.operator, capture_ts=request.capture_ts,
        amount=request.amount, received_at=chain.time, veto_deadline=veto_deadline, status=SlashStatus.PENDING,
    )
    if veto_deadline > slashable_until(vault, request.capture_ts):
        return _finish(state, record, SlashStatus.EXPIRED, 0)
    if vault.slasher == SlasherKind.INSTANT:
        return _execute(state, record)
    new = evolve_restaking(state, vault_chain=attrs.evolve(chain, requests=chain.requests.set(record.id, record)))
    return new, [event("VaultSlashRequested", request_id=record.id, vault_id=vault.id, veto_deadline=veto_deadline)]


def get_pending_request(state: State, request_id: int) -> tuple[VaultSlashRequest, Vault]:
    chain = state.restaking.vault_chain
    require(request_id in chain.requests, UnknownSlashRequest, "request_id", f"no slash request {request_id} on the vault chain")
    request = chain.requests[request_id]
    require(request.status == SlashStatus.PENDING, SlashRequestCompleted, "request_id", f"request {request_id} is {request.status.value}")
    vault = chain.vaults[request.vault_id]
    require(vault.slasher == SlasherKind.VETO, NotVetoSlasher, "request_id", f"vault {vault.id!r} has an instant slasher")
    return request, vault


def process_veto_slash(state: State, op: VetoSlash, env: Env):
    """The vault's resolver vetoes a pending request strictly before its veto deadline."""
    request, vault = get_pending_request(state, op.request_id)
    require(op.sender == vault.resolver, NotResolver, "sender", f"only {vault.resolver} may veto for vault {vault.id!r}")
    now = state.restaking.vault_chain.time
    require(now < request.veto_deadline, VetoPeriodEnded, "request_id", f"veto deadline {request.veto_deadline}, now {now}")
    return _finish(state, request, SlashStatus.VETOED, 0)


def process_execute_slash(state: State, op: ExecuteSlash, env: Env):
    """Anyone executes a pending request from its veto deadline on, while the capture is still
    slashable (now <= capture_ts + epoch_duration)."""
    request, vault = get_pending_request(state, op.request_id)
    now = state.restaking.vault_chain.time
    require(now >= request.veto_deadline, VetoPeriodNotEnded, "request_id", f"veto deadline {request.veto_deadline}, now {now}")
    until = slashable_until(vault, request.capture_ts)
    require(now <= until, SlashPeriodEnded, "request_id", f"capture {request.capture_ts} slashable until {until}, now {now}")
    return _execute(state, request)


def network_vaults(chain: VaultChain, params: RestakingParams) -> list[Vault]:
    """Vaults the network accepts: epoch_duration >= the network's, veto_duration <= the network's."""
    return [v for _, v in sorted(chain.vaults.items()) if v.epoch_duration >= params.epoch_duration and v.veto_duration <= params.veto_duration]


def snapshot_entries(state: State, capture_ts: int) -> tuple:
    """What an honest transmitter reports for `capture_ts`: (operator, vault_id, stake) for every
    registered prover with stake > 0 in an accepted vault, sorted."""
    chain = state.restaking.vault_chain
    entries = []
    for vault in network_vaults(chain, state.config.restaking):
        for operator in sorted(vault.operator_shares):
            amount = operator_stake_at(vault, operator, capture_ts)
            if operator in state.provers and amount > 0:
                entries.append((operator, vault.id, amount))
    return tuple(sorted(entries))


def snapshot_parts(state: State, capture_ts: int, count: int) -> list[SnapshotPart]:
    """The honest snapshot for `capture_ts` split round-robin into `count` parts, stamped with
    the acceptance bounds in force now."""
    entries = snapshot_entries(state, capture_ts)
    params = state.config.restaking
    return [
        SnapshotPart(capture_ts, i, count, entries[i::count], epoch_duration=params.epoch_duration, veto_duration=params.veto_duration)
        for i in range(count)
    ]


def process_transmit_snapshot_part(state: State, op: TransmitSnapshotPart, env: Env):
    """The transmitter sends one part of a snapshot over the bridge; the capture must be a
    protocol epoch start strictly before now on the vault chain, and every entry's vault one the
    network accepts now (the vault chain knows each vault's epoch and veto window). The part is
    stamped with the acceptance bounds in force, so a later parameter change cannot stretch the
    window its stake is slashable for. The market chain checks the rest when it arrives."""
    chain = state.restaking.vault_chain
    params = state.config.restaking
    length = params.epoch_length
    require(is_epoch_start(op.capture_ts, length), InvalidCaptureTimestamp, "capture_ts", f"must be a multiple of epoch_length {length}")
    require(0 <= op.capture_ts < chain.time, InvalidCaptureTimestamp, "capture_ts", f"must be in 0..{chain.time - 1}")
    accepted = {v.id for v in network_vaults(chain, params)}
    for _, vault_id, _ in op.entries:
        get_vault(chain, vault_id, "entries")
        require(vault_id in accepted, InvalidSnapshotPart, "entries", f"vault {vault_id!r} is outside the network's epoch_duration / veto_duration bounds")
    part = SnapshotPart(op.capture_ts, op.index, op.count, op.entries, epoch_duration=params.epoch_duration, veto_duration=params.veto_duration)
    new, message = enqueue(state, Route.TO_MARKET_CHAIN, part)
    return new, [event("SnapshotPartSent", capture_ts=op.capture_ts, index=op.index, count=op.count, message_id=message.id)]
