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
    hit a prover's compute or stake limit (`properties.machines.RUNS`). Measured in a fresh
    process, so what other tests ran before in this worker cannot change the draws."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    # the draws depend on the hash seed (pmap iteration order somewhere on the path): pin it
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run([sys.executable, "-c", MEASURE_EDGES], cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    runs = json.loads(done.stdout.strip().splitlines()[-1])
    rates = {k: runs.get(k, 0) / runs["runs"] for k in ("proof", "slash", "limit")}
    assert rates["proof"] >= 0.4 and rates["slash"] >= 0.2 and rates["limit"] >= 0.2, (rates, runs)
