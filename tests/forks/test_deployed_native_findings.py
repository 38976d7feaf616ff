"""Findings on deployed_native: each committed trace is accepted step by step from genesis and
violates its invariant (the violation is the result: the invariant is not weakened), and its
case is what the fork does (byte-identical)."""
from __future__ import annotations

import pytest

from properties.deployed_native import violations
from properties.deployed_native_search import run_ops
from reference.conformance.deployed_native.findings import FINDINGS, case_of, committed_operations, search
from spec.codec import dumps


@pytest.mark.parametrize("finding", FINDINGS, ids=lambda f: f.path.parent.name + "/" + f.name)
def test_finding_trace_violates_its_invariant(finding):
    operations = committed_operations(finding)
    steps, final, kept = run_ops(operations)
    assert len(kept) == len(operations), "every step of a finding is accepted"
    shown = [v for v in violations(steps, final).get(finding.invariant, []) if finding.match in v]
    assert shown, f"{finding.invariant} holds on the committed trace"
    assert finding.path.read_text() == dumps(case_of(finding, operations))


@pytest.mark.parametrize("finding", FINDINGS, ids=lambda f: f.path.parent.name + "/" + f.name)
def test_finding_is_minimal(finding):
    """Dropping any one step (and what it makes rejected) loses the violation. In a run of equal
    operations (the D1 trace's 101 create_ask) one drop stands for all: they are interchangeable."""
    operations = committed_operations(finding)
    for i in [i for i in range(len(operations)) if i == 0 or operations[i] != operations[i - 1]]:
        steps, final, _ = run_ops(operations[:i] + operations[i + 1:])
        assert not [v for v in violations(steps, final).get(finding.invariant, []) if finding.match in v], i


@pytest.mark.slow
@pytest.mark.parametrize("finding", FINDINGS, ids=lambda f: f.path.parent.name + "/" + f.name)
def test_search_finds_the_committed_trace(finding):
    assert search(finding) == committed_operations(finding)


def test_the_cheapest_search_runs_in_the_default_suite():
    """The search itself (not only its committed output) is exercised by default."""
    finding = next(f for f in FINDINGS if f.invariant == "I9 withdrawal")
    assert search(finding) == committed_operations(finding)


def test_attestation_finding_fix_refuses_the_stale_key():
    """A1: under the fix (compare in milliseconds) the finding's verification is refused with
    AttestationAutherAttestationTooOld and no key is verified; a fresh attestation still verifies."""
    from spec.deployed_native import operations as ops
    from spec.deployed_native.containers import genesis
    from spec.deployed_native.fixes import apply_with
    from spec.errors import SpecError

    finding = next(f for f in FINDINGS if f.invariant == "A1 attestation_freshness")
    operations = committed_operations(finding)
    assert [type(op).__name__ for op in operations] == ["SetMatchingEngineImage", "VerifyMatchingEngine"]
    assert operations[-1].attestation_age_ms == 3_600_000
    fixed = apply_with("A1")
    state, _ = fixed(genesis(), operations[0])
    with pytest.raises(SpecError) as err:
        fixed(state, operations[1])
    assert err.value.code == "AttestationAutherAttestationTooOld" and err.value.field == "attestation_age_ms"
    fresh, _ = fixed(state, ops.VerifyMatchingEngine("admin", "engine-key", "me-image", 59_999))
    assert "engine-key" in fresh.keys.verified
