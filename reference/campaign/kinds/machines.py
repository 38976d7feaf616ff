"""`machines`: the Hypothesis state machines of `properties`, each run again and again under a new
seed, with more steps per run than the default suite takes.

Task `i` runs machine `i mod M` (machines in name order) under seed
`derived_seed(campaign seed, machine, i div M)`, `examples` runs of up to `steps` steps, with no
example database, so a task's outcome is a function of its key. A machine that fails gives a
finding whose rule is the failing check's first line (Hypothesis' shrunk steps are its trace).
The negative controls (machines that must fail, `expects_counterexample`) are the audit's
business and are left out.
"""
from __future__ import annotations

import inspect
from contextlib import contextmanager
from itertools import count

from reference.campaign.tasks import Kind, Task, derived_seed

MACHINE_MODULES = ("properties.machines", "properties.crosschain", "properties.deployed_native_machine")


def machine_classes() -> dict[str, type]:
    """Qualified name -> class, for every public RuleBasedStateMachine of MACHINE_MODULES."""
    import importlib

    from hypothesis.stateful import RuleBasedStateMachine

    found = {}
    for name in MACHINE_MODULES:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (issubclass(cls, RuleBasedStateMachine) and cls is not RuleBasedStateMachine and cls.__module__ == name
                    and not cls.__name__.startswith("_") and not getattr(cls, "expects_counterexample", None)):
                found[f"{name}.{cls.__qualname__}"] = cls
    return dict(sorted(found.items()))


def tasks(seed: int, params):
    names = params.get("machines") or list(machine_classes())
    for i in count():
        name, round_ = names[i % len(names)], i // len(names)
        yield Task(i, f"{name}#{round_}", {"machine": name, "seed": derived_seed(seed, "machines", name, round_)})


@contextmanager
def _forced_seed(seed: int):
    import hypothesis.core as core

    saved = core.global_force_seed
    core.global_force_seed = seed
    try:
        yield
    finally:
        core.global_force_seed = saved


def run(payload, params) -> dict:
    from hypothesis import HealthCheck, settings
    from hypothesis.stateful import run_state_machine_as_test

    machine = machine_classes()[payload["machine"]]
    runs = [0]

    def factory():
        runs[0] += 1
        return machine()

    budget = settings(max_examples=params["examples"], stateful_step_count=params["steps"], deadline=None, database=None,
                      derandomize=False, print_blob=False, suppress_health_check=list(HealthCheck))
    coverage = [payload["machine"]]
    try:
        with _forced_seed(payload["seed"]):
            run_state_machine_as_test(factory, settings=budget)
    except Exception as failure:  # the machine's failing check, shrunk by Hypothesis
        first = str(failure).splitlines()[0] if str(failure) else ""
        notes = "\n".join(getattr(failure, "__notes__", []))
        rule = f"{payload['machine']}: {type(failure).__name__}: {first}"[:300]
        return {"status": "fail", "runs": runs[0], "coverage": coverage + [rule],
                "finding": {"rule": rule, "trace": f"{type(failure).__name__}: {failure}\n\n{notes}"[:20_000]}}
    return {"status": "pass", "runs": runs[0], "coverage": coverage}


KIND = Kind("machines", tasks, run, {"examples": 10, "steps": 100},
            "Hypothesis state machines of properties, one seed per task", single_threaded=True)
