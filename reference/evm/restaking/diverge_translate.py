"""A design case as a deployed_restaking trace (reference/evm/restaking/diverge.py classifies
what the adapter answers):

- genesis: the design's payment token; one native and one symbiotic stake token (the design's
  stake token and restaking token), each locking the largest market slash amount, except that
  the native amountToLock is 0 when no prover holds native stake in the pre-state (every
  assignment locks in EVERY pool, StakingManager.sol:89: a positive native lock would refuse
  every restaked-only prover before any restaking rule is reached); submissionCooldown 0 (so
  the translation measures rules, not a parameter);
- set-up, in design time + SHIFT (chain seconds; attestations need a realistic clock): mints,
  markets, provers and their memberships, native stake (plus pending withdrawals, requested at
  their time), then along the design's clock the confirmed snapshots (their parts in index
  order, then an empty one-part slash result that confirms the capture), the open and assigned
  asks as bids, their assignments by the engine key, and slashed asks (a capture naming them);
- operations, each mapped to what does its job on L2, with the design spec replayed beside it
  (its in-flight messages name what a delivery carries): a snapshot part delivered = the
  transmitter's `submitVaultSnapshot` of that part (the last part followed by the slash result);
  a part transmitted, a message delayed, reordered, dropped, duplicated or retransmitted = no
  transaction (the transmitter's choice of what to send when); a missed deadline slashed = the
  next capture (a snapshot of the latest rows and a slash result naming the bid); L1 operations
  (vaults, vetoes, executions, slash requests and results) have no L2 transaction."""
from __future__ import annotations

from collections import Counter
from typing import Optional

from reference.evm.restaking.diverge_rules import BRIDGE_FAULTS, NO_COUNTERPART, REJECTED_ON_CHAIN, RULES, SETUP_REFUSED
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.codec import encode_config, encode_op
from spec.deployed_restaking.containers import Config
from spec.operations import Mint
from spec.restaking_state import SlashRequest, SlashResult
from spec.signing import assignment_message, verify_signature

ENGINE, NOT_ENGINE, TRANSMITTER, IVS_IMAGE = "engine-key", "not-an-engine", "transmitter", "ivs-image"
MARGIN = 3
SHIFT = 1_700_000_000
"""Chain time = design time + SHIFT (the fork's default genesis timestamp): attestations carry
timestamps the contracts compare with block.timestamp."""


class Unreplayable(Exception):
    def __init__(self, rule: str, detail: str, at: Optional[int] = None):
        super().__init__(detail)
        self.rule, self.detail, self.at = rule, detail, at


def _i(v) -> int:
    return int(v)


def _complete(snapshot: dict) -> bool:
    return len(snapshot["parts"]) == _i(snapshot["count"])


def _pre_state_rule(pre: dict) -> None:
    for prover, by_token in pre.get("withdrawals", {}).items():
        if set(by_token) - {pre["config"]["stake_tokens"][0]}:
            raise Unreplayable("pre-state/multi-token-stake", f"{prover} withdraws another token")
    if any(len(p["stake"]) > 1 or (p["stake"] and set(p["stake"]) != {pre["config"]["stake_tokens"][0]})
           for p in pre["provers"].values()):
        raise Unreplayable("pre-state/multi-token-stake", "native stake in more than one token")
    for ask_id, ask in pre["asks"].items():
        if ask["state"] not in ("UNASSIGNED", "ASSIGNED") and not (ask["state"] == "DEADLINE_CROSSED" and ask["assignment"]):
            raise Unreplayable("pre-state/terminal-ask", f"ask {ask_id} is {ask['state']}")
        if ask.get("private_inputs"):
            raise Unreplayable("no-counterpart/private-inputs", f"ask {ask_id} has private inputs")
    for capture, snap in pre["restaking"].get("snapshots", {}).items():
        received = sorted(_i(i) for i in snap["parts"])
        if received != list(range(len(received))):
            raise Unreplayable("pre-state/unordered-parts", f"capture {capture} holds parts {received}")


