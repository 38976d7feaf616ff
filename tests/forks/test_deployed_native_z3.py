"""Z3 on the deployed_native fork, tied to the spec by deterministic checks: the fork's own
transitions replay every Z3 witness and a fixed grid agrees with the Z3 encoding."""
from __future__ import annotations

import pytest
import z3

from properties.deployed_native_search import run_ops
from properties.z3 import deployed_native as zd
from reference.conformance.deployed_native.findings import FINDINGS, committed_operations
from spec.deployed_native import keys
from spec.deployed_native import operations as ops
from spec.deployed_native.transition import apply
from spec.errors import SpecError


def spec_decrease(d: int, c: int) -> int:
    """The declared compute the fork leaves after register(d), request(c), decrease."""
    _, state, kept = run_ops([ops.RegisterProver("bob", "bob", d, 0, b"p"), ops.RequestComputeDecrease("bob", c), ops.DecreaseDeclaredCompute("bob")])
    assert len(kept) == 3
    return state.provers["bob"].declared_compute


def z3_decrease(d: int, c: int) -> int:
    s = z3.Solver()
    dd, cc = z3.Ints("d c")
    new = zd._compute_decrease(s, dd, cc)
    s.add(dd == d, cc == c)
    assert s.check() == z3.sat
    return s.model()[new].as_long()


@pytest.mark.parametrize("check", zd.CHECKS, ids=lambda c: c.__name__)
def test_z3_result(check):
    assert check().holds


def test_counterexample_replays_in_the_spec():
    d, c, new = zd.compute_decrease_counterexample().witness
    assert spec_decrease(d, c) == new != d - c


GRID = [(d, c) for d in range(2, 14) for c in range(1, d)] + [(10**18, 1), (10**18 - 1, 3), (3 * 10**17 + 7, 10**17), (2**64, 2**63 + 1)]


def test_encoding_agrees_with_the_spec_on_a_fixed_grid():
    for d, c in GRID:
        assert z3_decrease(d, c) == spec_decrease(d, c), (d, c)


def test_parallel_bound_in_the_spec():
    """The D1 finding reaches 101 tasks; a 102nd assignment is refused."""
    operations = committed_operations(next(f for f in FINDINGS if f.invariant == "D1 parallel_limit"))
    _, state, kept = run_ops(operations)
    assert len(kept) == len(operations) and state.memberships[(0, "bob")].active_requests == zd.LIMIT + 1
    state, _ = apply(state, ops.Mint("carol", "USDC", 100))
    state, _ = apply(state, ops.CreateAsk("carol", 0, 100, state.now + 50, 10, "carol", b"x"))
    ask_id = len(state.asks) - 1
    signature = keys.sign_hash("engine-key", keys.assignment_hash([ask_id], ["bob"], [b""]))
    with pytest.raises(SpecError) as error:
        apply(state, ops.RelayBatchAssignTasks("dave", [ask_id], ["bob"], [b""], signature))
    assert error.value.code == "MaxParallelRequestsPerMarketExceeded"
