"""The design's restaking cases against the restaking lineage: every in-scope case is classified
under a rule that names what the contracts do (cited) or why it has no L2 transaction, none is
left unclassified, and the committed report (docs/divergence-restaking.md) regenerates byte for
byte: on the fork's reference adapter always, on the L2 bytecode when the cached restaking build
is there (otherwise that test is skipped with the reason)."""
from __future__ import annotations

from pathlib import Path

import pytest

from reference.evm.restaking.diverge import REPORT, _Session, command, divergence_report, in_scope, render_markdown
from reference.evm.restaking.diverge_rules import ACCEPTED_ON_CHAIN, NO_COUNTERPART, PART_ACCEPTED, REJECTED_ON_CHAIN, RULES, SAME
from spec.adapter import Session

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "vectors" / "design"


@pytest.fixture(scope="module")
def reference_report():
    return divergence_report(VECTORS, adapter=_Session(Session()))


def test_every_case_is_classified_under_a_cited_rule(reference_report):
    results = reference_report.results
    assert len(results) >= 250
    for r in results:
        assert r.rule in RULES, f"{r.case}: unknown rule {r.rule}"
        assert r.rule not in ("accepted-on-chain", "rejected-on-chain", "stake-differs", "pre-state/refused"), \
            f"{r.case} fell to a catch-all: {r.detail}"
        kind, text, where = RULES[r.rule]
        assert text and (kind != "rule" or where), f"{r.rule}: a different rule must cite its contract function"
    kinds = reference_report.kinds()
    assert kinds["same"] >= 10 and kinds["rule"] >= 40 and kinds["none"] >= 150
    modules = {r.case.split("/")[0] for r in results}
    assert {"restaking", "restaked_stake", "bridge", "relay", "tasks"} <= modules


def test_every_rule_table_names_a_known_rule():
    for table in (NO_COUNTERPART, ACCEPTED_ON_CHAIN, PART_ACCEPTED, REJECTED_ON_CHAIN):
        assert set(table.values()) <= set(RULES)


@pytest.mark.parametrize("case, rule", [
    ("tasks/assign_task/restaked_rule_broken", "locks/latest-capture-any-age"),  # no key safety rule on L2
    ("tasks/assign_task/snapshot_confirmed_after_offset", "locks/latest-capture-any-age"),  # no offset
    ("tasks/assign_task/restaked_encumbered_by_slash_request", "locks/unencumbered-by-slash-requests"),
    ("tasks/assign_task/native_first_then_restaked", "locks/every-pool-locks"),
    ("tasks/assign_task/backed_by_restaked_stake", SAME),
    ("relay/deliver_message/snapshot_in_any_order", "bridge/strict-part-order"),
    ("relay/deliver_message/duplicate_part_ignored", "bridge/strict-part-order"),
    ("relay/deliver_message/part_unknown_operator", "bridge/rows-unchecked"),
    ("restaking/transmit_snapshot_part/not_epoch_start", "bridge/capture-any-time"),
    ("bridge/delay_message/past_bound", "bridge/no-delay-bound"),
    ("restaking/veto_slash/ok", "l1/slash-resolution"),
    ("relay/deliver_message/slash_request_to_veto_vault", "l1/slash-request"),
    ("relay/deliver_message/part_negative_stake", "untranslatable"),
])
def test_cases_meet_the_rule_the_contracts_state(reference_report, case, rule):
    by_case = {r.case: r for r in reference_report.results}
    assert by_case[case].rule == rule, by_case[case]


def test_out_of_scope_cases_are_not_counted():
    assert not in_scope("asks/create_ask/ok", {"pre_state": {"restaking": {}}, "operations": [{"op": "create_ask"}]})
    assert in_scope("bridge/x", {"pre_state": {}, "operations": []})
    assert not in_scope("relay/x", {"operations": []})  # a genesis case has no pre-state


def test_the_committed_report_regenerates_on_the_reference_adapter(reference_report):
    """The fork's reference adapter and the bytecode pass the same deployed_restaking vectors,
    so the report they write is the same file."""
    assert render_markdown(reference_report, command()) == (ROOT / REPORT).read_text()


def test_the_committed_report_regenerates_on_the_bytecode(reference_report, restaking_builds):
    """Builds from tests/evm/conftest.py (cached, or compiled once; skipped with the reason)."""
    from reference.evm.restaking.adapter import RestakingSession

    build = restaking_builds[0]
    chain = divergence_report(VECTORS, adapter=_Session(RestakingSession(build)))
    differ = [(a.case, a.rule, b.rule, b.detail) for a, b in zip(reference_report.results, chain.results) if a != b]
    assert not differ, differ[:5]
    assert render_markdown(chain, command()) == (ROOT / REPORT).read_text()


def test_an_adapter_without_the_fork_gets_one_clear_error(tmp_path):
    import shlex
    import subprocess
    import sys

    refuses = "import sys, json\nfor line in sys.stdin: print(json.dumps({'ok': False, 'error': 'no such fork'}), flush=True)"
    adapter = shlex.join([sys.executable, "-c", refuses])
    out = tmp_path / "d.md"
    done = subprocess.run([sys.executable, "-m", "kalypso.cli", "conform", "--adapter", adapter, "--vectors", str(VECTORS),
                           "--against", "deployed_restaking", "--divergence", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and "does not run the deployed_restaking fork: no such fork" in done.stderr
    assert "Traceback" not in done.stderr and not out.exists()
