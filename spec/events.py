"""Events: plain data emitted by transitions and pinned by vectors."""
from __future__ import annotations

from typing import Any

import attrs
from pyrsistent import PMap, pmap


@attrs.frozen
class Event:
    kind: str
    data: PMap = attrs.field(converter=pmap)


def event(kind: str, **data: Any) -> Event:
    return Event(kind, data)
