"""circom witness generation without Node: run the circuit's ``.wasm`` in wasmtime.

The protocol is the one of circom's ``witness_calculator.js`` (circom 2, wasm version 2):
``init(sanity_check)``; for each input signal (name hashed with 64-bit FNV-1a, passed as two u32
halves) ``getInputSignalSize`` gives its length, and each value is written to the shared memory
as ``getFieldNumLen32()`` u32 words (least significant first) then ``setInputSignal(hi, lo, i)``;
every input must be set; then ``getWitness(i)`` puts witness value i in the shared memory. Inputs
are JSON values: an int or decimal string (negative values are taken mod r), arrays of them
(flattened in order), objects (keys joined with ".", as circom's calculator does).

Bounded: the wasm runs under a memory cap (``max_memory``) and a wall-clock deadline
(``timeout``, wasmtime epoch interruption). Every failure is a ``WitnessError`` naming the cause
(an unknown or missing input, a failed circuit assert, a trap, a timeout, a malformed module).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Mapping

from reference.zk.field import R

MAX_WASM_BYTES = 1 << 30
_CIRCOM_ERRORS = {
    1: "signal not found", 2: "too many signals set", 3: "signal already set", 4: "assert failed",
    5: "not enough memory", 6: "input signal array access exceeds the size",
}


class WitnessError(ValueError):
    """The witness could not be computed (bad module, bad inputs, failed assert, limits)."""


def fnv1a_64(name: str) -> int:
    """64-bit FNV-1a over the name's UTF-16 code units (as circom's JavaScript calculator does)."""
    units = name.encode("utf-16-le", "surrogatepass")
    h = 0xCBF29CE484222325
    for i in range(0, len(units), 2):
        h ^= units[i] | units[i + 1] << 8
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def _value(name: str, v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, str)):
        raise WitnessError(f"inputs.{name}: expected an integer or a decimal string, got {type(v).__name__}")
    if isinstance(v, str):
        text = v.strip()
        digits = text[1:] if text[:1] == "-" else text
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 200:
            raise WitnessError(f"inputs.{name}: {v!r:.40} is not a decimal integer")
        v = int(text)
    return v % R


def _flatten(name: str, value: Any, out: list[int], depth: int = 0) -> None:
    if depth > 32:
        raise WitnessError(f"inputs.{name}: nested too deeply")
    if isinstance(value, list):
        for i, item in enumerate(value):
            _flatten(f"{name}[{i}]", item, out, depth + 1)
    else:
        out.append(_value(name, value))


def _qualified(inputs: Mapping[str, Any], prefix: str = "", depth: int = 0) -> dict[str, Any]:
    if depth > 32:
        raise WitnessError("inputs: nested too deeply")
    out = {}
    for key, value in inputs.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_qualified(value, name + ".", depth + 1))
        else:
            out[name] = value
    return out


def _names(exports) -> set[str]:
    try:
        return set(exports.keys())
    except AttributeError:
        return set()


def _i32(word: int) -> int:
    """A u32 as the signed i32 wasm passes."""
    return word - (1 << 32) if word >= 1 << 31 else word


class WasmWitnessCalculator:
    """A compiled circom witness generator: ``calculate(inputs) -> list[int]``, ``wtns(inputs) -> bytes``."""

    def __init__(self, wasm: bytes, max_memory: int = 1 << 31, timeout: float = 600.0):
        import wasmtime

        if not isinstance(wasm, (bytes, bytearray)) or not wasm.startswith(b"\0asm"):
            raise WitnessError("wasm: not a WebAssembly module (no \\0asm magic)")
        self._wasmtime = wasmtime
        config = wasmtime.Config()
        config.epoch_interruption = True
        # no 4 GiB virtual reservation per memory: the module's memory is what it asks for (bounded by
        # ``max_memory``), with explicit bounds checks, so the calculator also runs under an address-space cap
        config.memory_reservation = 0
        config.memory_guard_size = 1 << 16
        config.memory_reservation_for_growth = 1 << 24
        try:
            config.cache = True  # wasmtime's compiled-module cache: a circuit is compiled once per machine
        except Exception:  # no cache directory available: compile every time
            pass
        self.engine = wasmtime.Engine(config)
        try:
            self.module = wasmtime.Module(self.engine, bytes(wasm))
        except wasmtime.WasmtimeError as exc:
            raise WitnessError(f"wasm: does not compile: {str(exc).splitlines()[0]}") from exc
        self.max_memory = max_memory
        self.timeout = timeout
        exports = {e.name for e in self.module.exports}
        needed = {"getVersion", "getFieldNumLen32", "getRawPrime", "readSharedRWMemory", "writeSharedRWMemory", "init",
                  "getInputSignalSize", "setInputSignal", "getWitnessSize", "getWitness", "getInputSize"}
        if not needed <= exports:
            raise WitnessError(f"wasm: not a circom witness generator (missing {', '.join(sorted(needed - exports))})")

    def _instance(self):
        wt = self._wasmtime
        store = wt.Store(self.engine)
        store.set_limits(memory_size=self.max_memory)
        store.set_epoch_deadline(1)
        errors: list[str] = []
        state: dict[str, Any] = {}

        def message() -> str:
            get = state["exports"]["getMessageChar"]
            chars = []
            while len(chars) < 4096:
                c = get(store)
                if c == 0:
                    break
                chars.append(chr(c))
            return "".join(chars)

        def exception_handler(code):
            raise WitnessError(f"wasm: {_CIRCOM_ERRORS.get(code, f'error code {code}')}" + (f": {'; '.join(errors)}" if errors else ""))

        def print_error():
            errors.append(message())

        handlers = {"exceptionHandler": exception_handler, "printErrorMessage": print_error}
        imports = []
        for imp in self.module.imports:
            if not isinstance(imp.type, wt.FuncType):
                raise WitnessError(f"wasm: imports {imp.module}.{imp.name}, which a circom module does not")
            fn = handlers.get(imp.name, lambda *args: None)
            imports.append(wt.Func(store, imp.type, fn))
        try:
            instance = wt.Instance(store, self.module, imports)
        except wt.WasmtimeError as exc:
            raise WitnessError(f"wasm: cannot be instantiated: {str(exc).splitlines()[0]}") from exc
        state["exports"] = instance.exports(store)
        return store, state["exports"]

    def calculate(self, inputs: Mapping[str, Any]) -> list[int]:
        """The full witness for ``inputs`` (every input signal set, nothing unknown), as ints."""
        if not isinstance(inputs, Mapping):
            raise WitnessError("inputs: expected a JSON object {signal: value}")
        wt = self._wasmtime
        store, ex = self._instance()
        timer = threading.Timer(self.timeout, self.engine.increment_epoch)
        timer.daemon = True
        timer.start()
        try:
            return self._run(store, ex, _qualified(inputs))
        except wt.Trap as exc:
            if "interrupt" in str(exc):
                raise WitnessError(f"wasm: did not finish within {self.timeout} s") from exc
            cause = exc.__cause__ if isinstance(exc.__cause__, WitnessError) else None
            raise cause or WitnessError(f"wasm: trapped: {str(exc).splitlines()[0]}") from exc
        except wt.WasmtimeError as exc:
            raise WitnessError(f"wasm: {str(exc).splitlines()[0]}") from exc
        finally:
            timer.cancel()

    def _run(self, store, ex, inputs: dict[str, Any]) -> list[int]:
        n32 = ex["getFieldNumLen32"](store)
        if n32 != 8:
            raise WitnessError(f"wasm: field elements of {n32} words, BN254 needs 8")
        ex["getRawPrime"](store)
        prime = sum((ex["readSharedRWMemory"](store, j) & 0xFFFFFFFF) << (32 * j) for j in range(n32))
        if prime != R:
            raise WitnessError("wasm: the circuit is not over the BN254 scalar field")
        ex["init"](store, 1)
        count = 0
        for name, value in inputs.items():
            h = fnv1a_64(name)
            hi, lo = _i32(h >> 32), _i32(h & 0xFFFFFFFF)
            size = ex["getInputSignalSize"](store, hi, lo)
            if size <= 0:
                raise WitnessError(f"inputs.{name}: the circuit has no input signal of that name")
            values: list[int] = []
            _flatten(name, value, values)
            if len(values) != size:
                raise WitnessError(f"inputs.{name}: {len(values)} values given, the signal takes {size}")
            for i, v in enumerate(values):
                for j in range(n32):
                    ex["writeSharedRWMemory"](store, j, _i32((v >> (32 * j)) & 0xFFFFFFFF))
                ex["setInputSignal"](store, hi, lo, i)
                count += 1
        needed = ex["getInputSize"](store)
        if count < needed:
            raise WitnessError(f"inputs: {count} input values set, the circuit needs {needed}")
        return self._witness(store, ex, n32)

    def _witness(self, store, ex, n32: int) -> list[int]:
        """getWitness(i) then the value read from the shared memory (directly from the exported
        memory when the module exports it: one call per value instead of n32 + 1)."""
        import ctypes

        size = ex["getWitnessSize"](store)
        get = ex["getWitness"]
        memory = ex.get("memory") if hasattr(ex, "get") else None
        start = ex["getSharedRWMemoryStart"](store) & 0xFFFFFFFF if "getSharedRWMemoryStart" in _names(ex) else None
        out = []
        if isinstance(memory, self._wasmtime.Memory) and start is not None:
            for i in range(size):
                get(store, i)
                if start + 4 * n32 > memory.data_len(store):
                    raise WitnessError("wasm: shared memory is outside the module's memory")
                raw = ctypes.string_at(ctypes.addressof(memory.data_ptr(store).contents) + start, 4 * n32)
                out.append(int.from_bytes(raw, "little"))
            return out
        read = ex["readSharedRWMemory"]
        for i in range(size):
            get(store, i)
            out.append(sum((read(store, j) & 0xFFFFFFFF) << (32 * j) for j in range(n32)))
        return out


def load_calculator(path: str | os.PathLike, **limits) -> WasmWitnessCalculator:
    path = Path(path)
    if path.stat().st_size > MAX_WASM_BYTES:
        raise WitnessError(f"wasm: {path} is larger than {MAX_WASM_BYTES} bytes")
    return WasmWitnessCalculator(path.read_bytes(), **limits)


def calculate_wtns(wasm_path: str | os.PathLike, inputs: Mapping[str, Any], **limits) -> bytes:
    """snarkjs-compatible ``.wtns`` bytes for ``inputs`` (the same bytes as ``snarkjs wtns calculate``)."""
    from reference.zk.binfile import write_wtns

    return write_wtns(load_calculator(wasm_path, **limits).calculate(inputs))
