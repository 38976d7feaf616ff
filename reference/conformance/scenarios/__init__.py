"""Hand-written scenario vectors per fork: for every operation its happy path, its boundaries and
every error code it can raise. Add a case in the fork's module of the operation's spec module
(`reference/conformance/scenarios/<fork>/<module>.py`); a new fork adds its own package and an
entry in `FORKS`."""
from reference.conformance.scenarios import design
from reference.conformance.scenarios.base import UNKNOWN, Registry, Scenario

FORKS = {"design": design.SCENARIOS}
GENESIS_FORKS = ("deployed_native",)
"""Forks whose cases start from genesis (reference.conformance.deployed_native writes them; their
scenarios are in `scenarios/<fork>/`, imported on demand: they load the fork's keccak and ABI)."""
DEFAULT_FORK = "design"
SCENARIOS = FORKS[DEFAULT_FORK]

__all__ = ["DEFAULT_FORK", "FORKS", "GENESIS_FORKS", "Registry", "SCENARIOS", "Scenario", "UNKNOWN"]
