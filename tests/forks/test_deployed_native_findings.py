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
