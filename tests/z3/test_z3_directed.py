"""The deterministic tie between `spec/` and the Z3 encoding: Z3-generated boundary and effect
cases and the spec's own vector steps, each run through `spec.apply` and the encoding, agree;
and every encoder mutant (a dropped guard, an off-by-one, a swapped recipient, ...) is caught.

This is the tie of the BOUNDED model (`kalypso prove --bounded`, the audit's thorough budget): it runs
in `make fuzz`. The default model's tie (the unbounded encoding `kalypso prove` runs) is checked in
every default run by tests/z3/test_z3_unbounded_directed.py."""
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from properties.z3.directed import DIRECTED_BOUNDS, check_directed, check_vectors, directed_cases, targets
from properties.z3.mutants import ENCODER_MUTANTS
from properties.z3.operations import FOUNDATION_OPERATIONS

pytestmark = pytest.mark.slow

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "design"


@pytest.fixture(scope="module")
def directed():
    return check_directed()


def test_directed_cases_agree_with_the_spec(directed):
    cases, missed, bad = directed
    assert not bad, "\n".join(f"{d.case.operation} [{d.case.label}]: {d.detail}" for d in bad[:10])
    per_op = Counter(c.operation for c in cases)
    assert set(per_op) == set(FOUNDATION_OPERATIONS)
    assert len(cases) >= 900, len(cases)


def test_every_guard_is_reached_on_both_sides(directed):
    """For each precondition of each operation, Z3 found a spec state on each side of it (the
    model-bound guard aside, which is no spec rule)."""
    cases, _, _ = directed
    labels = {(c.operation, c.label) for c in cases}
    unreached = []
    for name in FOUNDATION_OPERATIONS:
        _, _, wanted = targets(name, DIRECTED_BOUNDS)
        for t in wanted:
            if t.label.startswith("guard ") and (t.label.endswith(" fails") or t.label.endswith(" holds")) and (name, t.label) not in labels:
                unreached.append(f"{name}: {t.label}")
    assert not unreached, unreached


def test_every_effect_field_is_reached_or_a_frame(directed):
    """Each post-state field an operation's effect term mentions is changed by some case, or Z3
    proves no invariant state and accepted operation changes it (a frame condition)."""
    cases, missed, _ = directed
    reached = {(c.operation, c.label) for c in cases if c.label.startswith("effect on ")}
    assert len(reached) >= 150
    assert all("(" not in m for m in missed if "effect on" in m), [m for m in missed if "(" in m][:5]


DIGEST = """
import hashlib, sys
from properties.z3.directed import directed_cases
from spec.codec import dumps, encode_op, encode_state
cases, missed = directed_cases("withdraw_stake")
text = dumps([[c.label, encode_state(c.state), encode_op(c.op)] for c in cases] + [missed])
print(len(cases), hashlib.sha256(text.encode()).hexdigest())
"""


def test_directed_cases_are_deterministic():
    """Two fresh processes generate the same cases (Z3's seed is fixed, queries in a fixed order)."""
    root = Path(__file__).resolve().parents[2]
    runs = [subprocess.run([sys.executable, "-c", DIGEST], cwd=root, capture_output=True, text=True, check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1] and int(runs[0].split()[0]) > 10


def test_vector_steps_agree_with_the_encoding():
    checked, skipped, bad = check_vectors(VECTORS)
    assert not bad, "\n".join(f"{d.case.label}: {d.detail}" for d in bad[:10])
    assert checked >= 150, (checked, skipped)


@pytest.mark.parametrize("mutant", ENCODER_MUTANTS, ids=lambda m: m.name)
def test_every_encoder_mutant_is_caught(mutant):
    encoders = mutant.encoders()
    _, _, bad = check_directed([mutant.operation], encoders=encoders)
    _, _, vector_bad = check_vectors(VECTORS, encoders=encoders, operations=[mutant.operation])
    assert bad or vector_bad, f"{mutant.name} ({mutant.description}) survives the directed check"
