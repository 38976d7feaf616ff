"""Findings on the restaking lineage: for each invariant the deployed_restaking fork violates, a
short trace from genesis that shows it (a replayable case, `vectors/deployed_restaking/findings/
<invariant>/counterexample.json`), the contract rule that breaks it, and the smallest rule change
(spec/deployed_restaking/fixes.py) under which the same trace keeps the invariant. Each is
replayed on the real bytecode by the EVM adapter (reference.evm.restaking) before it is reported."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import attrs

from properties.deployed_restaking import KEY_SAFETY_BOUND, violations
from properties.deployed_restaking_escape import find_escape
from reference.conformance.cases import spec_version, write_json
from reference.conformance.deployed_restaking.generate import FORK_DIR
from reference.conformance.scenarios.deployed_restaking.world import ADMIN, BOB, CAROL, MALLORY, VAULT, World
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.codec import decode_op
from spec.deployed_restaking.containers import genesis
from spec.deployed_restaking.fixes import apply_with
from spec.deployed_restaking.transition import apply
from spec.errors import SpecError

FINDINGS_DIR = FORK_DIR / "findings"


def _slash_after_deadline() -> World:
    w = World()
    bid_id = w.task()
    w.do(ops.AdvanceTime(600))
    w.snapshot([(BOB, VAULT, "POND", 5_000)], slashed=[(bid_id, BOB, CAROL)])
    return w


def _anyone_refunds_first() -> World:
    w = World()
    bid_id = w.task()
    w.do(ops.AdvanceTime(600))
    w.do(ops.RefundFees(MALLORY, [bid_id]))
    w.snapshot([(BOB, VAULT, "POND", 5_000)], slashed=[(bid_id, BOB, CAROL)])
    return w


def _escape() -> World:
    """The trace the escape search finds (properties.deployed_restaking_escape, deployed rules):
    a prover assigned against a capture older than the vault epoch misses its deadline, the
    slash result naming it lands promptly, and the stake it was locked against is no longer
    slashable on L1."""
    found = find_escape()
    if found is None:
        raise AssertionError("the escape search found no escape under the deployed rules")
    w = World()
    for op in found:
        w.do(op)
    return w


def _emergency_withdraw() -> World:
    w = World().fund(BOB, "POND", 1_000)
    w.do(ops.Stake(BOB, "POND", BOB, 1_000))
    w.do(ops.EmergencyWithdraw(ADMIN, "native_staking", "POND", ADMIN))
    return w


@attrs.frozen
class Finding:
    invariant: str
    name: str
    rule: str
    build: Callable
    fix: str
    fix_rule: str
    evidence: tuple = ()

    @property
    def path(self) -> Path:
        return FINDINGS_DIR / self.invariant.replace(" ", "_") / f"{self.name}.json"


FINDINGS = (
    Finding("S1 slash_compensation", "counterexample",
            "StakingManager.sol:145 onSlashResultSubmission calls ProofMarketplace.refundFees BEFORE the pools' slash (:151); "
            "_refundFee (ProofMarketplace.sol:534) calls completeProverTask, which releases every lock "
            "(NativeStaking.sol:178), so NativeStaking.slash (:189) finds none: the reward address gets 0, the prover keeps its stake.",
            _slash_after_deadline, "S1",
            "_refundFee releases the prover's compute only (releaseProverCompute, the contract's own TODO at "
            "ProofMarketplace.sol:535-536); the locks stay until the slash result takes them.",
            ("balances.carol", "held.native_staking.POND", "native.locks")),
    Finding("S1 slash_compensation", "anyone_refunds_first",
            "ProofMarketplace.sol:505 refundFees has no role: anyone calls it once the deadline passed and releases the locks "
            "before any slash result arrives.",
            _anyone_refunds_first, "S1", "as above: refundFees keeps the locks.",
            ("balances.carol", "held.native_staking.POND")),
    Finding("I8 cross_chain_safety", "counterexample",
            "SymbioticStaking.sol:553 _selectStakeToken / :403 getProverActiveStakeAmount read the LATEST confirmed capture "
            "whatever its age; no rule bounds its age against the task's deadline, and the lock (:293) does not record the "
            "capture it used. Found by the escape search: the prover then misses its deadline and the slash result naming "
            "it lands after the stake it was locked against stopped being slashable on L1 (the vault epoch): it keeps it.",
            _escape, "I8",
            f"assignTask requires deadline + 1 + submissionCooldown <= latestConfirmedTimestamp + {KEY_SAFETY_BOUND} s (the key "
            "safety rule with the slash's latency: the next capture may wait one cooldown; a bound on deadline - capture alone "
            "still escapes within one cooldown of it).",
            ("symbiotic.confirmed", "bids.0.deadline", "symbiotic.locks")),
    Finding("I7 stake_backing", "counterexample",
            "NativeStaking.sol:343 emergencyWithdraw (DEFAULT_ADMIN_ROLE) sends the contract's WHOLE token balance, staked "
            "tokens included; the stake records (:46-49) are untouched, so they are no longer backed.",
            _emergency_withdraw, "I7",
            "emergencyWithdraw takes only the balance beyond every recorded stake and pending withdrawal.",
            ("balances.admin.POND", "held", "native.prover_stake")),
)


def replay(steps, rules=apply) -> tuple:
    """Replay recorded steps from genesis with `rules`; returns (final state, {step: violations}).
    A step the rules reject leaves the state as it was."""
    state = genesis()
    seen = {}
    for i, step in enumerate(steps):
        op = decode_op({"op": step["op"], "args": step["args"]})
        try:
            new, _ = rules(state, op)
        except SpecError:
            continue
        found = violations(state, op, new)
        if found:
            seen[i] = found
        state = new
    return state, seen


def case_of(f: Finding) -> dict:
    """The finding's case: the trace, the violation the fork shows and the fix's outcome."""
    w = f.build()
    _, found = replay(w.steps)
    hits = {i: v[f.invariant] for i, v in found.items() if f.invariant in v}
    if not hits:
        raise AssertionError(f"{f.invariant}/{f.name}: the trace does not violate the invariant")
    _, fixed = replay(w.steps, apply_with(f.fix))
    still = {i: v[f.invariant] for i, v in fixed.items() if f.invariant in v}
    if still:
        raise AssertionError(f"{f.invariant}/{f.name}: the fix does not restore the invariant: {still}")
    step, messages = next(iter(hits.items()))
    case = w.case(f"Finding {f.invariant}: {f.rule}", spec_version())
    case["finding"] = {"invariant": f.invariant, "rule": f.rule, "step": step, "violation": messages,
                       "fix": f.fix_rule, "evidence": list(f.evidence)}
    return case


def write_findings(root: Path = FINDINGS_DIR) -> list[Path]:
    paths = []
    for f in FINDINGS:
        path = Path(root) / f.invariant.replace(" ", "_") / f"{f.name}.json"
        write_json(path, case_of(f))
        paths.append(path)
    return paths
