"""A readable counterexample when an unbounded obligation does not prove (`counterexample` or
`unknown`): a concrete schedule of the restaking run (`restaking_tie.run`) that reaches a state
violating the invariant, found by Z3 over the run's parameters (every step accepted by the
encoding under test). Quantified goals rarely yield models; a bounded, concrete run does, and
it reads as a trace: each step with its operation's values and the violated invariant's state."""
from __future__ import annotations

from typing import Optional

import attrs
import z3

from properties.z3.directed import SEED
from properties.z3.unbounded import invariants as U
from properties.z3.unbounded.restaking_tie import BOOLS, PARAMS, _op, choices, domain, model_genesis, run
from properties.z3.unbounded.state import FIELDS, SKOLEM
from properties.z3.unbounded.transitions import step

TIMEOUT_MS = 60_000


@attrs.frozen
class Trace:
    invariant: str
    steps: tuple  # (operation, {field: value})
    params: dict

    def describe(self) -> str:
        lines = [f"{self.invariant} violated after {len(self.steps)} steps of the restaking run (from genesis, now 10):"]
        for i, (name, values) in enumerate(self.steps):
            shown = ", ".join(f"{k}={v}" for k, v in values.items() if not isinstance(v, str))
            lines.append(f"  {i + 1}. {name}({shown})")
        lines.append("  parameters: " + ", ".join(f"{k}={v}" for k, v in sorted(self.params.items())))
        return "\n".join(lines)


def find_trace(invariant: str, encoders: Optional[dict] = None) -> Optional[Trace]:
    """The shortest schedule of the run (a prefix, the veto only as its last step, the governor's
    change optional) after which `invariant`'s state formula fails, every step accepted by the
    encoding; None if none reaches one."""
    inv = U.BY_ID.get(invariant)
    if inv is None or inv.state is None:
        return None
    steps = run(PARAMS)
    veto = next(i for i, (name, _) in enumerate(steps) if name == "veto_slash")
    governor = next(i for i, (name, _) in enumerate(steps) if name == "set_restaking_parameters")
    schedules = []
    for last in range(len(steps)):
        for skip_governor in (False, True):
            kept = [i for i in range(last + 1) if not (i == veto and i < last) and not (skip_governor and i == governor)]
            if kept not in schedules:
                schedules.append(kept)
    for kept in schedules:
        s, accepted, taken = model_genesis(PARAMS), [], []
        for i in kept:
            name, values = steps[i]
            op = _op(name, values(s))
            st = step(s, op, encoders)
            accepted.append(st.ok)
            taken.append((name, op))
            s = {f: st.effect.get(f, s[f]) for f in FIELDS}
        solver = z3.Solver()
        solver.set("timeout", TIMEOUT_MS, "random_seed", SEED)
        solver.add(domain(PARAMS), *choices(PARAMS), *accepted, z3.Not(inv.state({**s, SKOLEM: None})))
        if solver.check() == z3.sat:
            model = solver.model()

            def show(term):
                value = model.eval(term, model_completion=True)
                return value.as_long() if z3.is_int_value(value) else z3.is_true(value) if z3.is_bool(value) else str(value)

            params = {n: show(v) for n, v in PARAMS.items()}
            trace = tuple((name, {f.name: show(getattr(op, f.name)) for f in attrs.fields(type(op))}) for name, op in taken)
            return Trace(invariant, trace, {k: (bool(v) if k in BOOLS else v) for k, v in params.items()})
    return None
