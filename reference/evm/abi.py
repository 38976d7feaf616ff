"""ABI glue over eth-abi: calldata for a function, decoded custom errors and events.

Every custom error and event of every compiled contract is indexed by selector/topic, so a
revert is named from the ABI (never from a hand-kept table) and an unknown one keeps its raw
selector (reference.evm.errors.UnknownRevert).
"""
from __future__ import annotations

from typing import Iterable, Mapping, Optional, Sequence

import attrs
from eth_abi import decode, encode
from eth_utils import keccak

from reference.evm.errors import UnknownRevert

PANIC = bytes.fromhex("4e487b71")  # Panic(uint256)
ERROR_STRING = bytes.fromhex("08c379a0")  # Error(string)


def abi_type(param: Mapping) -> str:
    """The canonical type of an ABI parameter (tuples spelt out)."""
    t = param["type"]
    if t.startswith("tuple"):
        return "(" + ",".join(abi_type(c) for c in param["components"]) + ")" + t[5:]
    return t


def signature(entry: Mapping) -> str:
    return f"{entry['name']}({','.join(abi_type(p) for p in entry.get('inputs', ()))})"


def selector(sig: str) -> bytes:
    return keccak(text=sig)[:4]


@attrs.frozen
class Revert:
    """A decoded revert: `name` of the custom error (or Panic / Error), its arguments, raw data."""

    name: str
    args: tuple
    data: bytes

    @property
    def selector(self) -> str:
        return "0x" + self.data[:4].hex()


@attrs.frozen
class Event:
    """A decoded log: `args` by ABI name (an indexed dynamic argument is its topic), `types`
    their ABI types."""

    address: str
    name: str
    args: Mapping
    types: Mapping = attrs.field(factory=dict)


class AbiIndex:
    """Custom errors and events of a set of ABIs, by selector / topic0."""

    def __init__(self, abis: Iterable[Sequence[Mapping]]):
        self.errors: dict[bytes, Mapping] = {}
        self.events: dict[bytes, Mapping] = {}
        for abi in abis:
            for entry in abi:
                if entry.get("type") == "error":
                    self.errors[selector(signature(entry))] = entry
                elif entry.get("type") == "event" and not entry.get("anonymous"):
                    self.events[keccak(text=signature(entry))] = entry

    def decode_revert(self, data: bytes, context: str = "") -> Revert:
        """The revert named from the ABI; UnknownRevert (with the raw selector) if none declares it."""
        if len(data) < 4:
            return Revert("EmptyRevert", (), data)
        sel, body = data[:4], data[4:]
        if sel == PANIC:
            return Revert("Panic", tuple(decode(["uint256"], body)), data)
        if sel == ERROR_STRING:
            return Revert("Error", tuple(decode(["string"], body)), data)
        entry = self.errors.get(sel)
        if entry is None:
            raise UnknownRevert("0x" + sel.hex(), "0x" + data.hex(), context)
        return Revert(entry["name"], tuple(decode([abi_type(p) for p in entry["inputs"]], body)), data)

    def decode_log(self, address: str, topics: Sequence[bytes], data: bytes) -> Optional[Event]:
        entry = self.events.get(topics[0]) if topics else None
        if entry is None:
            return None
        indexed = [p for p in entry["inputs"] if p.get("indexed")]
        plain = [p for p in entry["inputs"] if not p.get("indexed")]
        args = dict(zip([p["name"] for p in plain], decode([abi_type(p) for p in plain], data)))
        for p, topic in zip(indexed, topics[1:]):
            t = abi_type(p)
            dynamic = t in ("bytes", "string") or t.endswith("]") or t.startswith("(")
            args[p["name"]] = topic if dynamic else decode([t], topic)[0]
        return Event(address, entry["name"], args, {p["name"]: abi_type(p) for p in entry["inputs"]})


class Function:
    """One ABI function: `encode(*args)` is calldata, `decode(output)` the return values."""

    def __init__(self, entry: Mapping):
        self.entry = entry
        self.signature = signature(entry)
        self.selector = selector(self.signature)
        self.inputs = [abi_type(p) for p in entry["inputs"]]
        self.outputs = [abi_type(p) for p in entry.get("outputs", ())]

    def encode(self, *args) -> bytes:
        return self.selector + encode(self.inputs, list(args))

    def decode(self, output: bytes) -> tuple:
        return tuple(decode(self.outputs, output)) if self.outputs else ()


def functions(abi: Sequence[Mapping]) -> dict[str, Function]:
    """Functions by name, and by full signature for overloaded names."""
    out: dict[str, Function] = {}
    names: dict[str, int] = {}
    for entry in abi:
        if entry.get("type") == "function":
            names[entry["name"]] = names.get(entry["name"], 0) + 1
    for entry in abi:
        if entry.get("type") == "function":
            fn = Function(entry)
            out[fn.signature] = fn
            if names[entry["name"]] == 1:
                out[entry["name"]] = fn
    return out


def constructor_args(abi: Sequence[Mapping], *args) -> bytes:
    for entry in abi:
        if entry.get("type") == "constructor":
            return encode([abi_type(p) for p in entry["inputs"]], list(args))
    return b""
