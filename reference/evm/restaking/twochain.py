"""Two EVMs, one harness: the restaking lineage's L2 bytecode (the deployed_restaking adapter's
session, reference.evm.restaking.adapter) and its L1 (Symbiotic core from npm and Kalypso's
Middleware, reference.evm.restaking.l1), with the harness playing the TEE bridge between them.

Messages (each a frozen value the transmitter holds):
- `VaultSnapshot` L1 -> L2: the operators' stake per vault at a capture timestamp, read from each
  vault's NetworkRestakeDelegator.stakeAt for the network's subnetwork, carried as
  SymbioticStaking.submitVaultSnapshot parts signed by the bridge enclave key;
- `SlashResult` L2 -> L2: the tasks past their deadline without a proof, carried as
  SymbioticStaking.submitSlashResult; once carried, each slashed task's restaked lock (token and
  amount at assignment, the capture it was assigned under) yields one `SlashRequest` per vault
  that backed the prover at that capture, queued in the outbox;
- `SlashRequest` L2 -> L1: carried as Middleware.requestSlash (a VETO_SLASH vault) or
  Middleware.slash (INSTANT_SLASH), signed by the enclave key over abi.encode(jobId,
  rewardAddress, vault, operator, amount, captureTimestamp).

Every L2 operation runs on the fork (spec) and on the bytecode; a difference is recorded in
`disagreements`. The clock is shared: an L1 transaction takes one second of L2 time
(advance_time(1) on both). Bridge faults are the transmitter's choices over the outbox (`transmit`:
deliver, drop, duplicate, delay, reorder by the schedule's order, retransmit); a dropped message
is logged as dropped by choice. A message the harness cannot carry raises UncarriableMessage
quoting it: nothing is dropped silently.
"""
from __future__ import annotations

from typing import Optional

import attrs
from eth_abi import encode

from reference.conformance.scenarios.deployed_restaking.world import TRANSMITTER, World
from reference.conformance.scenarios.genesis import ScenarioError
from reference.evm.chain import TxReverted
from reference.evm.errors import UncarriableMessage, UnknownRevert
from reference.evm.restaking.adapter import RestakingSession, error_code
from reference.evm.restaking.l1 import L1, MIDDLEWARE_TYPE, L1Config, deploy_l1, middleware_proof
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.codec import encode_op
from spec.deployed_restaking.containers import Config

L1_GENESIS_BLOCK = 20_000
ENCLAVE_KEY = "bridge-key"  # the enclave key the fork's bridge operations sign with (operations.py defaults)


@attrs.frozen
class VaultSnapshot:
    capture_timestamp: int
    rows: tuple  # ((prover, vault address, L1 collateral symbol, amount), ...)
    parts: int = 1


@attrs.frozen
class SlashResult:
    capture_timestamp: int
    last_block_number: int
    tasks: tuple  # ((bid_id, prover, reward address), ...)


@attrs.frozen
class SlashRequest:
    job_id: int
    reward_address: str
    vault: str
    operator: str
    amount: int
    capture_timestamp: int


@attrs.frozen
class Delivery:
    message: object
    chain: str
    outcome: str  # "ok", a revert's name, or "dropped"
    detail: str = ""


@attrs.frozen
class Assignment:
    bid_id: int
    prover: str
    deadline: int
    capture: int  # the L2 latestConfirmedTimestamp the lock was taken under
    token: Optional[str]  # the restaked lock's token (None: no restaked lock)
    amount: int


