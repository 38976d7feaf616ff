"""The step invariants I13-I17 over the unbounded state (`properties/z3/unbounded/behaviour.py`):
they prove for the operations they constrain, are classified honestly (a formula the transition
satisfies alone is `step`, one it makes trivially true `frame`), and a transition that breaks the
rule (a swapped recipient, a dropped owner check, an expiry off by one, one more unit locked)
makes the step invariant fail."""
import pytest

from properties.z3.unbounded import proofs as P
from properties.z3.unbounded.behaviour import BEHAVIOUR
from properties.z3.unbounded.mutants import UNBOUNDED_MUTANTS

MUTANTS = {m.name: m for m in UNBOUNDED_MUTANTS}
STEP_IDS = tuple(inv.id for inv in BEHAVIOUR)


def _prove(operation, ids, mutant=None):
    encoders = MUTANTS[mutant].encoders() if mutant else None
    return P.prove_operation(operation, ids, encoders=encoders)


def test_step_invariants_are_registered_and_named_after_the_python_oracles():
    from properties import behaviour

    for inv in BEHAVIOUR:
        assert inv.id in P.ALL_IDS and inv.state is None and inv.step is not None
        assert inv.step.__name__ == f"encode_{inv.name}_step" and callable(getattr(behaviour, inv.name))


@pytest.mark.parametrize("operation", ["submit_proof", "withdraw_stake"])
def test_step_invariants_prove_and_are_classified(operation):
    results = _prove(operation, STEP_IDS)
    bad = [(r.invariant, r.result, r.detail) for r in results if r.result in P.FAILING]
    assert not bad, bad
    kinds = {r.invariant: r.kind for r in results}
    assert set(kinds) == set(STEP_IDS)
    assert all(r.result == "frame" for r in results if r.kind == "frame")
    if operation == "withdraw_stake":
        assert kinds["I14"] == "frame"  # ends no task: I14 does not apply
    else:
        assert kinds["I15"] == "frame"  # writes no withdrawal, balance or stake it constrains


@pytest.mark.parametrize("operation, invariant, mutant", [
    ("submit_proof", "I14", "proof-pays-requester"),
    ("withdraw_stake", "I15", "withdraw-to-reward-address"),
    ("update_market", "I13", "update-market-owner-dropped"),
    ("expire_ask", "I17", "expire-at-expiry"),
])
def test_a_broken_transition_fails_its_step_invariant(operation, invariant, mutant):
    [result] = _prove(operation, [invariant], mutant)
    assert result.result in P.FAILING, result


@pytest.mark.slow  # ~8 s
def test_locking_one_more_unit_fails_backing_at_assignment():
    operation, invariant, mutant = "assign_task", "I16", "assign-locks-one-more"
    [result] = _prove(operation, [invariant], mutant)
    assert result.result in P.FAILING, result

