"""The `deployed_native` fork: Kalypso as deployed (`master-66d489f`: ProofMarketplace,
GeneratorRegistry, EntityKeyRegistry), read from the Solidity. It states only what differs from
the design fork (`spec/*.py`); docs/forks.md says how states, names and time map to the chain."""
