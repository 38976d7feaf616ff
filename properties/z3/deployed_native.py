"""Z3 on the deployed_native fork's arithmetic, one function per invariant it breaks or bounds.

D2 compute_decrease_exact: intendToReduceCompute (GeneratorRegistry.sol:251) keeps u =
floor((d - c) * E / d) and decreaseDeclaredCompute (:281) sets d' = floor(u * d / E), E = 1e18.
Z3 finds the smallest counterexample to d - d' == c, proves d - d' >= c for every d, c (the
registry never removes less than asked), and d - d' <= c + 1 for every d <= E (at most one unit
more for any realistic compute). D1 parallel_limit: assignGeneratorTask (:709) admits a task
iff not activeRequests > 100, so 101 tasks are reachable and 102 are not. Each result is tied to
the spec by a deterministic check: the fork's own transitions replay the Z3 witness.
"""
from __future__ import annotations

import attrs
import z3

EXPONENT = 10**18
LIMIT = 100
TIMEOUT_MS = 60_000


@attrs.frozen
class Result:
    name: str
    holds: bool  # the property is proved (unsat negation) or, for a search, a witness exists
    detail: str
    witness: tuple = ()


def _floor_div(solver, q, a, b) -> None:
    """q = floor(a / b) for a >= 0, b > 0, as linear bounds on the product."""
    solver.add(q >= 0, q * b <= a, a < (q + 1) * b)


def _compute_decrease(solver, d, c):
    """d' after a request to remove c of d (both > 0, c < d as the registry requires)."""
    u, new = z3.Ints("u new", d.ctx)
    solver.add(d > 0, c > 0, c < d)
    _floor_div(solver, u, (d - c) * EXPONENT, d)
    _floor_div(solver, new, u * d, EXPONENT)
    return new


def compute_decrease_counterexample() -> Result:
    """The smallest declared compute d (and c) where the decrease does not remove exactly c."""
    d, c = z3.Ints("d c", z3.Context())  # a fresh context: earlier checks must not steer the optimiser
    opt = z3.Optimize(ctx=d.ctx)
    opt.set("timeout", TIMEOUT_MS)
    new = _compute_decrease(opt, d, c)
    opt.add(d - new != c)
    opt.minimize(d)
    opt.minimize(c)
    if opt.check() != z3.sat:
        return Result("D2 compute_decrease_exact: counterexample", False, "no counterexample found")
    m = opt.model()
    witness = (m[d].as_long(), m[c].as_long(), m[new].as_long())
    return Result("D2 compute_decrease_exact: counterexample", True,
                  f"declared {witness[0]}, asked to remove {witness[1]}: {witness[0] - witness[2]} removed", witness)


def compute_decrease_never_less() -> Result:
    """For all d, c: the registry removes at least c (proved: the negation is unsat)."""
    d, c = z3.Ints("d c", z3.Context())
    s = z3.Solver(ctx=d.ctx)
    s.set("timeout", TIMEOUT_MS)
    new = _compute_decrease(s, d, c)
    s.add(d - new < c)
    r = s.check()
    return Result("D2: a decrease removes at least what was asked", r == z3.unsat, f"negation: {r}")


def compute_decrease_at_most_one_more() -> Result:
    """For all d <= 1e18 and c: the registry removes at most c + 1."""
    d, c = z3.Ints("d c", z3.Context())
    s = z3.Solver(ctx=d.ctx)
    s.set("timeout", TIMEOUT_MS)
    new = _compute_decrease(s, d, c)
    s.add(d <= EXPONENT, d - new > c + 1)
    r = s.check()
    return Result("D2: for declared compute <= 1e18 it removes at most one more", r == z3.unsat, f"negation: {r}")


def parallel_limit_reachable() -> Result:
    """D1: with uint256 active requests a, an assignment is admitted iff not a > 100; after it
    a + 1 <= 101 always (proved) and a + 1 = 101 is reachable (witness)."""
    a = z3.BitVec("a", 256)
    admitted = z3.Not(z3.UGT(a, LIMIT))
    s = z3.Solver()
    s.add(admitted, z3.UGT(a + 1, LIMIT + 1))
    bound = s.check()
    w = z3.Solver()
    w.add(admitted, a + 1 == LIMIT + 1)
    reach = w.check()
    witness = (w.model()[a].as_long(),) if reach == z3.sat else ()
    return Result("D1 parallel_limit: 101 tasks reachable, 102 not", bound == z3.unsat and reach == z3.sat,
                  f"bound negation: {bound}; 101 reachable: {reach}", witness)


CHECKS = (compute_decrease_counterexample, compute_decrease_never_less, compute_decrease_at_most_one_more, parallel_limit_reachable)


def run_all() -> list[Result]:
    return [check() for check in CHECKS]
