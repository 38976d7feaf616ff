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
