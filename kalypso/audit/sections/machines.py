"""Hypothesis state machines: every RuleBasedStateMachine of the modules of `properties` that define
them, at a stated budget and seed; a failure is reported with Hypothesis' shrunk falsifying trace."""
from __future__ import annotations

import inspect
import time
from contextlib import contextmanager

from kalypso.audit.model import Check, NotAvailable, SectionOutput, Status, section

NEGATIVE_CONTROL_EXAMPLES = 300


def expects_counterexample(machine: type) -> str | None:
    """Why `machine` is a negative control that must fail (its class attribute
    `expects_counterexample`), or None."""
    return getattr(machine, "expects_counterexample", None)


def machine_modules() -> tuple:
    """The modules of `properties` that define state machines (a test keeps this list complete)."""
    from properties import crosschain, deployed_native_machine, deployed_restaking_machine, machines

    return (machines, crosschain, deployed_native_machine, deployed_restaking_machine)


def discover_machines(modules=None) -> list[type]:
    """Every concrete RuleBasedStateMachine defined in `modules` (default: `machine_modules()`), by
    qualified name: the public ones, which must hold, and the negative controls
    (`expects_counterexample`, such as the escape search with the key safety rule off), which must fail."""
    from hypothesis.stateful import RuleBasedStateMachine

    found = {}
    for module in modules or machine_modules():
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (issubclass(cls, RuleBasedStateMachine) and cls is not RuleBasedStateMachine
                    and cls.__module__ == module.__name__
                    and (not cls.__name__.startswith("_") or expects_counterexample(cls))):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[k] for k in sorted(found)]


@contextmanager
def forced_seed(seed: int):
    """Seed Hypothesis' example generation (what pytest's --hypothesis-seed does)."""
    import hypothesis.core as core

    saved = core.global_force_seed
    core.global_force_seed = seed
    try:
        yield
    finally:
        core.global_force_seed = saved


def run_machine(machine: type, max_examples: int, steps: int, seed: int, progress=lambda *a, **k: None) -> Check:
    """Run `machine` as a test; PASS, or FAIL with the exception and the shrunk falsifying steps.
    A negative control passes when Hypothesis finds its counterexample (not shrunk, to save time),
    with at least NEGATIVE_CONTROL_EXAMPLES examples (it stops at the first one found)."""
    from hypothesis import HealthCheck, Phase, settings
    from hypothesis.stateful import run_state_machine_as_test

    control = expects_counterexample(machine)
    if control:
        max_examples = max(max_examples, NEGATIVE_CONTROL_EXAMPLES)
    runs = [0]

    def factory():
        runs[0] += 1
        progress(f"{machine.__name__}: run {runs[0]}", completed=min(runs[0], max_examples), total=max_examples)
        return machine()

    phases = [p for p in Phase if p not in (Phase.shrink, Phase.explain)] if control else list(Phase)
    budget = settings(max_examples=max_examples, stateful_step_count=steps, deadline=None, database=None,
                      derandomize=False, print_blob=False, suppress_health_check=list(HealthCheck), phases=phases)
    name = f"{machine.__module__}.{machine.__qualname__}"
    start = time.perf_counter()
    try:
        with forced_seed(seed):
            run_state_machine_as_test(factory, settings=budget)
    except Exception as failure:
        notes = "\n".join(getattr(failure, "__notes__", []))
        trace = f"{type(failure).__name__}: {failure}\n\n{notes}"
        if control:
            return Check(f"{name} (negative control)", Status.PASS, count=runs[0], seconds=time.perf_counter() - start,
                         seed=seed, detail=f"{control}; found: {str(failure).splitlines()[0] if str(failure) else type(failure).__name__}"[:300],
                         trace=trace)
        return Check(name, Status.FAIL, count=runs[0], seconds=time.perf_counter() - start, seed=seed,
                      detail=f"{type(failure).__name__}: {str(failure).splitlines()[0] if str(failure) else ''}"[:200],
                      trace=trace)
    if control:
        return Check(f"{name} (negative control)", Status.FAIL, count=runs[0], seconds=time.perf_counter() - start,
                     seed=seed, detail=f"{control}; no counterexample within {max_examples} examples x {steps} steps",
                     trace="Hypothesis found no counterexample for a machine that must fail: the property it refutes may no longer be checked.")
    return Check(name, Status.PASS, count=runs[0], seconds=time.perf_counter() - start, seed=seed,
                 detail=f"{max_examples} examples x {steps} steps; count = machine runs incl. generation and shrinking")


@section("machines", "Hypothesis state machines", cost=3, budgets={
    "quick": {"max_examples": 15, "steps": 30},
    "default": {"max_examples": 1000, "steps": 50},
    "thorough": {"max_examples": 10000, "steps": 100},
})
def machines(ctx) -> SectionOutput:
    try:
        found = discover_machines()
    except ImportError as missing:
        raise NotAvailable(f"properties could not be imported: {missing}") from missing
    if not found:
        raise NotAvailable("no RuleBasedStateMachine in properties")
    from properties.crosschain import COVERAGE, FAULTS
    from properties.machines import RUNS

    RUNS.clear()
    COVERAGE.clear()
    checks = [run_machine(m, ctx.budget["max_examples"], ctx.budget["steps"], ctx.seed, ctx.progress) for m in found]
    return SectionOutput(checks=tuple(checks), notes=(
        f"Machines found: {', '.join(m.__qualname__ for m in found)}. Each runs under "
        f"hypothesis.stateful.run_state_machine_as_test with database=None and the audit seed.",
        coverage_note(RUNS, COVERAGE, FAULTS)))


def coverage_note(runs, coverage, faults) -> str:
    """How far the machines' runs reached: lifecycle runs that proved, slashed or hit a compute or
    stake limit; cross-chain parameter changes and bridge faults."""
    total = max(1, runs["runs"])
    rates = ", ".join(f"{k} {runs[k] / total:.0%}" for k in ("proof", "slash", "limit"))
    cross = ", ".join(f"{k} {coverage[k]}" for k in ("set_restaking_parameters", "parameter change over a confirmed snapshot", *faults))
    return f"Coverage: of {runs['runs']} lifecycle runs, {rates}. Cross-chain steps: {cross}."
