"""`apply(state, op, env)` for the deployed_restaking fork: one dispatch table. The faucet's
`mint` is kept from the design; the clock is in seconds. Each accepted operation but
`advance_time` is one transaction in its own block: block + 1, timestamp + 1 (docs/forks.md)."""
from __future__ import annotations

import attrs

from spec import transition as design
from spec.deployed_restaking import bids, bridge, pools
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.containers import State
from spec.env import DEFAULT_ENV, Env
from spec.errors import InvalidTimeStep, UnknownOperation
from spec.events import Event
from spec.operations import Mint

MAX_ADVANCE = 2**32


def process_advance_time(state: State, op: ops.AdvanceTime, env: Env):
    """The chain's clock: the next block's timestamp moves `seconds` (0 < seconds <= 2^32) on."""
    if not 0 < op.seconds <= MAX_ADVANCE:
        raise InvalidTimeStep("seconds", f"must be in (0, {MAX_ADVANCE}]")
    return attrs.evolve(state, time=state.time + op.seconds), []


PROCESSORS = {
    Mint: design.PROCESSORS[Mint],
    ops.AdvanceTime: process_advance_time,
    ops.CreateMarket: bids.process_create_market,
    ops.RegisterProver: bids.process_register_prover,
    ops.JoinMarket: bids.process_join_market,
    ops.Stake: pools.process_stake,
    ops.RequestStakeWithdrawal: pools.process_request_stake_withdrawal,
    ops.WithdrawStake: pools.process_withdraw_stake,
    ops.CreateBid: bids.process_create_bid,
    ops.CancelBid: bids.process_cancel_bid,
    ops.AssignTask: bids.process_assign_task,
    ops.SubmitProof: bids.process_submit_proof,
    ops.RefundFees: bids.process_refund_fees,
    ops.ClaimProverFeeReward: bids.process_claim_prover_fee_reward,
    ops.SubmitVaultSnapshot: bridge.process_submit_vault_snapshot,
    ops.SubmitSlashResult: bridge.process_submit_slash_result,
    ops.EmergencyWithdraw: pools.process_emergency_withdraw,
}


def apply(state: State, op, env: Env = DEFAULT_ENV) -> tuple[State, list[Event]]:
    """Apply one operation (one transaction): the new state and its events, or a `SpecError`
    (the revert; nothing changed, the head included)."""
    processor = PROCESSORS.get(type(op))
    if processor is None:
        raise UnknownOperation("op", f"{type(op).__name__} is not a deployed_restaking operation")
    new, events = processor(state, op, env)
    if not isinstance(op, ops.AdvanceTime):
        new = attrs.evolve(new, block=new.block + 1, time=new.time + 1)
    return new, events


__all__ = ["apply", "PROCESSORS"]
