"""Symbolic operations: each `spec.operations` class with its fields over the bounded model.

Addresses are account indices, tokens are token indices (0 = payment token, 1..K = stake
tokens, -1 = a token the protocol does not know), engine keys are key ids (0..engine_keys-1 are
well-formed public keys, any other id a malformed key string). Fields that the spec checks with
an opaque function become booleans: `signature_valid` (the engine's secp256k1 signature over the
statement recovers to the market's key), `proof_valid` (the market's verifier accepts the proof),
`verifier_known`, `protocol_known`. A `slash_amount` map becomes per-token `present`/`amount`
plus `unknown` (it names a token outside the protocol's tokens).
"""
from __future__ import annotations

from typing import Any

import attrs
import z3

from properties.z3.model import Bounds

BOOL = {"kind": "bool"}
PER_TOKEN = {"kind": "per_token"}
PER_TOKEN_BOOL = {"kind": "per_token_bool"}


def _int():
    return attrs.field()


def _bool():
    return attrs.field(metadata=BOOL)


def _per_token():
    return attrs.field(metadata=PER_TOKEN)


def _per_token_bool():
    return attrs.field(metadata=PER_TOKEN_BOOL)


SYMBOLIC_OPERATIONS: dict[str, type] = {}


def _sop(name: str):
    def wrap(cls):
        cls = attrs.frozen(cls)
        cls.name = name
        SYMBOLIC_OPERATIONS[name] = cls
        return cls

    return wrap


@_sop("mint")
class SMint:
    account: Any = _int()
    token: Any = _int()
    amount: Any = _int()


@_sop("advance_time")
class SAdvanceTime:
    seconds: Any = _int()


@_sop("create_market")
class SCreateMarket:
    sender: Any = _int()
    verifier_known: Any = _bool()
    protocol_known: Any = _bool()
    slash_present: Any = _per_token_bool()
    slash_amount: Any = _per_token()
    slash_unknown: Any = _bool()
    engine_key: Any = _int()
    platform_fee: Any = _int()


@_sop("update_market")
class SUpdateMarket:
    sender: Any = _int()
    market_id: Any = _int()
    slash_present: Any = _per_token_bool()
    slash_amount: Any = _per_token()
    slash_unknown: Any = _bool()
    engine_key: Any = _int()
    platform_fee: Any = _int()


@_sop("register_prover")
class SRegisterProver:
    sender: Any = _int()
    reward_address: Any = _int()
    declared_compute: Any = _int()


@_sop("deposit_stake")
class SDepositStake:
    sender: Any = _int()
    token: Any = _int()
    amount: Any = _int()


@_sop("request_stake_withdrawal")
class SRequestStakeWithdrawal:
    sender: Any = _int()
    token: Any = _int()
    amount: Any = _int()


@_sop("withdraw_stake")
class SWithdrawStake:
    sender: Any = _int()
    token: Any = _int()


@_sop("join_market")
class SJoinMarket:
    sender: Any = _int()
    market_id: Any = _int()
    price: Any = _int()
    proposed_time: Any = _int()
    compute_per_request: Any = _int()


@_sop("update_quote")
class SUpdateQuote:
    sender: Any = _int()
    market_id: Any = _int()
    price: Any = _int()
    proposed_time: Any = _int()
    compute_per_request: Any = _int()


@_sop("request_market_exit")
class SRequestMarketExit:
    sender: Any = _int()
    market_id: Any = _int()


@_sop("leave_market")
class SLeaveMarket:
    sender: Any = _int()
    market_id: Any = _int()


@_sop("create_ask")
class SCreateAsk:
    sender: Any = _int()
    market_id: Any = _int()
    max_price: Any = _int()
    expiry: Any = _int()
    proof_time: Any = _int()
    price_time_preference: Any = _int()


@_sop("cancel_ask")
class SCancelAsk:
    sender: Any = _int()
    ask_id: Any = _int()


@_sop("expire_ask")
class SExpireAsk:
    sender: Any = _int()
    ask_id: Any = _int()


@_sop("assign_task")
class SAssignTask:
    sender: Any = _int()
    ask_id: Any = _int()
    prover: Any = _int()
    price: Any = _int()
    signature_valid: Any = _bool()


@_sop("submit_proof")
class SSubmitProof:
    sender: Any = _int()
    ask_id: Any = _int()
    proof_valid: Any = _bool()


@_sop("submit_invalid_inputs")
class SSubmitInvalidInputs:
    sender: Any = _int()
    ask_id: Any = _int()
    signature_valid: Any = _bool()


@_sop("slash_missed_deadline")
class SSlashMissedDeadline:
    sender: Any = _int()
    ask_id: Any = _int()


@_sop("discard_task")
class SDiscardTask:
    sender: Any = _int()
    ask_id: Any = _int()


ACCOUNT_FIELDS = frozenset({"sender", "account", "reward_address", "prover"})


def fresh_op(name: str, bounds: Bounds, prefix: str):
    """A symbolic operation of kind `name` with fresh constants for every field."""
    cls = SYMBOLIC_OPERATIONS[name]
    values = {}
    for f in attrs.fields(cls):
        kind = f.metadata.get("kind")
        label = f"{prefix}.{name}.{f.name}"
        if kind == "bool":
            values[f.name] = z3.Bool(label)
        elif kind == "per_token":
            values[f.name] = tuple(z3.Int(f"{label}[{t}]") for t in range(bounds.tokens))
        elif kind == "per_token_bool":
            values[f.name] = tuple(z3.Bool(f"{label}[{t}]") for t in range(bounds.tokens))
        else:
            values[f.name] = z3.Int(label)
    return cls(**values)


def op_domain(op, bounds: Bounds) -> z3.BoolRef:
    """The universe of the bounded model: addresses are accounts, tokens are known or -1, engine
    key ids are valid keys or -1 (a malformed key)."""
    out = []
    for f in attrs.fields(type(op)):
        value = getattr(op, f.name)
        if f.name in ACCOUNT_FIELDS:
            out.append(z3.And(0 <= value, value < bounds.accounts))
        elif f.name == "token":
            out.append(z3.And(-1 <= value, value < bounds.tokens))
        elif f.name == "engine_key":
            out.append(z3.And(-1 <= value, value < bounds.engine_keys))
    return z3.And(out) if out else z3.BoolVal(True)
