"""The Z3 section's reading of proof results: counterexamples, unknowns and vacuous obligations
fail with their trace;
the key safety rule must be sufficient and every weakened rule must let a prover escape."""
import attrs

from kalypso.audit.model import Status
from kalypso.audit.sections.z3 import invariant_checks, synthesis_checks


@attrs.frozen
class Result:
    invariant: str
    operation: str
    result: str
    seconds: float = 0.1
    detail: str = ""
    trace: object = None


@attrs.frozen
class Rule:
    rule: str
    sufficient: bool

    def describe(self):
        return f"{self.rule}: {'sufficient' if self.sufficient else 'ESCAPE {deadline: 1}'}"


@attrs.frozen
class Synthesis:
    checks: tuple
    closed_form_equivalent: bool = True
    region: str = "offset + 1 <= epoch_duration"

    def describe(self):
        return "regions differ"


def test_counterexample_unknown_and_vacuous_fail_with_their_trace():
    results = [Result("I1", "mint", "proved"), Result("I1", "assign_task", "counterexample", trace="pre: ... post: ..."),
               Result("I2", "mint", "unknown", detail="timeout"), Result("I3", "init", "assumed"), Result("I3", "mint", "proved"),
               Result("I4", "mint", "vacuous", detail="no valid state")]
    checks, table = invariant_checks(results)
    status = {c.name.split(":")[0]: c for c in checks}
    assert status["I1"].status == Status.FAIL and "pre: ... post: ..." in status["I1"].trace
    assert status["I2"].status == Status.FAIL and "timeout" in status["I2"].trace
    assert status["I3"].status == Status.PASS and status["I3"].count == 2
    assert status["I4"].status == Status.FAIL and "no valid state" in status["I4"].trace
    assert ("I1", "2", "1 counterexample, 1 proved", "assign_task") in table.rows


def test_key_safety_rule_must_hold_and_weakened_rules_must_escape():
    good = Synthesis((Rule("key_safety_rule", True), Rule("rule_without_veto", False)))
    assert [c.status for c in synthesis_checks(good, 0.1)] == [Status.PASS] * 3
    bad = Synthesis((Rule("key_safety_rule", False), Rule("rule_without_veto", True)), closed_form_equivalent=False)
    checks = synthesis_checks(bad, 0.1)
    assert [c.status for c in checks] == [Status.FAIL] * 3
    assert "ESCAPE" in checks[0].trace and checks[2].trace == "regions differ"


@attrs.frozen
class UResult:
    invariant: str
    operation: str
    kind: str
    result: str
    seconds: float = 0.1
    detail: str = ""


@attrs.frozen
class Lemma:
    name: str
    result: str


def test_unbounded_obligations_are_counted_by_kind():
    """Only obligations and genesis checks count; frames and step-only checks are listed apart;
    an unknown or vacuous obligation, or a lemma not proved, fails."""
    from kalypso.audit.sections.z3 import unbounded_checks

    results = [UResult("I1", "init", "init", "proved"), UResult("I1", "mint", "obligation", "proved"),
               UResult("I1", "advance_time", "frame", "frame"), UResult("I5", "mint", "step", "proved"),
               UResult("I7", "assign_task", "obligation", "unknown", detail="rlimit"), UResult("I9", "mint", "obligation", "vacuous")]
    checks, table, note = unbounded_checks(results, [Lemma("base", "proved"), Lemma("step", "unknown")], 1.0)
    status = {c.name.split(" ")[0]: c for c in checks}
    assert status["I1"].status == Status.PASS and status["I1"].count == 2
    assert status["I5"].status == Status.PASS and status["I5"].count == 0
    assert status["I7"].status == Status.FAIL and "rlimit" in status["I7"].trace
    assert status["I9"].status == Status.FAIL
    assert status["summation"].status == Status.FAIL
    assert ("I1", "1", "1", "1", "0", "-") in table.rows
    assert "2 proofs counted" in note and "1 frame conditions" in note and "1 that follow from the step relation alone" in note


def test_step_invariants_are_counted_apart():
    """I13-I17 are checked as step invariants; only their real obligations count."""
    from kalypso.audit.sections.z3 import unbounded_checks

    results = [UResult("I14", "submit_proof", "obligation", "proved"), UResult("I17", "assign_task", "step", "proved"),
               UResult("I14", "mint", "frame", "frame"), UResult("I13", "update_market", "obligation", "unknown")]
    checks, _, note = unbounded_checks(results, [Lemma("base", "proved")], 1.0)
    status = {c.name.split(" ")[0]: c for c in checks}
    assert "holds of every step" in status["I14"].name and status["I14"].count == 1
    assert status["I17"].count == 0 and status["I13"].status == Status.FAIL
    assert "I13-I17: 1 obligations counted, 1 from the transition alone, 1 frames" in note
