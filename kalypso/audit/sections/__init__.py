"""Built-in audit sections, in report order; each module registers its sections on import."""
from kalypso.audit.sections import z3, machines, conformance, mutation, prover, backends, engine, simulator, deployed  # noqa: F401
