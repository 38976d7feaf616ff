"""The JSON Schema (draft 2020-12) of vector cases, derived from the spec's own classes.

Records (`Config`, `Market`, `Ask`, ...) and operation arguments come from their attrs fields and
type annotations, error codes from `spec.ERROR_BY_CODE`, operation names from `spec.OPERATIONS`,
so the schema follows the spec when it is regenerated. `STATE_MAPS` and `AMOUNT_FIELDS` say what
the keyed maps hold; any other map is only checked to be an object. A record reached through a
union (e.g. a bridge message's payload) may carry the `kind` tag the codec adds.
"""
from __future__ import annotations

import enum
import typing
from typing import Union

import attrs
from pyrsistent import PMap

import spec
from reference.conformance.cases import FORMAT_VERSION
from spec.containers import Ask, Assignment, Market, Membership, Prover, State, WithdrawalRequest
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
AMOUNT_FIELDS = {(Market, "slash_amount"), (Prover, "stake"), (Prover, "locked"), (Assignment, "locked")}
ANY_MAP = {"type": "object"}
TAG = {"kind": {"type": "string"}}


def type_schema(kind, records: dict, pmap_schema: dict = ANY_MAP) -> dict:
    """The schema of a value of annotation `kind` in canonical JSON; records are collected in `records`."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is Union:
        options = [a for a in args if a is not type(None)]
        tagged = len([a for a in options if attrs.has(a)]) > 1
        schemas = [record_ref(a, records, tagged) if tagged and attrs.has(a) else type_schema(a, records, pmap_schema)
                   for a in options]
        return {"anyOf": schemas + ([{"type": "null"}] if type(None) in args else [])}
    if origin is tuple:
        return {"type": "array", "items": type_schema(args[0], records, pmap_schema)}
    if kind is tuple:
        return {"type": "array"}
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
        return record_ref(kind, records)
    return {}


def record_ref(cls, records: dict, tagged: bool = False) -> dict:
    name = cls.__name__ + ("_tagged" if tagged else "")
    if name not in records:
        records[name] = {}
        hints = typing.get_type_hints(cls)
        properties = {f.name: type_schema(hints[f.name], records, AMOUNTS if (cls, f.name) in AMOUNT_FIELDS else ANY_MAP)
                      for f in attrs.fields(cls)}
        properties.update(DERIVED_FIELDS.get(cls, {}))
        records[name] = {"type": "object", "properties": {**properties, **(TAG if tagged else {})},
                         "required": sorted(properties), "additionalProperties": False}
    return {"$ref": f"#/$defs/{name}"}


def state_schema(records: dict) -> dict:
    hints = typing.get_type_hints(State)
    properties = {f.name: STATE_MAPS.get(f.name) or type_schema(hints[f.name], records) for f in attrs.fields(State)}
    for cls in STATE_RECORDS:
        record_ref(cls, records)
    return {"type": "object", "properties": properties, "required": sorted(properties), "additionalProperties": False}


def operation_schema(cls, records: dict) -> dict:
    hints = typing.get_type_hints(cls)
    fields = attrs.fields(cls)
    return {
        "type": "object",
        "properties": {
            "args": {
                "type": "object",
                "properties": {f.name: type_schema(hints[f.name], records, AMOUNTS) for f in fields},
                "required": [f.name for f in fields if f.default is attrs.NOTHING],
                "additionalProperties": False,
            },
        },
    }


def build_schema() -> dict:
    """The schema of one case file."""
    records: dict = {}
    records["State"] = state_schema(records)
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
