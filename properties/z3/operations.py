"""Symbolic operations: each `spec.operations` class of the foundation, derived from its fields,
over the bounded model.

Addresses are account indices, tokens are token indices (0 = payment token, 1..K = stake
tokens, -1 = a token the protocol does not know), engine keys are key ids (0..engine_keys-1 are
well-formed public keys, any other id a malformed key string). Fields that the spec checks with
an opaque function become booleans: `signature_valid` (the engine's secp256k1 signature over the
statement recovers to the market's key), `proof_valid` (the market's verifier accepts the proof),
`verifier_known`, `protocol_known`, `has_private_inputs`, `measurement_valid` (32 bytes),
`attestation_valid` (the TEE root's signature over the measurement and engine key),
`encryption_key_valid` (a compressed secp256k1 public key). A `slash_amount` map becomes per-token `present`/`amount`
plus `unknown` (it names a token outside the protocol's tokens).
"""
from __future__ import annotations

import attrs
import z3

from properties.z3.model import Bounds
from spec.operations import OPERATIONS

FOUNDATION_OPERATIONS = (
    "mint", "advance_time", "create_market", "update_market", "register_prover", "deposit_stake",
    "request_stake_withdrawal", "withdraw_stake", "join_market", "update_quote", "request_market_exit",
    "leave_market", "create_ask", "cancel_ask", "expire_ask", "assign_task", "submit_proof",
    "submit_invalid_inputs", "slash_missed_deadline", "discard_task", "attest_engine", "register_prover_key",
)
ACCOUNT_FIELDS = frozenset({"sender", "account", "reward_address", "prover"})
CHECKED_BY_THE_SPEC = {"signature": "signature_valid", "proof": "proof_valid", "verifier_id": "verifier_known",
                       "matching_protocol": "protocol_known", "private_inputs": "has_private_inputs",
                       "measurement": "measurement_valid", "attestation": "attestation_valid",
                       "encryption_key": "encryption_key_valid"}
DROPPED = frozenset({"public_inputs"})
SLASH_FIELDS = (("slash_present", "per_token_bool"), ("slash_amount", "per_token"), ("slash_unknown", "bool"))


def _symbolic_fields(spec_cls) -> list[tuple[str, str]]:
    """(name, kind) of the symbolic fields of a spec operation, in the spec's field order."""
    out = []
    for f in attrs.fields(spec_cls):
        if f.name in DROPPED:
            continue
        if f.name == "slash_amount":
            out += SLASH_FIELDS
        elif f.name in CHECKED_BY_THE_SPEC:
            out.append((CHECKED_BY_THE_SPEC[f.name], "bool"))
        else:
            out.append((f.name, "int"))
    return out


def _derive(spec_cls) -> type:
    """The symbolic counterpart of a spec operation class: `S<Name>`, same wire name."""
    fields = {name: attrs.field(metadata={"kind": kind}) for name, kind in _symbolic_fields(spec_cls)}
    cls = attrs.make_class("S" + spec_cls.__name__, fields, frozen=True)
    cls.name = spec_cls.name
    return cls


SYMBOLIC_OPERATIONS: dict[str, type] = {name: _derive(OPERATIONS[name]) for name in FOUNDATION_OPERATIONS}


def fresh_op(name: str, bounds: Bounds, prefix: str):
    """A symbolic operation of kind `name` with fresh constants for every field."""
    cls = SYMBOLIC_OPERATIONS[name]
    values = {}
    for f in attrs.fields(cls):
        kind = f.metadata["kind"]
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
