"""The same Chain interface over py-evm through eth-tester: only for the backend comparison in
`kalypso bench --only evm` (optional extra `evm-compare`; docs/evm.md has the figures)."""
from __future__ import annotations

from eth_utils import to_checksum_address

from reference.evm.chain import GENESIS_BLOCK, Chain, Contract, Receipt, private_key

FUNDING_WEI = 10**21
from reference.evm.abi import constructor_args


def _b(value) -> bytes:
    return bytes.fromhex(value[2:]) if isinstance(value, str) else bytes(value)


def available() -> bool:
    try:
        import eth_tester  # noqa: F401
        import eth  # noqa: F401
    except ImportError:
        return False
    return True


class PyEvmChain(Chain):
    """Chain over eth-tester's PyEVMBackend: real blocks (one per transaction, as eth-tester
    auto-mines), time moved by mining empty blocks."""

    def __init__(self, index=None, block: int = GENESIS_BLOCK):
        from eth_tester import EthereumTester, PyEVMBackend

        self.backend = PyEVMBackend()
        self.tester = EthereumTester(self.backend)
        self.index = index
        self.accounts = {}
        self.tx_count = 0
        self.block = self.tester.get_block_by_number("latest")["number"]

    def set_block(self, number: int) -> None:
        if number > self.block:
            self.tester.mine_blocks(number - self.block)
        self.block = self.tester.get_block_by_number("latest")["number"]

    @property
    def timestamp(self) -> int:
        return self.tester.get_block_by_number("latest")["timestamp"]

    def addr(self, name: str) -> str:
        """A named account with its key; a bare address (the deployer, the faucet) stands for a
        key derived from it, since eth-tester signs every transaction."""
        if name not in self.accounts:
            key = private_key("pyevm-stand-in/" + name if name.startswith("0x") and len(name) == 42 else name)
            address = self.tester.add_account("0x" + key.hex())
            funder = self.tester.get_accounts()[0]
            self.tester.send_transaction({"from": funder, "to": address, "value": FUNDING_WEI,
                                          "gas": 21000, "gas_price": 10**9})
            self.accounts[name] = to_checksum_address(address)
        return self.accounts[name]

    def deploy(self, sender, artifact, *args) -> Contract:
        code = artifact.bytecode + constructor_args(artifact.abi, *args)
        tx = self.tester.send_transaction({"from": self.addr(sender), "data": "0x" + code.hex(), "gas": 29_000_000,
                                           "gas_price": 10**9})
        self.tx_count += 1
        address = self.tester.get_transaction_receipt(tx)["contract_address"]
        self.block = self.tester.get_block_by_number("latest")["number"]
        return Contract(self, to_checksum_address(address), artifact)

    def _run(self, sender, to, data, static, what) -> Receipt:
        from eth_tester.exceptions import TransactionFailed

        tx = {"from": self.addr(sender), "to": to, "data": "0x" + data.hex(), "gas": 29_000_000, "gas_price": 10**9}
        try:
            if static:
                return Receipt(True, _b(self.tester.call(tx)), 0)
            h = self.tester.send_transaction(tx)
        except TransactionFailed as exc:
            raw = exc.args[0] if exc.args and isinstance(exc.args[0], bytes) else b""
            return Receipt(False, raw, 0, revert=self.index.decode_revert(raw, what) if raw else None)
        receipt = self.tester.get_transaction_receipt(h)
        self.block = receipt["block_number"]
        events = []
        for log in receipt["logs"]:
            e = self.index.decode_log(to_checksum_address(log["address"]), [_b(t) for t in log["topics"]], _b(log["data"]))
            if e is not None:
                events.append(e)
        return Receipt(True, b"", receipt["gas_used"], tuple(events))


__all__ = ["PyEvmChain", "available", "GENESIS_BLOCK"]
