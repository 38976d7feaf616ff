"""The restaking findings replayed on the real bytecode: each committed finding case
(vectors/deployed_restaking/findings/) runs step by step on the L2 contracts; every step's
outcome and events and the final projection must agree with the fork, and the evidence is read
from the chain. Two readings that are not invariant violations of the fork are replayed here
too: the stake-token draw (predicted before sending, and chosen by timing) and the VetoSlasher
path (no selector of `executeSlash` in Kalypso's Middleware bytecode)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import attrs
from eth_utils import keccak

from reference.conformance.deployed_restaking.findings import FINDINGS
from reference.evm.restaking.adapter import RestakingSession
from reference.evm.restaking.escape import escape_evidence
from reference.evm.restaking.translate import chain_draw, token_address
from reference.conformance.scenarios.deployed_restaking.world import BOB, ENGINE, World
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.containers import Config
from spec.deployed_restaking.pools import select_stake_token
from spec.operations import Mint


@attrs.frozen
class Replay:
    finding: str
    steps: int
    agree: bool
    first_difference: Optional[str]
    evidence: dict


def _get(doc: dict, dotted: str):
    node = doc
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def run_case(build, case: dict) -> tuple[RestakingSession, list, Optional[str]]:
    """Replay a case's operations on a fresh deployment; (session, answers, first difference)."""
    session = RestakingSession(build)
    answer = session.handle({"cmd": "genesis", "fork": case["fork"], "config": case["genesis"]["config"]})
    if not answer.get("ok"):
        return session, [], f"genesis: {answer}"
    answers, difference = [], None
    for i, step in enumerate(case["operations"]):
        got = session.handle({"cmd": "apply", "op": {"op": step["op"], "args": step["args"]}})
        answers.append(got)
        want = step["expect"]
        same = got.get("ok") == want["ok"] and (got.get("events") == want.get("events") if want["ok"] else got.get("error_code") == want["error_code"])
        if not same and difference is None:
            difference = f"step {i} {step['op']}: expected {want}, chain answered {got}"
    state = session.handle({"cmd": "state"})["state"]
    if difference is None and state != case["post_state"]:
        difference = "final projection differs"
    return session, answers, difference


def replay_findings(build, root: Path) -> list[Replay]:
    out = []
    for f in FINDINGS:
        case = json.loads((root / f.invariant.replace(" ", "_") / f"{f.name}.json").read_text())
        session, answers, difference = run_case(build, case)
        projection = session.handle({"cmd": "state"})["state"]
        evidence = {path: _get(projection, path) for path in f.evidence}
        s = session.system
        step = case["finding"]["step"]
        if f.invariant.startswith("S1"):
            events = answers[step].get("events", [])
            evidence["TaskSlashed events in the slash step"] = sum(e["event"] == "TaskSlashed" for e in events)
            evidence["NativeStaking POND (chain)"] = str(s.tokens["POND"].call("balanceOf", s.native.address))
        if f.invariant.startswith("I8"):  # the escape search's trace: read at the assignment and at the slash
            evidence.update(escape_evidence(build, case))
        if f.invariant.startswith("I7"):
            evidence["NativeStaking POND (chain)"] = str(s.tokens["POND"].call("balanceOf", s.native.address))
            evidence["getProverStakeAmount(POND, bob) (chain)"] = str(s.native.call("getProverStakeAmount", s.tokens["POND"].address,
                                                                                     s.chain.addr(BOB)))
            after = [session.handle({"cmd": "apply", "op": o}) for o in (
                {"op": "request_stake_withdrawal", "args": {"sender": "bob", "prover": "bob", "token": "POND", "amount": "1000"}},
                {"op": "advance_time", "args": {"seconds": "3600"}},
                {"op": "withdraw_stake", "args": {"sender": "bob", "prover": "bob", "indices": ["0"]}})]
            evidence["bob's matured withdrawal afterwards"] = after[-1].get("error_code", "accepted")
        out.append(Replay(f"{f.invariant}/{f.name}", len(case["operations"]), difference is None, difference, evidence))
    return out


