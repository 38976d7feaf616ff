"""Containers: the protocol state as plain frozen data."""
from __future__ import annotations

from typing import Optional

import attrs
from pyrsistent import PMap

from spec.restaking_state import Restaking, RestakingParams, VaultChain
from spec.errors import InvalidConfig
from spec.types import BPS, EMPTY, Address, as_pmap, AskId, AskState, MarketId, MembershipStatus, Token


@attrs.frozen
class Config:
    """Protocol parameters fixed at genesis."""

    payment_token: Token = "USDC"
    stake_tokens: tuple[Token, ...] = ("POND",)
    treasury: Address = "treasury"
    market_creation_fee: int = 1_000
    stake_withdrawal_delay: int = 3_600
    slash_compensation_bps: int = 5_000
    slash_burn_bps: int = 2_500
    restaking: RestakingParams = RestakingParams()

    def __attrs_post_init__(self):
        """Fees and delays are >= 0; the slash shares are >= 0 and add up to at most BPS; the
        stake tokens are distinct, at least one, and differ from the payment token."""
        for name in ("market_creation_fee", "stake_withdrawal_delay", "slash_compensation_bps", "slash_burn_bps"):
            if type(getattr(self, name)) is not int or getattr(self, name) < 0:
                raise InvalidConfig(name, "must be an integer >= 0")
        if self.slash_compensation_bps + self.slash_burn_bps > BPS:
            raise InvalidConfig("slash_burn_bps", f"slash_compensation_bps + slash_burn_bps must be <= {BPS}")
        if not self.stake_tokens or len(set(self.stake_tokens)) != len(self.stake_tokens) or self.payment_token in self.stake_tokens:
            raise InvalidConfig("stake_tokens", "at least one, distinct, none equal to the payment token")

    @property
    def tokens(self) -> tuple[Token, ...]:
        return (self.payment_token, *self.stake_tokens)


@attrs.frozen
class Market:
    """A proof market: what a valid proof is, how asks are matched, and what a task puts at stake.
    `engine_measurement` is the attested enclave measurement of `engine_key` (None: not attested)."""

    id: MarketId
    owner: Address
    verifier_id: str
    matching_protocol: str
    slash_amount: PMap = attrs.field(converter=as_pmap)
    engine_key: str
    platform_fee: int
    engine_measurement: Optional[bytes] = None


@attrs.frozen
class Prover:
    """A registered prover: its compute and its native stake per token (locked is part of stake);
    `encryption_key` is the secp256k1 key the engine re-encrypts private inputs to."""

    address: Address
    reward_address: Address
    declared_compute: int
    compute_in_use: int = 0
    stake: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    locked: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    encryption_key: Optional[str] = None


@attrs.frozen
class Quote:
    price: int
    proposed_time: int
    compute_per_request: int


@attrs.frozen
class Membership:
    """A prover's standing in one market."""

    market_id: MarketId
    prover: Address
    quote: Optional[Quote]
    active_tasks: int = 0
    exit_requested: bool = False

    @property
    def status(self) -> MembershipStatus:
        """REQUESTED_FOR_EXIT, else WIP while a task is in flight, else JOINED with a quote, else NO_COMPUTE_AVAILABLE."""
        if self.exit_requested:
            return MembershipStatus.REQUESTED_FOR_EXIT
        if self.active_tasks > 0:
            return MembershipStatus.WIP
        if self.quote is None:
            return MembershipStatus.NO_COMPUTE_AVAILABLE
        return MembershipStatus.JOINED


@attrs.frozen
class WithdrawalRequest:
    amount: int
    available_at: int


@attrs.frozen
class Assignment:
    """Who proves an ask, for what price, by when, and what it locked."""

    prover: Address
    price: int
    assigned_at: int
    deadline: int
    compute: int
    locked: PMap = attrs.field(converter=as_pmap)


@attrs.frozen
class Ask:
    """A proof request; `escrow` is what the protocol holds for it in the payment token."""

    id: AskId
    market_id: MarketId
    requester: Address
    max_price: int
    fee: int
    expiry: int
    proof_time: int
    price_time_preference: int
    public_inputs: bytes
    private_inputs: Optional[bytes]
    created_at: int
    escrow: int
    state: AskState = AskState.UNASSIGNED
    assignment: Optional[Assignment] = None


@attrs.frozen
class State:
    """The whole protocol state. Maps are persistent; every transition builds a new State."""

    config: Config = Config()
    time: int = 0
    supply: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    balances: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    treasury: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    burnt: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    markets: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    provers: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    memberships: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    asks: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    withdrawals: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    next_market_id: MarketId = 0
    next_ask_id: AskId = 0
    restaking: Restaking = Restaking()


def genesis(config: Config = Config(), time: int = 0) -> State:
    """The empty protocol at `time`: no supply, no markets, no provers."""
    return State(config=config, time=time, restaking=Restaking(vault_chain=VaultChain(time=time)))
