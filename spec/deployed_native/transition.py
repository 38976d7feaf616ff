"""`apply(state, op, env)` for the deployed_native fork: one dispatch table. The design's
`mint` (the faucet) is kept; everything else is the fork's own. Each accepted operation but
`advance_blocks` is one transaction mined in its own block (docs/forks.md)."""
from __future__ import annotations

import attrs

from spec import operations as design_ops
from spec import transition as design
from spec.deployed_native import asks, generators, keyregistry, markets, memberships, tasks
from spec.deployed_native import operations as ops
from spec.deployed_native.containers import State
from spec.env import DEFAULT_ENV, Env
from spec.errors import UnknownOperation
from spec.events import Event

INHERITED = (design_ops.Mint,)

PROCESSORS = {
    **{op: process for op, process in design.PROCESSORS.items() if op in INHERITED},
    ops.AdvanceBlocks: markets.process_advance_blocks,
    ops.Flush: markets.process_flush,
    ops.SetMatchingEngineImage: keyregistry.process_set_matching_engine_image,
    ops.VerifyMatchingEngine: keyregistry.process_verify_matching_engine,
    ops.UpdateCostPerBytes: markets.process_update_cost_per_bytes,
    ops.UpdateMinProvingTime: markets.process_update_min_proving_time,
    ops.Pause: markets.process_pause,
    ops.Unpause: markets.process_unpause,
    ops.CreateMarket: markets.process_create_market,
    ops.AddExtraImages: markets.process_add_extra_images,
    ops.RemoveExtraImages: markets.process_remove_extra_images,
    ops.FreezeMarket: markets.process_freeze_market,
    ops.RegisterProver: generators.process_register_prover,
    ops.ChangeRewardAddress: generators.process_change_reward_address,
    ops.IncreaseDeclaredCompute: generators.process_increase_declared_compute,
    ops.RequestComputeDecrease: generators.process_request_compute_decrease,
    ops.DecreaseDeclaredCompute: generators.process_decrease_declared_compute,
    ops.DepositStake: generators.process_deposit_stake,
    ops.RequestStakeWithdrawal: generators.process_request_stake_withdrawal,
    ops.WithdrawStake: generators.process_withdraw_stake,
    ops.DeregisterProver: generators.process_deregister_prover,
    ops.JoinMarket: memberships.process_join_market,
    ops.RequestMarketExit: memberships.process_request_market_exit,
    ops.LeaveMarket: memberships.process_leave_market,
    ops.AddIvsKey: keyregistry.process_add_ivs_key,
    ops.UpdateEncryptionKey: keyregistry.process_update_encryption_key,
    ops.RemoveEncryptionKey: keyregistry.process_remove_encryption_key,
    ops.CreateAsk: asks.process_create_ask,
    ops.CancelAsk: asks.process_cancel_ask,
    ops.AssignTask: tasks.process_assign_task,
    ops.RelayBatchAssignTasks: tasks.process_relay_batch_assign_tasks,
    ops.SubmitProof: tasks.process_submit_proof,
    ops.SubmitProofs: tasks.process_submit_proofs,
    ops.SubmitInvalidInputs: tasks.process_submit_invalid_inputs,
    ops.SlashMissedDeadline: tasks.process_slash_missed_deadline,
    ops.DiscardTask: tasks.process_discard_task,
}


def apply(state: State, op, env: Env = DEFAULT_ENV) -> tuple[State, list[Event]]:
    """Apply one operation (one transaction): the new state and its events, or a `SpecError`
    (the revert; nothing changed, the head included)."""
    processor = PROCESSORS.get(type(op))
    if processor is None:
        raise UnknownOperation("op", f"{type(op).__name__} is not a deployed_native operation")
    new, events = processor(state, op, env)
    if not isinstance(op, ops.AdvanceBlocks):
        new = attrs.evolve(new, block=new.block + 1)
    return new, events
