"""Markets: created by anyone for a fee; fix the verifier, the matching protocol, the stake a
task locks, the engine key and the platform fee."""
from __future__ import annotations

import attrs
from pyrsistent import PMap

from spec.containers import Market, State
from spec.env import Env
from spec.errors import (
    InvalidMarketParameter,
    NotMarketOwner,
    UnknownMarket,
    UnknownMatchingProtocol,
    UnknownVerifier,
    require,
)
from spec.events import event
from spec.operations import CreateMarket, UpdateMarket
from spec.restaked_stake import require_restaking_feasible
from spec.signing import is_public_key
from spec.tokens import add_to, debit
from spec.types import MATCHING_PROTOCOLS


def get_market(state: State, market_id: int, field: str = "market_id") -> Market:
    require(market_id in state.markets, UnknownMarket, field, f"no market {market_id}")
    return state.markets[market_id]


def check_market_parameters(state: State, slash_amount: PMap, engine_key: str, platform_fee: int) -> None:
    """slash_amount names only stake tokens, at least one, each > 0; engine_key is a secp256k1
    public key; platform_fee >= 0. A slash_amount in the restaking stake token needs restaking
    parameters under which the key safety rule can hold."""
    require(len(slash_amount) > 0, InvalidMarketParameter, "slash_amount", "must name at least one stake token")
    for token, amount in slash_amount.items():
        require(token in state.config.stake_tokens, InvalidMarketParameter, "slash_amount", f"{token!r} is not a stake token")
        require(amount > 0, InvalidMarketParameter, "slash_amount", f"amount for {token!r} must be > 0")
    require(is_public_key(engine_key), InvalidMarketParameter, "engine_key", "must be a compressed secp256k1 public key: 66 lower-case hex digits")
    require(platform_fee >= 0, InvalidMarketParameter, "platform_fee", "must be >= 0")
    if state.config.restaking.stake_token in slash_amount:
        require_restaking_feasible(state.config.restaking, "slash_amount")


def process_create_market(state: State, op: CreateMarket, env: Env):
    """Anyone creates a market by paying `market_creation_fee` to the treasury; the verifier must
    be known and the matching protocol one of the protocol's tags."""
    require(op.verifier_id in env.verifiers, UnknownVerifier, "verifier_id", f"{op.verifier_id!r} is not registered")
    require(op.matching_protocol in MATCHING_PROTOCOLS, UnknownMatchingProtocol, "matching_protocol", f"must be one of {sorted(MATCHING_PROTOCOLS)}")
    check_market_parameters(state, op.slash_amount, op.engine_key, op.platform_fee)
    fee = state.config.market_creation_fee
    token = state.config.payment_token
    balances = debit(state.balances, op.sender, token, fee, field="sender")
    market = Market(
        id=state.next_market_id,
        owner=op.sender,
        verifier_id=op.verifier_id,
        matching_protocol=op.matching_protocol,
        slash_amount=op.slash_amount,
        engine_key=op.engine_key,
        platform_fee=op.platform_fee,
    )
    new = attrs.evolve(
        state,
        balances=balances,
        treasury=add_to(state.treasury, token, fee),
        markets=state.markets.set(market.id, market),
        next_market_id=market.id + 1,
    )
    return new, [event("MarketCreated", market_id=market.id, owner=op.sender, fee=fee)]


def process_update_market(state: State, op: UpdateMarket, env: Env):
    """The market's owner replaces its slash_amount, engine key and platform fee; tasks already
    assigned keep what they locked. A new engine key needs a new attestation."""
    market = get_market(state, op.market_id)
    require(op.sender == market.owner, NotMarketOwner, "sender", f"only {market.owner} may update market {market.id}")
    check_market_parameters(state, op.slash_amount, op.engine_key, op.platform_fee)
    measurement = market.engine_measurement if op.engine_key == market.engine_key else None
    updated = attrs.evolve(
        market, slash_amount=op.slash_amount, engine_key=op.engine_key, platform_fee=op.platform_fee, engine_measurement=measurement
    )
    new = attrs.evolve(state, markets=state.markets.set(market.id, updated))
    return new, [event("MarketUpdated", market_id=market.id)]
