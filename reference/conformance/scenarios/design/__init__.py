"""The `design` fork's scenarios, one module per spec module (mirroring `vectors/design/<module>/`)."""
from reference.conformance.scenarios.design import (  # noqa: F401 (each module registers its scenarios)
    asks, bridge, clock, engine, markets, provers, relay, restaked_stake, restaking, slashing, tasks, tokens, transition,
    market_edges, snapshot_edges, vault_edges, wire_edges,
)
from reference.conformance.scenarios.design.registry import REGISTRY

SCENARIOS = REGISTRY.scenarios
