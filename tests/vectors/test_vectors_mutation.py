"""Mutants: at least 30, each a real edit of the current spec; a smoke run kills three of them
(the full run is `kalypso vectors mutation`)."""
import pytest

from reference.conformance.mutants import MUTANT_BY_NAME, MUTANTS, Mutant, StaleMutant
from reference.conformance.mutation import mutation_score

SMOKE = ("forget_unlock_stake", "skip_engine_signature", "slash_at_deadline")


def test_at_least_30_named_mutants():
    assert len([m for m in MUTANTS if m.applicable()]) >= 30
    assert len(MUTANT_BY_NAME) == len(MUTANTS)


@pytest.mark.parametrize("m", [m for m in MUTANTS if m.applicable()], ids=lambda m: m.name)
def test_every_mutant_edits_the_current_spec(m):
    sources = m.mutated_sources()
    assert sources
    for source in sources.values():
        compile(source, m.name, "exec")
    assert all(any(new in src for src in sources.values()) for _, new in m.edits if new)


def test_stale_mutant_is_detected():
    stale = Mutant("gone", "spec.tasks:process_submit_proof", (("no such text", "x"),), "")
    with pytest.raises(StaleMutant, match="occurs 0 times"):
        stale.mutated_sources()
    ambiguous = Mutant("twice", "spec.tasks", (("require(verify_signature(", "require(True or verify_signature("),), "")
    with pytest.raises(StaleMutant, match="occurs 2 times"):
        ambiguous.mutated_sources()
    with pytest.raises(StaleMutant, match="does not exist"):
        Mutant("moved", "spec.tasks:no_such_function", (("a", "b"),), "").mutated_sources()


def test_smoke_mutants_are_killed():
    report = mutation_score(SMOKE, jobs=2, check_baseline=False)
    assert [r.status for r in report.results] == ["killed"] * 3
    assert report.score == 1.0
    assert all(r.killed_by for r in report.results)
