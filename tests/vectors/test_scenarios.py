"""Every scenario is the unit test of its rule: the function that yields its vector is run here,
its last operation must end as declared, a rejected operation must leave the state as it was,
and the scenario's `check` of the post-state must hold."""
import pytest

import spec
from reference.conformance.scenarios import FORKS
from spec.codec import decode_op, encode_state
from spec.errors import SpecError

CASES = [pytest.param(sc, id=f"{fork}/{sc.operation}/{sc.name}") for fork, scenarios in FORKS.items() for sc in scenarios
         if sc.available(spec.OPERATIONS)]


@pytest.mark.parametrize("sc", CASES)
def test_scenario(sc):
    pre, operations = sc.build()
    state, outcome = pre, None
    for op in operations:
        before = encode_state(state)
        try:
            state, _ = spec.apply(state, decode_op(op) if isinstance(op, dict) else op)
            outcome = "ok"
        except SpecError as error:
            assert encode_state(state) == before, f"{error.code} changed the state"
            outcome = error.code
    assert outcome == sc.expect, sc.description
    assert sc.check is None or sc.check(pre, state), f"check of {sc.name} fails: {sc.description}"


def test_every_operation_has_a_happy_scenario():
    happy = {sc.operation for sc in FORKS["design"] if sc.expect == "ok"}
    assert set(spec.OPERATIONS) <= happy, sorted(set(spec.OPERATIONS) - happy)
