"""The rules a `design` restaking case can meet on the restaking lineage's L2 contracts
(initial-deploy-7cf6586), each with what the contracts do instead and where: the classification
table of reference/evm/restaking/diverge.py. Three kinds: `agrees`; a different rule (named,
cited to the contract function); not expressible on L2 (`l1/...`, `no-counterpart/...`,
`not-in-fork/...`, `pre-state/...`, `untranslatable`), each saying why."""
from __future__ import annotations

SAME = "agrees"
KINDS = {"same": "same outcome", "rule": "a different rule (cited)", "none": "not expressible on the L2 bytecode (why given)"}

# rule -> (kind, what the deployed contracts do, the contract function:line)
RULES = {
    SAME: ("same", "the design and the L2 bytecode agree on every outcome, the restaked and native locks, the confirmed captures "
                   "and the provers' native stake", ""),
    # ---- L1: Symbiotic core and Kalypso's Middleware, not the L2 contracts ----
    "l1/vault-operation": ("none", "Vaults, deposits, withdrawals and claims are Symbiotic's Vault on L1; the L2 contracts see a vault "
                           "only as rows of a TEE-signed snapshot (prover, vault, token, stake).", "SymbioticStaking.sol:153 submitVaultSnapshot"),
    "l1/slash-resolution": ("none", "Vetoing and executing a slash are VetoSlasher.vetoSlash/executeSlash on L1; Kalypso's Middleware "
                            "never calls executeSlash and nothing reports a slash's outcome back to L2.", "Middleware.sol (no executeSlash)"),
    "l1/slash-request": ("none", "A restaked slash request reaches L1 through Middleware.requestSlash, not as a message the L2 contracts "
                         "send: on L2 a missed deadline is only a row of the next TEE-signed slash result.", "SymbioticStaking.sol:206 submitSlashResult"),
    "no-counterpart/slash-outcome-to-l2": ("none", "L2 never receives an L1 slash's outcome (executed, vetoed, expired): the restaked lock "
                                           "was already released by the slash result.", "StakingManager.sol:132 onSlashResultSubmission"),
    "no-counterpart/resend-slash-request": ("none", "There is no slash request on L2 to resend: a missed deadline is reported once, in a "
                                            "capture's slash result.", "SymbioticStaking.sol:206 submitSlashResult"),
    "no-counterpart/restaking-parameters": ("none", "No epoch length, offset, veto bound or bridge-delay bound exists on L2; its only "
                                            "knobs are submissionCooldown and each token's amountToLock (admin setters).",
                                            "SymbioticStaking.sol:653 setSubmissionCooldown, :639 setAmountToLock"),
    "no-counterpart/bridge-bookkeeping": ("none", "The design names in-flight bridge messages by id; on L2 there is no message, only the "
                                          "transmitter's transactions, so naming a message that does not exist has no transaction.",
                                          "SymbioticStaking.sol:153, :206"),
    "no-counterpart/per-market-engine": ("none", "One attested matching-engine key for the whole marketplace, not one per market.",
                                         "ProofMarketplace.sol:660 verifyMatchingEngine"),
    "no-counterpart/prover-key": ("none", "Provers' keys are enclave attestations per market, not a registered secp256k1 key.",
                                  "ProverManager.sol:376 updateEncryptionKey"),
    "no-counterpart/quote-update": ("none", "A prover's quote is fixed at joinMarketplace.", "ProverManager.sol:238 joinMarketplace"),
    "no-counterpart/market-update": ("none", "Markets change only metadata and images after createMarket.", "ProofMarketplace.sol:127, :248"),
    "no-counterpart/explicit-expiry": ("none", "Expiry is derived by getBidState: no transaction expires a bid.", "ProofMarketplace.sol:756 getBidState"),
    "no-counterpart/invalid-inputs-by-engine": ("none", "Invalid inputs are claimed with a market IVS enclave signature, not the engine's "
                                                "statement.", "ProofMarketplace.sol:394 submitProofForInvalidInputs"),
    "no-counterpart/private-inputs": ("none", "Private inputs travel as ciphertext in createBid's calldata, checked by no one on chain.",
                                      "ProofMarketplace.sol:267 createBid"),
    "no-counterpart/other-token": ("none", "Tokens are fixed at deployment; the design's extra tokens have no contract.", "StakingManager.sol, NativeStaking.sol addStakeToken"),
    "not-in-fork/market-exit": ("none", "requestForExitMarketplace/leaveMarketplace exist on chain but the deployed_restaking fork does not "
                                "model them yet, so the translation has no operation for them.", "ProverManager.sol:313, :343"),
    "not-in-fork/discard": ("none", "discardRequest exists on chain but the deployed_restaking fork does not model it yet.", "ProofMarketplace.sol:491"),
    "untranslatable": ("none", "The design operation's arguments cannot be written as the contract call (e.g. a negative stake, which "
                       "no uint256 holds).", "ABI uint256"),
    # ---- pre-states the L2 cannot be brought to ----
    "pre-state/terminal-ask": ("none", "The pre-state holds a settled ask; the translation rebuilds open and assigned asks only.", ""),
    "pre-state/multi-token-stake": ("none", "Native stake in more than one token; the translation deploys one native token.", ""),
    "pre-state/unordered-parts": ("none", "The pre-state holds snapshot parts received out of order: L2 takes parts in strict index order "
                                  "only, so no sequence of transactions leaves that state.", "SymbioticStaking.sol:441 _checkValidity (NotIdxToSubmit)"),
    "pre-state/refused": ("none", "Rebuilding the pre-state, the chain refuses a set-up transaction (the refusal is given).", ""),
    # ---- different rules on L2, cited ----
    "locks/every-pool-locks": ("rule", "Every assignment locks amountToLock in EACH pool: a prover needs native stake AND restaked stake "
                               "covering the lock; the design locks native stake first and restaked stake only for the rest.",
                               "StakingManager.sol:89 lockStake, NativeStaking.sol:243 _selectStakeToken (NoStakeTokenAvailableToLock)"),
    "locks/fixed-amount": ("rule", "The amount locked per pool is the token's global amountToLock, not the market's slash amount split "
                           "over native and restaked stake.", "NativeStaking.sol:156 lockStake, SymbioticStaking.sol:289 lockStake"),
    "locks/latest-capture-any-age": ("rule", "Restaked stake is read from the LATEST confirmed capture whatever its age: no offset before a "
                                     "capture backs tasks, no key safety rule, no staleness bound (finding I8).",
                                     "SymbioticStaking.sol:403 getProverActiveStakeAmount, :289 lockStake"),
    "locks/unencumbered-by-slash-requests": ("rule", "Restaked stake under an unresolved slash request still backs new tasks: L2 does not "
                                             "track L1 slash requests.", "SymbioticStaking.sol:403 getProverActiveStakeAmount"),
    "bridge/strict-part-order": ("rule", "Snapshot parts are accepted in strict index order only, each part once; the design takes them in "
                                 "any order and ignores copies.", "SymbioticStaking.sol:441 _checkValidity (NotIdxToSubmit, SubmissionAlreadyCompleted)"),
    "bridge/part-count-fixed": ("rule", "The first part fixes a capture's part count; a part with another count reverts.",
                                "SymbioticStaking.sol:271 _updateTxCountInfo (InvalidNumOfTxs)"),
    "bridge/rows-unchecked": ("rule", "A snapshot part's rows are the enclave's word: operators, their order and the vaults are not "
                              "checked on L2.", "SymbioticStaking.sol:153 submitVaultSnapshot"),
    "bridge/capture-any-time": ("rule", "Any capture timestamp at or before now and at least submissionCooldown after the latest confirmed "
                                "one is accepted: no epoch alignment, no offset, no slashable-window check.",
                                "SymbioticStaking.sol:441 _checkValidity (CooldownPeriodNotPassed, InvalidCaptureTimestamp)"),
    "bridge/older-capture-refused": ("rule", "A capture older than the latest confirmed one (plus cooldown) reverts.",
                                     "SymbioticStaking.sol:441 _checkValidity (CooldownPeriodNotPassed)"),
    "bridge/no-transit-time": ("rule", "A part lands when the transmitter sends it: there is no message in transit and no earliest "
                               "delivery time.", "SymbioticStaking.sol:153 submitVaultSnapshot"),
    "compute/sum-of-allocations": ("rule", "joinMarketplace needs the sum of compute per request over the prover's markets <= its "
                                   "declared compute; the design checks each market alone.", "ProverManager.sol:281 joinMarketplace"),
    "bridge/no-delay-bound": ("rule", "The transmitter may submit whenever it likes: no bound on the bridge's delay exists on L2.",
                              "SymbioticStaking.sol:153, :206 (no staleness bound)"),
    "bridge/confirmation-needs-slash-result": ("rule", "A capture is confirmed only when its vault snapshot AND its slash result are "
                                               "complete for one transmitter.", "SymbioticStaking.sol:352 _completeSubmission"),
    "slashing/refund-before-slash": ("rule", "A missed deadline is slashed by the next capture's slash result, which calls refundFees "
                                     "first: the locks are released and the pools' slash finds none, so no stake moves (finding S1).",
                                     "StakingManager.sol:132 onSlashResultSubmission, ProofMarketplace.sol:521 _refundFee"),
    "asks/bid-checks": ("rule", "createBid needs reward > 0 and non-empty prover data, and checks expiry within a day and proof time in [1 s, 1 day] only: no price-time "
                        "preference, no platform fee in the design's form.", "ProofMarketplace.sol:277 _createBid (:285 CannotBeZero)"),
    "asks/cancel-rules": ("rule", "cancelBid is for the requester of an expired, unassigned bid.", "ProofMarketplace.sol:325 cancelBid"),
    "assignment/price-and-time-checks": ("rule", "Assignment checks reward >= the prover's price and proof time >= its proposed time only; "
                                         "no engine-chosen price.", "ProofMarketplace.sol:556 _assignTask"),
    "assignment/capacity": ("rule", "Assignment needs an idle member with compute and at most 101 tasks in flight.",
                            "ProverManager.sol:446 assignProverTask"),
    "assignment/engine-only": ("rule", "Only the verified matching-engine key assigns (no relayed signature).", "ProofMarketplace.sol:549 assignTask"),
    "assignment/expiry": ("rule", "A bid is assignable while now <= expiry.", "ProofMarketplace.sol:756 getBidState"),
    "proofs/anyone-submits": ("rule", "Anyone may submit the proof of an assigned bid.", "ProofMarketplace.sol:344 submitProof"),
    "stake/withdrawal-rules": ("rule", "Stake leaves by requestStakeWithdrawal then withdrawStake after withdrawalDuration, per request "
                               "index, and only the active (unlocked) stake.", "NativeStaking.sol:118, :134"),
    "stake/only-prover-stakes": ("rule", "stake is by the prover for itself, in a supported token.", "NativeStaking.sol:101 stake"),
    "markets/create-checks": ("rule", "createMarket checks the verifier and the images; no slash amount, engine key or platform fee per "
                              "market.", "ProofMarketplace.sol:127 createMarket"),
    "provers/registration": ("rule", "register and joinMarketplace check compute and images as the contract does.",
                             "ProverManager.sol:87 register, :238 joinMarketplace"),
    "rejected-on-chain": ("rule", "The contracts revert what the design accepts (the custom error is given).", ""),
    "accepted-on-chain": ("rule", "The contracts accept what the design rejects (the design's error code is given).", ""),
    "stake-differs": ("rule", "Both accept every operation, but the provers' native stake moves differently.", ""),
}

