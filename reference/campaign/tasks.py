"""What a campaign is made of: tasks keyed by (kind, key), budgets, the project version tag, and
the typed error every bad input becomes.

A kind is a `Kind(name, tasks, run, defaults)`: `tasks(seed, params)` yields `Task`s in a fixed
order (finite or not), `run(payload, params)` computes one task's result, a JSON object whose
optional `finding` (an object with a `rule`) marks something the campaign found and whose
`coverage` (a list of strings) says what it exercised. `precheck(params)` raises CampaignError
when the kind cannot run here; a result `{"unavailable": reason}` says a worker cannot run it. The result depends only on the payload
and the params: the same task gives the same result on any worker, which is what lets results be
merged, resumed and compared with a serial run.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterator, Mapping

import attrs

from spec.errors import BadInput

ROOT = Path(__file__).resolve().parents[2]
SOURCE_PACKAGES = ("spec", "properties", "reference", "kalypso")


class CampaignError(BadInput):
    """A campaign cannot start or go on: `field` names what is wrong (an argument, a file, a
    worker, a scheduler), `rule` says why."""

    code: ClassVar[str] = "CAMPAIGN"


@attrs.frozen
class Task:
    """One unit of work: `index` orders the kind's tasks, `key` names it in the results."""

    index: int
    key: str
    payload: Any


@attrs.frozen
class Kind:
    name: str
    tasks: Callable[[int, Mapping], Iterator[Task]]
    run: Callable[[Any, Mapping], dict]
    defaults: Mapping = attrs.field(factory=dict)
    describe: str = ""
    precheck: Callable[[Mapping], None] = lambda params: None
    single_threaded: bool = False  # its tasks touch process-wide state (Hypothesis' seed)


@lru_cache(maxsize=1)
def version_tag() -> str:
    """`<package version>+<12 hex digits>`: the hash covers every .py file of the project's
    packages (path and bytes), so two trees with any code difference get different tags."""
    digest = hashlib.sha256()
    for package in SOURCE_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    try:
        version = importlib.metadata.version("kalypso-spec")
    except importlib.metadata.PackageNotFoundError:
        version = "0"
    return f"{version}+{digest.hexdigest()[:12]}"


@attrs.frozen
class Budget:
    """Either a task count (`count`) or a wall-clock limit in seconds (`seconds`)."""

    count: int | None = None
    seconds: float | None = None

    def __str__(self) -> str:
        return str(self.count) if self.count is not None else f"{self.seconds:g}s"


_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(s|m|h)$")


def parse_budget(text: str) -> Budget:
    """`N` (a task count >= 1) or a duration `30s`, `10m`, `2h`."""
    text = str(text).strip()
    if text.isdigit():
        if int(text) < 1:
            raise CampaignError("--budget", "a task count must be >= 1")
        return Budget(count=int(text))
    match = _DURATION.match(text)
    if not match or float(match.group(1)) <= 0:
        raise CampaignError("--budget", f"{text!r} is neither a task count N nor a duration like 30s, 10m, 2h")
    return Budget(seconds=float(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[match.group(2)])


def derived_seed(seed: int, *parts) -> int:
    """A 64-bit seed for one task, from the campaign seed and the task's coordinates."""
    text = "/".join(str(p) for p in (seed, *parts))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
