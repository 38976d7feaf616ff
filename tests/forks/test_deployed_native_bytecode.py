"""The fork's vectors and findings on the real master-66d489f bytecode (the EVM adapter);
skipped with the reason where the contracts or the npm toolchain are absent."""
from __future__ import annotations

import sys

import pytest

from reference.conformance.deployed_native.findings import FINDINGS
from reference.conformance.deployed_native.generate import FORK_DIR
from reference.conformance.runner import run_conformance
from reference.evm import compile as evm_compile
from spec.deployed_native import keys


@pytest.fixture(scope="module")
def evm_adapter():
    reason = evm_compile.missing_reason()
    if reason:
        pytest.skip(f"needs the contracts and the npm toolchain: {reason}")
    return [sys.executable, "-m", "reference.evm.adapter", "--contracts", str(evm_compile.default_contracts_dir())]


def test_every_finding_replays_on_the_bytecode(evm_adapter):
    """Each finding's trace runs on the contracts with the same outcomes, events and projection,
    and the evidence the contracts answer shows the violation."""
    from reference.conformance.deployed_native.replay import replay_findings

    replays = {(r.finding.invariant, r.finding.name): r for r in replay_findings(evm_adapter)}
    assert all(r.agrees for r in replays.values()), {k: r.outcome for k, r in replays.items() if not r.agrees}
    assert replays[("S1 slash_compensation", "counterexample")].evidence["balances.mallory.POND"] == "300"
    assert replays[("S1 slash_compensation", "counterexample")].evidence["balances.carol.POND"] is None
    assert replays[("I9 withdrawal", "counterexample")].evidence["balances.bob.POND"] == "1000"
    assert replays[("I9 withdrawal", "topped_up")].evidence["balances.bob.POND"] == "2"
    assert replays[("D1 parallel_limit", "counterexample")].evidence["memberships.0.bob.active_requests"] == "101"
    assert replays[("D2 compute_decrease_exact", "counterexample")].evidence["provers.bob.declared_compute"] == "1"
    assert replays[("I4 escrow_refund", "invalid_inputs")].evidence["claimable.carol"] is None
    a1 = replays[("A1 attestation_freshness", "counterexample")]  # an attestation 3,600 s old verifies the engine key
    assert a1.evidence["verified_keys.engine-key"] == "0x" + keys.image_id("me-image").hex() and a1.evidence["engine_pubkey"] not in (None, "0x")
    assert len(replays) == len(FINDINGS)


def test_fork_conformance_on_the_bytecode(evm_adapter):
    report = run_conformance(evm_adapter, FORK_DIR)
    assert report.total >= 90 and report.failed == 0, [f.message for f in report.failures[:5]]


def test_random_traces_agree_on_the_bytecode(evm_adapter):
    """Seeded random traces (rejected steps included) replay on the contracts exactly as the fork
    runs them: every outcome, event, error code and the final projection."""
    from reference.conformance.cases import CaseFile
    from reference.conformance.deployed_native.traces import random_action_lists, trace_case
    from reference.conformance.runner import SubprocessAdapter, replay_case

    failures = []
    with SubprocessAdapter(evm_adapter) as adapter:
        for i, actions in enumerate(random_action_lists(40, seed=20261202)):
            result = replay_case(adapter, CaseFile(f"random/{i}", None, trace_case(actions)), 120)
            if not result.passed:
                failures.append((actions, result.message))
    assert not failures, failures[:2]
