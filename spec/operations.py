"""Operations: typed, validated inputs to `apply`. Field types are checked on construction
(`MalformedOperation` names the field); protocol rules are checked by the transitions."""
from __future__ import annotations

from typing import Optional

import attrs
from pyrsistent import PMap, pmap

from spec.errors import MalformedOperation


INT_BOUND = 2**255


def _int(_, attribute, value) -> None:
    if type(value) is not int or not -INT_BOUND <= value < INT_BOUND:
        raise MalformedOperation(attribute.name, "must be an integer in [-2^255, 2^255)")


def _str(_, attribute, value) -> None:
    if not isinstance(value, str) or not value:
        raise MalformedOperation(attribute.name, "must be a non-empty string")


def _bytes(_, attribute, value) -> None:
    if not isinstance(value, bytes):
        raise MalformedOperation(attribute.name, "must be bytes")


def _optional_bytes(_, attribute, value) -> None:
    if value is not None and not isinstance(value, bytes):
        raise MalformedOperation(attribute.name, "must be bytes or absent")


def _token_amounts(value) -> PMap:
    if not hasattr(value, "items"):
        raise MalformedOperation("slash_amount", "must map token names to integer amounts")
    for token, amount in value.items():
        if not isinstance(token, str) or type(amount) is not int:
            raise MalformedOperation("slash_amount", "must map token names to integer amounts")
    return pmap(value)


def INT():
    return attrs.field(validator=_int)


def STR():
    return attrs.field(validator=_str)


def _op(name: str):
    """Register an operation class under its wire name (`op` in vectors)."""

    def wrap(cls):
        cls = attrs.resolve_types(attrs.frozen(cls), globals())
        cls.name = name
        OPERATIONS[name] = cls
        return cls

    return wrap


OPERATIONS: dict[str, type] = {}


@_op("mint")
class Mint:
    account: str = STR()
    token: str = STR()
    amount: int = INT()


@_op("advance_time")
class AdvanceTime:
    seconds: int = INT()


@_op("create_market")
class CreateMarket:
    sender: str = STR()
    verifier_id: str = STR()
    matching_protocol: str = STR()
    slash_amount: PMap = attrs.field(converter=_token_amounts)
    engine_key: str = STR()
    platform_fee: int = INT()


@_op("update_market")
class UpdateMarket:
    sender: str = STR()
    market_id: int = INT()
    slash_amount: PMap = attrs.field(converter=_token_amounts)
    engine_key: str = STR()
    platform_fee: int = INT()


@_op("attest_engine")
class AttestEngine:
    sender: str = STR()
    market_id: int = INT()
    measurement: bytes = attrs.field(validator=_bytes)
    attestation: bytes = attrs.field(validator=_bytes)


@_op("register_prover")
class RegisterProver:
    sender: str = STR()
    reward_address: str = STR()
    declared_compute: int = INT()


@_op("register_prover_key")
class RegisterProverKey:
    sender: str = STR()
    encryption_key: str = STR()


@_op("deposit_stake")
class DepositStake:
    sender: str = STR()
    token: str = STR()
    amount: int = INT()


@_op("request_stake_withdrawal")
class RequestStakeWithdrawal:
    sender: str = STR()
    token: str = STR()
    amount: int = INT()


@_op("withdraw_stake")
class WithdrawStake:
    sender: str = STR()
    token: str = STR()


@_op("join_market")
class JoinMarket:
    sender: str = STR()
    market_id: int = INT()
    price: int = INT()
    proposed_time: int = INT()
    compute_per_request: int = INT()


@_op("update_quote")
class UpdateQuote:
    sender: str = STR()
    market_id: int = INT()
    price: int = INT()
    proposed_time: int = INT()
    compute_per_request: int = INT()


@_op("request_market_exit")
class RequestMarketExit:
    sender: str = STR()
    market_id: int = INT()


@_op("leave_market")
class LeaveMarket:
    sender: str = STR()
    market_id: int = INT()


@_op("create_ask")
class CreateAsk:
    sender: str = STR()
    market_id: int = INT()
    max_price: int = INT()
    expiry: int = INT()
    proof_time: int = INT()
    price_time_preference: int = INT()
    public_inputs: bytes = attrs.field(validator=_bytes)
    private_inputs: Optional[bytes] = attrs.field(default=None, validator=_optional_bytes)


@_op("cancel_ask")
class CancelAsk:
    sender: str = STR()
    ask_id: int = INT()


@_op("expire_ask")
class ExpireAsk:
    sender: str = STR()
    ask_id: int = INT()


@_op("assign_task")
class AssignTask:
    sender: str = STR()
    ask_id: int = INT()
    prover: str = STR()
    price: int = INT()
    signature: bytes = attrs.field(validator=_bytes)


@_op("submit_proof")
class SubmitProof:
    sender: str = STR()
    ask_id: int = INT()
    proof: bytes = attrs.field(validator=_bytes)


@_op("submit_invalid_inputs")
class SubmitInvalidInputs:
    sender: str = STR()
    ask_id: int = INT()
    signature: bytes = attrs.field(validator=_bytes)


@_op("slash_missed_deadline")
class SlashMissedDeadline:
    sender: str = STR()
    ask_id: int = INT()


@_op("discard_task")
class DiscardTask:
    sender: str = STR()
    ask_id: int = INT()