def replay_token_draw(build, tries: int = 16) -> dict:
    """Two native tokens of equal weight, both staked: before sending, the draw (timestamp, the
    previous block's hash, the StakingManager's address) is computed off chain; waiting whole
    seconds changes it, so whoever sends the assignment picks the token. Each choice is then
    sent with that draw and the chain's StakeLocked token is compared with the prediction."""
    config = Config(native_tokens=("POND", "WETH"), native_weights=(1, 1), native_lock=(100, 1_000))
    w = World(config=config).ready()
    w.do(Mint(BOB, "WETH", 1_000))
    w.do(ops.Stake(BOB, "WETH", BOB, 1_000))
    w.bid()
    results = {}
    for want in ("POND", "WETH"):
        session = RestakingSession(build)
        session.handle({"cmd": "genesis", "fork": "deployed_restaking", "config": w.case("", "")["genesis"]["config"]})
        for step in w.steps:
            session.handle({"cmd": "apply", "op": {"op": step["op"], "args": step["args"]}})
        s = session.system
        locks = dict(zip(config.native_tokens, config.native_lock))
        active = lambda t: s.native.call("getProverActiveStakeAmount", token_address(s, t), s.chain.addr(BOB))
        for wait in range(tries):
            s.chain.set_head(session.head + 1, session.time + wait + 1)
            draw = chain_draw(s, session.blockhash_reader)
            if select_stake_token(config.native_tokens, config.native_weights, locks, active, draw, "X") == want:
                break
        else:
            results[want] = {"found": False}
            continue
        if wait:
            session.handle({"cmd": "apply", "op": {"op": "advance_time", "args": {"seconds": str(wait)}}})
        answer = session.handle({"cmd": "apply", "op": {"op": "assign_task", "args": {"sender": ENGINE, "bid_id": "0", "prover": BOB,
                                                                                      "draw": str(draw)}}})
        locked = [e["token"] for e in answer.get("events", []) if e["event"] == "StakeLocked"]
        results[want] = {"wait_s": wait, "draw": str(draw), "predicted": want, "chain_locked_native": locked[:1], "ok": answer.get("ok")}
    return results


EXECUTE_SLASH = keccak(text="executeSlash(uint256,bytes)")[:4]
REQUEST_SLASH = keccak(text="requestSlash(bytes32,address,uint256,uint48,bytes)")[:4]


def middleware_selectors(runtime: bytes) -> dict:
    """Whether Kalypso's Middleware runtime bytecode pushes VetoSlasher's `requestSlash` and
    `executeSlash` selectors (an external call's selector is a PUSH4 constant)."""
    return {"requestSlash pushed": b"\x63" + REQUEST_SLASH in runtime, "executeSlash pushed": b"\x63" + EXECUTE_SLASH in runtime}


# ---- both chains: Symbiotic core + Kalypso's Middleware on L1, the L2 lineage, the harness's bridge ----

def two_chain_task(builds, l1_config, stale_days: int = 0):
    """A two-chain run up to a slash request bridged to L1: a market, BOB with native stake; a
    capture of BOB's stake on L1 carried to L2 (snapshot + empty slash result: confirmed);
    `stale_days` pass; a bid assigned to BOB (locks restaked stake under that capture); the
    deadline passes without a proof; the next capture carries a slash result naming the task,
    and the harness derives the L1 slash request(s) from the task's restaked lock."""
    from reference.conformance.scenarios.deployed_restaking.world import ALICE, CAROL, INPUTS, IVS_IMAGE, PRICE, REWARD
    from reference.evm.restaking.twochain import SlashRequest, TwoChain
    from spec.env import STAND_IN_VERIFIER_ID

    tc = TwoChain(*builds, l1=l1_config)
    cfg = tc.config
    for op in (Mint(ALICE, cfg.payment_token, cfg.market_creation_cost), ops.CreateMarket(ALICE, b"market", STAND_IN_VERIFIER_ID, "public", IVS_IMAGE),
               ops.RegisterProver(BOB, BOB, 10, b"prover"), ops.JoinMarket(BOB, 1, 2, PRICE, 60),
               Mint(BOB, "POND", 1_000), ops.Stake(BOB, "POND", BOB, 1_000)):
        tc.l2_op(op)
    first = tc.capture()
    tc.carry(first)
    tc.carry(tc.slash_result(first.capture_timestamp))
    if stale_days:
        tc.advance(stale_days * 86_400)
    tc.l2_op(Mint(CAROL, cfg.payment_token, REWARD))
    tc.l2_op(ops.CreateBid(CAROL, 1, REWARD, tc.time + 600, 60, CAROL, INPUTS))
    tc.l2_op(ops.AssignTask(ENGINE, 0, BOB))
    tc.advance(cfg.submission_cooldown + 60)
    second = tc.capture()
    tc.carry(second)
    tc.carry(tc.slash_result(second.capture_timestamp))
    requests = [m for m in tc.outbox if isinstance(m, SlashRequest)]
    return tc, requests


