"""Restaked stake inside Z3 (`properties/z3/restaking.py`): I8 is inductive for any number of
vaults, snapshots, tasks and slash requests, with the honest parties' obligations as guards on
advance_time and the adversary free; each term of the key safety rule is needed, and the least
slack the model admits is the spec's `+ 1`."""
from collections import Counter

import pytest

from properties.z3 import restaking as R


@pytest.fixture(scope="module")
def results():
    return R.prove()


def test_i8_and_its_strengthening_are_inductive(results):
    obligations = [r for r in results if r.kind == "obligation"]
    bad = [(r.invariant, r.operation, r.result, r.detail) for r in obligations if r.result != "proved"]
    assert not bad, bad
    assert {r.invariant for r in obligations} >= {"I8", "R5", "R7", "R8"}
    assert {r.operation for r in obligations} == {"init"} | {op.name for op in R.operations()}
    assert len(obligations) >= 50


def test_frames_are_reported_not_counted(results):
    """A frame (the operation writes nothing the invariant reads) is listed apart and never sent
    to Z3; every operation has at least one real obligation."""
    kinds = Counter(r.kind for r in results)
    assert kinds["frame"] > 0 and all(r.result == "frame" for r in results if r.kind == "frame")
    per_op = Counter(r.operation for r in results if r.kind == "obligation")
    assert all(per_op[op.name] > 0 for op in R.operations())


@pytest.mark.parametrize("name", sorted(R.WEAKENED_RULES))
def test_each_term_of_the_key_safety_rule_is_needed(name):
    """Without the + 1, the bridge bound or the veto window, a delivery at the bridge's bound
    clears the veto window after the capture stopped being slashable: R7 fails on advance_time."""
    failed = [r for r in R.prove(R.WEAKENED_RULES[name], only=("advance_time",)) if r.kind == "obligation" and r.result != "proved"]
    assert [(r.invariant, r.result) for r in failed] == [("R7", "counterexample")], failed


@pytest.mark.slow
def test_safe_region_least_slack_is_one():
    """For rules `deadline + k + bridge + veto <= capture + epoch`, the model proves k = 1 and
    refutes k = 0: the spec's rule is the weakest of its form. In `make fuzz`: the default run
    proves k = 1 (it is `key_safety`, test_i8_and_its_strengthening_are_inductive, every operation)
    and refutes k = 0 (the rule without the + 1, test_each_term_of_the_key_safety_rule_is_needed)."""
    def failing(k):
        rule = lambda d, b, v, c, e: d + k + b + v <= c + e  # noqa: E731
        return [(r.invariant, r.operation, r.result) for r in R.prove(rule, only=("advance_time", "assign_task", "slash_missed_deadline"))
                if r.kind == "obligation" and r.result != "proved"]

    assert failing(1) == []
    assert ("R7", "advance_time", "counterexample") in failing(0)
