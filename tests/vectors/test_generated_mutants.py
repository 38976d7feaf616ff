"""The AST mutator over spec/: deterministic names, mutants rebuilt from their names, every
mutant compiles, message-only mutants are classified apart; two known mutants behave as the
vectors say (one killed, one killed by the vector added for it)."""
from pathlib import Path

from reference.conformance.generated import find, generated_mutants, sample
from reference.conformance.mutation import mutation_score

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "design"


def test_generated_mutants_are_deterministic_and_rebuilt_from_their_names():
    first, second = generated_mutants(("spec.tasks", "spec.slashing")), generated_mutants(("spec.tasks", "spec.slashing"))
    assert [m.name for m in first] == [m.name for m in second] and len(first) > 30
    for m in sample(first, 5, 1):
        assert find(m.name).source == m.source
        compile(m.source, m.name, "exec")


def test_every_operator_kind_is_generated():
    descriptions = " ".join(m.description for m in generated_mutants())
    for change in ("Lt -> LtE", "Gt -> GtE", "Eq -> NotEq", "Add -> Sub", "And -> Or", "not dropped", "min -> max", "0 -> 1"):
        assert change in descriptions, change


def test_generated_mutants_run_behind_the_adapter():
    names = [m.name for m in generated_mutants(("spec.slashing",)) if "Gt -> GtE" in m.description][:1]
    report = mutation_score(names, VECTORS, jobs=1, check_baseline=False)
    assert [r.status for r in report.results] == ["killed"]
