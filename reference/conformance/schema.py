"""The JSON Schema (draft 2020-12) of vector cases, derived from the spec's own classes.

Records (`Config`, `Market`, `Ask`, ...) and operation arguments come from their attrs fields and
type annotations, error codes from `spec.ERROR_BY_CODE`, operation names from `spec.OPERATIONS`,
so the schema follows the spec when it is regenerated. `STATE_MAPS` says what each keyed map of
the state holds; a map it does not describe is only checked to be an object.
"""
from __future__ import annotations

import enum
import typing
from typing import Any, Union

import attrs
from pyrsistent import PMap

import spec
from reference.conformance.cases import FORMAT_VERSION
from spec.containers import Ask, Market, Membership, Prover, State, WithdrawalRequest
from spec.types import MembershipStatus

DECODING_ERRORS = ("MALFORMED_OPERATION", "UNKNOWN_OPERATION")
INT = {"$ref": "#/$defs/int"}
AMOUNTS = {"$ref": "#/$defs/amounts"}


def _map(value: dict, depth: int = 1) -> dict:
    for _ in range(depth):
        value = {"type": "object", "additionalProperties": value}
    return value


def _ref(cls) -> dict:
    return {"$ref": f"#/$defs/{cls.__name__}"}


STATE_MAPS = {
    "supply": AMOUNTS, "treasury": AMOUNTS, "burnt": AMOUNTS,
    "balances": _map(AMOUNTS),
    "markets": _map(_ref(Market)), "provers": _map(_ref(Prover)), "asks": _map(_ref(Ask)),
    "memberships": _map(_ref(Membership), 2), "withdrawals": _map(_ref(WithdrawalRequest), 2),
}
STATE_RECORDS = (Market, Prover, Membership, Ask, WithdrawalRequest)
DERIVED_FIELDS = {Membership: {"status": {"enum": [s.value for s in MembershipStatus]}}}


def type_schema(kind, records: dict, pmap_schema: dict = AMOUNTS) -> dict:
    """The schema of a value of annotation `kind` in canonical JSON; records are collected in `records`."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is Union:
        return {"anyOf": [type_schema(a, records, pmap_schema) if a is not type(None) else {"type": "null"} for a in args]}
    if origin is tuple:
        return {"type": "array", "items": type_schema(args[0], records, pmap_schema)}
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return {"enum": [m.value for m in kind]}
    if kind is bool:
        return {"type": "boolean"}
    if kind is int:
        return INT
    if kind is str:
        return {"type": "string"}
    if kind is bytes:
        return {"$ref": "#/$defs/bytes"}
    if kind is PMap or origin is PMap:
        return pmap_schema
    if attrs.has(kind):
        record_schema(kind, records)
        return _ref(kind)
    return {}


def record_schema(cls, records: dict, field_schemas: dict | None = None) -> None:
    if cls.__name__ in records:
        return
    records[cls.__name__] = {}
    hints = typing.get_type_hints(cls)
    properties = {}
    for f in attrs.fields(cls):
        override = (field_schemas or {}).get(f.name)
        properties[f.name] = override if override is not None else type_schema(
            hints[f.name], records, {"type": "object"} if field_schemas is not None else AMOUNTS)
    properties.update(DERIVED_FIELDS.get(cls, {}))
    records[cls.__name__] = {
        "type": "object", "properties": properties, "required": sorted(properties), "additionalProperties": False,
    }


def operation_schema(cls, records: dict) -> dict:
    hints = typing.get_type_hints(cls)
    fields = attrs.fields(cls)
    return {
        "type": "object",
        "properties": {
            "args": {
                "type": "object",
                "properties": {f.name: type_schema(hints[f.name], records) for f in fields},
                "required": [f.name for f in fields if f.default is attrs.NOTHING],
                "additionalProperties": False,
            },
        },
    }


def build_schema() -> dict:
    """The schema of one case file."""
    records: dict = {}
    record_schema(State, records, field_schemas=STATE_MAPS)
    for cls in STATE_RECORDS:
        record_schema(cls, records)
    operations = [(name, operation_schema(cls, records)) for name, cls in sorted(spec.OPERATIONS.items())]
    codes = sorted(spec.ERROR_BY_CODE)
    defs = {
        "int": {"type": "string", "pattern": "^-?(0|[1-9][0-9]*)$", "description": "an integer as a decimal string"},
        "bytes": {"type": "string", "pattern": "^0x([0-9a-f]{2})*$", "description": "bytes as 0x-prefixed lower-case hex"},
        "amounts": {"type": "object", "additionalProperties": INT, "description": "token -> amount"},
        "event": {
            "type": "object", "required": ["event"], "properties": {"event": {"type": "string", "minLength": 1}},
            "description": "an event: its kind under `event`, its data beside it",
        },
        "expect": {
            "oneOf": [
                {"type": "object", "properties": {"ok": {"const": True}, "events": {"type": "array", "items": {"$ref": "#/$defs/event"}}},
                 "required": ["ok", "events"], "additionalProperties": False},
                {"type": "object", "properties": {"ok": {"const": False}, "error_code": {"enum": codes}},
                 "required": ["ok", "error_code"], "additionalProperties": False},
            ],
        },
        "well_formed_operation": {
            "properties": {"op": {"enum": sorted(spec.OPERATIONS)}},
            "allOf": [{"if": {"properties": {"op": {"const": name}}}, "then": schema} for name, schema in operations],
        },
        "step": {
            "type": "object",
            "properties": {"op": {"type": "string"}, "args": {"type": "object"}, "expect": {"$ref": "#/$defs/expect"}},
            "required": ["op", "args", "expect"],
            "additionalProperties": False,
            "anyOf": [
                {"$ref": "#/$defs/well_formed_operation"},
                {"properties": {"expect": {"properties": {"error_code": {"enum": list(DECODING_ERRORS)}}, "required": ["error_code"]}}},
            ],
        },
        **records,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "kalypso-spec/vectors/schema.json",
        "title": "Kalypso conformance vector case",
        "type": "object",
        "properties": {
            "format_version": {"const": FORMAT_VERSION},
            "spec_version": {"type": "string", "minLength": 1},
            "description": {"type": "string", "minLength": 1},
            "pre_state": {"$ref": "#/$defs/State"},
            "operations": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/step"}},
            "post_state": {"$ref": "#/$defs/State"},
        },
        "required": ["format_version", "spec_version", "description", "pre_state", "operations", "post_state"],
        "additionalProperties": False,
        "$defs": defs,
    }
