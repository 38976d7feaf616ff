"""Z3 obligations for the deployed_restaking findings: for each, the deployed rule has a
counterexample (sat) and the fix of spec/deployed_restaking/fixes.py has none (unsat), over all
uint128 amounts and times. The model of each rule is tied to the spec deterministically: the
deployed witness and a fixed grid are replayed through the fork's transitions (deployed and
fixed) and must give what the model says."""
from __future__ import annotations

import attrs
import z3

from properties.deployed_restaking import KEY_SAFETY_BOUND, veto_keeper_run, veto_slash_compensation
from properties.deployed_restaking_escape import COOLDOWN, run_actions
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.containers import NATIVE, Config, genesis
from spec.deployed_restaking.fixes import apply_l1_with, apply_with
from spec.deployed_restaking.l1veto import apply_l1
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
    return {str(d): m[d].as_long() for d in m.decls() if d.arity() == 0}  # constants; not an interpretation of division by zero


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


# ---- I8: the slash of a missed deadline reaches L1 while its capture is slashable ----------

EPOCH = KEY_SAFETY_BOUND


def _i8_model(capture, deadline, cooldown, landed):
    """The escape over all times: a task backed by restaked stake captured at `capture` misses
    `deadline`; the slash result naming it lands at `landed`, within the keeper's latency (from
    deadline + 1, the first second it is slashable, to deadline + 1 + submissionCooldown: the
    transmitter's next capture waits at most one cooldown), yet after capture + EPOCH, when
    Symbiotic's InstantSlasher no longer slashes that capture."""
    domain = [capture >= 0, deadline >= capture + 3, deadline < 2**64, cooldown >= 0, cooldown < 2**64,
              landed >= deadline + 1, landed <= deadline + 1 + cooldown]
    return domain, landed > capture + EPOCH


I8_RULES = {
    "deployed": lambda c, d, k: z3.BoolVal(True),  # assignTask reads the latest capture, whatever its age
    "I8-deadline-only": lambda c, d, k: d - c <= EPOCH,
    "I8": lambda c, d, k: d + 1 + k <= c + EPOCH,
}


def _i8_replay(rules_name: str, slack: int, delay: int, config: Config = Config()):
    """The fork's run of the escape search's boundary actions: a capture, a task whose deadline is
    `slack` s before capture + EPOCH, the deadline missed and reported `delay` s later (the slash
    result lands at deadline + 2 + delay). None if the assignment is refused."""
    rules = apply if rules_name == "deployed" else apply_with(rules_name)
    run = run_actions([("capture", 5_000), ("edge", slack, 3_600), ("miss", delay)], rules, config)
    if not run.backing:
        return None
    [(bid_id, capture)] = run.backing.items()
    return capture, run.state.bids[bid_id].deadline, run.reported.get(bid_id), bool(run.escapes())


def _i8_witness(rules_name: str, *extra):
    """A model of the escape under `rules_name` (and `extra`), restricted to what the search can
    replay (the world's cooldown, a report at least 2 s after the deadline, a capture at most 30
    days old)."""
    c, d, k, landed = z3.Ints("capture deadline cooldown landed")
    domain, escape = _i8_model(c, d, k, landed)
    replayable = [k == COOLDOWN, landed >= d + 2, d - c <= 30 * 86_400]
    return _solve(domain + replayable + [I8_RULES[rules_name](c, d, k), escape] + [e(c, d) for e in extra])


def i8_obligations() -> list[Result]:
    out = []
    for name, label, extra in (("deployed", "no rule: here a capture older than the epoch", lambda c, d: d - c > EPOCH),
                               ("I8-deadline-only", f"the earlier fix, deadline - capture <= {EPOCH} s", lambda c, d: d - c <= EPOCH)):
        w = _i8_witness(name, extra)
        got = w and _i8_replay(name, w["capture"] + EPOCH - w["deadline"], w["landed"] - w["deadline"] - 2)
        tied = bool(got) and got[3] and got[1] - got[0] == w["deadline"] - w["capture"] and got[2] - got[1] == w["landed"] - w["deadline"]
        out.append(Result(f"I8 {name}: ({label}) a promptly reported missed deadline lands after its capture's epoch", tied,
                          "sat; witness replayed through the fork by the escape search's actions: the prover escapes", w or {}))
    c, d, k, landed = z3.Ints("capture deadline cooldown landed")
    domain, escape = _i8_model(c, d, k, landed)
    fix_cex = _solve(domain + [I8_RULES["I8"](c, d, k), escape])
    grid_ok = True
    for slack in (-1, 0, 1, COOLDOWN - 1, COOLDOWN, COOLDOWN + 1, COOLDOWN + 2, 2 * COOLDOWN):
        for delay in (0, COOLDOWN - 2, COOLDOWN - 1):
            got = _i8_replay("I8", slack, delay)
            model_accepts = slack >= COOLDOWN + 1  # deadline = capture + EPOCH - slack under the model's guard
            grid_ok &= (got is not None) == model_accepts and (got is None or not got[3])
    out.append(Result(f"I8 fixed (deadline + 1 + submissionCooldown <= capture + {EPOCH} s): no promptly reported "
                      "missed deadline lands after its capture's epoch, for every time and cooldown < 2^64",
                      fix_cex is None and grid_ok,
                      "unsat; grid of deadlines around the bound and report delays replayed: refused exactly where the "
                      "guard fails, no escape where it holds"))
    return out


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


