"""Z3 obligations for the deployed_restaking findings: for each, the deployed rule has a
counterexample (sat) and the fix of spec/deployed_restaking/fixes.py has none (unsat), over all
uint128 amounts and times. The model of each rule is tied to the spec deterministically: the
deployed witness and a fixed grid are replayed through the fork's transitions (deployed and
fixed) and must give what the model says."""
from __future__ import annotations

import attrs
import z3

from properties.deployed_restaking import KEY_SAFETY_BOUND
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.containers import NATIVE, Config, genesis
from spec.deployed_restaking.fixes import apply_with
from spec.deployed_restaking.transition import apply
from spec.errors import SpecError
from spec.operations import Mint

ADMIN, BOB, CAROL, VAULT = "admin", "bob", "carol", "vault-1"

U128 = 2**128


@attrs.frozen
class Result:
    name: str
    holds: bool
    detail: str
    witness: dict = attrs.field(factory=dict)


def _solve(constraints) -> dict | None:
    s = z3.Solver()
    s.add(*constraints)
    if s.check() != z3.sat:
        return None
    m = s.model()
    return {str(d): m[d].as_long() for d in m.decls()}


# ---- S1: the slash takes the native lock ---------------------------------------------------

def _s1_model(lock, fixed):
    """What the reward address gains: `lock` was locked at assignment; refundFees (first, inside
    the slash path) releases it under the deployed rule, keeps it under the fix; the slash then
    pays what is still locked."""
    return z3.If(fixed, lock, z3.IntVal(0))


def _run(config: Config, operations, rules=apply):
    """The state after `operations` from genesis (each must be accepted)."""
    state = genesis(config)
    for op in operations:
        state, _ = rules(state, op)
    return state


def _task_ops(lock: int, reward: int = 100, proof_time: int = 60, age: int = 0) -> list:
    """Market, BOB joined with `lock` native POND, a capture, `age` seconds, a bid, its assignment."""
    t0 = Config().genesis_time
    return [Mint("alice", "USDC", 1_000), ops.CreateMarket("alice", b"m", "stand-in/sha256", "public", "ivs-image"),
            ops.RegisterProver(BOB, BOB, 10, b"p"), ops.JoinMarket(BOB, 1, 2, 40, 60), Mint(BOB, "POND", lock),
            ops.Stake(BOB, "POND", BOB, lock), ops.SubmitVaultSnapshot("transmitter", 0, 1, t0 + 7, [BOB], [VAULT], ["POND"], [5_000]),
            ops.SubmitSlashResult("transmitter", 0, 1, t0 + 7, 1_000, [], [], [])] + \
        ([ops.AdvanceTime(age)] if age else []) + [Mint(CAROL, "USDC", reward)]


def _s1_spec(lock: int, fixed: bool) -> int:
    config = Config(native_lock=(lock,))
    rules = apply_with("S1") if fixed else apply
    state = _run(config, _task_ops(lock), rules)
    state = _run_more(state, [ops.CreateBid(CAROL, 1, 100, state.now + 600, 60, CAROL, b"x")], rules)
    state = _run_more(state, [ops.AssignTask("engine-key", 0, BOB), ops.AdvanceTime(600)], rules)
    before = state.balances.get((CAROL, "POND"), 0)
    ts = state.now
    state = _run_more(state, [ops.SubmitVaultSnapshot("transmitter", 0, 1, ts, [BOB], [VAULT], ["POND"], [5_000]),
                              ops.SubmitSlashResult("transmitter", 0, 1, ts, 2_000, [0], [BOB], [CAROL])], rules)
    return state.balances.get((CAROL, "POND"), 0) - before


def _run_more(state, operations, rules):
    for op in operations:
        state, _ = rules(state, op)
    return state


