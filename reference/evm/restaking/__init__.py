"""The restaking lineage (initial-deploy-7cf6586) on real bytecode: compile (viaIR), deploy the
L2 contracts, the deployed_restaking adapter and the findings' replays. docs/restaking.md."""
