"""Typed errors: one class per protocol rule, each with a stable code used in vectors.

Every error names the offending field and the rule it broke. A transition that raises leaves
the state exactly as it was (the spec never mutates; a rejected operation returns no state).
"""
from __future__ import annotations


class SpecError(Exception):
    """Base of every rule violation."""

    code = "SPEC_ERROR"

    def __init__(self, field: str, rule: str):
        super().__init__(f"{self.code} [{field}]: {rule}")
        self.field = field
        self.rule = rule


def _error(name: str, code: str, doc: str) -> type[SpecError]:
    return type(name, (SpecError,), {"code": code, "__doc__": doc})


MalformedOperation = _error("MalformedOperation", "MALFORMED_OPERATION", "An operation field has the wrong type or shape.")
UnknownOperation = _error("UnknownOperation", "UNKNOWN_OPERATION", "No transition handles this operation.")
InvalidAmount = _error("InvalidAmount", "INVALID_AMOUNT", "An amount must be a positive integer.")
UnknownToken = _error("UnknownToken", "UNKNOWN_TOKEN", "The token is neither the payment token nor a stake token.")
NotStakeToken = _error("NotStakeToken", "NOT_STAKE_TOKEN", "The token is not one of the protocol's stake tokens.")
InsufficientBalance = _error("InsufficientBalance", "INSUFFICIENT_BALANCE", "The account's balance does not cover the transfer.")
InvalidTimeStep = _error("InvalidTimeStep", "INVALID_TIME_STEP", "Time only moves forward, by a positive number of seconds.")

UnknownMarket = _error("UnknownMarket", "UNKNOWN_MARKET", "No market has this id.")
NotMarketOwner = _error("NotMarketOwner", "NOT_MARKET_OWNER", "Only the market's creator may change its parameters.")
UnknownVerifier = _error("UnknownVerifier", "UNKNOWN_VERIFIER", "The verifier id is not registered in the environment.")
UnknownMatchingProtocol = _error("UnknownMatchingProtocol", "UNKNOWN_MATCHING_PROTOCOL", "The matching protocol tag is not one the protocol knows.")
BadAttestation = _error("BadAttestation", "BAD_ATTESTATION", "The engine attestation is not the TEE root's signature over (measurement, engine key).")
EngineNotAttested = _error("EngineNotAttested", "ENGINE_NOT_ATTESTED", "Private inputs need a market whose engine key is attested.")
InvalidMarketParameter = _error("InvalidMarketParameter", "INVALID_MARKET_PARAMETER", "A market parameter is out of its allowed range.")

UnknownProver = _error("UnknownProver", "UNKNOWN_PROVER", "The address is not a registered prover.")
ProverAlreadyRegistered = _error("ProverAlreadyRegistered", "PROVER_ALREADY_REGISTERED", "A prover registers once.")
InvalidCompute = _error("InvalidCompute", "INVALID_COMPUTE", "Declared compute must be positive.")
InvalidProverKey = _error("InvalidProverKey", "INVALID_PROVER_KEY", "A prover's encryption key must be a compressed secp256k1 public key (hex).")
ProverKeyMissing = _error("ProverKeyMissing", "PROVER_KEY_MISSING", "An ask with private inputs needs a prover with a registered encryption key.")
InvalidQuote = _error("InvalidQuote", "INVALID_QUOTE", "A quote needs price >= 0, proposed_time > 0 and 0 < compute_per_request <= declared compute.")
AlreadyMember = _error("AlreadyMember", "ALREADY_MEMBER", "The prover has already joined this market.")
NotMember = _error("NotMember", "NOT_MEMBER", "The prover has not joined this market.")
ExitRequested = _error("ExitRequested", "EXIT_REQUESTED", "The prover asked to leave this market: no quotes, no new tasks.")
TasksInFlight = _error("TasksInFlight", "TASKS_IN_FLIGHT", "The prover still has tasks in flight in this market.")
WithdrawalAlreadyRequested = _error("WithdrawalAlreadyRequested", "WITHDRAWAL_ALREADY_REQUESTED", "One pending withdrawal per prover and token.")
NoWithdrawalRequest = _error("NoWithdrawalRequest", "NO_WITHDRAWAL_REQUEST", "There is no pending withdrawal for this token.")
WithdrawalNotReady = _error("WithdrawalNotReady", "WITHDRAWAL_NOT_READY", "The withdrawal delay has not passed.")
InsufficientFreeStake = _error("InsufficientFreeStake", "INSUFFICIENT_FREE_STAKE", "Only stake that backs no task and is not pending withdrawal may be withdrawn.")