L1_OPS = {"create_vault": "l1/vault-operation", "vault_deposit": "l1/vault-operation", "vault_withdraw": "l1/vault-operation",
          "vault_claim": "l1/vault-operation", "veto_slash": "l1/slash-resolution", "execute_slash": "l1/slash-resolution"}
NO_COUNTERPART = {
    **L1_OPS,
    "resend_slash_request": "no-counterpart/resend-slash-request", "set_restaking_parameters": "no-counterpart/restaking-parameters",
    "update_quote": "no-counterpart/quote-update", "update_market": "no-counterpart/market-update",
    "expire_ask": "no-counterpart/explicit-expiry", "attest_engine": "no-counterpart/per-market-engine",
    "register_prover_key": "no-counterpart/prover-key", "submit_invalid_inputs": "no-counterpart/invalid-inputs-by-engine",
    "mint_everything": "no-counterpart/other-token", "request_market_exit": "not-in-fork/market-exit",
    "leave_market": "not-in-fork/market-exit", "discard_task": "not-in-fork/discard",
}
BRIDGE_FAULTS = {"delay_message", "reorder_messages", "duplicate_message", "drop_message", "retransmit_message"}
# the design's rejection of a bridge fault -> the rule on L2 (where the chain has no such limit)
FAULT_REJECTED = {"BRIDGE_DELAY_EXCEEDED": "bridge/no-delay-bound"}

