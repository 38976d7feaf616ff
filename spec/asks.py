"""Asks: proof requests with escrow; cancelled while unassigned, refunded when expired."""
from __future__ import annotations

import attrs

from spec.containers import Ask, State
from spec.env import Env
from spec.errors import (
    AskNotExpired,
    AskNotUnassigned,
    EngineNotAttested,
    InvalidAskParameter,
    NotRequester,
    UnknownAsk,
    require,
)
from spec.events import event
from spec.markets import get_market
from spec.operations import CancelAsk, CreateAsk, ExpireAsk
from spec.tokens import credit, debit
from spec.types import BPS, AskState


def get_ask(state: State, ask_id: int, field: str = "ask_id") -> Ask:
    require(ask_id in state.asks, UnknownAsk, field, f"no ask {ask_id}")
    return state.asks[ask_id]


def close_ask_with_refund(state: State, ask: Ask, outcome: AskState) -> State:
    """Return the whole escrow to the requester and close the ask with `outcome`."""
    closed = attrs.evolve(ask, escrow=0, state=outcome)
    return attrs.evolve(
        state,
        balances=credit(state.balances, ask.requester, state.config.payment_token, ask.escrow),
        asks=state.asks.set(ask.id, closed),
    )


def process_create_ask(state: State, op: CreateAsk, env: Env):
    """A requester escrows max_price + the market's platform fee. Needs max_price > 0,
    expiry > now, proof_time > 0 and a price-vs-time preference in 0..BPS (BPS = price only).
    Private inputs (encrypted to the engine key) need a market whose engine key is attested."""
    market = get_market(state, op.market_id)
    require(op.max_price > 0, InvalidAskParameter, "max_price", "must be > 0")
    require(op.expiry > state.time, InvalidAskParameter, "expiry", f"must be after now ({state.time})")
    require(op.proof_time > 0, InvalidAskParameter, "proof_time", "must be > 0")
    require(0 <= op.price_time_preference <= BPS, InvalidAskParameter, "price_time_preference", f"must be in 0..{BPS}")
    require(
        op.private_inputs is None or market.engine_measurement is not None,
        EngineNotAttested, "private_inputs", f"market {market.id}'s engine key has no attestation",
    )
    escrow = op.max_price + market.platform_fee
    balances = debit(state.balances, op.sender, state.config.payment_token, escrow, field="max_price")
    ask = Ask(
        id=state.next_ask_id,
        market_id=op.market_id,
        requester=op.sender,
        max_price=op.max_price,
        fee=market.platform_fee,
        expiry=op.expiry,
        proof_time=op.proof_time,
        price_time_preference=op.price_time_preference,
        public_inputs=op.public_inputs,
        private_inputs=op.private_inputs,
        created_at=state.time,
        escrow=escrow,
    )
    new = attrs.evolve(state, balances=balances, asks=state.asks.set(ask.id, ask), next_ask_id=ask.id + 1)
    return new, [event("AskCreated", ask_id=ask.id, market_id=op.market_id, requester=op.sender, escrow=escrow)]


def process_cancel_ask(state: State, op: CancelAsk, env: Env):
    """The requester cancels an unassigned ask and gets its escrow back."""
    ask = get_ask(state, op.ask_id)
    require(op.sender == ask.requester, NotRequester, "sender", f"only {ask.requester} may cancel ask {ask.id}")
    require(ask.state == AskState.UNASSIGNED, AskNotUnassigned, "ask_id", f"ask {ask.id} is {ask.state.value}")
    new = close_ask_with_refund(state, ask, AskState.CANCELLED)
    return new, [event("AskCancelled", ask_id=ask.id, refund=ask.escrow)]


def process_expire_ask(state: State, op: ExpireAsk, env: Env):
    """Anyone closes an unassigned ask strictly after its expiry; the requester is refunded."""
    ask = get_ask(state, op.ask_id)
    require(ask.state == AskState.UNASSIGNED, AskNotUnassigned, "ask_id", f"ask {ask.id} is {ask.state.value}")
    require(state.time > ask.expiry, AskNotExpired, "ask_id", f"expiry {ask.expiry}, now {state.time}")
    new = close_ask_with_refund(state, ask, AskState.EXPIRED)
    return new, [event("AskExpired", ask_id=ask.id, refund=ask.escrow)]