class Translation:
    """One design case as a deployed_restaking genesis, set-up and per-operation transactions."""

    def __init__(self, case: dict):
        pre = case["pre_state"]
        self.pre, cfg = pre, pre["config"]
        self.stake_token, self.restake_token = cfg["stake_tokens"][0], cfg["restaking"]["stake_token"]
        self.payment_token = cfg["payment_token"]
        slash = [_i(m["slash_amount"].get(t, "0")) for m in pre["markets"].values() for t in (self.stake_token,)]
        rslash = [_i(m["slash_amount"].get(self.restake_token, "0")) for m in pre["markets"].values()]
        native_held = any(_i(v) for p in pre["provers"].values() for v in p["stake"].values())
        self.native_lock, self.symbiotic_lock = (max(slash + [1]) if native_held else 0), max(rslash + [1])
        self.setup = self._setup(pre)
        self.timeline = self._timeline(pre)
        t0 = min([_i(pre["time"])] + [t for t, _, _ in self.timeline])
        self.shift = SHIFT  # the attestation checks on chain need a realistic clock
        if t0 + SHIFT < len(self.setup) + MARGIN:
            raise Unreplayable("untranslatable", f"design time {t0} leaves no room for the set-up")
        self.genesis_time = t0 + self.shift - len(self.setup) - MARGIN
        self.bid_of: dict[str, int] = {}
        self.slash_results = 0
        self.config = Config(payment_token=self.payment_token, treasury=cfg["treasury"], admin="admin",
                             market_creation_cost=_i(cfg["market_creation_fee"]), native_tokens=(self.stake_token,),
                             native_weights=(1,), native_lock=(self.native_lock,), symbiotic_tokens=(self.restake_token,),
                             symbiotic_weights=(1,), symbiotic_lock=(self.symbiotic_lock,), submission_cooldown=0,
                             withdrawal_duration=max(1, _i(cfg["stake_withdrawal_delay"])),
                             engine_key=ENGINE, genesis_time=self.genesis_time)

    # ---- set-up --------------------------------------------------------------------------------

    def _setup(self, pre: dict) -> list:
        minted: Counter = Counter()
        for market in pre["markets"].values():
            minted[(market["owner"], self.payment_token)] += _i(pre["config"]["market_creation_fee"])
        for ask in pre["asks"].values():
            minted[(ask["requester"], self.payment_token)] += _i(ask["max_price"])
        for prover in pre["provers"].values():
            minted[(prover["address"], self.stake_token)] += sum(_i(v) for v in prover["stake"].values())
        for prover, by_token in pre.get("withdrawals", {}).items():
            minted[(prover, self.stake_token)] += sum(_i(w["amount"]) for w in by_token.values())
        for account, tokens in pre["balances"].items():
            for token, amount in tokens.items():
                minted[(account, token)] += _i(amount)
        out = [Mint(a, t, n) for (a, t), n in sorted(minted.items()) if n > 0 and t in (self.payment_token, self.stake_token)]
        for market in sorted(pre["markets"].values(), key=lambda m: _i(m["id"])):
            out.append(self.market_op(market["owner"], market["verifier_id"]))
        for prover in sorted(pre["provers"].values(), key=lambda p: p["address"]):
            out.append(ops.RegisterProver(prover["address"], prover["reward_address"], _i(prover["declared_compute"]), b"prover"))
        for market_id, members in sorted(pre["memberships"].items(), key=lambda kv: _i(kv[0])):
            for prover, m in sorted(members.items()):
                q = m["quote"] or {"compute_per_request": "1", "price": "0", "proposed_time": "1"}
                out.append(ops.JoinMarket(prover, _i(market_id) + 1, _i(q["compute_per_request"]), _i(q["price"]), _i(q["proposed_time"])))
        pending = pre.get("withdrawals", {})
        for prover in sorted(pre["provers"].values(), key=lambda p: p["address"]):
            amount = sum(_i(v) for v in prover["stake"].values())
            amount += sum(_i(w["amount"]) for w in pending.get(prover["address"], {}).values())
            if amount:
                out.append(ops.Stake(prover["address"], self.stake_token, prover["address"], amount))
        return out

    def _timeline(self, pre: dict) -> list:
        """(design time, order, what) of the snapshots, asks and assignments, in design time."""
        out = []
        for capture, snap in pre["restaking"].get("snapshots", {}).items():
            done = _i(snap.get("completed_at", capture)) if _complete(snap) and _i(snap.get("completed_at", "-1")) >= 0 else _i(capture)
            out.append((max(done, _i(capture)), 0, ("snapshot", snap)))
        for ask in pre["asks"].values():
            out.append((_i(ask["created_at"]), 1, ("ask", ask)))
            if ask["assignment"]:
                out.append((_i(ask["assignment"]["assigned_at"]), 2, ("assign", ask)))
            if ask["state"] == "DEADLINE_CROSSED":  # slashed: the capture whose slash result names it
                requested = [_i(x["requested_at"]) for x in pre["restaking"].get("slashes", {}).values() if x["ask_id"] == ask["id"]]
                out.append((min(requested or [_i(ask["assignment"]["deadline"]) + 1]), 3, ("slashed", ask)))
        delay = _i(pre["config"]["stake_withdrawal_delay"])
        for prover, by_token in pre.get("withdrawals", {}).items():
            for token, w in by_token.items():
                out.append((_i(w["available_at"]) - delay, 4, ("withdrawal", {"id": prover, "token": token, **w})))
        return sorted(out, key=lambda e: (e[0], e[1], str(e[2][1].get("id", e[2][1].get("capture_ts")))))

    def market_op(self, sender: str, verifier_id: str):
        return ops.CreateMarket(sender, b"market", verifier_id, "public", IVS_IMAGE)

    def part_op(self, capture: int, index: int, count: int, entries) -> ops.SubmitVaultSnapshot:
        rows = [(str(o), str(v), _i(s)) for o, v, s in entries]
        if any(s < 0 for _, _, s in rows):
            raise Unreplayable("untranslatable", "a snapshot row with a negative stake: no uint256 holds it")
        return ops.SubmitVaultSnapshot(TRANSMITTER, index, count, capture + self.shift, [o for o, _, _ in rows], [v for _, v, _ in rows],
                                       [self.restake_token] * len(rows), [s for _, _, s in rows])

    def slash_result(self, capture: int, tasks=()) -> ops.SubmitSlashResult:
        """The capture's one-part slash result (chain time: `capture` is already shifted)."""
        self.slash_results += 1
        return ops.SubmitSlashResult(TRANSMITTER, 0, 1, capture, 1_000 * self.slash_results, [b for b, _, _ in tasks],
                                     [p for _, p, _ in tasks], [r for _, _, r in tasks])

    def snapshots_before(self, at: int) -> list:
        """The rows of the pre-state's latest complete snapshot captured by design time `at`."""
        done = [s for s in self.pre["restaking"].get("snapshots", {}).values() if _complete(s) and _i(s["capture_ts"]) <= at]
        if not done:
            return []
        latest = max(done, key=lambda s: _i(s["capture_ts"]))
        return [[tuple(r) for r in latest["parts"][str(i)]] for i in range(_i(latest["count"]))]

    def capture_round(self, capture: int, rows, tasks) -> list:
        """A new capture at chain time `capture`: a one-part snapshot of `rows` and a slash result
        naming `tasks` [(bid, prover, reward address)]."""
        snapshot = ops.SubmitVaultSnapshot(TRANSMITTER, 0, 1, capture, [str(o) for o, _, _ in rows], [str(v) for _, v, _ in rows],
                                           [self.restake_token] * len(rows), [_i(s) for _, _, s in rows])
        return [snapshot, self.slash_result(capture, tasks)]

    def bid_op(self, ask: dict, sender: str) -> ops.CreateBid:
        return ops.CreateBid(sender, _i(ask["market_id"]) + 1, _i(ask["max_price"]), _i(ask["expiry"]) + self.shift,
                             _i(ask["proof_time"]), sender, bytes.fromhex(ask["public_inputs"][2:]))