# (design op, design error) -> rule, when the chain accepts what the design rejects
ACCEPTED_ON_CHAIN = {
    ("assign_task", "KEY_SAFETY_RULE"): "locks/latest-capture-any-age",
    ("assign_task", "INSUFFICIENT_STAKE"): "locks/latest-capture-any-age",
    ("assign_task", "PRICE_ABOVE_MAX"): "assignment/price-and-time-checks",
    ("assign_task", "PRICE_BELOW_QUOTE"): "assignment/price-and-time-checks",
    ("create_ask", "INVALID_ASK_PARAMETER"): "asks/bid-checks", ("create_ask", "INSUFFICIENT_BALANCE"): "asks/bid-checks",
    ("create_market", "INVALID_MARKET_PARAMETER"): "markets/create-checks", ("create_market", "KEY_SAFETY_RULE"): "markets/create-checks",
    ("create_market", "UNKNOWN_MATCHING_PROTOCOL"): "markets/create-checks",
    ("submit_proof", "NOT_ASSIGNED_PROVER"): "proofs/anyone-submits",
    ("request_stake_withdrawal", "INSUFFICIENT_FREE_STAKE"): "stake/withdrawal-rules",
    ("transmit_snapshot_part", "INVALID_SNAPSHOT_PART"): "bridge/rows-unchecked",
    ("transmit_snapshot_part", "INVALID_CAPTURE_TIMESTAMP"): "bridge/capture-any-time",
}
# design error of a delivered snapshot part the chain accepts -> rule
PART_ACCEPTED = {"STALE_CAPTURE": "bridge/capture-any-time", "INVALID_CAPTURE_TIMESTAMP": "bridge/capture-any-time",
                 "INVALID_SNAPSHOT_PART": "bridge/rows-unchecked",
                 "UNKNOWN_OPERATOR": "bridge/rows-unchecked", "MESSAGE_NOT_DUE": "bridge/no-transit-time"}
