"""Generation is deterministic and the committed vectors are exactly a fresh generation."""
import filecmp
from pathlib import Path

import pytest

from reference.conformance.cases import FOREIGN_DIRS, VECTORS_DIR, case_paths
from reference.conformance.generate import generate
from reference.conformance.scenarios import SCENARIOS


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()
            and p.relative_to(root).parts[0] not in FOREIGN_DIRS}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    out = tmp_path_factory.mktemp("vectors")
    return out, generate(out)


def test_committed_vectors_equal_a_fresh_generation(fresh):
    out, _ = fresh
    committed, generated = _files(VECTORS_DIR), _files(out)
    assert committed == generated, f"only committed: {sorted(committed - generated)[:5]}, only fresh: {sorted(generated - committed)[:5]}"
    _, mismatch, errors = filecmp.cmpfiles(VECTORS_DIR, out, sorted(committed), shallow=False)
    assert not mismatch and not errors, f"differ: {mismatch[:5]} (run `kalypso vectors generate`)"


def test_every_scenario_shows_its_declared_outcome(fresh):
    assert fresh[1].mismatches == ()


def test_at_least_300_cases(fresh):
    report = fresh[1]
    assert report.cases == len(case_paths(VECTORS_DIR)) >= 300
    assert report.scenario_cases == len(SCENARIOS) - len(report.skipped) >= 100


def test_generate_leaves_foreign_vectors_alone(tmp_path):
    foreign = tmp_path / "zk" / "groth16" / "case.json"
    foreign.parent.mkdir(parents=True)
    foreign.write_text("{}")
    stale = tmp_path / "tokens" / "mint" / "removed_case.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")
    generate(tmp_path, traces=1, steps=2)
    assert foreign.read_text() == "{}"
    assert not stale.exists()
    assert (tmp_path / "traces" / "random" / "trace_0000.json").exists()


def test_cli_generate_reports_coverage(tmp_path, capsys):
    from kalypso.cli import main

    assert main(["vectors", "generate", "--out", str(tmp_path), "--traces", "1", "--steps", "3"]) == 0
    assert "random traces" in capsys.readouterr().out
    assert (tmp_path / "schema.json").exists() and (tmp_path / "traces" / "random" / "trace_0000.json").exists()
