"""uint256 arithmetic as Solidity >= 0.8 checks it: over- and underflow and division by zero
revert with a panic."""
from __future__ import annotations

from spec.deployed_native.errors import need

UINT_MAX = 2**256 - 1


def add(a: int, b: int, field: str) -> int:
    need(a + b <= UINT_MAX, "PANIC_0x11", field, f"{a} + {b} overflows uint256")
    return a + b


def sub(a: int, b: int, field: str) -> int:
    need(a >= b, "PANIC_0x11", field, f"{a} - {b} underflows uint256")
    return a - b


def mul(a: int, b: int, field: str) -> int:
    need(a * b <= UINT_MAX, "PANIC_0x11", field, f"{a} * {b} overflows uint256")
    return a * b


def div(a: int, b: int, field: str) -> int:
    need(b != 0, "PANIC_0x12", field, f"{a} / 0")
    return a // b