# a set-up transaction the chain refuses -> rule
SETUP_REFUSED = {("join_market", "CannotBeMoreThanDeclaredCompute"): "compute/sum-of-allocations",
                 ("create_bid", "CannotBeZero"): "asks/bid-checks"}
REJECTED_ON_CHAIN = {
    "NotIdxToSubmit": "bridge/strict-part-order", "SubmissionAlreadyCompleted": "bridge/strict-part-order",
    "InvalidNumOfTxs": "bridge/part-count-fixed", "CooldownPeriodNotPassed": "bridge/older-capture-refused",
    "InvalidCaptureTimestamp": "bridge/capture-any-time", "InvalidIndex": "bridge/part-count-fixed",
    "NoStakeTokenAvailableToLock": "locks/every-pool-locks", "REVERT_STRING": "locks/every-pool-locks",
    "ProofPriceMismatch": "assignment/price-and-time-checks", "ProofTimeMismatch": "assignment/price-and-time-checks",
    "AssignOnlyToIdleProvers": "assignment/capacity", "InsufficientProverComputeAvailable": "assignment/capacity",
    "MaxParallelRequestsPerMarketExceeded": "assignment/capacity", "ShouldBeInCreateState": "assignment/expiry",
    "OnlyExpiredBidsCanBeCancelled": "asks/cancel-rules",
    "InvalidTimeForProofGeneration": "asks/bid-checks", "ExceedsMaximumMatchtime": "asks/bid-checks", "CannotBeZero": "asks/bid-checks",
    "CannotAssignExpiredTasks": "asks/bid-checks",
    "InsufficientStakeAmount": "stake/withdrawal-rules", "WithdrawalTimeNotReached": "stake/withdrawal-rules",
    "InvalidIndexLength": "stake/withdrawal-rules", "InvalidWithdrawalAmount": "stake/withdrawal-rules",
    "OnlyProverCanStake": "stake/only-prover-stakes", "TokenNotSupported": "stake/only-prover-stakes",
    "AttestationAutherKeyNotVerified": "assignment/engine-only", "AccessControlUnauthorizedAccount": "assignment/engine-only",
}
STAKE_RULE = {"slash_missed_deadline": "slashing/refund-before-slash", "withdraw_stake": "stake/withdrawal-rules",
              "request_stake_withdrawal": "stake/withdrawal-rules"}
