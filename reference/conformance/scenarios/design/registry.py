"""The registry of the `design` fork's scenarios."""
from reference.conformance.scenarios.base import Registry

REGISTRY = Registry("design")
scenario = REGISTRY.scenario
