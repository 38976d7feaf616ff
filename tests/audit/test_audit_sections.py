"""The audit runner and report: statuses, failure traces, not-available areas, exit codes."""
import ast
import base64
from pathlib import Path

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from kalypso.audit.model import Check, NotAvailable, SectionOutput, Status, Table, section
from kalypso.audit.registry import SECTIONS
from kalypso.audit.report import render_html, render_markdown, write_reports
from kalypso.audit.runner import exit_code, run_section, select
from kalypso.audit.sections.machines import discover_machines, machine_modules, run_machine

BUDGETS = {"quick": {"n": 1}, "default": {"n": 2}, "thorough": {"n": 3}}
META = {"profile": "quick", "seed": 3, "seconds": 1.0, "command": "kalypso audit --quick", "cpus": "2",
        "cpu": "test", "python": "3.11", "commit": "abc", "date": "today"}
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


@pytest.fixture
def fake_sections(monkeypatch):
    @section("t_pass", "Passing area", BUDGETS)
    def passing(ctx):
        ctx.progress("working", completed=1, total=1)
        return SectionOutput(checks=(Check("holds", Status.PASS, count=ctx.budget["n"], seed=ctx.seed),),
                             tables=(Table("numbers", ("a", "b"), (("1", "2"),)),))

    @section("t_fail", "Failing area", BUDGETS)
    def failing(ctx):
        return SectionOutput(checks=(Check("ok", Status.PASS), Check("broken", Status.FAIL, trace="step 1\nstep 2")))

    @section("t_missing", "Missing area", BUDGETS)
    def missing(ctx):
        raise NotAvailable("no device x on this machine")

    @section("t_crash", "Crashing area", BUDGETS)
    def crashing(ctx):
        raise RuntimeError("boom")

    for fake in (passing, failing, missing, crashing):
        monkeypatch.setitem(SECTIONS, fake.name, fake)


def test_statuses_budgets_and_seed(fake_sections, tmp_path):
    passed = run_section("t_pass", "default", 7, tmp_path)
    assert passed.status == Status.PASS and passed.checks[0].count == 2 and passed.checks[0].seed == 7
    assert passed.budget == "n=2"
    assert run_section("t_fail", "quick", 7, tmp_path).status == Status.FAIL
    missing = run_section("t_missing", "quick", 7, tmp_path)
    assert missing.status == Status.NOT_AVAILABLE and "no device x" in missing.checks[0].detail
    crashed = run_section("t_crash", "quick", 7, tmp_path)
    assert crashed.status == Status.FAIL and "RuntimeError: boom" in crashed.checks[0].trace


def test_exit_code_fails_on_failure_and_not_available_only_when_strict(fake_sections, tmp_path):
    ok, missing = (run_section(n, "quick", 1, tmp_path) for n in ("t_pass", "t_missing"))
    failed = run_section("t_fail", "quick", 1, tmp_path)
    assert exit_code([ok, missing]) == 0
    assert exit_code([ok, missing], strict=True) == 1
    assert exit_code([ok, failed]) == 1


def test_report_has_a_section_per_area_with_counterexample_traces(fake_sections, tmp_path):
    results = [run_section(n, "quick", 3, tmp_path) for n in ("t_pass", "t_fail", "t_missing", "t_crash")]
    md = render_markdown(results, META, tmp_path)
    for title in ("Passing area — PASS", "Failing area — FAIL", "Missing area — NOT AVAILABLE", "Crashing area — FAIL"):
        assert f"## {title}" in md
    assert "### Counterexample: broken" in md and "step 2" in md
    assert "**Overall: FAIL**" in md and "**numbers**" in md
    page = render_html(results, META)
    assert "step 2" in page and "<table>" in page and 'src="http' not in page
    md_path, html_path = write_reports(results, META, tmp_path / "out")
    assert md_path.read_text() == md and html_path.exists()


def test_figures_are_inlined_as_base64(tmp_path):
    import attrs

    from kalypso.audit.model import SectionResult

    figure = tmp_path / "plot.png"
    figure.write_bytes(PNG)
    result = SectionResult(name="x", title="X", status=Status.PASS, seconds=0.1, seed=1, budget="-",
                           checks=(Check("c", Status.PASS),), figures=(str(figure),))
    assert "data:image/png;base64," + base64.b64encode(PNG).decode() in render_html([result], META)
    assert "![plot](plot.png)" in render_markdown([attrs.evolve(result)], META, tmp_path)


def test_select_validates_names():
    assert select(None) == list(SECTIONS)
    with pytest.raises(ValueError, match="unknown section"):
        select(["nope"])


def test_a_section_needs_a_budget_per_profile():
    with pytest.raises(ValueError, match="budgets missing"):
        section("t_bad", "Bad", {"quick": {}})


class _Overflow(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.total = 0

    @rule(k=st.integers(0, 10))
    def add(self, k):
        self.total += k

    @invariant()
    def bounded(self):
        assert self.total < 15, f"total={self.total}"


def test_a_failing_machine_is_reported_with_its_shrunk_steps():
    check = run_machine(_Overflow, max_examples=50, steps=10, seed=5)
    assert check.status == Status.FAIL and check.seed == 5
    assert "state.add(k=" in check.trace and "total=" in check.trace


def test_machines_are_discovered_and_seeded_runs_repeat():
    machines = discover_machines()
    assert any(m.__name__ == "LifecycleMachine" for m in machines)
    first = run_machine(machines[0], max_examples=3, steps=5, seed=11)
    assert first.status == Status.PASS and first.count >= 3


def test_every_module_of_properties_with_state_machines_is_audited():
    root = Path(__file__).resolve().parents[2] / "properties"
    defining = set()
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text())
        if any(isinstance(node, ast.ImportFrom) and node.module == "hypothesis.stateful"
               and any(alias.name == "RuleBasedStateMachine" for alias in node.names) for node in ast.walk(tree)):
            defining.add(".".join(path.relative_to(root.parent).with_suffix("").parts))
    assert defining and defining == {m.__name__ for m in machine_modules()}
