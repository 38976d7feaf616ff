"""`kalypso prove`: table, exit status, argument errors."""
from kalypso.cli import main


def test_prove_one_invariant_prints_the_table_and_succeeds(capsys):
    assert main(["prove", "--invariant", "I10", "--bounds", "2,1,2,1"]) == 0
    out = capsys.readouterr().out
    assert "I10" in out and "assign_task" in out and "proved" in out
    assert "counterexample" not in out


def test_prove_rejects_an_unknown_invariant(capsys):
    assert main(["prove", "--invariant", "I42"]) == 2
    captured = capsys.readouterr()
    assert "--invariant" in captured.out + captured.err


def test_prove_with_timing_reports_the_key_safety_rule(capsys):
    assert main(["prove", "--invariant", "A0", "--bounds", "2,1,1,1", "--timing", "--summary"]) == 0
    out = capsys.readouterr().out
    assert "key_safety_rule: sufficient" in out and "rule_without_veto: ESCAPE" in out


def test_prove_defaults_to_the_unbounded_proofs(capsys):
    """`kalypso prove` without --bounded runs the unbounded proofs and reports them by kind."""
    assert main(["prove", "--invariant", "I4", "--summary"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "unbounded model" in out and "inductive obligations" in out and "frame" in out
    assert "lemma, step: P(n) => P(n + 1)" in out and "remainder step" in out


def test_prove_reports_the_step_invariants_apart(capsys):
    """`kalypso prove --invariant I14`: exact payouts proved unbounded, its real obligations
    counted apart from what the transition satisfies alone."""
    assert main(["prove", "--invariant", "I14", "--summary"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "step invariants I13-I17 (two-state, every operation): 4 obligations counted; not counted: 2 that the transition satisfies alone" in out, out[-600:]
