"""The EVM conformance adapter for deployed_restaking: the restaking lineage's L2 bytecode
(initial-deploy-7cf6586, compiled with viaIR) behind the JSON-lines adapter protocol.

    python -m reference.evm.restaking.adapter [--contracts DIR]
    kalypso conform --adapter "python -m reference.evm.restaking.adapter" --vectors vectors/deployed_restaking

The harness plays the TEE bridge: a snapshot or slash result is signed by the named enclave key
and attested for the named image (the repo's MockAttestationVerifier accepts it); the chain's
L1 side (Symbiotic vaults, Middleware) is not deployed here, so a capture's stake is what the
operation says. `assign_task.draw` must select what the chain's own draw selects; if not, the
operation is answered with an error that says so (the harness cannot carry that draw). Events:
the L2 Kalypso contracts' logs; VaultSnapshotSubmitted and SlashResultSubmitted without their
payload and proof bytes (they hold addresses of the harness's deployment)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional

from reference.evm.deploy import FAUCET
from reference.evm.errors import EvmHarnessError
from reference.evm.restaking.compile import compile_restaking
from reference.evm.restaking.deploy import Restaking, deploy_restaking
from reference.evm.restaking.translate import BLOCKHASH_INIT, account_names, call_for, chain_draw, token_address
from reference.evm.restaking import view
from reference.evm.session import ChainSession, serve
from reference.evm.translate import Names, encode_event
from spec.deployed_restaking.codec import decode_config, decode_op
from spec.deployed_restaking.pools import select_stake_token
from spec.deployed_restaking.transition import MAX_ADVANCE
from spec.errors import SpecError

FORK = "deployed_restaking"
PAYLOAD_EVENTS = {"VaultSnapshotSubmitted": ("vaultSnapshotData", "proof"), "SlashResultSubmitted": ("slashResultData", "proof")}


def error_code(revert) -> str:
    if revert.name == "Panic":
        return f"PANIC_0x{revert.args[0]:02x}"
    if revert.name == "Error":
        return "REVERT_STRING"
    return "EMPTY_REVERT" if revert.name == "EmptyRevert" else revert.name


class RestakingSession(ChainSession):
    """One adapter session: the deployed L2 system, its head block and time, the names it met."""

    FORK = FORK
    LABEL = "the restaking EVM adapter"

    def __init__(self, build):
        self.build = build
        self.system: Optional[Restaking] = None
        self.names: Optional[Names] = None
        self.head = self.time = 0
        self.blockhash_reader = ""

    def project(self) -> dict:
        self.system.chain.set_head(self.head + 1, self.time + 1)
        return view.project(self.system, self.names, self.head, self.time)

    def approvals(self):
        s = self.system
        return tuple(s.tokens.values()), (s.marketplace, s.native)

    def genesis(self, config) -> dict:
        try:
            config = decode_config(config)
        except SpecError as exc:
            return {"ok": False, "error": f"cannot start genesis: {exc}"}
        self.system = deploy_restaking(self.build, config)
        self.names = Names(self.system.contracts())
        self.head, self.time = config.genesis_block, config.genesis_time
        self.blockhash_reader = self.system.chain.evm.deploy(self.system.chain.addr(FAUCET), BLOCKHASH_INIT, gas=10**6)
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
        if op.name == "advance_time":
            if not 0 < op.seconds <= MAX_ADVANCE:
                return {"ok": False, "error_code": "INVALID_TIME_STEP"}
            self.time += op.seconds
            return {"ok": True, "events": []}
        if op.name == "mint":
            return self._mint(op)
        if op.name == "emergency_withdraw" and op.token not in self.system.config.tokens:
            return {"ok": False, "error_code": "UNKNOWN_TOKEN"}
        self.system.chain.set_head(self.head + 1, self.time + 1)
        if op.name == "assign_task":
            refused = self._cannot_carry_draw(op)
            if refused:
                return {"ok": False, "error": refused}
        return self._transact(op)

    def _cannot_carry_draw(self, op) -> Optional[str]:
        """The op's draw must select, in each pool, the token the chain's draw selects."""
        s, c = self.system, self.system.config
        actual = chain_draw(s, self.blockhash_reader)
        prover = s.chain.addr(op.prover)
        for pool, tokens, weights, locks in ((s.native, c.native_tokens, c.native_weights, c.native_lock),
                                             (s.symbiotic, c.symbiotic_tokens, c.symbiotic_weights, c.symbiotic_lock)):
            lock_of = dict(zip(tokens, locks))

            def active(t, pool=pool):
                return pool.call("getProverActiveStakeAmount", token_address(s, t), prover)
            try:
                wanted = select_stake_token(tokens, weights, lock_of, active, op.draw, "X")
                chosen = select_stake_token(tokens, weights, lock_of, active, actual, "X")
            except SpecError:
                continue  # no token at all: the draw does not matter
            if wanted != chosen:
                return (f"cannot carry assign_task.draw={op.draw}: the chain's draw keccak256(timestamp, blockhash, "
                        f"StakingManager) = {actual} selects {chosen} in {pool.artifact.name}, the operation's selects {wanted}")
        return None

    def _mint(self, op) -> dict:
        config = self.system.config
        if op.token not in config.tokens:
            return {"ok": False, "error_code": "UNKNOWN_TOKEN"}
        if op.amount <= 0:
            return {"ok": False, "error_code": "INVALID_AMOUNT"}
        self.system.chain.set_head(self.head + 1, self.time + 1)
        receipt = self.send(self.system.tokens[op.token], "transfer", (self.system.chain.addr(op.account), op.amount), FAUCET, error_code)
        if isinstance(receipt, dict):
            return receipt
        self.head, self.time = self.head + 1, self.time + 1
        return {"ok": True, "events": [{"event": "Minted", "account": op.account, "token": op.token, "amount": str(op.amount)}]}

    def _transact(self, op) -> dict:
        s = self.system
        contract, fn, args = call_for(s, op)
        receipt = self.send(contract, fn, args, op.sender, error_code)
        if isinstance(receipt, dict):
            return receipt
        self.head, self.time = self.head + 1, self.time + 1
        ours = {c.address for c in (s.marketplace, s.provers, s.keys, s.manager, s.native, s.symbiotic, s.reward)}
        events = []
        for e in receipt.events:
            if e.address in ours:
                encoded = encode_event(self.names, e)
                events.append({k: v for k, v in encoded.items() if k not in PAYLOAD_EVENTS.get(e.name, ())})
        return {"ok": True, "events": events}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reference.evm.restaking.adapter", description=__doc__.split("\n\n")[0])
    parser.add_argument("--contracts", type=Path, default=None, help="the initial-deploy-7cf6586 snapshot "
                        "(default: $KALYPSO_RESTAKING_CONTRACTS or ../shared/kalypso-contracts/initial-deploy-7cf6586)")
    parser.add_argument("--compile", action="store_true", help="compile if the build is not cached (about two minutes)")
    args = parser.parse_args(argv)
    try:
        build = compile_restaking(args.contracts, cache_only=not args.compile)
    except EvmHarnessError as exc:
        print(f"reference.evm.restaking.adapter: {exc.kind}: {exc}", file=sys.stderr)
        return 2
    serve(RestakingSession(build))
    return 0


if __name__ == "__main__":
    sys.exit(main())
