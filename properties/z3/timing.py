"""The cross-chain timing of a slash of restaked stake, as a small symbolic model.

A task backed by stake captured at `capture_ts` is assigned at `assigned_at` (not before the
snapshot is usable, `capture_ts + offset`) with `proof_time` in 1..max_proof_time; its
deadline is `assigned_at + proof_time`. A missed deadline can be slashed at `deadline + 1` at
the earliest (I5: strictly after the deadline, integer seconds); the schedule takes that
earliest moment (a later keeper makes every rule fail). The slash request reaches the vault chain
after `bridge_delay` in 0..bridge_delay_max (the bridge may delay, reorder, duplicate or drop
and retry, but delivers within bridge_delay_max of the first send), then waits out the
resolver's veto window `veto_duration`, then executes. Stake captured at `capture_ts` is
slashable through `capture_ts + epoch_duration` (Symbiotic: now - capture <= epoch_duration).
The prover escapes if the slash executes after that.

Snapshots are captured every `epoch_length` at epoch starts. Everything is integer seconds.
"""
from __future__ import annotations

from typing import Callable

import attrs
import z3

PARAMETERS = ("epoch_duration", "offset", "bridge_delay_max", "veto_duration", "max_proof_time", "epoch_length")
SCHEDULE = ("capture_ts", "assigned_at", "proof_time", "bridge_delay")
SLASH_LAG = 1


@attrs.frozen
class Timing:
    """The parameters and one schedule, as Z3 integers (or Python ints)."""

    epoch_duration: object
    offset: object
    bridge_delay_max: object
    veto_duration: object
    max_proof_time: object
    epoch_length: object
    capture_ts: object
    assigned_at: object
    proof_time: object
    bridge_delay: object

    @classmethod
    def symbolic(cls) -> "Timing":
        return cls(**{name: z3.Int(name) for name in PARAMETERS + SCHEDULE})

    @property
    def deadline(self):
        return self.assigned_at + self.proof_time

    @property
    def slash_requested_at(self):
        return self.deadline + SLASH_LAG

    @property
    def slash_arrives_at(self):
        return self.slash_requested_at + self.bridge_delay

    @property
    def slash_executes_at(self):
        return self.slash_arrives_at + self.veto_duration

    @property
    def slashable_until(self):
        return self.capture_ts + self.epoch_duration


def well_formed(t: Timing) -> z3.BoolRef:
    """Parameter ranges and a schedule the protocol and the bridge allow."""
    return z3.And(
        t.epoch_duration >= 1, t.offset >= 0, t.bridge_delay_max >= 0, t.veto_duration >= 0, t.max_proof_time >= 1,
        t.epoch_length >= 1, t.capture_ts >= 0,
        t.assigned_at >= t.capture_ts + t.offset,
        1 <= t.proof_time, t.proof_time <= t.max_proof_time,
        0 <= t.bridge_delay, t.bridge_delay <= t.bridge_delay_max,
    )


def escapes(t: Timing) -> z3.BoolRef:
    """The slash executes after the captured stake stopped being slashable."""
    return t.slash_executes_at > t.slashable_until


def key_safety_rule(t: Timing):
    """DESIGN §1 in integer seconds: deadline + 1 + bridge_delay_max + veto_duration <= capture_ts + epoch_duration."""
    return t.deadline + SLASH_LAG + t.bridge_delay_max + t.veto_duration <= t.capture_ts + t.epoch_duration


def design_rule_as_written(t: Timing):
    """DESIGN §1 read literally, as if the slash could leave at the deadline itself."""
    return t.deadline + t.bridge_delay_max + t.veto_duration <= t.capture_ts + t.epoch_duration


def rule_without_veto(t: Timing):
    return t.deadline + SLASH_LAG + t.bridge_delay_max <= t.capture_ts + t.epoch_duration


def rule_without_bridge_delay(t: Timing):
    return t.deadline + SLASH_LAG + t.veto_duration <= t.capture_ts + t.epoch_duration


RULES: dict[str, Callable] = {
    "key_safety_rule": key_safety_rule,
    "design_rule_as_written": design_rule_as_written,
    "rule_without_veto": rule_without_veto,
    "rule_without_bridge_delay": rule_without_bridge_delay,
}


@attrs.frozen
class RuleCheck:
    """Whether a rule enforced at assignment rules out every escape; if not, an escaping schedule."""

    rule: str
    sufficient: bool
    schedule: dict | None = None

    def describe(self) -> str:
        if self.sufficient:
            return f"{self.rule}: sufficient (no schedule escapes)"
        s = self.schedule
        return (f"{self.rule}: ESCAPE {s} -> deadline {s['deadline']}, slash requested {s['slash_requested_at']}, "
                f"arrives {s['slash_arrives_at']}, executes {s['slash_executes_at']} > slashable until {s['slashable_until']}")


def check_rule(rule: Callable) -> RuleCheck:
    """Z3: is there a schedule that satisfies `rule` at assignment yet escapes the slash?"""
    t = Timing.symbolic()
    solver = z3.Solver()
    solver.add(well_formed(t), rule(t), escapes(t))
    if solver.check() == z3.unsat:
        return RuleCheck(rule.__name__, True)
    model = solver.model()
    value = lambda e: model.eval(e, model_completion=True).as_long()  # noqa: E731
    schedule = {name: value(getattr(t, name)) for name in PARAMETERS + SCHEDULE}
    for derived in ("deadline", "slash_requested_at", "slash_arrives_at", "slash_executes_at", "slashable_until"):
        schedule[derived] = value(getattr(t, derived))
    return RuleCheck(rule.__name__, False, schedule)


