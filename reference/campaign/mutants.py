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


def generated_mutants() -> dict[str, Mutant]:
    """The AST-generated mutants of reference.conformance.generated that change behaviour (a point
    inside an error message is left out, as that module does) and that patch a function or a method in
    place (module-level ones need a fresh import: reference.conformance.fastsuite)."""
    from reference.conformance.generated import TOPLEVEL, generated_mutants as every
    from reference.conformance.mutants import install

    return {m.name: Mutant(m.description, lambda name=m.name: install(name)) for m in every()
            if m.kind == "behaviour" and m.function != TOPLEVEL}


MUTANT_SOURCES: Mapping[str, Callable[[], dict[str, Mutant]]] = {
    # in task order: a campaign's first tasks are the named mutants, then the generated ones
    "named": named_mutants,
    "generated": generated_mutants,
}
