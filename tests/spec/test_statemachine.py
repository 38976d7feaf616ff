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
    assert set(rules) == set(MARKET_STRATEGIES) | {"any_operation"}
    assert {name for name, r in rules.items() if r.preconditions} == set(NEEDS_ASK_IN)
