"""The audit's sections, one module per area; `kalypso.audit.registry` lists them in report order."""
