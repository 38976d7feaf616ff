"""Conformance vectors: generation from the spec, the adapter runner, vector checks and the
mutation score (docs/vectors.md, docs/conformance.md, docs/mutation.md).

The API is imported lazily so that adapter processes (`reference.conformance.mutant_adapter`)
start without loading the generator, Hypothesis or jsonschema."""
import importlib

_API = {
    "run_conformance": "runner", "ConformanceReport": "runner", "CaseResult": "runner",
    "check_vectors": "check", "CheckReport": "check",
}

__all__ = sorted(_API)


def __getattr__(name):
    if name not in _API:
        raise AttributeError(f"module 'reference.conformance' has no attribute {name!r}")
    return getattr(importlib.import_module(f"reference.conformance.{_API[name]}"), name)
