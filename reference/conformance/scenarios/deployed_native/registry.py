"""The deployed_native fork's scenario registry: each builder returns the World it built from
genesis (its last step is the operation it is about; it asserts the rule it shows)."""
from reference.conformance.scenarios.base import Registry

REGISTRY = Registry("deployed_native")
scenario = REGISTRY.scenario
