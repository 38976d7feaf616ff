"""What both lineages' EVM adapters share: the JSON-lines protocol loop (`serve`), the request
dispatch of a session (`ChainSession.handle`), account set-up as the forks assume it (every named
account approves the contracts for every token, no block) and one transaction with its outcome
(`ChainSession.send`: a receipt, or the fork's answer for a revert or a halt)."""
from __future__ import annotations

import json
import sys
from typing import Callable

from reference.evm.errors import UnknownRevert
from reference.evm.translate import ZERO

MAX_UINT = 2**256 - 1


class ChainSession:
    """One adapter session over a deployed system. A lineage sets `FORK` and `LABEL` and gives
    `genesis`, `apply`, `project` and `approvals` (the tokens and the spenders a new account
    approves)."""

    FORK = ""
    LABEL = "the EVM adapter"
    system = None
    names = None

    def handle(self, request) -> dict:
        if not isinstance(request, dict) or request.get("cmd") not in ("load", "genesis", "apply", "state"):
            return {"ok": False, "error": "a request is an object with cmd in load|genesis|apply|state"}
        cmd = request["cmd"]
        if cmd == "load":
            return {"ok": False, "error": f"{self.LABEL} starts only from a {self.FORK} genesis (no pre-state load)"}
        if cmd == "genesis":
            fork = request.get("fork", self.FORK)
            if fork != self.FORK:
                return {"ok": False, "error": f"{self.LABEL} runs the {self.FORK} fork only, not {fork!r}"}
            return self.genesis(request.get("config"))
        if self.system is None:
            return {"ok": False, "error": "no genesis yet"}
        if cmd == "apply":
            return self.apply(request.get("op"))
        return {"state": self.project()}

    def meet(self, name: str) -> None:
        """Remember a name; a new account approves every spender for every token (set-up, no block)."""
        address, new = self.names.add(name)
        if new and address.lower() != ZERO:
            tokens, spenders = self.approvals()
            for token in tokens:
                for spender in spenders:
                    token.must("approve", spender.address, MAX_UINT, sender=name)

    @staticmethod
    def send(contract, fn: str, args, sender: str, error_code: Callable):
        """Send one transaction: its receipt if it succeeded, else the fork's answer (the revert's
        code, `UNKNOWN_REVERT_<selector>`, or `EVM_HALT` for out of gas or an invalid opcode)."""
        try:
            receipt = contract.transact(fn, *args, sender=sender)
        except UnknownRevert as exc:
            return {"ok": False, "error_code": f"UNKNOWN_REVERT_{exc.selector}", "error": str(exc)}
        except RuntimeError as exc:  # a halt: not a revert
            return {"ok": False, "error_code": "EVM_HALT", "error": str(exc)[:300]}
        if not receipt.ok:
            return {"ok": False, "error_code": error_code(receipt.revert)}
        return receipt


def serve(session, stdin=sys.stdin, stdout=sys.stdout) -> None:
    """The adapter protocol (docs/conformance.md): one JSON request a line, one JSON answer a line."""
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


__all__ = ["ChainSession", "serve", "MAX_UINT"]
