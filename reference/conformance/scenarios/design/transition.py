"""Scenarios of the transition dispatch: an operation no transition handles."""
from __future__ import annotations

from properties.world import open_market
from reference.conformance.scenarios.base import UNKNOWN
from reference.conformance.scenarios.design.registry import scenario


@scenario(UNKNOWN, "UNKNOWN_OPERATION")
def unknown_operation():
    """An operation name no transition handles is rejected and changes nothing."""
    return open_market().state, [{"op": "mint_everything", "args": {}}]
