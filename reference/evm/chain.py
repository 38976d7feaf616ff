"""An in-process EVM (pyrevm, revm's Python binding) with deterministic accounts and ABI calls.

Accounts are named as the deployed_native fork names them (spec/deployed_native/keys.py: a
name's secret is keccak256("kalypso/deployed_native/account/" || name); a 0x address stands for
itself), so every run signs and deploys at the same addresses. Time is the block number (the native
lineage counts time in blocks); the block timestamp moves with it, 12 s a block. A revert is
decoded from the compiled ABIs (reference.evm.abi); an unknown selector raises UnknownRevert.
docs/evm.md says why pyrevm and not py-evm/eth-tester (measured).
"""
from __future__ import annotations

import re
from typing import Mapping, Optional, Sequence

import attrs
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import to_checksum_address
from pyrevm import EVM, BlockEnv, CfgEnv, Env

from reference.evm.abi import AbiIndex, Event, Function, Revert, constructor_args, functions
from reference.evm.compile import Artifact
from spec.deployed_native import keys

GENESIS_BLOCK = 100
BLOCK0_TIMESTAMP = 1_700_000_000
SECONDS_PER_BLOCK = 12
_REVERT = re.compile(r"Revert \{ gas_used: (\d+), output: 0x([0-9a-fA-F]*) \}")


def private_key(name: str) -> bytes:
    return keys.secret_key(name)


def address_of(name: str) -> str:
    return to_checksum_address(keys.address(name))


def sign_eth_message(name: str, message_hash: bytes) -> bytes:
    """EIP-191 personal signature of a 32-byte hash by `name`'s key (65 bytes r||s||v)."""
    return bytes(Account.sign_message(encode_defunct(primitive=message_hash), private_key(name)).signature)


def public_key64(name: str) -> bytes:
    """The 64-byte uncompressed public key (no 0x04 prefix) of `name`, as enclaves publish it."""
    return keys.public_key(name)


@attrs.frozen
class Receipt:
    ok: bool
    output: bytes
    gas_used: int
    events: tuple = ()
    revert: Optional[Revert] = None


class TxReverted(Exception):
    def __init__(self, receipt: Receipt, what: str):
        super().__init__(f"{what} reverted: {receipt.revert.name}{receipt.revert.args} ({receipt.revert.selector})")
        self.receipt = receipt


class Contract:
    def __init__(self, chain: "Chain", address: str, artifact: Artifact):
        self.chain, self.address, self.artifact = chain, address, artifact
        self.fns = functions(artifact.abi)

    def fn(self, name: str) -> Function:
        return self.fns[name]

    def call(self, name: str, *args, sender: str = "admin"):
        """A read-only call; returns the decoded outputs (one value unwrapped)."""
        fn = self.fns[name]
        out = fn.decode(self.chain.call(sender, self.address, fn.encode(*args)))
        return out[0] if len(out) == 1 else out

    def transact(self, name: str, *args, sender: str) -> Receipt:
        fn = self.fns[name]
        return self.chain.transact(sender, self.address, fn.encode(*args), what=f"{self.artifact.name}.{name}")

    def must(self, name: str, *args, sender: str) -> Receipt:
        receipt = self.transact(name, *args, sender=sender)
        if not receipt.ok:
            raise TxReverted(receipt, f"{self.artifact.name}.{name}")
        return receipt


class Chain:
    """One EVM with named accounts; gas is free (price 0), so no account needs ether."""

    def __init__(self, index: Optional[AbiIndex] = None, block: int = GENESIS_BLOCK):
        self.block = block
        self.evm = EVM(env=Env(cfg=CfgEnv(chain_id=31337), block=self._block_env()), spec_id="CANCUN")
        self.index = index or AbiIndex([])
        self.accounts: dict[str, str] = {}
        self.tx_count = 0

    def _block_env(self) -> BlockEnv:
        return BlockEnv(number=self.block, timestamp=self.timestamp, gas_limit=2**60, basefee=0)

    @property
    def timestamp(self) -> int:
        return BLOCK0_TIMESTAMP + self.block * SECONDS_PER_BLOCK

    def set_block(self, number: int) -> None:
        """Run what follows in block `number` (the adapter steps back to the head after a revert)."""
        self.block = number
        self.evm.set_block_env(self._block_env())

    def addr(self, name: str) -> str:
        """The address of a named account (a 0x address passes through)."""
        if name.startswith("0x") and len(name) == 42:
            return to_checksum_address(name)
        if name not in self.accounts:
            self.accounts[name] = address_of(name)
        return self.accounts[name]

    def deploy(self, sender: str, artifact: Artifact, *args) -> Contract:
        code = artifact.bytecode + constructor_args(artifact.abi, *args)
        try:
            address = self.evm.deploy(self.addr(sender), code, gas=2**40)
        except RuntimeError as exc:
            raise RuntimeError(f"deploying {artifact.name} failed: {exc}") from None
        self.tx_count += 1
        return Contract(self, to_checksum_address(address), artifact)

    def at(self, address: str, artifact: Artifact) -> Contract:
        return Contract(self, address, artifact)

    def call(self, sender: str, to: str, data: bytes) -> bytes:
        receipt = self._run(sender, to, data, static=True, what="call")
        if not receipt.ok:
            raise TxReverted(receipt, "call")
        return receipt.output

    def transact(self, sender: str, to: str, data: bytes, what: str = "transaction") -> Receipt:
        self.tx_count += 1
        return self._run(sender, to, data, static=False, what=what)

    def _run(self, sender: str, to: str, data: bytes, static: bool, what: str) -> Receipt:
        try:
            output = self.evm.message_call(self.addr(sender), to, data, gas=30_000_000, is_static=static)
        except RuntimeError as exc:
            match = _REVERT.search(str(exc))
            if not match:
                raise
            raw = bytes.fromhex(match.group(2))
            return Receipt(False, raw, int(match.group(1)), revert=self.index.decode_revert(raw, what))
        result = self.evm.result
        events = () if static else tuple(self._events(result.logs))
        return Receipt(True, bytes(output), result.gas_used, events)

    def _events(self, logs) -> list[Event]:
        out = []
        for log in logs:
            topics, data = log.data
            event = self.index.decode_log(to_checksum_address(log.address), [bytes(t) for t in topics], bytes(data))
            if event is not None:
                out.append(event)
        return out
