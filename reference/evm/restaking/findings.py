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