def replay_veto_escape(builds, callers=("admin", "network", "curator", "resolver", "bob", "dave", "carol", "mallory",
                                        "transmitter", "engine-key", "0x00000000000000000000000000000000000d0e91")) -> dict:
    """VetoSlasher.executeSlash unreachable, end to end on both chains: a missed deadline on L2
    becomes a slash request through Kalypso's Middleware on a VETO_SLASH vault; the veto window
    passes; executeSlash from every account we control reverts (Symbiotic lets only the network's
    middleware execute) and the Middleware's ABI has no function that calls it, so the vault's
    active stake is unchanged. Control: once the network points NetworkMiddlewareService at an
    account that can send it (what an executeSlash entry in the Middleware would be), the same
    request executes and the vault loses the amount."""
    from reference.evm.restaking.l1 import L1Config
    from reference.evm.restaking.twochain import stake_evidence

    tc, requests = two_chain_task(builds, L1Config(vaults=("veto",), resolver="resolver"))
    before = stake_evidence(tc, "veto")
    requested_at = tc.time + 1  # the L1 transaction's block timestamp
    delivered = [tc.carry(r)[0] for r in requests]
    slasher = tc.l1.vaults["veto"].slasher
    index = tc.l1_view(slasher, "slashRequestsLength")
    tc.advance(tc.l1.config.veto_duration + 1)
    tries = {}
    for caller in callers:
        _, outcome = tc.l1_transact(slasher, "executeSlash", 0, b"", sender=caller)
        tries[caller] = outcome
    mw = tc.l1.middleware
    names = sorted({e["name"] for e in mw.artifact.abi if e.get("type") == "function"})
    after = stake_evidence(tc, "veto")
    _, switched = tc.l1_transact(tc.l1.contracts["NetworkMiddlewareService"], "setMiddleware",
                                 tc.l1.chain.addr("middleware-stand-in"), sender=tc.l1.config.network)
    _, control = tc.l1_transact(slasher, "executeSlash", 0, b"", sender="middleware-stand-in")
    return {"L2 slash result carried": [d.outcome for d in tc.log if type(d.message).__name__ == "SlashResult"],
            "slash requests bridged to L1": [(d.outcome, d.detail) for d in delivered],
            "VetoSlasher slashRequestsLength": index,
            "request (amount, capture age at the request, s)": [(r.amount, requested_at - r.capture_timestamp) for r in requests],
            "veto window, epoch, s": (tc.l1.config.veto_duration, tc.l1.config.epoch_duration),
            "executeSlash(0) after the veto window, by caller": tries,
            "Middleware functions": names, "Middleware has executeSlash": "executeSlash" in names,
            "vault before request": before, "vault after veto window": after,
            "control: network sets an account as its middleware": switched,
            "control: executeSlash by that account": control,
            "vault after the control": stake_evidence(tc, "veto"),
            "fork/bytecode disagreements on L2": tc.disagreements}


def replay_instant_slash(builds, stale_days: int = 0) -> dict:
    """The INSTANT_SLASH path: Middleware.slash calls Symbiotic's Slasher.slash at once. In time,
    the vault loses the lock's amount to the burner; with the capture older than the vault's
    epoch (`stale_days`: no staleness bound on L2, the lock reads the latest capture whatever its
    age), the slash reverts on L1 and the prover keeps its restaked stake."""
    from reference.evm.restaking.l1 import L1Config
    from reference.evm.restaking.twochain import stake_evidence

    tc, requests = two_chain_task(builds, L1Config(vaults=("instant",)), stale_days=stale_days)
    before = stake_evidence(tc, "instant")
    delivered = [tc.carry(r)[0] for r in requests]
    a = tc.assignments.get(0)
    return {"capture age at the slash, s": tc.time - a.capture if a else None,
            "vault epoch, s": tc.l1.config.epoch_duration,
            "slash requests bridged to L1": [(d.outcome, d.detail) for d in delivered],
            "vault before": before, "vault after": stake_evidence(tc, "instant"),
            "fork/bytecode disagreements on L2": tc.disagreements}


