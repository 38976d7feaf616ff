"""`kalypso audit` end to end on fast sections."""
import pytest

from kalypso.cli import main


def test_audit_quick_only_machines_writes_both_reports(tmp_path):
    code = main(["audit", "--quick", "--only", "machines", "--no-progress", "--out", str(tmp_path), "--seed", "3"])
    md = (tmp_path / "audit.md").read_text()
    assert code == 0, md
    assert "## Hypothesis state machines — PASS" in md and "LifecycleMachine" in md and "seed `3`" in md
    assert (tmp_path / "audit.html").read_text().startswith("<!DOCTYPE html>")


def test_unknown_section_is_a_usage_error(tmp_path, capsys):
    assert main(["audit", "--only", "nope", "--no-progress", "--out", str(tmp_path)]) == 2
    assert "unknown section" in capsys.readouterr().err


def test_list_names_every_section(capsys):
    assert main(["audit", "--list"]) == 0
    out = capsys.readouterr().out
    for name in ("z3", "machines", "conformance", "mutation", "prover", "backends", "engine", "simulator"):
        assert name in out


@pytest.mark.slow
def test_audit_quick_parallel_all_sections(tmp_path):
    code = main(["audit", "--quick", "--no-progress", "--jobs", "2", "--out", str(tmp_path)])
    md = (tmp_path / "audit.md").read_text()
    from kalypso.audit.registry import SECTIONS

    for sec in SECTIONS.values():
        assert f"## {sec.title} — " in md
    assert "## Hypothesis state machines — PASS" in md and "## Market simulator — PASS" in md
    assert code == (1 if "— FAIL" in md else 0)
