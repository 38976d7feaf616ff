"""Canonical JSON of the fork's operations and configs (the parent's rules: integers as decimal
strings, bytes as 0x hex, lists as JSON arrays)."""
from __future__ import annotations

from spec.codec import encode
from spec.deployed_native import codec as parent
from spec.deployed_restaking.containers import Config
from spec.deployed_restaking.operations import OPERATIONS

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
    return parent.decode_fields(d, Config, "deployed_restaking", LIST_FIELDS)
