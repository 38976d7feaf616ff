"""The `deployed_restaking` fork's scenarios: each builds its world from genesis by operations
only, ends with the operation it is about and asserts its rule; the case is what the fork does
(`vectors/deployed_restaking/<module>/<operation>/<name>.json`)."""
from reference.conformance.scenarios.deployed_restaking import bid_bounds, bids, pool_bounds, staking, staking_bounds  # noqa: F401 (each registers its scenarios)
from reference.conformance.scenarios.deployed_restaking import clock_bounds  # noqa: F401 (registers its scenarios)
from reference.conformance.scenarios.deployed_restaking.registry import REGISTRY

SCENARIOS = REGISTRY.scenarios