class Chain:
    """The adapter session with the chain's clock kept beside it (each transaction: +1 s)."""

    def __init__(self, adapter, t: Translation):
        self.adapter, self.t = adapter, t
        self.now = t.genesis_time
        self.before: Optional[dict] = None

    def ensure(self) -> None:
        """Genesis and the pre-state's set-up, once, before the first L2 transaction."""
        if self.before is None:
            build_pre_state(self)
            self.before = self.state()

    def start(self) -> None:
        answer = self.adapter.request({"cmd": "genesis", "fork": "deployed_restaking", "config": encode_config(self.t.config)}, 60)
        if not answer.get("ok"):
            raise Unreplayable("pre-state/refused", f"genesis refused: {answer.get('error')}")

    def apply(self, op) -> dict:
        answer = self.adapter.request({"cmd": "apply", "op": encode_op(op)}, 60)
        if answer.get("ok"):
            self.now += op.seconds if isinstance(op, ops.AdvanceTime) else 1
        return answer

    def must(self, op) -> dict:
        answer = self.apply(op)
        if not answer.get("ok"):
            code = answer.get("error_code", answer.get("error"))
            rule = SETUP_REFUSED.get((op.name, code)) or (REJECTED_ON_CHAIN.get(code) if op.name == "assign_task" else None)
            rule = rule or "pre-state/refused"
            raise Unreplayable(rule, f"rebuilding the pre-state: {op.name} refused on chain: {code}")
        return answer

    def catch_up(self, design_time: int) -> None:
        """Advance so the next transaction runs at design time + shift (never backwards)."""
        target = design_time + self.t.shift - 1
        while target > self.now:
            step = min(target - self.now, 10**9)
            self.must(ops.AdvanceTime(step))

    def state(self) -> dict:
        return self.adapter.request({"cmd": "state"}, 60)["state"]


