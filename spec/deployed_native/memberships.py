"""A prover's standing per market (GeneratorRegistry): joining, exiting, and the task
bookkeeping the marketplace drives (lock on assignment, release on completion, slash)."""
from __future__ import annotations

import attrs

from spec.deployed_native import operations as ops
from spec.deployed_native.containers import EXPONENT, PARALLEL_REQUESTS_UPPER_LIMIT, REGISTRY, GeneratorState, Membership, State
from spec.deployed_native.errors import need
from spec.deployed_native.keyregistry import attestation_accepted, update_encryption_key
from spec.deployed_native.ledger import transfer
from spec.deployed_native.uint import add, mul
from spec.env import Env
from spec.events import Event, event


def idle_compute(state: State, address: str) -> int:
    """GeneratorRegistry.sol:561 _maxReducableCompute: declared * compute utilisation /
    EXPONENT - consumed, floored at 0."""
    g = state.provers.get(address)
    if g is None:
        return 0
    usable = mul(g.declared_compute, g.intended_compute_utilization, "declared_compute") // EXPONENT
    return max(usable - g.compute_consumed, 0)


def free_stake(state: State, address: str) -> int:
    """GeneratorRegistry.sol:573 _maxReducableStake: total * stake utilisation / EXPONENT -
    locked, floored at 0 (a pending unstake intent already shrinks what tasks can lock)."""
    g = state.provers.get(address)
    if g is None:
        return 0
    usable = mul(g.total_stake, g.intended_stake_utilization, "total_stake") // EXPONENT
    return max(usable - g.stake_locked, 0)


def generator_state(state: State, address: str, market_id: int) -> GeneratorState:
    """GeneratorRegistry.sol:533 getGeneratorState: NULL if not a member, REQUESTED_FOR_EXIT as
    stored, else from the prover's compute over ALL markets: none idle -> NO_COMPUTE_AVAILABLE,
    all idle -> JOINED, some -> WIP."""
    info = state.memberships.get((market_id, address))
    if info is None:
        return GeneratorState.NULL
    if info.state == GeneratorState.REQUESTED_FOR_EXIT:
        return GeneratorState.REQUESTED_FOR_EXIT
    idle = idle_compute(state, address)
    declared = state.provers[address].declared_compute if address in state.provers else 0
    if idle == 0:
        return GeneratorState.NO_COMPUTE_AVAILABLE
    if idle == declared:
        return GeneratorState.JOINED
    return GeneratorState.WIP if idle < declared else GeneratorState.NULL


def require_market(state: State, market_id: int) -> None:
    """GeneratorRegistry.sol:527 _readMarketData / :629: the registry reads the marketplace's
    public `marketData` getter, which reverts WITHOUT data past the array (EMPTY_REVERT, bubbled
    up; not the panic a read inside the marketplace gives); a market without a verifier is
    InvalidMarket (none exists: creation requires one)."""
    need(market_id in state.markets, "EMPTY_REVERT", "market_id", f"no market {market_id}: the marketData getter reverts")


def process_join_market(state: State, op: ops.JoinMarket, env: Env, accepted=attestation_accepted):
    """GeneratorRegistry.sol:470 joinMarketplace: a registered prover (CannotBeZero) with
    proposed_time and compute_per_request > 0 joins a market once (AlreadyJoinedMarket), at its
    quoted `price` (proofGenerationCost); the sum of its per-market allocations must stay <=
    declared compute (CannotBeMoreThanDeclaredCompute). A market need not be active to join. With
    a key, the market's enclave key is set as by updateEncryptionKey (:521)."""
    need(op.sender in state.provers and op.proposed_time != 0 and op.compute_per_request != 0, "CannotBeZero", "compute_per_request",
         "registered prover, proposed_time and compute_per_request > 0")
    require_market(state, op.market_id)
    need((op.market_id, op.sender) not in state.memberships, "AlreadyJoinedMarket", "market_id", f"{op.sender} is in market {op.market_id}")
    g = state.provers[op.sender]
    allocations = add(g.sum_of_compute_allocations, op.compute_per_request, "compute_per_request")
    need(allocations <= g.declared_compute, "CannotBeMoreThanDeclaredCompute", "compute_per_request",
         f"allocations {allocations} > declared {g.declared_compute}")
    g = attrs.evolve(g, sum_of_compute_allocations=allocations, active_marketplaces=g.active_marketplaces + 1)
    membership = Membership(GeneratorState.JOINED, op.compute_per_request, op.price, op.proposed_time, 0)
    state = attrs.evolve(state, provers=state.provers.set(op.sender, g), memberships=state.memberships.set((op.market_id, op.sender), membership))
    events: list[Event] = []
    if op.key is not None:  # :521 updateMarketDedicatedKey
        state, events = update_encryption_key(state, op.sender, op.market_id, op.key, op.image, op.attestation_age_ms, accepted)
    return state, events + [event("JoinedMarketplace", generator=op.sender, marketId=op.market_id, computeAllocation=op.compute_per_request)]


