"""Operations: typed, validated inputs to `apply`. Field types are checked on construction
(`MalformedOperation` names the field); protocol rules are checked by the transitions."""
from __future__ import annotations

from typing import Optional

import attrs
from pyrsistent import PMap, pmap

from spec.errors import MalformedOperation
from spec.types import NAME_RULE, is_name


INT_BOUND = 2**255


def is_int(value) -> bool:
    """An integer (not a bool) in [-2^255, 2^255): every integer a signed statement can carry."""
    return type(value) is int and -INT_BOUND <= value < INT_BOUND


def _int(_, attribute, value) -> None:
    if not is_int(value):
        raise MalformedOperation(attribute.name, "must be an integer in [-2^255, 2^255)")


def _str(_, attribute, value) -> None:
    if not is_name(value):
        raise MalformedOperation(attribute.name, NAME_RULE)


def _bytes(_, attribute, value) -> None:
    if not isinstance(value, bytes):
        raise MalformedOperation(attribute.name, "must be bytes")


def _optional_bytes(_, attribute, value) -> None:
    if value is not None and not isinstance(value, bytes):
        raise MalformedOperation(attribute.name, "must be bytes or absent")


def _amounts_of(field: str, value) -> PMap:
    """A map of names to integers (in the signed range), or `MalformedOperation` naming `field`."""
    if not isinstance(value, (dict, PMap)) or not all(is_name(k) and is_int(v) for k, v in value.items()):
        raise MalformedOperation(field, f"must map names ({NAME_RULE}) to integers in [-2^255, 2^255)")
    return pmap(value)


def _token_amounts(value) -> PMap:
    return _amounts_of("slash_amount", value)


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


def _named_amounts(name: str):
    def convert(value) -> PMap:
        return _amounts_of(name, value)

    return convert


def _snapshot_entries(value) -> tuple:
    """Entries (operator, vault_id, amount): two non-empty strings and an integer."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(e, (list, tuple)) for e in value):
        raise MalformedOperation("entries", "must be a list of [operator, vault_id, amount]")
    entries = tuple(tuple(e) for e in value)
    for e in entries:
        if len(e) != 3 or not (is_name(e[0]) and is_name(e[1]) and is_int(e[2])):
            raise MalformedOperation("entries", "must be a list of [operator, vault_id, amount]")
    return entries


@_op("set_restaking_parameters")
class SetRestakingParameters:
    sender: str = STR()
    epoch_length: int = INT()
    offset: int = INT()
    epoch_duration: int = INT()
    veto_duration: int = INT()
    bridge_delay_max: int = INT()


@_op("create_vault")
class CreateVault:
    sender: str = STR()
    vault_id: str = STR()
    epoch_duration: int = INT()
    slasher: str = STR()
    veto_duration: int = INT()
    resolver: str = STR()
    operator_shares: PMap = attrs.field(converter=_named_amounts("operator_shares"))


@_op("vault_deposit")
class VaultDeposit:
    sender: str = STR()
    vault_id: str = STR()
    amount: int = INT()


@_op("vault_withdraw")
class VaultWithdraw:
    sender: str = STR()
    vault_id: str = STR()
    shares: int = INT()


@_op("vault_claim")
class VaultClaim:
    sender: str = STR()
    vault_id: str = STR()
    epoch: int = INT()


@_op("veto_slash")
class VetoSlash:
    sender: str = STR()
    request_id: int = INT()


@_op("execute_slash")
class ExecuteSlash:
    sender: str = STR()
    request_id: int = INT()


@_op("transmit_snapshot_part")
class TransmitSnapshotPart:
    sender: str = STR()
    capture_ts: int = INT()
    index: int = INT()
    count: int = INT()
    entries: tuple = attrs.field(converter=_snapshot_entries)


@_op("resend_slash_request")
class ResendSlashRequest:
    sender: str = STR()
    ask_id: int = INT()


@_op("deliver_message")
class DeliverMessage:
    message_id: int = INT()


@_op("delay_message")
class DelayMessage:
    message_id: int = INT()
    deliver_at: int = INT()


@_op("reorder_messages")
class ReorderMessages:
    first: int = INT()
    second: int = INT()


@_op("duplicate_message")
class DuplicateMessage:
    message_id: int = INT()


@_op("drop_message")
class DropMessage:
    message_id: int = INT()


@_op("retransmit_message")
class RetransmitMessage:
    message_id: int = INT()
