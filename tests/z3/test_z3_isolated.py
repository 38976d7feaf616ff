"""`properties.z3.isolated.decide`: the first definite verdict over a fixed list of seeds, each in
a fresh context; `unknown` only when every seed gives it."""
import z3

from properties.z3.isolated import SEEDS, decide


def test_a_definite_verdict_comes_with_its_own_solver_and_context():
    x = z3.Int("x")
    verdict, solver, ctx = decide((x > 3, x < 5), "rlimit", 1_000_000)
    assert verdict == z3.sat and ctx != z3.main_ctx()
    assert solver.model().eval(x.translate(ctx)).as_long() == 4
    assert decide((x > 3, x < 4), "rlimit", 1_000_000)[0] == z3.unsat


def test_unknown_only_after_every_seed():
    """A resource bound too small for any seed: `unknown`, with the reason."""
    f = z3.Function("f", z3.IntSort(), z3.IntSort())
    y = z3.Int("y")
    hard = (z3.ForAll([y], f(f(y)) > f(y) + y), f(0) == 0)
    verdict, solver, _ = decide(hard, "rlimit", 1)
    assert verdict == z3.unknown and len(SEEDS) > 1
    assert "resource" in solver.reason_unknown() or "canceled" in solver.reason_unknown()