UnknownAsk = _error("UnknownAsk", "UNKNOWN_ASK", "No ask has this id.")
InvalidAskParameter = _error("InvalidAskParameter", "INVALID_ASK_PARAMETER", "An ask parameter is out of its allowed range.")
NotRequester = _error("NotRequester", "NOT_REQUESTER", "Only the ask's requester may do this.")
AskNotUnassigned = _error("AskNotUnassigned", "ASK_NOT_UNASSIGNED", "The ask must be unassigned.")
AskNotAssigned = _error("AskNotAssigned", "ASK_NOT_ASSIGNED", "The ask must be assigned.")
AskExpired = _error("AskExpired", "ASK_EXPIRED", "The ask's expiry has passed.")
AskNotExpired = _error("AskNotExpired", "ASK_NOT_EXPIRED", "The ask's expiry has not passed yet.")

BadEngineSignature = _error("BadEngineSignature", "BAD_ENGINE_SIGNATURE", "The statement is not signed by the market's registered engine key.")
PriceAboveMax = _error("PriceAboveMax", "PRICE_ABOVE_MAX", "The assigned price must not exceed the ask's max_price.")
PriceBelowQuote = _error("PriceBelowQuote", "PRICE_BELOW_QUOTE", "The assigned price must not be below the prover's quoted price.")
ProofTimeExceeded = _error("ProofTimeExceeded", "PROOF_TIME_EXCEEDED", "The prover's proposed time must not exceed the ask's proof_time.")
QuoteInactive = _error("QuoteInactive", "QUOTE_INACTIVE", "The prover has no active quote in this market.")
InsufficientCompute = _error("InsufficientCompute", "INSUFFICIENT_COMPUTE", "The prover's free compute does not cover compute_per_request.")
InsufficientStake = _error("InsufficientStake", "INSUFFICIENT_STAKE", "The prover's free stake does not cover the market's slash_amount.")
NotAssignedProver = _error("NotAssignedProver", "NOT_ASSIGNED_PROVER", "Only the assigned prover may do this.")
DeadlinePassed = _error("DeadlinePassed", "DEADLINE_PASSED", "The task's deadline has passed.")
DeadlineNotPassed = _error("DeadlineNotPassed", "DEADLINE_NOT_PASSED", "Slashing needs time strictly after the deadline.")
InvalidProof = _error("InvalidProof", "INVALID_PROOF", "The market's verifier rejected the proof.")

InvalidRestakingParameter = _error("InvalidRestakingParameter", "INVALID_RESTAKING_PARAMETER", "A restaking parameter is out of its allowed range.")
KeySafetyRuleViolated = _error("KeySafetyRuleViolated", "KEY_SAFETY_RULE", "A restaked slash could clear the bridge and the veto window only after the stake stopped being slashable.")
NotGovernor = _error("NotGovernor", "NOT_GOVERNOR", "Only the restaking governor may change restaking parameters.")

UnknownVault = _error("UnknownVault", "UNKNOWN_VAULT", "No vault has this id on the vault chain.")
VaultExists = _error("VaultExists", "VAULT_EXISTS", "A vault id is used once.")
InvalidVaultParameter = _error("InvalidVaultParameter", "INVALID_VAULT_PARAMETER", "A vault parameter is out of its allowed range.")
InsufficientShares = _error("InsufficientShares", "INSUFFICIENT_SHARES", "The staker holds fewer vault shares than it withdraws.")
WithdrawalNotClaimable = _error("WithdrawalNotClaimable", "WITHDRAWAL_NOT_CLAIMABLE", "A vault withdrawal is claimable only after the epoch it belongs to ended.")
NothingToClaim = _error("NothingToClaim", "NOTHING_TO_CLAIM", "The staker has no withdrawal in this vault epoch.")
UnknownSlashRequest = _error("UnknownSlashRequest", "UNKNOWN_SLASH_REQUEST", "No slash request has this id.")
NotResolver = _error("NotResolver", "NOT_RESOLVER", "Only the vault's resolver may veto its slashes.")
NotVetoSlasher = _error("NotVetoSlasher", "NOT_VETO_SLASHER", "Only slashes of a veto-slasher vault wait for a veto.")
SlashRequestCompleted = _error("SlashRequestCompleted", "SLASH_REQUEST_COMPLETED", "The slash request was already executed, vetoed or expired.")
VetoPeriodEnded = _error("VetoPeriodEnded", "VETO_PERIOD_ENDED", "A veto is only possible before the request's veto deadline.")
VetoPeriodNotEnded = _error("VetoPeriodNotEnded", "VETO_PERIOD_NOT_ENDED", "A vetoable slash executes only from its veto deadline on.")
SlashPeriodEnded = _error("SlashPeriodEnded", "SLASH_PERIOD_ENDED", "Stake captured at t is slashable only until t + epoch_duration.")
InvalidCaptureTimestamp = _error("InvalidCaptureTimestamp", "INVALID_CAPTURE_TIMESTAMP", "A capture timestamp must be a protocol epoch start strictly in the past.")

