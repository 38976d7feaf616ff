"""deployed_native vectors: every scenario shows its rule, the committed cases are what the fork
does (byte-identical), and the reference adapter replays all of them from genesis."""
from __future__ import annotations

import json
import sys

import pytest

from reference.conformance.cases import spec_version
from reference.conformance.deployed_native.generate import FORK_DIR, case_of, case_path
from reference.conformance.scenarios.deployed_native import SCENARIOS
from reference.conformance.runner import run_conformance
from spec.codec import dumps
from spec.deployed_native.errors import ERROR_BY_CODE
from spec.deployed_native.operations import OPERATIONS


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: f"{s.operation}/{s.name}")
def test_scenario_case_is_committed(scenario):
    """The scenario's steps end as it says (World.do raises otherwise) and its committed vector is
    byte-identical to a fresh run."""
    path = case_path(FORK_DIR, scenario)
    assert path.exists(), f"{path} missing: regenerate with `kalypso vectors generate`"
    assert path.read_text() == dumps(case_of(scenario))


def test_every_case_is_built_from_genesis():
    """No pre-state the contracts cannot reach: each case starts from a genesis config."""
    for path in FORK_DIR.rglob("*.json"):
        case = json.loads(path.read_text())
        assert case["fork"] == "deployed_native" and "pre_state" not in case and "config" in case["genesis"], path


def test_every_operation_is_accepted_somewhere():
    accepted = {s["op"] for p in FORK_DIR.rglob("*.json") for s in json.loads(p.read_text())["operations"] if s["expect"]["ok"]}
    assert set(OPERATIONS) - accepted == set()


def test_error_codes_are_the_forks():
    codes = {s["expect"]["error_code"] for p in FORK_DIR.rglob("*.json") for s in json.loads(p.read_text())["operations"] if not s["expect"]["ok"]}
    assert codes <= set(ERROR_BY_CODE) and len(codes) >= 40


def test_reference_adapter_passes_every_case():
    report = run_conformance([sys.executable, "-m", "spec.adapter"], FORK_DIR)
    assert report.total >= len(SCENARIOS) and report.failed == 0, [f.message for f in report.failures]


def test_spec_version_recorded():
    case = json.loads(next(FORK_DIR.rglob("*.json")).read_text())
    assert case["spec_version"] == spec_version()
