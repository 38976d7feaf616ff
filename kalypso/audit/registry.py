"""The audit's sections, in report order: one dict of the section objects, built by plain imports.

Adding a section to the audit is writing one function decorated with `kalypso.audit.model.section`
in `kalypso/audit/sections/` and listing it here.
"""
from __future__ import annotations

from kalypso.audit.model import Section
from kalypso.audit.sections import backends, conformance, deployed, engine, machines, mutation, prover, simulator, z3

SECTIONS: dict[str, Section] = {s.name: s for s in (
    z3.z3_proofs,
    machines.machines,
    conformance.conformance,
    mutation.mutation,
    prover.prover,
    backends.backends,
    engine.engine,
    simulator.simulator,
    deployed.deployed,
)}
