"""`apply(state, op)`: the single entry point of the state machine."""
from __future__ import annotations

from spec import asks, bridge, clock, engine, markets, provers, relay, restaked_stake, restaking, slashing, tasks, tokens
from spec import operations as ops
from spec.containers import State
from spec.env import DEFAULT_ENV, Env
from spec.errors import UnknownOperation
from spec.events import Event

PROCESSORS = {
    ops.Mint: tokens.process_mint,
    ops.AdvanceTime: clock.process_advance_time,
    ops.CreateMarket: markets.process_create_market,
    ops.UpdateMarket: markets.process_update_market,
    ops.AttestEngine: engine.process_attest_engine,
    ops.RegisterProver: provers.process_register_prover,
    ops.RegisterProverKey: engine.process_register_prover_key,
    ops.DepositStake: provers.process_deposit_stake,
    ops.RequestStakeWithdrawal: provers.process_request_stake_withdrawal,
    ops.WithdrawStake: provers.process_withdraw_stake,
    ops.JoinMarket: provers.process_join_market,
    ops.UpdateQuote: provers.process_update_quote,
    ops.RequestMarketExit: provers.process_request_market_exit,
    ops.LeaveMarket: provers.process_leave_market,
    ops.CreateAsk: asks.process_create_ask,
    ops.CancelAsk: asks.process_cancel_ask,
    ops.ExpireAsk: asks.process_expire_ask,
    ops.AssignTask: tasks.process_assign_task,
    ops.SubmitProof: tasks.process_submit_proof,
    ops.SubmitInvalidInputs: tasks.process_submit_invalid_inputs,
    ops.SlashMissedDeadline: slashing.process_slash_missed_deadline,
    ops.DiscardTask: slashing.process_discard_task,
    ops.SetRestakingParameters: restaked_stake.process_set_restaking_parameters,
    ops.ResendSlashRequest: restaked_stake.process_resend_slash_request,
    ops.CreateVault: restaking.process_create_vault,
    ops.VaultDeposit: restaking.process_vault_deposit,
    ops.VaultWithdraw: restaking.process_vault_withdraw,
    ops.VaultClaim: restaking.process_vault_claim,
    ops.VetoSlash: restaking.process_veto_slash,
    ops.ExecuteSlash: restaking.process_execute_slash,
    ops.TransmitSnapshotPart: restaking.process_transmit_snapshot_part,
    ops.DeliverMessage: relay.process_deliver_message,
    ops.DelayMessage: bridge.process_delay_message,
    ops.ReorderMessages: bridge.process_reorder_messages,
    ops.DuplicateMessage: bridge.process_duplicate_message,
    ops.DropMessage: bridge.process_drop_message,
    ops.RetransmitMessage: bridge.process_retransmit_message,
}


def apply(state: State, op, env: Env = DEFAULT_ENV) -> tuple[State, list[Event]]:
    """Apply one operation: returns the new state and the events emitted, or raises a
    `SpecError` (and then no state changed: states are immutable)."""
    processor = PROCESSORS.get(type(op))
    if processor is None:
        raise UnknownOperation("op", f"{type(op).__name__} is not a protocol operation")
    return processor(state, op, env)
