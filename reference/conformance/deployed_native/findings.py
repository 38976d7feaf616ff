"""Findings on the deployed contracts: for each invariant the deployed_native fork violates, a
1-minimal trace from genesis (found by `properties.deployed_native_search`, seeds pinned), kept
as a replayable case with the violation it shows (`vectors/deployed_native/findings/<id>/...`).
A finding is replayed on the real bytecode through the EVM adapter before it is reported."""
from __future__ import annotations

import json
from pathlib import Path

import attrs

from properties.deployed_native import ALL, violations
from properties.deployed_native_search import find_counterexample, run_ops
from reference.conformance.cases import spec_version, write_json
from reference.conformance.deployed_native.generate import FORK_DIR
from reference.conformance.scenarios.deployed_native.world import World
from spec.deployed_native.codec import decode_op

FINDINGS_DIR = FORK_DIR / "findings"


@attrs.frozen
class Finding:
    """An invariant the fork violates, the search seed that finds it, and the contract rule."""

    invariant: str  # "S1 slash_compensation"
    seed: int
    rule: str  # the deployed rule that breaks it, with its Solidity line
    name: str = "counterexample"
    match: str = ""  # a text the violation must contain (one invariant, several ways to break it)
    evidence: tuple = ()  # dotted paths into the on-chain projection that show the violation
    alphabet: str = ""  # the search's action alphabet (properties.deployed_native_search.ALPHABETS)
    fix: str = ""  # the smallest rule change (spec/deployed_native/fixes.py), where one is given

    @property
    def statement(self) -> str:
        return next(i.statement for i in ALL if f"{i.id} {i.name}" == self.invariant)

    @property
    def path(self) -> Path:
        """Where the committed case lives."""
        return self.path_under(FINDINGS_DIR)

    def path_under(self, root: Path) -> Path:
        return Path(root) / self.invariant.replace(" ", "_") / f"{self.name}.json"


FINDINGS = (
    Finding("S1 slash_compensation", 0, "ProofMarketplace.sol:692 slashGenerator(askId, rewardAddress): anyone, after the deadline, "
            "names the address that receives the whole penalty (GeneratorRegistry.sol:686); the requester only gets its reward back.",
            evidence=("balances.mallory.POND", "balances.carol.POND", "claimable.carol")),
    Finding("I9 withdrawal", 0, "GeneratorRegistry.sol:392 deregister(refundAddress): once out of every market the whole stake is "
            "sent at once, with no unstake request and no delay.", "counterexample", "deregister_prover",
            ("balances.bob.POND", "provers.bob", "block")),
    Finding("I9 withdrawal", 0, "GeneratorRegistry.sol:327/354: the unstake request is kept as a utilisation of the total, so "
            "unstake (one block later) takes that share of the stake as it is THEN: stake deposited after the request (by anyone, "
            "stake() :306) leaves with it.", "topped_up", "withdraw_stake", ("balances.bob.POND", "provers.bob.total_stake")),
    Finding("I4 escrow_refund", 0, "ProofMarketplace.sol:391-394 createAsk: the per-byte platform fee is the treasury's claimable at "
            "creation and never refunded (cancelAsk :559 refunds the reward only).", "fee", "create_ask",
            ("claimable.treasury", "held.marketplace.USDC", "asks.0.reward")),
    Finding("I4 escrow_refund", 0, "ProofMarketplace.sol:596-601 _completeProofForInvalidRequests: after an IVS invalid-inputs claim "
            "the prover is paid its price and reward - price goes to the treasury, not back to the requester.",
            "invalid_inputs", "submit_invalid_inputs", ("claimable.treasury", "claimable.carol", "claimable.bob")),
    Finding("D1 parallel_limit", 0, "GeneratorRegistry.sol:709 assignGeneratorTask checks activeRequests > PARALLEL_REQUESTS_UPPER_LIMIT "
            "before incrementing: a prover takes 101 parallel tasks in a market whose limit is 100.",
            evidence=("memberships.0.bob.active_requests", "provers.bob.stake_locked")),
    Finding("A1 attestation_freshness", 0, "Helper.sol:102 ACCEPTABLE_ATTESTATION_DELAY = 60000 (\"60 seconds, 60,000 milliseconds\") is "
            "ATTESTATION_MAX_AGE of AttestationAutherUpgradeable (EntityKeyRegistry.sol:32), which compares it with seconds "
            "(AttestationAutherUpgradeable.sol:165: timestampInMilliseconds / 1000 > block.timestamp - ATTESTATION_MAX_AGE): an "
            "attestation up to 59,999 s (16.7 h) old verifies a key. Both lineages (initial-deploy-7cf6586 the same lines).",
            evidence=("verified_keys.engine-key", "engine_pubkey"), alphabet="attestation",
            fix="compare in milliseconds: timestampInMilliseconds > block.timestamp * 1000 - ATTESTATION_MAX_AGE (or keep seconds "
                "with ATTESTATION_MAX_AGE = 60)"),
    Finding("D2 compute_decrease_exact", 0, "GeneratorRegistry.sol:251 and :281 round the compute intent through a utilisation "
            "(floor twice): asking to remove 1 of 3 removes 2.", evidence=("provers.bob.declared_compute",)),
)


def case_of(finding: Finding, operations: list) -> dict:
    """The finding's case: its accepted operations from genesis, their outcomes, the projection
    and the violation the fork shows."""
    world = World()
    for op in operations:
        world.do(op)
    steps, final, _ = run_ops(operations)
    case = world.case(f"Finding {finding.invariant}: {finding.statement} Violated: {finding.rule}", spec_version())
    case["finding"] = {
        "invariant": finding.invariant,
        "statement": finding.statement,
        "rule": finding.rule,
        "violations": [v for v in violations(steps, final).get(finding.invariant, []) if finding.match in v],
        "search": {"seed": str(finding.seed), "command": "kalypso vectors generate --search-findings"},
    }
    if finding.fix:
        case["finding"]["fix"] = finding.fix
    return case


def committed_operations(finding: Finding) -> list:
    data = json.loads(finding.path.read_text())
    return [decode_op({"op": s["op"], "args": s["args"]}) for s in data["operations"]]


def search(finding: Finding) -> list:
    """Find the finding's trace anew (seconds to a minute)."""
    operations = find_counterexample(finding.invariant, seed=finding.seed, match=finding.match, alphabet=finding.alphabet)
    if operations is None:
        raise LookupError(f"no counterexample for {finding.invariant} with seed {finding.seed}")
    return operations


def write_findings(do_search: bool = False, root: Path = FINDINGS_DIR) -> list[Path]:
    """Write every finding's case under `root`: searched anew (or where none is committed), else
    rebuilt from the committed operations."""
    paths = []
    for finding in FINDINGS:
        operations = search(finding) if do_search or not finding.path.exists() else committed_operations(finding)
        path = finding.path_under(root)
        write_json(path, case_of(finding, operations))
        paths.append(path)
    return paths


def evidence(projection: dict, path: str):
    """The value at a dotted path of a projection (None where absent: a zero entry)."""
    value = projection
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value