def s1_obligations() -> list[Result]:
    lock = z3.Int("lock")
    domain = [lock > 0, lock < U128]
    out = []
    witness = _solve(domain + [_s1_model(lock, z3.BoolVal(False)) < lock])
    tied = witness is not None and _s1_spec(min(witness["lock"], 10**6), False) == 0
    out.append(Result("S1 deployed: a slash result pays less than the native lock", witness is not None and tied,
                      "sat; witness replayed through the fork: the reward address gains 0", witness or {}))
    fix_cex = _solve(domain + [_s1_model(lock, z3.BoolVal(True)) < lock])
    grid = all(_s1_spec(a, True) == a for a in (1, 100, 999))
    out.append(Result("S1 fixed (refundFees keeps the locks): the slash pays the whole lock, for every lock < 2^128",
                      fix_cex is None and grid, "unsat; grid {1, 100, 999} replayed through the fixed rules pays the lock"))
    return out


# ---- I8: the capture backing a task is fresh -------------------------------------------------

def _i8_spec(age: int, proof_time: int, fixed: bool) -> bool:
    """Whether the assignment is accepted `age` seconds after the only capture."""
    rules = apply_with("I8") if fixed else apply
    state = _run(Config(), _task_ops(1_000, age=age), rules)
    state = _run_more(state, [ops.CreateBid(CAROL, 1, 100, state.now + 600, proof_time, CAROL, b"x")], rules)
    try:
        rules(state, ops.AssignTask("engine-key", 0, BOB))
        return True
    except SpecError:
        return False


def i8_obligations() -> list[Result]:
    capture, now, proof_time = z3.Ints("capture now proof_time")
    domain = [capture >= 0, now >= capture, now < 2**64, proof_time >= 1, proof_time <= 86_400]
    stale = (now + proof_time) - capture > KEY_SAFETY_BOUND
    witness = _solve(domain + [stale])  # deployed: no guard, every domain point is accepted
    tied = witness is not None and _i8_spec(min(witness["now"] - witness["capture"], 30 * 86_400) + KEY_SAFETY_BOUND, 60, False)
    fixed_guard = (now + proof_time) - capture <= KEY_SAFETY_BOUND
    fix_cex = _solve(domain + [fixed_guard, stale])
    grid = not _i8_spec(KEY_SAFETY_BOUND, 60, True) and _i8_spec(3_600, 60, True)
    return [Result("I8 deployed: an assignment is accepted on a capture older than the bound", bool(tied),
                   "sat; witness replayed through the fork: accepted", witness or {}),
            Result(f"I8 fixed (deadline - capture <= {KEY_SAFETY_BOUND} s): no accepted assignment is backed by a stale capture",
                   fix_cex is None and grid, "unsat; grid replayed: stale refused, fresh accepted")]


# ---- I7: NativeStaking keeps what it owes ----------------------------------------------------

def _i7_spec(held: int, fixed: bool) -> int:
    rules = apply_with("I7") if fixed else apply
    state = _run(Config(), [Mint(BOB, "POND", held), ops.Stake(BOB, "POND", BOB, held),
                            ops.EmergencyWithdraw(ADMIN, "native_staking", "POND", ADMIN)], rules)
    return state.balances.get((NATIVE, "POND"), 0)


def i7_obligations() -> list[Result]:
    held, owed = z3.Ints("held owed")
    domain = [owed > 0, held >= owed, held < U128]
    deployed_after = z3.IntVal(0)
    fixed_after = held - z3.If(held - owed > 0, held - owed, 0)
    witness = _solve(domain + [deployed_after < owed])
    tied = witness is not None and _i7_spec(min(witness["held"], 10**6), False) == 0
    fix_cex = _solve(domain + [fixed_after < owed])
    grid = all(_i7_spec(h, True) == h for h in (1, 1_000))
    return [Result("I7 deployed: emergencyWithdraw leaves NativeStaking below what it owes", bool(tied),
                   "sat; witness replayed through the fork: NativeStaking holds 0", witness or {}),
            Result("I7 fixed (only the surplus leaves): NativeStaking keeps every recorded stake", fix_cex is None and grid,
                   "unsat; grid replayed through the fixed rules keeps the stake")]


CHECKS = (s1_obligations, i8_obligations, i7_obligations)
