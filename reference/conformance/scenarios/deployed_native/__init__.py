"""The `deployed_native` fork's scenarios: each builds its world from genesis by operations only
(the contracts can replay it), ends with the operation it is about and asserts its rule; the
case is what the fork does (`vectors/deployed_native/<module>/<operation>/<name>.json`)."""
from reference.conformance.scenarios.deployed_native import boundaries, markets, provers, tasks  # noqa: F401 (each registers its scenarios)
from reference.conformance.scenarios.deployed_native.registry import REGISTRY

SCENARIOS = REGISTRY.scenarios
