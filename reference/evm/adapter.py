"""The EVM conformance adapter: the real master-66d489f bytecode behind the JSON-lines adapter
protocol (docs/conformance.md), for deployed_native vectors (docs/forks.md).

    python -m reference.evm.adapter [--contracts DIR]
    kalypso conform --adapter "python -m reference.evm.adapter" --vectors vectors/deployed_native

`genesis` deploys fresh contracts (reference.evm.deploy) under the config; `apply` decodes the
operation with the fork's codec (MALFORMED_OPERATION / UNKNOWN_OPERATION as the spec), sends its
transaction in block head + 1 (a revert leaves the head and the chain as they were) and answers
the revert's custom-error name or the contracts' events; `state` answers the on-chain
projection. `mint` is the faucet's transfer, `advance_blocks` moves the head. Every account an
operation names has approved both contracts for both tokens, as the fork assumes. A transaction
gets 30,000,000 gas (a block's worth); one that needs more is refused as `EVM_HALT`, with revm's
reason, as a chain would refuse it.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional

from reference.evm import projection
from reference.evm.compile import Build, compile_kalypso
from reference.evm.deploy import FAUCET, Kalypso, deploy_kalypso
from reference.evm.errors import EvmHarnessError
from reference.evm.session import ChainSession, serve
from reference.evm.translate import Names, account_names, call_for, encode_event, error_code
from spec.deployed_native.codec import decode_config, decode_op
from spec.deployed_native.keyregistry import MARKETPLACE_NAME
from spec.deployed_native.markets import MAX_ADVANCE
from spec.errors import SpecError

FORK = "deployed_native"


class EvmSession(ChainSession):
    """One adapter session: a deployed system, its head block and the names it met."""

    FORK = FORK

    def __init__(self, build: Build):
        self.build = build
        self.system: Optional[Kalypso] = None
        self.names: Optional[Names] = None
        self.head = 0

    def project(self) -> dict:
        return projection.project(self.system, self.names, self.head)

    def approvals(self):
        s = self.system
        return (s.payment, s.staking), (s.marketplace, s.generators)

    def genesis(self, config) -> dict:
        try:
            config = decode_config(config)
        except SpecError as exc:
            return {"ok": False, "error": f"cannot start genesis: {exc}"}
        self.system = deploy_kalypso(self.build, config)
        contracts = {MARKETPLACE_NAME: self.system.marketplace.address, "registry": self.system.generators.address,
                     "key-registry": self.system.keys.address, "@faucet": FAUCET}
        self.names = Names(contracts)
        self.head = config.genesis_block
        for name in (config.admin, config.treasury):
            self.meet(name)
        return {"ok": True}

    def apply(self, data) -> dict:
        try:
            op = decode_op(data)
        except SpecError as exc:
            return {"ok": False, "error_code": exc.code}
        for name in account_names(op):
            self.meet(name)
        if op.name == "advance_blocks":
            if not 0 < op.blocks <= MAX_ADVANCE:
                return {"ok": False, "error_code": "INVALID_TIME_STEP"}
            self.head += op.blocks
            return {"ok": True, "events": []}
        if op.name == "mint":
            return self._mint(op)
        return self._transact(op)

    def _mint(self, op) -> dict:
        """The faucet: a token transfer from the faucet account (design `mint` rules: a known
        token, a positive amount)."""
        config = self.system.config
        if op.token not in config.tokens:
            return {"ok": False, "error_code": "UNKNOWN_TOKEN"}
        if op.amount <= 0:
            return {"ok": False, "error_code": "INVALID_AMOUNT"}
        token = self.system.payment if op.token == config.payment_token else self.system.staking
        self.system.chain.set_block(self.head + 1)
        receipt = self.send(token, "transfer", (self.system.chain.addr(op.account), op.amount), FAUCET, error_code)
        if isinstance(receipt, dict):
            return receipt
        self.head += 1
        return {"ok": True, "events": [{"event": "Minted", "account": op.account, "token": op.token, "amount": str(op.amount)}]}

    def _transact(self, op) -> dict:
        chain = self.system.chain
        chain.set_block(self.head + 1)
        contract, fn, args = call_for(self.system, op, chain.timestamp)
        receipt = self.send(contract, fn, args, op.sender, error_code)
        if isinstance(receipt, dict):
            return receipt
        self.head += 1
        ours = {self.system.marketplace.address, self.system.generators.address, self.system.keys.address}
        return {"ok": True, "events": [encode_event(self.names, e) for e in receipt.events if e.address in ours]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reference.evm.adapter", description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=Path, default=None,
                        help="the master-66d489f snapshot (default: $KALYPSO_CONTRACTS or ../shared/kalypso-contracts/master-66d489f)")
    args = parser.parse_args(argv)
    try:
        build = compile_kalypso(args.contracts)
    except EvmHarnessError as exc:
        print(f"reference.evm.adapter: {exc.kind}: {exc}", file=sys.stderr)
        return 2
    serve(EvmSession(build))
    return 0


if __name__ == "__main__":
    sys.exit(main())
