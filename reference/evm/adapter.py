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
import json
import sys
from pathlib import Path
from typing import Optional

from reference.evm import projection
from reference.evm.compile import Build, compile_kalypso
from reference.evm.deploy import FAUCET, Kalypso, deploy_kalypso
from reference.evm.errors import EvmHarnessError, UnknownRevert
from reference.evm.translate import ZERO, Names, account_names, call_for, encode_event, error_code
from spec.deployed_native.codec import decode_config, decode_op
from spec.deployed_native.keyregistry import MARKETPLACE_NAME
from spec.deployed_native.markets import MAX_ADVANCE
from spec.errors import SpecError

FORK = "deployed_native"
MAX_UINT = 2**256 - 1


class EvmSession:
    """One adapter session: a deployed system, its head block and the names it met."""

    def __init__(self, build: Build):
        self.build = build
        self.system: Optional[Kalypso] = None
        self.names: Optional[Names] = None
        self.head = 0

    def handle(self, request) -> dict:
        if not isinstance(request, dict) or request.get("cmd") not in ("load", "genesis", "apply", "state"):
            return {"ok": False, "error": "a request is an object with cmd in load|genesis|apply|state"}
        cmd = request["cmd"]
        if cmd == "load":
            return {"ok": False, "error": "the EVM adapter starts only from a deployed_native genesis (no pre-state load)"}
        if cmd == "genesis":
            return self.genesis(request.get("fork", FORK), request.get("config"))
        if self.system is None:
            return {"ok": False, "error": "no genesis yet"}
        if cmd == "apply":
            return self.apply(request.get("op"))
        return {"state": projection.project(self.system, self.names, self.head)}

    def genesis(self, fork, config) -> dict:
        if fork != FORK:
            return {"ok": False, "error": f"the EVM adapter runs the {FORK} fork only, not {fork!r}"}
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
            self._meet(name)
        return {"ok": True}

    def _meet(self, name: str) -> None:
        """Remember a name; a new account approves both contracts for both tokens (set-up, no block)."""
        address, new = self.names.add(name)
        if new and address.lower() != ZERO:
            s = self.system
            for token in (s.payment, s.staking):
                for spender in (s.marketplace, s.generators):
                    token.must("approve", spender.address, MAX_UINT, sender=name)

    def apply(self, data) -> dict:
        try:
            op = decode_op(data)
        except SpecError as exc:
            return {"ok": False, "error_code": exc.code}
        for name in account_names(op):
            self._meet(name)
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
        receipt = token.transact("transfer", self.system.chain.addr(op.account), op.amount, sender=FAUCET)
        if not receipt.ok:
            return {"ok": False, "error_code": error_code(receipt.revert)}
        self.head += 1
        return {"ok": True, "events": [{"event": "Minted", "account": op.account, "token": op.token, "amount": str(op.amount)}]}

    def _transact(self, op) -> dict:
        chain = self.system.chain
        chain.set_block(self.head + 1)
        contract, fn, args = call_for(self.system, op, chain.timestamp)
        try:
            receipt = contract.transact(fn, *args, sender=op.sender)
        except UnknownRevert as exc:
            return {"ok": False, "error_code": f"UNKNOWN_REVERT_{exc.selector}", "error": str(exc)}
        except RuntimeError as exc:  # a halt (out of gas, invalid opcode): not a revert
            return {"ok": False, "error_code": "EVM_HALT", "error": str(exc)[:300]}
        if not receipt.ok:
            return {"ok": False, "error_code": error_code(receipt.revert)}
        self.head += 1
        ours = {self.system.marketplace.address, self.system.generators.address, self.system.keys.address}
        return {"ok": True, "events": [encode_event(self.names, e) for e in receipt.events if e.address in ours]}


def serve(session: EvmSession, stdin=sys.stdin, stdout=sys.stdout) -> None:
    for line in stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError as exc:
            response = {"ok": False, "error": f"not JSON: {exc}"}
        else:
            try:
                response = session.handle(request)
            except Exception as exc:  # an adapter bug must not kill the session: say what broke, go on
                response = {"ok": False, "error": f"EVM adapter failure: {type(exc).__name__}: {exc}"[:500]}
        stdout.write(json.dumps(response) + "\n")
        stdout.flush()


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
