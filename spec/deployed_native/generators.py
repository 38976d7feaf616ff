"""Provers ("generators") in the GeneratorRegistry: registration, stake, declared compute."""
from __future__ import annotations

import attrs

from spec.deployed_native import operations as ops
from spec.deployed_native.containers import EXPONENT, REDUCTION_REQUEST_BLOCK_GAP, REGISTRY, Generator, State
from spec.deployed_native.errors import need
from spec.deployed_native.keys import is_zero
from spec.deployed_native.ledger import transfer
from spec.deployed_native.uint import add, div, mul, sub
from spec.env import Env
from spec.events import event


def is_registered(state: State, address: str) -> bool:
    """A registry entry with a reward address and data (GeneratorRegistry.sol:217, :308)."""
    generator = state.provers.get(address)
    return generator is not None and not is_zero(generator.reward_address) and len(generator.data) > 0


def _put(state: State, address: str, generator: Generator) -> State:
    return attrs.evolve(state, provers=state.provers.set(address, generator))


def process_register_prover(state: State, op: ops.RegisterProver, env: Env):
    """GeneratorRegistry.sol:157 register: data, reward address and declared compute non-zero
    (CannotBeZero), once until deregistered (GeneratorAlreadyExists); the optional initial
    stake is pulled from the sender; both utilisations start at EXPONENT (no intent)."""
    need(len(op.data) > 0 and not is_zero(op.reward_address) and op.declared_compute != 0, "CannotBeZero", "declared_compute",
         "data, reward address and declared compute must be non-zero")
    need(op.sender not in state.provers, "GeneratorAlreadyExists", "sender", f"{op.sender} is registered")
    generator = Generator(op.reward_address, op.initial_stake, 0, 0, 0, 0, op.declared_compute, EXPONENT, EXPONENT, op.data)
    state = _put(state, op.sender, generator)
    if op.initial_stake != 0:
        state = transfer(state, op.sender, REGISTRY, state.config.staking_token, op.initial_stake, "initial_stake")
    return state, [event("RegisteredGenerator", generator=op.sender, initialCompute=op.declared_compute, initialStake=op.initial_stake)]


def process_change_reward_address(state: State, op: ops.ChangeRewardAddress, env: Env):
    """GeneratorRegistry.sol:198 changeRewardAddress: where proofs are paid from now on, read
    at proof time."""
    need(not is_zero(op.reward_address) and op.sender in state.provers, "CannotBeZero", "reward_address", "must be a registered prover and a non-zero address")
    state = _put(state, op.sender, attrs.evolve(state.provers[op.sender], reward_address=op.reward_address))
    return state, [event("ChangedGeneratorRewardAddress", generator=op.sender, newRewardAddress=op.reward_address)]


def process_increase_declared_compute(state: State, op: ops.IncreaseDeclaredCompute, env: Env):
    """GeneratorRegistry.sol:213 increaseDeclaredCompute: any amount, at once."""
    need(is_registered(state, op.sender), "CannotBeZero", "sender", f"{op.sender} is not registered")
    generator = state.provers[op.sender]
    state = _put(state, op.sender, attrs.evolve(generator, declared_compute=add(generator.declared_compute, op.compute, "compute")))
    return state, [event("IncreasedCompute", generator=op.sender, compute=op.compute)]


def process_request_compute_decrease(state: State, op: ops.RequestComputeDecrease, env: Env):
    """GeneratorRegistry.sol:230 intendToReduceCompute: one intent at a time
    (RequestAlreadyInPlace); the new total must stay strictly above the sum of per-market
    allocations (ExceedsAcceptableRange); the intent is kept as a utilisation
    floor((declared - compute) * EXPONENT / declared), executable REDUCTION_REQUEST_BLOCK_GAP
    blocks later."""
    need(is_registered(state, op.sender) and op.compute != 0, "CannotBeZero", "compute", "registered prover, compute > 0")
    generator = state.provers[op.sender]
    need(generator.intended_compute_utilization == EXPONENT, "RequestAlreadyInPlace", "sender", "a compute reduction is pending")
    new_total = sub(generator.declared_compute, op.compute, "compute")
    need(new_total > generator.sum_of_compute_allocations, "ExceedsAcceptableRange", "compute",
         f"{new_total} left must exceed the markets' allocations {generator.sum_of_compute_allocations}")
    utilization = div(mul(new_total, EXPONENT, "compute"), generator.declared_compute, "compute")
    need(utilization < EXPONENT, "ExceedsAcceptableRange", "compute", "utilisation must drop")
    state = _put(state, op.sender, attrs.evolve(generator, intended_compute_utilization=utilization))
    state = attrs.evolve(state, reduce_compute_request_block=state.reduce_compute_request_block.set(op.sender, state.now + REDUCTION_REQUEST_BLOCK_GAP))
    return state, [event("RequestComputeDecrease", generator=op.sender, intendedUtilization=utilization)]