def build_pre_state(chain: Chain) -> None:
    t = chain.t
    _pre_state_rule(t.pre)
    chain.start()
    for op in t.setup:
        chain.must(op)
    for at, _, (kind, item) in t.timeline:
        chain.catch_up(at)
        if kind == "snapshot":
            capture = _i(item["capture_ts"])
            for index in sorted(_i(i) for i in item["parts"]):
                chain.must(t.part_op(capture, index, _i(item["count"]), item["parts"][str(index)]))
            if _complete(item):
                chain.must(t.slash_result(capture + t.shift))
        elif kind == "ask":
            chain.must(t.bid_op(item, item["requester"]))
            t.bid_of[str(item["id"])] = len(t.bid_of)
        elif kind == "assign":
            chain.must(ops.AssignTask(ENGINE, t.bid_of[str(item["id"])], item["assignment"]["prover"], 0))
        elif kind == "slashed":  # once the chain's own deadline passed (its clock may run behind the design's)
            deadline = _i(chain.state()["bids"][str(t.bid_of[str(item["id"])])]["deadline"])
            chain.catch_up(max(at, deadline - t.shift + 1))
            rows = [row for s in t.snapshots_before(at) for row in s]
            for op in t.capture_round(chain.now + 1, rows, [(t.bid_of[str(item["id"])], item["assignment"]["prover"], item["requester"])]):
                chain.must(op)
        else:
            chain.must(ops.RequestStakeWithdrawal(item["id"], item["id"], item["token"], _i(item["amount"])))
    chain.catch_up(_i(t.pre["time"]))


def _latest_rows(design_state) -> list:
    """The rows of the design's latest complete snapshot (what a new capture would report)."""
    snaps = [s for s in design_state.restaking.snapshots.values() if len(s.parts) == s.count]
    if not snaps:
        return []
    latest = max(snaps, key=lambda s: s.capture_ts)
    return [row for i in sorted(latest.parts) for row in latest.parts[i]]


