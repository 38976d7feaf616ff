"""Typed errors of the EVM harness: each names what is wrong and what was expected."""
from __future__ import annotations

EXPECTED_SOLC = "0.8.26"
EXPECTED_OZ = "5.1.0"
EXPECTED_LINEAGE = "master-66d489f"
TOOLCHAIN = (f"expected: npm solc {EXPECTED_SOLC} (solc-js), @openzeppelin/contracts and "
             f"@openzeppelin/contracts-upgradeable {EXPECTED_OZ}, contracts at {EXPECTED_LINEAGE}")


class EvmHarnessError(Exception):
    """Base of the harness's errors; `kind` says which rule was broken."""

    kind = "evm"


class ContractsMissing(EvmHarnessError):
    """The contracts folder, or a file the deployment needs, is not there."""

    kind = "contracts-missing"


class ContractsVersionMismatch(EvmHarnessError):
    """The folder holds contracts of another version than the one the harness deploys."""

    kind = "contracts-version"


class CompileFailed(EvmHarnessError):
    """solc rejected the sources (its first errors are quoted)."""

    kind = "compile"


class ToolchainMissing(EvmHarnessError):
    """node, or the pinned npm solc / OpenZeppelin packages, are not installed as pinned."""

    kind = "toolchain"


class UnknownRevert(EvmHarnessError):
    """A transaction reverted with data whose selector no compiled ABI declares."""

    kind = "unknown-revert"

    def __init__(self, selector: str, data: str, context: str = ""):
        super().__init__(f"revert with unknown selector {selector} (data {data[:74]}{'...' if len(data) > 74 else ''})"
                         + (f" in {context}" if context else ""))
        self.selector = selector
        self.data = data


class SymbioticVersionMismatch(ContractsVersionMismatch):
    """The installed Symbiotic core (npm `@symbioticfi/core`), its OpenZeppelin or its solc are not
    the pinned ones, or its sources are of another lineage: one error naming every mismatch."""

    kind = "symbiotic-version"


class UncarriableMessage(EvmHarnessError):
    """A cross-chain message the two-chain harness cannot carry; the message is quoted, never dropped."""

    kind = "uncarriable-message"

    def __init__(self, message, why: str):
        super().__init__(f"cannot carry {message!r}: {why}")
        self.message = message
        self.why = why
