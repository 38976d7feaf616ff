"""Canonical JSON of the fork's operations, states and configs (the rules of `spec.codec`:
integers as decimal strings, bytes as 0x hex, pair-keyed maps nested; lists as JSON arrays)."""
from __future__ import annotations

import attrs

from spec.codec import _bytes, _int, encode
from spec.deployed_native.containers import Config, State
from spec.deployed_native.operations import OPERATIONS
from spec.errors import InvalidConfig, MalformedOperation, UnknownOperation


def _decode_value(kind, value, name: str):
    try:
        if kind is int:
            return _int(value)
        if kind is bytes:
            return _bytes(value)
    except (ValueError, TypeError, AttributeError) as exc:
        raise MalformedOperation(name, str(exc)) from None
    return value


def decode_op(d):
    """A fork operation from its JSON form; malformed input raises `MalformedOperation` naming
    the field, an unknown name `UnknownOperation`."""
    if not isinstance(d, dict) or "op" not in d:
        raise MalformedOperation("op", "an operation is {\"op\": name, \"args\": {...}}")
    cls = OPERATIONS.get(d["op"]) if isinstance(d["op"], str) else None
    if cls is None:
        raise UnknownOperation("op", f"{d['op']!r} is not one of {sorted(OPERATIONS)}")
    args = d.get("args", {})
    if not isinstance(args, dict):
        raise MalformedOperation("args", "must be an object")
    fields = {f.name: f for f in attrs.fields(attrs.resolve_types(cls))}
    unknown = sorted(set(args) - set(fields))
    if unknown:
        raise MalformedOperation(unknown[0], f"not a field of {d['op']}")
    kwargs = {}
    for name, f in fields.items():
        if name not in args:
            if f.default is attrs.NOTHING:
                raise MalformedOperation(name, f"required by {d['op']}")
            continue
        items = f.metadata.get("items")
        if items is not None:
            if not isinstance(args[name], list):
                raise MalformedOperation(name, "must be a list")
            kwargs[name] = [_decode_value(items, v, name) for v in args[name]]
        else:
            kwargs[name] = _decode_value(f.type, args[name], name)
    return cls(**kwargs)


def encode_op(op) -> dict:
    return {"op": op.name, "args": {f.name: encode(getattr(op, f.name)) for f in attrs.fields(type(op))}}


def encode_config(config: Config) -> dict:
    return encode(config)


def decode_config(d) -> Config:
    """A genesis config: every field optional (docs/forks.md); unknown or malformed fields raise
    `InvalidConfig` naming the field."""
    if d is None:
        return Config()
    if not isinstance(d, dict):
        raise InvalidConfig("config", "must be an object")
    names = {f.name: f for f in attrs.fields(Config)}
    unknown = sorted(set(d) - set(names))
    if unknown:
        raise InvalidConfig(unknown[0], "not a field of the deployed_native config")
    kwargs = {}
    for name, value in d.items():
        if names[name].type in (int, "int"):
            try:
                kwargs[name] = _int(value)
            except ValueError as exc:
                raise InvalidConfig(name, str(exc)) from None
        else:
            kwargs[name] = value
    return Config(**kwargs)


def _nest(pairs) -> dict:
    out: dict = {}
    for (outer, inner), value in sorted(pairs.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        out.setdefault(str(encode(outer)), {})[str(encode(inner))] = encode(value)
    return out


def encode_state(state: State) -> dict:
    """The full spec state (more than the chain projects: docs/forks.md)."""
    data = {f.name: encode(getattr(state, f.name)) for f in attrs.fields(State)}
    data["fork"] = state.fork
    data["balances"] = _nest(state.balances)
    data["memberships"] = _nest(state.memberships)
    data["keys"] = {
        "images": sorted("0x" + i.hex() for i in state.keys.images),
        "families": sorted(["0x" + f.hex(), "0x" + i.hex()] for f, i in state.keys.families),
        "verified": encode(state.keys.verified),
        "pub_keys": _nest(state.keys.pub_keys),
    }
    return data
