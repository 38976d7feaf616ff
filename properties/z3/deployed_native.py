"""Z3 on the deployed_native fork's arithmetic, one function per invariant it breaks or bounds.

D2 compute_decrease_exact: intendToReduceCompute (GeneratorRegistry.sol:251) keeps u =
floor((d - c) * E / d) and decreaseDeclaredCompute (:281) sets d' = floor(u * d / E), E = 1e18.
Z3 finds the smallest counterexample to d - d' == c, proves d - d' >= c for every d, c (the
registry never removes less than asked), and d - d' <= c + 1 for every d <= E (at most one unit
more for any realistic compute). D1 parallel_limit: assignGeneratorTask (:709) admits a task
iff not activeRequests > 100, so 101 tasks are reachable and 102 are not. A1
attestation_freshness: AttestationAutherUpgradeable.sol:165 compares ATTESTATION_MAX_AGE = 60000
with seconds, so attestations 60.001 s to 59,999 s old verify a key; compared in milliseconds,
none older than 60 s does. Each result is tied to the spec by a deterministic check: the fork's
own transitions replay the Z3 witness (and, for a fix, a grid through the fixed rule).
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


# ---- A1 attestation_freshness ---------------------------------------------------------------

MAX_AGE = 60_000  # Helper.sol:102 ACCEPTABLE_ATTESTATION_DELAY
INTENDED_MS = 60_000  # its comment: "60 seconds, 60,000 milliseconds"


def _attestation(t, age, rule: str):
    """Over uint256 block timestamps t (>= MAX_AGE: no underflow) and attestations taken `age` ms
    before the block (timestampInMilliseconds = t * 1000 - age >= 0): whether `rule` accepts it.
    "deployed": AttestationAutherUpgradeable.sol:165 `ts / 1000 > t - 60000` (integer division);
    "fix": `ts > t * 1000 - 60000` (milliseconds)."""
    ts = t * 1000 - age
    domain = [t >= MAX_AGE, t < 2**64, age >= 0, ts >= 0]
    accepts = ts / 1000 > t - MAX_AGE if rule == "deployed" else ts > t * 1000 - MAX_AGE
    return domain, accepts


def _verify_engine_accepted(age_ms: int, rules) -> bool:
    """Whether the fork (under `rules`) verifies the engine key under an attestation `age_ms` old."""
    from spec.deployed_native import operations as ops
    from spec.deployed_native.containers import genesis
    from spec.errors import SpecError

    state, _ = rules(genesis(), ops.SetMatchingEngineImage("admin", "me-image"))
    try:
        rules(state, ops.VerifyMatchingEngine("admin", "engine-key", "me-image", age_ms))
        return True
    except SpecError:
        return False


def attestation_age_deployed() -> Result:
    """A1 deployed: the smallest attestation age (ms) above 60 s that the contracts accept, and the
    largest they accept; each replayed through the fork (accepted; one millisecond more refused at
    the largest), which also ties the encoding of the seconds comparison to the spec."""
    from spec.deployed_native.transition import apply

    t, age = z3.Ints("t age")
    domain, accepts = _attestation(t, age, "deployed")
    found = []
    for goal in ("min", "max"):
        opt = z3.Optimize()
        opt.add(*domain, accepts, age > INTENDED_MS, age <= 10**12)
        opt.minimize(age) if goal == "min" else opt.maximize(age)
        found.append(opt.model()[age].as_long() if opt.check() == z3.sat else None)
    low, high = found
    tied = None not in found and _verify_engine_accepted(low, apply) and _verify_engine_accepted(high, apply) \
        and not _verify_engine_accepted(high + 1, apply)
    return Result("A1 attestation_freshness deployed: an attestation older than 60 s verifies a key", bool(tied),
                  f"sat: ages {low} ms to {high} ms ({(high or 0) / 3_600_000:.1f} h) accepted; replayed through the fork, "
                  f"{(high or 0) + 1} ms refused", (low, high))


def attestation_age_fixed() -> Result:
    """A1 fixed (compare in ms): no accepted attestation is older than 60 s, for every block
    timestamp < 2^64; a grid of ages replayed through the fixed fork agrees with the encoding."""
    from spec.deployed_native.fixes import apply_with

    t, age = z3.Ints("t age")
    domain, accepts = _attestation(t, age, "fix")
    s = z3.Solver()
    s.add(*domain, accepts, age > INTENDED_MS)
    proved = s.check() == z3.unsat
    grid = all(_verify_engine_accepted(a, apply_with("A1")) == (a < MAX_AGE) for a in (0, 59_999, 60_000, 60_001, 3_600_000))
    return Result("A1 attestation_freshness fixed (timestampInMilliseconds > block.timestamp * 1000 - 60000): no key under an "
                  "attestation older than 60 s", proved and grid, "unsat; grid {0, 59999, 60000, 60001, 3600000} ms replayed "
                  "through the fixed rule: accepted iff < 60000 ms")


CHECKS = (compute_decrease_counterexample, compute_decrease_never_less, compute_decrease_at_most_one_more, parallel_limit_reachable,
          attestation_age_deployed, attestation_age_fixed)


def run_all() -> list[Result]:
    return [check() for check in CHECKS]