def leave(state: State, address: str, market_id: int) -> tuple[State, list[Event]]:
    """GeneratorRegistry.sol:628 _leaveMarketplace: a member (InvalidGeneratorStatePerMarket)
    without active requests (CannotLeaveMarketWithActiveRequest) gives back its allocation."""
    require_market(state, market_id)
    info = state.memberships.get((market_id, address))
    need(info is not None, "InvalidGeneratorStatePerMarket", "market_id", f"{address} is not in market {market_id}")
    need(info.active_requests == 0, "CannotLeaveMarketWithActiveRequest", "market_id", f"{info.active_requests} requests active")
    g = state.provers[address]
    g = attrs.evolve(g, sum_of_compute_allocations=g.sum_of_compute_allocations - info.compute_per_request, active_marketplaces=g.active_marketplaces - 1)
    state = attrs.evolve(state, provers=state.provers.set(address, g), memberships=state.memberships.discard((market_id, address)))
    return state, [event("LeftMarketplace", generator=address, marketId=market_id)]


def process_request_market_exit(state: State, op: ops.RequestMarketExit, env: Env):
    """GeneratorRegistry.sol:608 _requestForExitMarketplace: a member not already exiting
    (OnlyValidGeneratorsCanRequestExit) is marked REQUESTED_FOR_EXIT (no new tasks) and leaves
    at once if it has no active request."""
    status = generator_state(state, op.sender, op.market_id)
    need(status not in (GeneratorState.NULL, GeneratorState.REQUESTED_FOR_EXIT), "OnlyValidGeneratorsCanRequestExit", "market_id",
         f"{op.sender} is {status.value} in market {op.market_id}")
    info = attrs.evolve(state.memberships[(op.market_id, op.sender)], state=GeneratorState.REQUESTED_FOR_EXIT)
    state = attrs.evolve(state, memberships=state.memberships.set((op.market_id, op.sender), info))
    events = [event("RequestExitMarketplace", generator=op.sender, marketId=op.market_id)]
    if info.active_requests == 0:
        state, left = leave(state, op.sender, op.market_id)
        events += left
    return state, events


def process_leave_market(state: State, op: ops.LeaveMarket, env: Env):
    """GeneratorRegistry.sol:591 leaveMarketplace: no exit request needed, only no active request."""
    return leave(state, op.sender, op.market_id)


def process_request_market_exits(state: State, op: ops.RequestMarketExits, env: Env):
    """GeneratorRegistry.sol:596 requestForExitMarketplaces: each market in order as by
    requestForExitMarketplace; all or none."""
    events: list[Event] = []
    for market_id in op.market_ids:
        state, more = process_request_market_exit(state, ops.RequestMarketExit(op.sender, market_id), env)
        events += more
    return state, events


def process_leave_markets(state: State, op: ops.LeaveMarkets, env: Env):
    """GeneratorRegistry.sol:584 leaveMarketplaces: each market in order as by leaveMarketplace;
    all or none."""
    events: list[Event] = []
    for market_id in op.market_ids:
        state, more = leave(state, op.sender, market_id)
        events += more
    return state, events


