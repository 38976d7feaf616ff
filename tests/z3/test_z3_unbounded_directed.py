"""The unbounded encoding tied to `spec/` deterministically: Z3-generated boundary and effect
cases and the committed vector steps agree with `spec.apply` (post-state and ghost aggregates),
and every unbounded encoder mutant is caught."""
from pathlib import Path

import pytest

from properties.z3.unbounded.directed import check_directed, check_vectors
from properties.z3.unbounded.mutants import UNBOUNDED_MUTANTS

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "design"
SAMPLE = ("withdraw_stake", "submit_proof", "slash_missed_deadline")  # every ghost moves in one of them


def test_directed_cases_agree_with_the_spec():
    cases, missed, bad = check_directed(SAMPLE)
    assert not bad, "\n".join(f"{d.case.operation} [{d.case.label}]: {d.detail}" for d in bad[:10])
    assert {c.operation for c in cases} == set(SAMPLE)
    assert sum(c.label.startswith("effect on ghost") for c in cases) >= 5
    assert len(cases) >= 80, len(cases)


def test_vector_steps_agree_with_the_encoding():
    checked, skipped, bad = check_vectors(VECTORS, operations=SAMPLE)
    assert not bad, "\n".join(f"{d.case.label}: {d.detail}" for d in bad[:10])
    assert checked >= 15, (checked, skipped)


FAST = ("expire-at-expiry", "withdraw-to-reward-address", "update-market-owner-dropped")  # one of each kind


@pytest.mark.parametrize("mutant", [m if m.name in FAST else pytest.param(m, marks=pytest.mark.slow) for m in UNBOUNDED_MUTANTS],
                         ids=lambda m: m.name)
def test_every_encoder_mutant_is_caught(mutant):
    """An off-by-one, a swapped recipient and a dropped guard in the default run; all ten with
    `-m slow` (and in `kalypso audit`)."""
    _, _, bad = check_directed([mutant.operation], encoders=mutant.encoders())
    if not bad:
        _, _, bad = check_vectors(VECTORS, encoders=mutant.encoders(), operations=[mutant.operation])
    assert bad, f"{mutant.name} ({mutant.description}) survived"
