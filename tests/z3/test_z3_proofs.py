"""Inductive proofs on the bounded model: every invariant for every operation on a small instance
(`kalypso prove` runs the default, larger one), genesis, atomicity, strengthening and vacuity."""
import pytest

from properties.z3 import invariants as zinv
from properties.z3 import prove_all
from properties.z3.model import Bounds
from properties.z3.proofs import ALL_IDS, OPERATION_NAMES, bmc, prove_initial, prove_operation
from properties.z3.transitions import ENCODERS, Checks, Encoded
from spec.errors import InvalidAmount

BOUNDS = Bounds(accounts=3, markets=2, asks=2, stake_tokens=1)


@pytest.mark.parametrize("name", OPERATION_NAMES)
def test_every_invariant_is_inductive_for(name):
    results = prove_operation(name, ALL_IDS, BOUNDS)
    assert [(r.invariant, r.result) for r in results] == [(i, "proved") for i in ALL_IDS]


def test_genesis_satisfies_every_invariant():
    results = prove_initial(ALL_IDS, BOUNDS)
    assert {r.invariant: r.result for r in results} == {
        **{i: "proved" for i in ALL_IDS if zinv.BY_ID.get(i) and zinv.BY_ID[i].state}, "A0": "assumed"}


def test_rejected_operations_leave_the_state_unchanged():
    results = prove_all("I10", bounds=BOUNDS)
    assert len(results) == len(OPERATION_NAMES)
    assert all(r.result == "proved" for r in results)


def test_capacity_needs_its_strengthening():
    alone = prove_operation("submit_proof", ["I3"], BOUNDS, strengthening={"I3": ()})
    assert alone[0].result == "counterexample"
    strengthened = prove_operation("submit_proof", ["I3"], BOUNDS)
    assert strengthened[0].result == "proved"


def test_an_operation_no_state_accepts_is_reported_vacuous():
    def never(state, op, bounds):
        encoded = ENCODERS["mint"](state, op, bounds)
        checks = Checks(encoded.checks)
        checks.require(op.amount < 0, InvalidAmount)
        return Encoded(checks, encoded.effect)

    results = prove_operation("mint", ["I1"], BOUNDS, encoders={**ENCODERS, "mint": never})
    assert [r.result for r in results] == ["vacuous"]


def test_bmc_from_genesis_finds_no_violation_within_two_steps():
    results = bmc(2, ["I1", "I2", "I6"], Bounds(accounts=2, markets=1, asks=1, stake_tokens=1))
    assert [r.result for r in results] == ["bounded-2"] * 3


def test_unknown_invariant_is_a_clear_error():
    with pytest.raises(ValueError, match="invariant"):
        prove_all("I8")


def test_every_foundation_operation_has_an_encoder():
    from properties.z3.operations import FOUNDATION_OPERATIONS
    from spec.transition import PROCESSORS

    foundation = {cls.name for cls in PROCESSORS if cls.name in FOUNDATION_OPERATIONS}
    assert set(ENCODERS) == set(FOUNDATION_OPERATIONS) == foundation
