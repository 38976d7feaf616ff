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
