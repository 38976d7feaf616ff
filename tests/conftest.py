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


LATE_FIXTURES = ("restaking_builds", "numba_kernels_compiled_once")


def pytest_collection_modifyitems(session, config, items):
    """The files whose tests use what a build started at collection prepares (the restaking viaIR
    builds: tests/evm/conftest.py; the numba kernels: tests/fast/conftest.py) run last, so the
    builds run beside the other tests instead of holding pytest workers that wait for them."""
    late = {item.path for item in items if any(f in getattr(item, "fixturenames", ()) for f in LATE_FIXTURES)}
    items.sort(key=lambda item: item.path in late)
