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


def decode_op(d, operations=None):
    """A fork operation from its JSON form; malformed input raises `MalformedOperation` naming
    the field, an unknown name `UnknownOperation`. `operations` (a child fork's table) defaults
    to this fork's."""
    OPERATIONS_ = OPERATIONS if operations is None else operations
    if not isinstance(d, dict) or "op" not in d:
        raise MalformedOperation("op", "an operation is {\"op\": name, \"args\": {...}}")
    cls = OPERATIONS_.get(d["op"]) if isinstance(d["op"], str) else None
    if cls is None:
        raise UnknownOperation("op", f"{d['op']!r} is not one of {sorted(OPERATIONS_)}")
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
    """An operation's JSON: every field, except one marked `omit_default` at its default (an
    optional field added later leaves the operations that do not use it as they were)."""
    return {"op": op.name, "args": {f.name: encode(getattr(op, f.name)) for f in attrs.fields(type(op))
                                    if not (f.metadata.get("omit_default") and getattr(op, f.name) == f.default)}}


def encode_config(config: Config) -> dict:
    return encode(config)


def decode_config(d) -> Config:
    """A genesis config: every field optional (docs/forks.md); unknown or malformed fields raise
    `InvalidConfig` naming the field."""
    return decode_fields(d, Config, "deployed_native")


def decode_fields(d, cls, fork: str, list_fields: tuple = ()):
    """A fork's genesis config of class `cls`: integers as decimal strings, lists (in
    `list_fields`) as JSON arrays of integers or, for a `*tokens` field, of names."""
    if d is None:
        return cls()
    if not isinstance(d, dict):
        raise InvalidConfig("config", "must be an object")
    names = {f.name: f for f in attrs.fields(cls)}
    unknown = sorted(set(d) - set(names))
    if unknown:
        raise InvalidConfig(unknown[0], f"not a field of the {fork} config")
    kwargs = {}
    for name, value in d.items():
        try:
            if name in list_fields:
                if not isinstance(value, list):
                    raise ValueError("must be a list")
                kwargs[name] = tuple(v if name.endswith("tokens") else _int(v) for v in value)
            elif names[name].type in (int, "int"):
                kwargs[name] = _int(value)
            else:
                kwargs[name] = value
        except (ValueError, TypeError) as exc:
            raise InvalidConfig(name, str(exc)) from None
    return cls(**kwargs)


def _nest(pairs) -> dict:
    out: dict = {}
    for (outer, inner), value in sorted(pairs.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        out.setdefault(str(encode(outer)), {})[str(encode(inner))] = encode(value)
    return out


def encode_state(state: State) -> dict:
    """The full spec state (more than the chain projects: docs/forks.md)."""
    data = {f.name: encode(getattr(state, f.name)) for f in attrs.fields(State) if f.name != "keys"}
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