def chain_ops(t: Translation, chain: Chain, design_state, op, design_ok: bool) -> tuple[list, str]:
    """The L2 transactions doing the design operation's job, and how the outcome is read
    ('tx': the transactions' acceptance; 'none': nothing is sent on L2)."""
    name = op.name
    if name in NO_COUNTERPART:
        raise Unreplayable(NO_COUNTERPART[name], f"{name}: {RULES[NO_COUNTERPART[name]][1]}")
    bid = lambda ask_id: t.bid_of.get(str(ask_id), 10**6 + ask_id)  # noqa: E731 - an ask the chain never saw
    if name == "advance_time":
        return [], "time"
    if name in BRIDGE_FAULTS:
        return [], "none"
    if name == "mint":
        if op.token not in (t.payment_token, t.stake_token):
            raise Unreplayable("no-counterpart/other-token", f"token {op.token}")
        return [Mint(op.account, op.token, op.amount)], "tx"
    if name == "transmit_snapshot_part" and design_ok:
        return [], "transmit"  # the TEE reads L1; L2 sees the part when it is delivered
    if name == "deliver_message":
        message = design_state.restaking.bridge.in_flight.get(op.message_id)
        if message is None:
            raise Unreplayable("no-counterpart/bridge-bookkeeping", f"message {op.message_id} is not in flight: no transaction")
        if isinstance(message.payload, SlashRequest):
            raise Unreplayable("l1/slash-request", "a slash request goes to L1 (Middleware.requestSlash)")
        if isinstance(message.payload, SlashResult):
            raise Unreplayable("no-counterpart/slash-outcome-to-l2", "an L1 slash outcome never reaches L2")
    chain.ensure()
    if name == "transmit_snapshot_part":  # the design refuses it: would the chain take it?
        return [t.part_op(op.capture_ts, op.index, op.count, op.entries)], "part"
    if name == "deliver_message":
        payload = design_state.restaking.bridge.in_flight[op.message_id].payload
        part = t.part_op(payload.capture_ts, payload.index, payload.count, payload.entries)
        return [part], "part"
    if name == "create_market":
        return [t.market_op(op.sender, op.verifier_id)], "tx"
    if name == "register_prover":
        return [ops.RegisterProver(op.sender, op.reward_address, op.declared_compute, b"prover")], "tx"
    if name == "join_market":
        return [ops.JoinMarket(op.sender, op.market_id + 1, op.compute_per_request, op.price, op.proposed_time)], "tx"
    if name in ("deposit_stake", "request_stake_withdrawal", "withdraw_stake") and op.token != t.stake_token:
        raise Unreplayable("no-counterpart/other-token", f"{name} in {op.token}")
    if name == "deposit_stake":
        return [ops.Stake(op.sender, op.token, op.sender, op.amount)], "tx"
    if name == "request_stake_withdrawal":
        return [ops.RequestStakeWithdrawal(op.sender, op.sender, op.token, op.amount)], "tx"
    if name == "withdraw_stake":
        pending = chain.state()["native"]["withdrawals"].get(f"{op.sender}/{op.sender}", [])
        indices = [i for i, w in enumerate(pending) if _i(w["amount"])]
        return [ops.WithdrawStake(op.sender, op.sender, indices)], "tx"
    if name == "create_ask":
        if op.private_inputs:
            raise Unreplayable("no-counterpart/private-inputs", "an ask with private inputs")
        return [ops.CreateBid(op.sender, op.market_id + 1, op.max_price, op.expiry + t.shift, op.proof_time, op.sender,
                              op.public_inputs)], "ask"
    if name == "cancel_ask":
        return [ops.CancelBid(op.sender, bid(op.ask_id))], "tx"
    if name == "submit_proof":
        return [ops.SubmitProof(op.sender, bid(op.ask_id), op.proof)], "tx"
    if name == "assign_task":
        ask = design_state.asks.get(op.ask_id)
        market = design_state.markets.get(ask.market_id) if ask else None
        key = market.engine_key if market and market.engine_key else ""
        valid = bool(key) and verify_signature(key, assignment_message(market.id, op.ask_id, op.prover, op.price), op.signature)
        return [ops.AssignTask(ENGINE if valid else NOT_ENGINE, bid(op.ask_id), op.prover, 0)], "tx"
    if name == "slash_missed_deadline":
        ask = design_state.asks.get(op.ask_id)
        prover = ask.assignment.prover if ask and ask.assignment else op.sender
        chain_bid = chain.state()["bids"].get(str(bid(op.ask_id)))
        if design_ok and chain_bid:  # the chain's clock may run a few seconds behind: slash once ITS deadline passed
            chain.catch_up(max(design_state.time, _i(chain_bid["deadline"]) - t.shift + 1))
        return t.capture_round(chain.now + 1, _latest_rows(design_state), [(bid(op.ask_id), prover, op.sender)]), "slash"
    raise Unreplayable("untranslatable", f"{name} is not translated")
