"""The lifecycle state machine: every invariant (I1-I7, I9, I10) after every step."""
from hypothesis import HealthCheck, settings

from properties.machines import LifecycleMachine

TestLifecycleStatemachine = LifecycleMachine.TestCase
TestLifecycleStatemachine.settings = settings(
    max_examples=200,
    stateful_step_count=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_one_rule_per_market_operation_named_after_it():
    from properties.fixtures import NEEDS_ASK_IN
    from properties.strategies import MARKET_STRATEGIES

    rules = {r.function.__name__: r for r in LifecycleMachine.setup_state().rules}
    from properties.machines import EDGE_RULES, EDGE_WEIGHTS

    assert set(rules) == set(MARKET_STRATEGIES) | {"any_operation"} | set(EDGE_WEIGHTS)
    assert len(LifecycleMachine.setup_state().rules) == len(MARKET_STRATEGIES) + 1 + len(EDGE_RULES)
    assert {name for name, r in rules.items() if r.preconditions} == set(NEEDS_ASK_IN)


MEASURE_EDGES = """
import json
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test
from properties.machines import RUNS, LifecycleMachine
from tests.spec.test_statemachine import TestLifecycleStatemachine

RUNS.clear()
run_state_machine_as_test(LifecycleMachine, settings=settings(TestLifecycleStatemachine.settings, max_examples=100))
print(json.dumps(dict(RUNS)))
"""


def test_lifecycle_runs_reach_the_edges():
    """In the default profile, >= 40 % of runs complete a proof, >= 20 % slash a task and >= 20 %
    hit a prover's compute or stake limit (`properties.machines.RUNS`). Measured in fresh
    processes, so what other tests ran before in this worker cannot change the draws, under two
    hash seeds at once: the draws do not depend on it (the machines pick by index,
    `properties.strategies.pick`, not with `st.sampled_from`, whose label hashes the strings)."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    runs = [subprocess.Popen([sys.executable, "-c", MEASURE_EDGES], cwd=root, env={**os.environ, "PYTHONHASHSEED": seed},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for seed in ("0", "1")]
    measured = []
    for run in runs:
        out, err = run.communicate(timeout=900)
        assert run.returncode == 0, err[-2000:]
        measured.append(json.loads(out.strip().splitlines()[-1]))
    assert measured[0] == measured[1], f"the draws depend on the hash seed: {measured}"
    runs = measured[0]
    rates = {k: runs.get(k, 0) / runs["runs"] for k in ("proof", "slash", "limit")}
    assert rates["proof"] >= 0.4 and rates["slash"] >= 0.2 and rates["limit"] >= 0.2, (rates, runs)
