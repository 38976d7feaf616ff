"""The deployed_restaking fork's scenario registry (each builder returns the World it built)."""
from reference.conformance.scenarios.base import Registry

REGISTRY = Registry("deployed_restaking")
scenario = REGISTRY.scenario