def replay_search_escape_two_chain(builds, case: Optional[dict] = None) -> dict:
    """The escape search's own trace (the committed I8 finding, which `make vectors` rebuilds by
    running properties.deployed_restaking_escape) on both chains. L2: every step as committed, on
    the bytecode and the fork, each answer compared with the committed expectation. The bridge
    steps are carried by the harness: each vault snapshot is read from L1 (one INSTANT_SLASH vault,
    bob's 1,000 POND of stake: the trace's amount) at the trace's capture timestamp; each slash
    result names what the harness finds past its deadline (must be the trace's bids), with the
    trace's reward address and block number. Then the slash of the task's restaked lock, under
    the capture it was locked against, is carried to L1's Middleware.slash: Symbiotic refuses the
    stale capture and the vault keeps the stake."""
    from reference.conformance.deployed_restaking.findings import FINDINGS_DIR
    from reference.evm.restaking.l1 import L1Config
    from reference.evm.restaking.twochain import SlashRequest, TwoChain, VaultSnapshot, stake_evidence
    from spec.deployed_restaking.codec import decode_op

    if case is None:
        case = json.loads((FINDINGS_DIR / "I8_cross_chain_safety" / "counterexample.json").read_text())
    tc = TwoChain(*builds, l1=L1Config(vaults=("instant",), deposit=1_000, network_limit=1_000))
    genesis_differs = tc.world.case("", "")["genesis"]["config"] != case["genesis"]["config"]
    differences, bridged = [], []
    for i, step in enumerate(case["operations"]):
        args, want = step["args"], step["expect"]
        if step["op"] == "submit_vault_snapshot":
            ts = int(args["capture_timestamp"])
            rows = []
            for address in tc.l1_view(tc.l1.middleware, "getVaults"):
                vault = tc.l1.vault_of(address)
                amount = tc.l1_view(vault.delegator, "stakeAt", tc.l1.subnetwork, tc.l1.chain.addr(BOB), ts, b"")
                rows.append((BOB, vault.vault.address, tc.l1_view(tc.l1.collateral, "symbol"), amount))
            if [str(r[3]) for r in rows] != args["amounts"]:
                differences.append(f"step {i}: L1 reads {[r[3] for r in rows]} at {ts}, the trace {args['amounts']}")
            got = tc.carry(VaultSnapshot(ts, tuple(rows)))
        elif step["op"] == "submit_slash_result":
            ts = int(args["capture_timestamp"])
            result = tc.slash_result(ts, reward_address=(args["reward_addresses"] or [None])[0],
                                     last_block_number=int(args["last_block_number"]))
            if [str(t[0]) for t in result.tasks] != args["bid_ids"]:
                differences.append(f"step {i}: the harness finds {result.tasks} past their deadline, the trace {args['bid_ids']}")
            got = tc.carry(result)
            bridged.append({"capture": ts, "bids": [t[0] for t in result.tasks], "L2": got[0].outcome})
        else:
            answer = tc.l2_op(decode_op({"op": step["op"], "args": args}))
            if answer.get("ok") != want["ok"] or (want["ok"] and answer.get("events") != want.get("events")):
                differences.append(f"step {i} {step['op']}: chain {answer}, the trace {want}")
            continue
        if [d.outcome for d in got] != ["ok"] * len(got) and want["ok"]:
            differences.append(f"step {i} {step['op']}: {[d.outcome for d in got]}")
    requests = [m for m in tc.outbox if isinstance(m, SlashRequest)]
    before = stake_evidence(tc, "instant")
    slashed_at = tc.time + 1  # the L1 transaction's block timestamp
    delivered = [tc.carry(r)[0] for r in requests]
    a = tc.assignments.get(0)
    return {"trace steps": len(case["operations"]), "genesis differs from the trace's": genesis_differs,
            "L2 differences from the committed trace": differences,
            "fork/bytecode disagreements on L2": tc.disagreements,
            "slash results carried": bridged,
            "lock's capture": a.capture if a else None, "deadline": a.deadline if a else None,
            "restaked lock": (a.token, a.amount) if a else None,
            "L1 slash at": slashed_at, "capture age at the L1 slash, s": slashed_at - a.capture if a else None,
            "vault epoch, s": tc.l1.config.epoch_duration,
            "slash requests": [(r.job_id, r.amount, r.capture_timestamp) for r in requests],
            "slash requests bridged to L1": [(d.outcome, d.detail) for d in delivered],
            "vault before": before, "vault after": stake_evidence(tc, "instant")}