def process_decrease_declared_compute(state: State, op: ops.DecreaseDeclaredCompute, env: Env):
    """GeneratorRegistry.sol:268 decreaseDeclaredCompute: the new total is
    floor(utilisation * declared / EXPONENT) (rounding may take more than was asked); it must
    cover the compute consumed and the allocations (InsufficientGeneratorComputeAvailable), from
    the request's block on (ReductionRequestNotValid)."""
    need(is_registered(state, op.sender), "InvalidGenerator", "sender", f"{op.sender} is not registered")
    generator = state.provers[op.sender]
    need(generator.intended_compute_utilization != EXPONENT, "ReduceComputeRequestNotInPlace", "sender", "no compute reduction requested")
    new_total = mul(generator.intended_compute_utilization, generator.declared_compute, "declared_compute") // EXPONENT
    need(new_total >= generator.compute_consumed, "InsufficientGeneratorComputeAvailable", "sender", "tasks hold more compute")
    need(new_total >= generator.sum_of_compute_allocations, "InsufficientGeneratorComputeAvailable", "sender", "market allocations exceed it")
    at = state.reduce_compute_request_block.get(op.sender, 0)
    need(at != 0 and state.now >= at, "ReductionRequestNotValid", "sender", f"executable from block {at}")
    released = generator.declared_compute - new_total
    state = _put(state, op.sender, attrs.evolve(generator, declared_compute=new_total, intended_compute_utilization=EXPONENT))
    state = attrs.evolve(state, reduce_compute_request_block=state.reduce_compute_request_block.discard(op.sender))
    return state, [event("DecreaseCompute", generator=op.sender, compute=released)]


def process_deposit_stake(state: State, op: ops.DepositStake, env: Env):
    """GeneratorRegistry.sol:306 stake(generator, amount): anyone tops up any registered
    prover's stake (InvalidGenerator), amount > 0 (CannotBeZero), paid by the sender."""
    need(is_registered(state, op.prover), "InvalidGenerator", "prover", f"{op.prover} is not registered")
    need(op.amount != 0, "CannotBeZero", "amount", "must be > 0")
    state = transfer(state, op.sender, REGISTRY, state.config.staking_token, op.amount)
    generator = state.provers[op.prover]
    state = _put(state, op.prover, attrs.evolve(generator, total_stake=add(generator.total_stake, op.amount, "amount")))
    return state, [event("AddedStake", generator=op.prover, amount=op.amount)]


def process_request_stake_withdrawal(state: State, op: ops.RequestStakeWithdrawal, env: Env):
    """GeneratorRegistry.sol:327 intendToReduceStake: the guard against a second request reads
    the COMPUTE utilisation (:336), so a stake intent overwrites a pending one, and a pending
    compute reduction blocks it; the intent is the utilisation floor((total - amount) * EXPONENT
    / total), executable REDUCTION_REQUEST_BLOCK_GAP (1) block later."""
    need(is_registered(state, op.sender) and op.amount != 0, "CannotBeZero", "amount", "registered prover, amount > 0")
    generator = state.provers[op.sender]
    need(generator.intended_compute_utilization == EXPONENT, "RequestAlreadyInPlace", "sender", "a compute reduction is pending")
    new_total = sub(generator.total_stake, op.amount, "amount")
    utilization = div(mul(new_total, EXPONENT, "amount"), generator.total_stake, "amount")
    state = _put(state, op.sender, attrs.evolve(generator, intended_stake_utilization=utilization))
    state = attrs.evolve(state, unstake_request_block=state.unstake_request_block.set(op.sender, state.now + REDUCTION_REQUEST_BLOCK_GAP))
    return state, [event("RequestStakeDecrease", generator=op.sender, intendedUtilization=utilization)]


def process_withdraw_stake(state: State, op: ops.WithdrawStake, env: Env):
    """GeneratorRegistry.sol:354 unstake(to): sends total - floor(utilisation * total /
    EXPONENT) to `to`, if what stays covers the locked stake (InsufficientStakeToLock), from the
    request's block on (ReductionRequestNotValid, checked after the transfer)."""
    need(is_registered(state, op.sender), "InvalidGenerator", "sender", f"{op.sender} is not registered")
    generator = state.provers[op.sender]
    need(generator.intended_stake_utilization != EXPONENT, "UnstakeRequestNotInPlace", "sender", "no stake reduction requested")
    new_total = mul(generator.intended_stake_utilization, generator.total_stake, "total_stake") // EXPONENT
    amount = generator.total_stake - new_total
    need(new_total >= generator.stake_locked, "InsufficientStakeToLock", "sender", f"{generator.stake_locked} is locked")
    state = transfer(state, REGISTRY, op.to, state.config.staking_token, amount, "to")
    at = state.unstake_request_block.get(op.sender, 0)
    need(at != 0 and state.now >= at, "ReductionRequestNotValid", "sender", f"executable from block {at}")
    state = _put(state, op.sender, attrs.evolve(generator, total_stake=new_total, intended_stake_utilization=EXPONENT))
    state = attrs.evolve(state, unstake_request_block=state.unstake_request_block.discard(op.sender))
    return state, [event("RemovedStake", generator=op.sender, amount=amount)]


def process_deregister_prover(state: State, op: ops.DeregisterProver, env: Env):
    """GeneratorRegistry.sol:392 deregister(refundAddress): once no market allocation is left
    (CannotLeaveWithActiveMarket), the whole stake goes to `refund_address` at once (no delay,
    a pending intent or not) and the entry is deleted; an unregistered sender deregisters
    nothing, successfully."""
    generator = state.provers.get(op.sender)
    need(generator is None or generator.sum_of_compute_allocations == 0, "CannotLeaveWithActiveMarket", "sender", "leave every market first")
    amount = 0 if generator is None else generator.total_stake
    state = transfer(state, REGISTRY, op.refund_address, state.config.staking_token, amount, "refund_address")
    state = attrs.evolve(state, provers=state.provers.discard(op.sender))
    return state, [event("DeregisteredGenerator", generator=op.sender)]