UnknownMessage = _error("UnknownMessage", "UNKNOWN_MESSAGE", "No message with this id is in flight (or dropped) on the bridge.")
MessageNotDue = _error("MessageNotDue", "MESSAGE_NOT_DUE", "A message is delivered only from its delivery time on.")
BridgeDelayExceeded = _error("BridgeDelayExceeded", "BRIDGE_DELAY_EXCEEDED", "The bridge delivers within bridge_delay_max of a message's first send.")
InvalidReorder = _error("InvalidReorder", "INVALID_REORDER", "Reordering swaps the delivery times of two distinct in-flight messages.")
InvalidSnapshotPart = _error("InvalidSnapshotPart", "INVALID_SNAPSHOT_PART", "A snapshot part is malformed or contradicts the parts already received.")
StaleCapture = _error("StaleCapture", "STALE_CAPTURE", "A snapshot must be newer than the latest complete one and still slashable.")
UnknownOperator = _error("UnknownOperator", "UNKNOWN_OPERATOR", "A snapshot names an operator that is not a registered prover.")
InvalidSlashResult = _error("InvalidSlashResult", "INVALID_SLASH_RESULT", "A slash result must carry a final status (EXECUTED, VETOED or EXPIRED).")
NoRestakedSlash = _error("NoRestakedSlash", "NO_RESTAKED_SLASH", "The task has no unresolved slash of restaked stake.")

ALL_ERRORS: tuple[type[SpecError], ...] = tuple(
    cls for cls in list(globals().values()) if isinstance(cls, type) and issubclass(cls, SpecError) and cls is not SpecError
)
ERROR_BY_CODE = {cls.code: cls for cls in ALL_ERRORS}


class InvalidConfig(SpecError, ValueError):
    """Genesis parameters out of range: raised when a `Config` is built, before any state exists,
    so it is no operation's error and stays out of ALL_ERRORS."""

    code = "INVALID_CONFIG"


class BadInput(ValueError):
    """Input from outside the protocol (a file, an adapter's answer, a command-line value) that
    breaks a rule of its format: names the field (a JSON path, a file, an option) and the rule."""

    code = "BAD_INPUT"

    def __init__(self, field: str, rule: str):
        super().__init__(f"{self.code} [{field}]: {rule}")
        self.field = field
        self.rule = rule


class MalformedJSON(BadInput):
    """Text that is not JSON this project reads: invalid syntax or UTF-8, too deep, too large,
    a non-finite number, an integer over the digit limit, a duplicate key or a lone surrogate."""

    code = "MALFORMED_JSON"


class BadFile(BadInput):
    """A path that cannot be read as the file it should be (missing, a directory, a broken link, too large)."""

    code = "BAD_FILE"


class BadArgument(BadInput):
    """A command-line value out of its allowed range."""

    code = "BAD_ARGUMENT"


class MalformedState(BadInput):
    """A serialised state (or case) whose fields have the wrong type, are not canonical, or
    contradict one another (an ask stored under another id, a market with an unknown verifier)."""

    code = "MALFORMED_STATE"


def require(condition: bool, error: type[SpecError], field: str, rule: str) -> None:
    """Raise `error(field, rule)` unless `condition` holds."""
    if not condition:
        raise error(field, rule)
