"""The lifecycle state machine: every invariant (I1-I7, I9, I10) after every step."""
from hypothesis import HealthCheck, settings

from properties.machines import LifecycleMachine

SETTINGS = settings(
    max_examples=200,
    stateful_step_count=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
EDGE_RUNS, HASH_SEED_RUNS = 100, 30


def test_one_rule_per_market_operation_named_after_it():
    from properties.fixtures import NEEDS_ASK_IN
    from properties.strategies import MARKET_STRATEGIES

    rules = {r.function.__name__: r for r in LifecycleMachine.setup_state().rules}
    from properties.machines import EDGE_RULES, EDGE_WEIGHTS

    assert set(rules) == set(MARKET_STRATEGIES) | {"any_operation"} | set(EDGE_WEIGHTS)
    assert len(LifecycleMachine.setup_state().rules) == len(MARKET_STRATEGIES) + 1 + len(EDGE_RULES)
    assert {name for name, r in rules.items() if r.preconditions} == set(NEEDS_ASK_IN)


RUN_MACHINE = """
import hashlib, json, sys
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test
from properties.machines import RUNS, LifecycleMachine
from tests.spec.test_statemachine import EDGE_RUNS, SETTINGS

names, first = hashlib.sha256(), {}
kept_teardown = LifecycleMachine.teardown


def teardown(self):
    kept_teardown(self)
    names.update(repr([op.name for op in self.trace]).encode())
    if RUNS["runs"] == EDGE_RUNS:
        first.update(RUNS)


LifecycleMachine.teardown = teardown
RUNS.clear()
run_state_machine_as_test(LifecycleMachine, settings=settings(SETTINGS, max_examples=int(sys.argv[1])))
print(json.dumps({**RUNS, "traces": names.hexdigest(), "first": first}))
"""


def test_lifecycle_machine_keeps_every_invariant_and_reaches_the_edges():
    """The default profile (200 runs of 50 steps) checks every invariant after every step; a
    violation fails the run with Hypothesis's shrunk trace. Of its first 100 runs >= 40 % complete
    a proof, >= 20 % slash a task and >= 20 % hit a prover's compute or stake limit
    (`properties.machines.RUNS`). Run in fresh processes, so what other tests ran before in this
    worker cannot change the draws, and the draws do not depend on the hash seed: 30 runs under
    two hash seeds draw the same operations (the machines pick by index,
    `properties.strategies.pick`, not with `st.sampled_from`, whose label hashes the strings)."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    runs = [subprocess.Popen([sys.executable, "-c", RUN_MACHINE, str(count)], cwd=root,
                             env={**os.environ, "PYTHONHASHSEED": seed}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for seed, count in (("0", SETTINGS.max_examples), ("0", HASH_SEED_RUNS), ("1", HASH_SEED_RUNS))]
    measured = []
    for run in runs:
        out, err = run.communicate(timeout=900)
        assert run.returncode == 0, err[-6000:]
        measured.append(json.loads(out.strip().splitlines()[-1]))
    default, few, other_seed = measured
    assert few == other_seed, f"the draws depend on the hash seed: {few} {other_seed}"
    assert few["runs"] >= HASH_SEED_RUNS and default["runs"] >= SETTINGS.max_examples, measured
    first = default["first"]
    rates = {k: first.get(k, 0) / first["runs"] for k in ("proof", "slash", "limit")}
    assert rates["proof"] >= 0.4 and rates["slash"] >= 0.2 and rates["limit"] >= 0.2, (rates, first)
