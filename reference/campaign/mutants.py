"""Where the mutation campaign's mutants come from: MUTANT_SOURCES maps a source name to one
function `() -> {name: Mutant}`; a `Mutant` has a `description` and an `install()` that patches
the spec in the calling process (a child process: reference.campaign.mutant_process). A new
source of mutants (generated ones) is one more function listed here."""
from __future__ import annotations

from typing import Callable, Mapping

import attrs


@attrs.frozen
class Mutant:
    description: str
    install: Callable[[], object]


def named_mutants() -> dict[str, Mutant]:
    """The hand-written mutants of reference.conformance.mutants that apply to this spec."""
    from reference.conformance.mutants import MUTANTS, install

    return {m.name: Mutant(m.description, lambda name=m.name: install(name)) for m in MUTANTS if m.applicable()}


MUTANT_SOURCES: Mapping[str, Callable[[], dict[str, Mutant]]] = {
    "named": named_mutants,
}
