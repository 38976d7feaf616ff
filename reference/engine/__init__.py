"""reference/engine."""
