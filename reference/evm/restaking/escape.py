"""The escape the search finds (properties.deployed_restaking_escape), shown on the L2 bytecode:
the committed I8 finding's trace is replayed step by step on the restaking lineage's contracts
and the chain is read where it matters: at the assignment, the capture the restaked lock was
taken against (`latestConfirmedTimestamp`, SymbioticStaking.sol:365; the lock itself does not
record it) and the deadline; at the slash result naming the missed task, when it landed
(block.timestamp), what the contracts did with the lock (StakingManager.onSlashResultSubmission:
refundFees first, then the pools' slash) and whether the prover's restaked stake is still
locked. The vault's epoch on L1 closes at capture + VAULT_EPOCH: a slash landing later cannot
reach the stake (Symbiotic refuses a capture older than the epoch), so the prover keeps it."""
from __future__ import annotations

from properties.deployed_restaking_escape import VAULT_EPOCH
from reference.evm.restaking.adapter import RestakingSession


def escape_evidence(build, case: dict) -> dict:
    """Replay `case` (the I8 finding) on a fresh L2 deployment and read the escape off the chain."""
    session = RestakingSession(build)
    answer = session.handle({"cmd": "genesis", "fork": case["fork"], "config": case["genesis"]["config"]})
    if not answer.get("ok"):
        return {"genesis": str(answer)}
    s = session.system
    assigned_at = case["finding"]["step"]
    bid_id = int(case["operations"][assigned_at]["args"]["bid_id"])
    out: dict = {}
    for i, step in enumerate(case["operations"]):
        got = session.handle({"cmd": "apply", "op": {"op": step["op"], "args": step["args"]}})
        if i == assigned_at:
            out["capture backing the lock (latestConfirmedTimestamp at the assignment)"] = int(s.symbiotic.call("latestConfirmedTimestamp"))
            out["restaked lock (StakeLocked, SymbioticStaking)"] = [int(e["amount"]) for e in got.get("events", [])
                                                                   if e["event"] == "StakeLocked"][-1:]
        if step["op"] == "submit_slash_result" and str(bid_id) in step["args"]["bid_ids"]:
            out["slash result naming the bid landed at (block.timestamp)"] = session.time
            out["TaskSlashed events in the slash step"] = sum(e["event"] == "TaskSlashed" for e in got.get("events", []))
            state = session.handle({"cmd": "state"})["state"]
            out["bid state after the slash step"] = state["bids"][str(bid_id)]["state"]
            out["restaked stake of bob still locked after it"] = state["symbiotic"]["locked"].get("POND", {}).get("bob", "0")
    state = session.handle({"cmd": "state"})["state"]
    capture = out.get("capture backing the lock (latestConfirmedTimestamp at the assignment)", 0)
    deadline = int(state["bids"][str(bid_id)]["deadline"])
    out["bid deadline (chain)"] = str(deadline)
    out["age at deadline, s"] = deadline - capture
    out["slashable on L1 until (capture + vault epoch)"] = capture + VAULT_EPOCH
    landed = out.get("slash result naming the bid landed at (block.timestamp)")
    out["escaped: the slash lands after the epoch closed"] = landed is not None and landed > capture + VAULT_EPOCH
    cooldown = int(s.symbiotic.call("submissionCooldown"))
    out["reported promptly (landed <= deadline + 1 + submissionCooldown)"] = landed is not None and landed <= deadline + 1 + cooldown
    return out
