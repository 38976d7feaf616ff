"""Helpers shared by sections that wrap another area's result objects."""
from __future__ import annotations

import importlib

from kalypso.audit.model import NotAvailable


def require_module(name: str, area: str):
    """Import `name`, or report the area as not available (its code has not landed)."""
    try:
        return importlib.import_module(name)
    except ImportError as missing:
        raise NotAvailable(f"{area}: `{name}` is not available ({missing})") from missing


def require_attr(module, attr: str, area: str):
    if not hasattr(module, attr):
        raise NotAvailable(f"{area}: `{module.__name__}.{attr}` is not available")
    return getattr(module, attr)


def first_attr(obj, names, default=None):
    """The first of `names` that `obj` has (as attribute or mapping key)."""
    for name in names:
        if isinstance(obj, dict) and name in obj:
            return obj[name]
        if hasattr(obj, name):
            return getattr(obj, name)
    return default
