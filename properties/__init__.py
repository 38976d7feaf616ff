"""What must hold of the protocol and how it is exercised: invariants, their Z3 mirror (`z3/`),
Hypothesis strategies and state machines, shared fixtures and the world builder. Imports only `spec`."""
