"""Canonical JSON of the fork's operations and configs (the parent's rules: integers as decimal
strings, bytes as 0x hex, lists as JSON arrays)."""
from __future__ import annotations

import attrs

from spec.codec import _int, encode
from spec.deployed_native import codec as parent
from spec.deployed_restaking.containers import Config
from spec.deployed_restaking.operations import OPERATIONS
from spec.errors import InvalidConfig

LIST_FIELDS = ("native_tokens", "native_weights", "native_lock", "symbiotic_tokens", "symbiotic_weights", "symbiotic_lock")


def decode_op(d):
    """A fork operation from its JSON form (errors as the parent's)."""
    return parent.decode_op(d, OPERATIONS)


encode_op = parent.encode_op


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
        raise InvalidConfig(unknown[0], "not a field of the deployed_restaking config")
    kwargs = {}
    for name, value in d.items():
        try:
            if name in LIST_FIELDS:
                if not isinstance(value, list):
                    raise ValueError("must be a list")
                kwargs[name] = tuple(v if name.endswith("tokens") else _int(v) for v in value)
            elif names[name].type in (int, "int"):
                kwargs[name] = _int(value)
            else:
                kwargs[name] = value
        except (ValueError, TypeError) as exc:
            raise InvalidConfig(name, str(exc)) from None
    return Config(**kwargs)