def _eliminate(formula) -> z3.BoolRef:
    goal = z3.Goal()
    goal.add(formula)
    result = z3.Then(z3.Tactic("qe"), z3.Tactic("ctx-solver-simplify"))(goal)
    return z3.simplify(z3.And([f for g in result for f in g]))


def _parameters_in_range(t: Timing) -> z3.BoolRef:
    return z3.And(t.epoch_duration >= 1, t.offset >= 0, t.bridge_delay_max >= 0, t.veto_duration >= 0,
                  t.max_proof_time >= 1, t.epoch_length >= 1)


def safe_region(always: bool = False) -> z3.BoolRef:
    """The parameters (epoch_duration, offset, bridge_delay_max, veto_duration, max_proof_time,
    epoch_length) under which no slash escapes, synthesized by quantifier elimination over the
    schedule. `always=False`: some moment after a snapshot becomes usable lets the network accept
    a task of any proof time up to max_proof_time with no escape under any bridge delay.
    `always=True`: every moment does, from a snapshot becoming usable until the next one does
    (`epoch_length` later), so no per-task check is needed at all."""
    t = Timing.symbolic()
    if always:
        schedule = [t.capture_ts, t.assigned_at, t.proof_time, t.bridge_delay]
        body = z3.ForAll(schedule, z3.Implies(
            z3.And(well_formed(t), t.assigned_at < t.capture_ts + t.offset + t.epoch_length), z3.Not(escapes(t))))
    else:
        inner = z3.ForAll([t.proof_time, t.bridge_delay], z3.Implies(
            z3.And(1 <= t.proof_time, t.proof_time <= t.max_proof_time, 0 <= t.bridge_delay, t.bridge_delay <= t.bridge_delay_max),
            z3.Not(escapes(t))))
        body = z3.Exists([t.capture_ts, t.assigned_at], z3.And(t.capture_ts >= 0, t.assigned_at >= t.capture_ts + t.offset, inner))
    return _eliminate(z3.And(_parameters_in_range(t), body))


def max_proof_time(params: dict, always: bool = False) -> int | None:
    """The largest max_proof_time in the safe region for the other parameters (None: none)."""
    t = Timing.symbolic()
    opt = z3.Optimize()
    opt.add(safe_region(always))
    opt.add(*(z3.Int(name) == value for name, value in params.items() if name != "max_proof_time"))
    handle = opt.maximize(z3.Int("max_proof_time"))
    if opt.check() != z3.sat:
        return None
    return opt.upper(handle).as_long() if z3.is_int_value(opt.upper(handle)) else None


def rule_safe_for(params: dict, deadline: int, capture_ts: int) -> bool:
    """The model's verdict for one concrete task: no bridge delay up to bridge_delay_max lets a
    slash of a task with this deadline, backed by this capture, escape."""
    t = attrs.evolve(Timing.symbolic(), capture_ts=z3.IntVal(capture_ts))
    solver = z3.Solver()
    solver.add(*(z3.Int(name) == value for name, value in params.items()))
    solver.add(t.assigned_at + t.proof_time == deadline, 0 <= t.bridge_delay, t.bridge_delay <= t.bridge_delay_max, escapes(t))
    return solver.check() == z3.unsat


def region_in_closed_form(always: bool = False) -> z3.BoolRef:
    """The safe region as one linear constraint (checked equivalent to `safe_region` by Z3):
    offset + 1 + bridge_delay_max + veto_duration + max_proof_time <= epoch_duration for some
    moment; with epoch_length - 1 more seconds of waiting for the next snapshot, every moment."""
    t = Timing.symbolic()
    first_usable = t.offset + t.epoch_length - 1 if always else t.offset
    return z3.And(_parameters_in_range(t),
                  first_usable + t.max_proof_time + SLASH_LAG + t.bridge_delay_max + t.veto_duration <= t.epoch_duration)


def equivalent(a: z3.BoolRef, b: z3.BoolRef) -> bool:
    solver = z3.Solver()
    solver.add(a != b)
    return solver.check() == z3.unsat


@attrs.frozen
class Synthesis:
    """Rule checks, and the safe region: closed form, Z3's eliminated form, and whether they agree."""

    checks: tuple
    region: str
    region_always: str
    eliminated: str
    eliminated_always: str
    closed_form_equivalent: bool

    def describe(self) -> str:
        lines = [c.describe() for c in self.checks]
        agree = "equivalent to" if self.closed_form_equivalent else "NOT equivalent to"
        lines.append(f"safe region, some moment per snapshot: {self.region}")
        lines.append(f"safe region, every moment (no per-task check needed): {self.region_always}")
        lines.append(f"(each {agree} the region Z3 synthesized by quantifier elimination over all schedules)")
        return "\n".join(lines)


def synthesize_parameters() -> Synthesis:
    """Prove the key safety rule sufficient, find escaping schedules for the weakened rules, and
    synthesize the safe parameter region."""
    checks = tuple(check_rule(rule) for rule in RULES.values())
    some, always = safe_region(False), safe_region(True)
    closed_some, closed_always = region_in_closed_form(False), region_in_closed_form(True)
    return Synthesis(
        checks=checks,
        region=_pretty(closed_some),
        region_always=_pretty(closed_always),
        eliminated=str(some),
        eliminated_always=str(always),
        closed_form_equivalent=equivalent(some, closed_some) and equivalent(always, closed_always),
    )


def _pretty(region: z3.BoolRef) -> str:
    return str(region.children()[-1]).replace("\n", " ")
