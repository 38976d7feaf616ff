"""The Kalypso protocol as a pure state machine.

`apply(state, op, env) -> (state, events)`; data in `spec.containers`, operations in
`spec.operations`, one module per concern for the transitions, typed errors in `spec.errors`.
This package imports nothing from `properties`, `reference` or `kalypso`.

The names below are imported when first used (PEP 562), so a program that needs only
`spec.errors` or `spec.jsonsafe` (the zk command line) does not load the whole state machine.
"""
from __future__ import annotations

import importlib

_HOME = {
    "spec.containers": ("Ask", "Assignment", "Config", "Market", "Membership", "Prover", "Quote", "State",
                        "WithdrawalRequest", "genesis"),
    "spec.env": ("DEFAULT_ENV", "STAND_IN_VERIFIER_ID", "Env", "stand_in_proof"),
    "spec.errors": ("ALL_ERRORS", "ERROR_BY_CODE", "SpecError"),
    "spec.events": ("Event",),
    "spec.operations": ("OPERATIONS",),
    "spec.transition": ("PROCESSORS", "apply"),
    "spec.types": ("AskState", "MatchingProtocol", "MembershipStatus"),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    module = _MODULE_OF.get(name)
    if module is None:
        try:  # a submodule used as an attribute (`import spec; spec.containers`)
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MODULE_OF))