class TwoChain:
    def __init__(self, l2_build, symbiotic_build, middleware_build, config: Config = Config(), l1: L1Config = L1Config(),
                 transmitter: str = TRANSMITTER):
        self.config, self.transmitter = config, transmitter
        self.world = World(config=config)
        self.l2 = RestakingSession(l2_build)
        genesis = self.l2.handle({"cmd": "genesis", "fork": "deployed_restaking", "config": self.world.case("", "")["genesis"]["config"]})
        assert genesis.get("ok"), genesis
        self.l1: L1 = deploy_l1(symbiotic_build, middleware_build, l2_build, l1, L1_GENESIS_BLOCK, config.genesis_time)
        self.l1_block = L1_GENESIS_BLOCK
        self.disagreements: list[str] = []
        self.log: list[Delivery] = []
        self.outbox: list = []
        self.assignments: dict[int, Assignment] = {}
        self.captures: dict[int, VaultSnapshot] = {}
        self.slashed: set[int] = set()

    # ---- clock and L2 --------------------------------------------------------------------------

    @property
    def time(self) -> int:
        return self.l2.time

    def l2_op(self, op) -> dict:
        """One fork operation on the L2 bytecode and on the spec; their answers must agree."""
        data = encode_op(op)
        answer = self.l2.handle({"cmd": "apply", "op": data})
        outcome = "ok" if answer.get("ok") else answer.get("error_code", "error")
        try:
            self.world.do(op, expect=outcome)
            spec = self.world.steps[-1]["expect"]
            if answer.get("ok") and spec.get("events") != answer.get("events"):
                self.disagreements.append(f"{data['op']}: spec events {spec.get('events')}, chain {answer.get('events')}")
        except ScenarioError as exc:
            self.world.steps.pop()
            self.disagreements.append(f"{data['op']}: chain answered {outcome}; {exc}")
        if answer.get("ok") and op.name == "assign_task":
            self._record_assignment(op.bid_id, op.prover)
        return answer

    def advance(self, seconds: int) -> None:
        self.l2_op(ops.AdvanceTime(seconds))

    def _record_assignment(self, bid_id: int, prover: str) -> None:
        s = self.l2.system
        token, amount = s.symbiotic.call("lockInfo", bid_id)
        names = {t.address.lower(): n for n, t in s.tokens.items()}
        self.assignments[bid_id] = Assignment(bid_id, prover, self.world.state.bids[bid_id].deadline,
                                              s.symbiotic.call("latestConfirmedTimestamp"),
                                              names.get(token.lower()) if amount else None, amount)

    # ---- L1 ------------------------------------------------------------------------------------

    def l1_transact(self, contract, fn: str, *args, sender: str):
        """One L1 transaction at the shared clock's next second (the clock then moves on by one)."""
        self.l1_block += 1
        self.l1.chain.set_head(self.l1_block, self.time + 1)
        try:
            receipt = contract.transact(fn, *args, sender=sender)
        except UnknownRevert as exc:
            return None, f"UNKNOWN_REVERT_{exc.selector}"
        self.advance(1)
        return receipt, ("ok" if receipt.ok else error_code(receipt.revert))

    def l1_view(self, contract, fn: str, *args):
        self.l1.chain.set_head(self.l1_block + 1, self.time + 1)
        return contract.call(fn, *args)

    # ---- messages ------------------------------------------------------------------------------

    def capture(self, parts: int = 1) -> VaultSnapshot:
        """The enclave reads L1 at the head's timestamp: every operator's stake in every vault the
        Middleware lists; the snapshot is queued in the outbox and returned."""
        ts = self.time
        rows = []
        symbol = self.l1_view(self.l1.collateral, "symbol")
        for address in self.l1_view(self.l1.middleware, "getVaults"):
            vault = self.l1.vault_of(address)
            for operator in self.l1.config.operators:
                amount = self.l1_view(vault.delegator, "stakeAt", self.l1.subnetwork, self.l1.chain.addr(operator), ts, b"")
                if amount:
                    rows.append((operator, vault.vault.address, symbol, amount))
        snapshot = VaultSnapshot(ts, tuple(rows), parts)
        self.outbox.append(snapshot)
        return snapshot

    def slash_result(self, capture_timestamp: int, reward_address: Optional[str] = None, last_block_number: int = 0) -> SlashResult:
        """The enclave's slash result for a capture: every assigned task past its deadline at the
        capture, without a proof and not yet reported; queued and returned."""
        done = {int(b) for b, bid in self.world.state.bids.items() if bid.stored_state.name == "COMPLETED"}
        tasks = tuple((a.bid_id, a.prover, reward_address or self.transmitter) for a in self.assignments.values()
                      if a.deadline < capture_timestamp and a.bid_id not in done and a.bid_id not in self.slashed)
        result = SlashResult(capture_timestamp, last_block_number or (len(self.captures) + 1) * 1000, tasks)
        self.outbox.append(result)
        return result

    def carry(self, message, sender: Optional[str] = None) -> list[Delivery]:
        """Carry one message to its chain; returns (and logs) the deliveries. UncarriableMessage
        if the message names what the harness cannot map onto the other chain."""
        sender = sender or self.transmitter
        if isinstance(message, VaultSnapshot):
            out = self._carry_snapshot(message, sender)
        elif isinstance(message, SlashResult):
            out = self._carry_slash_result(message, sender)
        elif isinstance(message, SlashRequest):
            out = [self._carry_slash_request(message, sender)]
        else:
            raise UncarriableMessage(message, "not a VaultSnapshot, SlashResult or SlashRequest")
        self.log += out
        return out

    def _carry_snapshot(self, m: VaultSnapshot, sender: str) -> list[Delivery]:
        unknown = sorted({r[2] for r in m.rows} - set(self.config.symbiotic_tokens))
        if unknown:
            raise UncarriableMessage(m, f"L1 collateral {', '.join(unknown)} is no Symbiotic stake token on L2 "
                                        f"(symbiotic_tokens {list(self.config.symbiotic_tokens)})")
        if not 1 <= m.parts <= max(1, len(m.rows)):
            raise UncarriableMessage(m, f"parts={m.parts}: a snapshot of {len(m.rows)} rows is sent in 1..{max(1, len(m.rows))} parts")
        chunks = [m.rows[i::m.parts] for i in range(m.parts)]
        out = []
        for index, rows in enumerate(chunks):
            provers, vaults, tokens, amounts = (list(x) for x in zip(*rows)) if rows else ([], [], [], [])
            answer = self.l2_op(ops.SubmitVaultSnapshot(sender, index, m.parts, m.capture_timestamp, provers, vaults, tokens, amounts))
            out.append(Delivery(m, "L2", "ok" if answer.get("ok") else answer.get("error_code", "error"), f"part {index}/{m.parts}"))
        if all(d.outcome == "ok" for d in out):
            self.captures[m.capture_timestamp] = m
        return out

    def _carry_slash_result(self, m: SlashResult, sender: str) -> list[Delivery]:
        requests = []
        for bid_id, prover, reward in m.tasks:
            a = self.assignments.get(bid_id)
            if a is None:
                raise UncarriableMessage(m, f"task {bid_id} was never assigned through this harness: no restaked lock to bridge to L1")
            if a.token is None:
                continue
            remaining = a.amount
            backing = self.captures.get(a.capture)
            for p, vault, token, amount in (backing.rows if backing else ()):
                if p == prover and token == a.token and remaining:
                    requests.append(SlashRequest(bid_id, reward, vault, prover, min(remaining, amount), a.capture))
                    remaining -= min(remaining, amount)
        bids, provers, rewards = (list(x) for x in zip(*m.tasks)) if m.tasks else ([], [], [])
        answer = self.l2_op(ops.SubmitSlashResult(sender, 0, 1, m.capture_timestamp, m.last_block_number, bids, provers, rewards))
        outcome = "ok" if answer.get("ok") else answer.get("error_code", "error")
        if outcome == "ok":
            self.slashed |= {t[0] for t in m.tasks}
            self.outbox += requests
        return [Delivery(m, "L2", outcome, f"{len(requests)} slash request(s) for L1 queued" if outcome == "ok" else "")]

    def _carry_slash_request(self, m: SlashRequest, sender: str) -> Delivery:
        mw = self.l1.middleware
        vault = self.l1.vault_of(m.vault)
        kind = self.l1_view(mw, "vaultInfo", m.vault)[1] if vault else 0
        if kind not in (MIDDLEWARE_TYPE["veto"], MIDDLEWARE_TYPE["instant"]):
            raise UncarriableMessage(m, f"vault {m.vault} is not configured in the Middleware with a slasher (type {kind})")
        A = self.l1.chain.addr
        data = encode(["uint256", "address", "address", "address", "uint256", "uint48"],
                      [m.job_id, A(m.reward_address), m.vault, A(m.operator), m.amount, m.capture_timestamp])
        proof = middleware_proof(data, ENCLAVE_KEY, self.config.bridge_image, self.time)
        fn = "requestSlash" if kind == MIDDLEWARE_TYPE["veto"] else "slash"
        receipt, outcome = self.l1_transact(mw, fn, m.job_id, A(m.reward_address), m.vault, A(m.operator), m.amount,
                                            m.capture_timestamp, b"", proof, sender=sender)
        events = [e.name for e in receipt.events] if receipt is not None and receipt.ok else []
        return Delivery(m, "L1", outcome, f"Middleware.{fn}" + (f": {', '.join(events)}" if events else ""))

    def transmit(self, schedule) -> list[Delivery]:
        """Run the transmitter's choices over the outbox: each step is (action, outbox index[, arg])
        with action deliver | drop | duplicate | retransmit | delay (arg seconds, then deliver).
        Reordering is the schedule's order. Carried messages stay in the outbox (for retransmits)."""
        out = []
        for step in schedule:
            action, i = step[0], step[1]
            if not 0 <= i < len(self.outbox):
                raise UncarriableMessage(step, f"outbox index {i} out of range 0..{len(self.outbox) - 1}")
            message = self.outbox[i]
            if action == "drop":
                self.log.append(Delivery(message, "-", "dropped", "the transmitter's choice"))
                out.append(self.log[-1])
            elif action in ("deliver", "retransmit"):
                out += self.carry(message)
            elif action == "duplicate":
                out += self.carry(message) + self.carry(message)
            elif action == "delay":
                self.advance(step[2])
                out += self.carry(message)
            else:
                raise UncarriableMessage(step, f"unknown transmitter action {action!r}")
        return out


def stake_evidence(tc: TwoChain, kind: str) -> dict:
    """What the L1 says about a vault: its active stake, the operator's stake now, the burner's collateral."""
    v = tc.l1.vaults[kind]
    return {"activeStake": tc.l1_view(v.vault, "activeStake"),
            "burner collateral": tc.l1_view(tc.l1.collateral, "balanceOf", tc.l1.chain.addr(tc.l1.config.burner))}


__all__ = ["Assignment", "Delivery", "SlashRequest", "SlashResult", "TwoChain", "VaultSnapshot", "stake_evidence", "TxReverted"]
