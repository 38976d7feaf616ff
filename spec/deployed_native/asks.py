"""Asks in the ProofMarketplace: creation with a per-byte platform fee, the derived ask
state, cancellation after expiry."""
from __future__ import annotations

import attrs

from spec.deployed_native import operations as ops
from spec.deployed_native.containers import MARKETPLACE, MAX_ACL_BYTES, Ask, AskState, State
from spec.deployed_native.errors import need
from spec.deployed_native.keys import is_enclave
from spec.deployed_native.ledger import increase_claimable, transfer
from spec.deployed_native.markets import get_market
from spec.deployed_native.uint import add, mul
from spec.env import Env
from spec.events import event


def get_ask(state: State, ask_id: int, field: str = "ask_id") -> Ask:
    """`listOfAsk[askId]`: an index past the array panics (0x32)."""
    need(ask_id in state.asks, "PANIC_0x32", field, f"no ask {ask_id}")
    return state.asks[ask_id]


def ask_state(state: State, ask_id: int) -> AskState:
    """ProofMarketplace.sol:460 getAskState at the next transaction's block `now`: a CREATE ask
    is CREATE while expiry > now, else UNASSIGNED (expired: assignable iff now < expiry); an
    ASSIGNED ask is DEADLINE_CROSSED once deadline < now (a proof is on time up to the deadline
    block itself)."""
    ask = get_ask(state, ask_id)
    if ask.stored_state == AskState.CREATE:
        return AskState.CREATE if ask.expiry > state.now else AskState.UNASSIGNED
    if ask.stored_state == AskState.ASSIGNED:
        return AskState.DEADLINE_CROSSED if ask.deadline < state.now else AskState.ASSIGNED
    return ask.stored_state


def platform_fee(state: State, op: ops.CreateAsk) -> int:
    """ProofMarketplace.sol:426 getPlatformFee: costPerInputBytes[secretType] * (prover data +
    private inputs + acl bytes)."""
    per_byte = state.cost_per_input_bytes.get(op.secret_type, 0)
    return mul(len(op.prover_data) + len(op.private_inputs) + len(op.acl), per_byte, "secret_type") if per_byte else 0


def process_create_ask(state: State, op: ops.CreateAsk, env: Env):
    """ProofMarketplace.sol:355/366 createAsk (not while paused: EnforcedPause): reward and
    prover data non-zero (CannotBeZero); expiry > now + minProvingTime[secretType]
    (CannotAssignExpiredTasks); acl <= 130 bytes (InvalidECIESACL); the market active
    (InactiveMarket before activation_block). The sender pays reward + platform fee; the fee is
    the treasury's claimable at once and never refunded; the reward is held. The requester is
    the sender; refunds go to the caller-chosen refund address."""
    need(not state.paused, "EnforcedPause", "sender", "the marketplace is paused")
    need(op.reward != 0 and len(op.prover_data) != 0, "CannotBeZero", "reward", "reward and prover_data must be non-zero")
    need(op.expiry > add(state.now, state.min_proving_time.get(op.secret_type, 0), "expiry"), "CannotAssignExpiredTasks", "expiry",
         f"must be > block {state.now} + min proving time {state.min_proving_time.get(op.secret_type, 0)}")
    need(len(op.acl) <= MAX_ACL_BYTES, "InvalidECIESACL", "acl", f"at most {MAX_ACL_BYTES} bytes")
    market = get_market(state, op.market_id)
    need(state.now >= market.activation_block, "InactiveMarket", "market_id", f"market {op.market_id} activates at block {market.activation_block}")
    fee = platform_fee(state, op)
    state = transfer(state, op.sender, MARKETPLACE, state.config.payment_token, add(op.reward, fee, "reward"), "reward")
    state = increase_claimable(state, state.config.treasury, fee)
    ask_id = len(state.asks)
    ask = Ask(op.market_id, op.reward, op.expiry, op.proof_time, 0, op.refund_address, op.prover_data, AskState.CREATE, op.sender)
    state = attrs.evolve(state, asks=state.asks.set(ask_id, ask))
    private = is_enclave(market.prover_image_id)
    return state, [event("AskCreated", askId=ask_id, hasPrivateInputs=private, secret_data=op.private_inputs if private else b"",
                         acl=op.acl if private else b"", extraData=op.extra_data)]


def process_cancel_ask(state: State, op: ops.CancelAsk, env: Env):
    """ProofMarketplace.sol:551 cancelAsk: ANYONE cancels an ask once it is UNASSIGNED (expired,
    never assigned; OnlyExpiredAsksCanBeCancelled); the reward, not the fee, becomes the refund
    address's claimable; the ask is COMPLETE."""
    need(ask_state(state, op.ask_id) == AskState.UNASSIGNED, "OnlyExpiredAsksCanBeCancelled", "ask_id",
         f"ask {op.ask_id} is {ask_state(state, op.ask_id).value}")
    ask = state.asks[op.ask_id]
    state = attrs.evolve(state, asks=state.asks.set(op.ask_id, attrs.evolve(ask, stored_state=AskState.COMPLETE)))
    return increase_claimable(state, ask.refund_address, ask.reward), [event("AskCancelled", askId=op.ask_id)]
