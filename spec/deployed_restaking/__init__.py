"""The `deployed_restaking` fork: the restaking lineage as deployed (`initial-deploy-7cf6586`:
ProofMarketplace with bids, ProverManager, StakingManager, NativeStaking, SymbioticStaking,
SymbioticStakingReward). Its parent is `deployed_native`; it states only what differs
(docs/forks.md, "deployed_restaking")."""