# ---- V1: a veto slash requested through the Middleware is executed (L1 slash model) ------------

def _v1_model(stake, amount, age, veto, epoch, fixed):
    """One veto slash (spec/deployed_restaking/l1veto.py): requested at 0 against a capture `age`
    s old, accepted by VetoSlasher.requestSlash (veto - epoch <= -age < 0, veto < epoch); not
    vetoed; the keeper calls the execute path at the deadline t = veto. Deployed: no path (no
    account is the network's middleware, the Middleware has no executeSlash): the stake stays.
    Fix: Middleware.executeSlash, accepted iff t >= deadline and t + age <= epoch; it takes
    min(amount, stake). Returns (domain, the operator's stake once the capture's period ends)."""
    t = veto
    domain = [stake > 0, stake < U128, amount > 0, amount < U128, age > 0, veto >= 0, veto < epoch, epoch < 2**48,
              -age >= veto - epoch]
    executes = z3.And(fixed, t >= veto, t + age <= epoch)
    take = z3.If(amount < stake, amount, stake)
    return domain, z3.If(executes, stake - take, stake), take


def _v1_spec(stake: int, amount: int, age: int, veto: int, epoch: int, fixed: bool):
    rules = apply_l1_with("V1") if fixed else apply_l1
    return veto_keeper_run(rules, stake, amount, age, veto, epoch)


def v1_obligations() -> list[Result]:
    stake, amount, age, veto, epoch = z3.Ints("stake amount age veto epoch")
    out = []
    domain, after, take = _v1_model(stake, amount, age, veto, epoch, z3.BoolVal(False))
    w = _solve(domain + [after > stake - take, epoch == KEY_SAFETY_BOUND, veto == 86_400])  # the L1 harness's vault, for a readable witness
    got = w and _v1_spec(min(w["stake"], 10**9), min(w["amount"], 10**9), w["age"], w["veto"], w["epoch"], False)
    tied = bool(got) and bool(veto_slash_compensation(got[0])) and got[0].stake == min(w["stake"], 10**9) \
        and set(got[1].values()) == {"NoSuchFunction", "NotNetworkMiddleware"}
    out.append(Result("V1 deployed: a veto slash requested through the Middleware, unvetoed, is never executed (the "
                      "operator keeps the stake after the capture's slash period)", tied,
                      "sat; witness replayed through the fork's L1 slash model: every execute path refused, oracle V1 violated", w or {}))
    domain, after, take = _v1_model(stake, amount, age, veto, epoch, z3.BoolVal(True))
    fix_cex = _solve(domain + [after > stake - take])
    grid_ok = True
    for e in (3_600, KEY_SAFETY_BOUND):
        for vd in (0, 1, e // 7, e - 1):
            for a in (1, e - vd, e - vd + 1):  # the capture age: fresh, at requestSlash's bound, one past it
                for s_, amt in ((5_000, 500), (5_000, 5_000), (500, 5_000)):
                    got = _v1_spec(s_, amt, a, vd, e, True)
                    model_accepts = a <= e - vd
                    grid_ok &= (got is not None) == model_accepts and (
                        got is None or (not veto_slash_compensation(got[0]) and got[0].stake == s_ - min(s_, amt)))
    out.append(Result("V1 fixed (Middleware.executeSlash after the veto window): every unvetoed veto slash the Middleware "
                      "requests takes min(amount, stake), for every amount < 2^128 and times < 2^48",
                      fix_cex is None and grid_ok,
                      "unsat; grid of epochs, veto windows, capture ages (fresh, at requestSlash's bound, one past) and "
                      "amounts replayed through the fixed L1 model: requests refused exactly past the bound, else executed"))
    return out


CHECKS = (s1_obligations, i8_obligations, i7_obligations, v1_obligations)