def assign_generator_task(state: State, address: str, market_id: int, stake_to_lock: int) -> tuple[State, list[Event]]:
    """GeneratorRegistry.sol:691 assignGeneratorTask: the prover is JOINED or WIP
    (AssignOnlyToIdleGenerators), its idle compute covers the market's compute per request
    (InsufficientGeneratorComputeAvailable), it has at most PARALLEL_REQUESTS_UPPER_LIMIT active
    requests BEFORE this one (`>` at :709: the limit admits 101), and its free stake covers the
    penalty (InsufficientStakeToLock); the penalty is locked and the compute consumed."""
    status = generator_state(state, address, market_id)
    need(status in (GeneratorState.JOINED, GeneratorState.WIP), "AssignOnlyToIdleGenerators", "prover", f"{address} is {status.value}")
    info = state.memberships[(market_id, address)]
    need(info.compute_per_request <= idle_compute(state, address), "InsufficientGeneratorComputeAvailable", "prover", "not enough idle compute")
    need(not info.active_requests > PARALLEL_REQUESTS_UPPER_LIMIT, "MaxParallelRequestsPerMarketExceeded", "prover",
         f"{info.active_requests} active requests > {PARALLEL_REQUESTS_UPPER_LIMIT}")
    need(free_stake(state, address) >= stake_to_lock, "InsufficientStakeToLock", "prover", f"free stake {free_stake(state, address)} < {stake_to_lock}")
    g = state.provers[address]
    g = attrs.evolve(g, stake_locked=g.stake_locked + stake_to_lock, compute_consumed=g.compute_consumed + info.compute_per_request)
    info = attrs.evolve(info, active_requests=info.active_requests + 1)
    state = attrs.evolve(state, provers=state.provers.set(address, g), memberships=state.memberships.set((market_id, address), info))
    return state, [event("StakeLockImposed", generator=address, stake=stake_to_lock), event("ComputeLockImposed", generator=address, compute=info.compute_per_request)]


def complete_generator_task(state: State, address: str, market_id: int, stake_to_release: int) -> tuple[State, list[Event]]:
    """GeneratorRegistry.sol:728 completeGeneratorTask: releases the penalty and the compute
    (OnlyWorkingGenerators if the prover reads NULL or JOINED)."""
    status = generator_state(state, address, market_id)
    need(status not in (GeneratorState.NULL, GeneratorState.JOINED), "OnlyWorkingGenerators", "prover", f"{address} is {status.value}")
    g, info = state.provers[address], state.memberships[(market_id, address)]
    g = attrs.evolve(g, stake_locked=g.stake_locked - stake_to_release, compute_consumed=g.compute_consumed - info.compute_per_request)
    info = attrs.evolve(info, active_requests=info.active_requests - 1)
    state = attrs.evolve(state, provers=state.provers.set(address, g), memberships=state.memberships.set((market_id, address), info))
    return state, [event("StakeLockReleased", generator=address, stake=stake_to_release), event("ComputeLockReleased", generator=address, compute=info.compute_per_request)]


def slash_generator(state: State, address: str, market_id: int, amount: int, reward_address: str) -> tuple[State, list[Event]]:
    """GeneratorRegistry.sol:659 slashGenerator: the whole penalty leaves the prover's stake
    and goes, in staking tokens, to `reward_address` (whoever the marketplace names); the
    compute is released (CannotBeSlashed if the prover reads NULL or JOINED)."""
    status = generator_state(state, address, market_id)
    need(status not in (GeneratorState.NULL, GeneratorState.JOINED), "CannotBeSlashed", "prover", f"{address} is {status.value}")
    g, info = state.provers[address], state.memberships[(market_id, address)]
    info = attrs.evolve(info, active_requests=info.active_requests - 1)
    g = attrs.evolve(g, total_stake=g.total_stake - amount, stake_locked=g.stake_locked - amount, compute_consumed=g.compute_consumed - info.compute_per_request)
    state = attrs.evolve(state, provers=state.provers.set(address, g), memberships=state.memberships.set((market_id, address), info))
    state = transfer(state, REGISTRY, reward_address, state.config.staking_token, amount, "reward_address")
    return state, [event("StakeSlashed", generator=address, stake=amount), event("ComputeLockReleased", generator=address, compute=info.compute_per_request)]
