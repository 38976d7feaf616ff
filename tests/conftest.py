"""Session-wide test settings.

Hypothesis (>= 6.131) now and then draws constants found in whichever local modules are loaded,
so a derandomized test would draw differently depending on what else its pytest worker imported.
Every test runs without those constants, as the vector generator does, so results do not depend
on the order or grouping of test files. The Hypothesis version is pinned in pyproject.toml: the
committed random-trace vectors are drawn with it.
"""
from reference.conformance.traces import without_local_constants

_no_local_constants = without_local_constants()
_no_local_constants.__enter__()

# Budgets: `KALYPSO_PROFILE=thorough` (make fuzz) loads a Hypothesis profile with ten times the
# examples of the default run; suites that set their own `max_examples` scale it by
# `hypothesis.settings.default.max_examples / 100` so they grow with it.
import os  # noqa: E402

from hypothesis import settings  # noqa: E402

settings.register_profile("thorough", max_examples=1_000)
if os.environ.get("KALYPSO_PROFILE") == "thorough":
    settings.load_profile("thorough")
