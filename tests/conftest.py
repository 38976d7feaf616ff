"""Session-wide test settings.

Budgets: `KALYPSO_PROFILE=thorough` (make fuzz) loads a Hypothesis profile with ten times the
examples of the default run; suites that set their own `max_examples` scale it by
`hypothesis.settings.default.max_examples / 100` so they grow with it.
"""
import os

from hypothesis import settings

settings.register_profile("thorough", max_examples=1_000)
if os.environ.get("KALYPSO_PROFILE") == "thorough":
    settings.load_profile("thorough")
