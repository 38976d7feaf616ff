"""The campaign kinds by name; each module defines `KIND` (reference.campaign.tasks.Kind)."""
from __future__ import annotations

import importlib

from reference.campaign.tasks import CampaignError, Kind

KIND_NAMES = ("differential", "machines", "mutation", "sweep")


def get_kind(name: str) -> Kind:
    if name not in KIND_NAMES:
        raise CampaignError("KIND", f"{name!r} is not one of {', '.join(KIND_NAMES)}")
    return importlib.import_module(f"reference.campaign.kinds.{name}").KIND
