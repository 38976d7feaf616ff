"""Hand-written scenario vectors per fork: for every operation its happy path, its boundaries and
every error code it can raise. Add a case in the fork's module of the operation's spec module
(`reference/conformance/scenarios/<fork>/<module>.py`); a new fork adds its own package and an
entry in `FORKS`."""
from reference.conformance.scenarios import design
from reference.conformance.scenarios.base import UNKNOWN, Registry, Scenario

FORKS = {"design": design.SCENARIOS}
DEFAULT_FORK = "design"
SCENARIOS = FORKS[DEFAULT_FORK]

__all__ = ["DEFAULT_FORK", "FORKS", "Registry", "SCENARIOS", "Scenario", "UNKNOWN"]
