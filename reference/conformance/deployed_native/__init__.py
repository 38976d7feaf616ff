"""Vectors of the deployed_native fork: scenario functions that both check a rule of the
deployed contracts and yield a genesis-based case (docs/forks.md, docs/conformance.md)."""
