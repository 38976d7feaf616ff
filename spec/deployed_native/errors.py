"""The fork's errors: each is a revert of the deployed contracts, coded by the custom error's
name as the Solidity declares it (`lib/Error.sol`, `AttestationAutherUpgradeable.sol`,
OpenZeppelin 5.1), or a Solidity panic (`PANIC_0x11` arithmetic, `PANIC_0x12` division by zero,
`PANIC_0x32` array index), or a revert without data (`EMPTY_REVERT`). Like the design's, each names the field and the rule it broke."""
from __future__ import annotations

from spec.errors import InvalidAmount, InvalidTimeStep, MalformedOperation, SpecError, UnknownOperation, UnknownToken, _error

_NAMES = (
    # lib/Error.sol
    "CannotBeZero", "CannotBeSlashed", "InsufficientStakeToLock", "EnclaveKeyNotVerified", "ExceedsAcceptableRange",
    "InvalidEnclaveSignature", "IncorrectImageId", "InvalidECIESACL", "BlacklistedImage", "MustBeAnEnclave",
    "GeneratorAlreadyExists", "InvalidGenerator", "CannotLeaveWithActiveMarket", "AssignOnlyToIdleGenerators",
    "InsufficientGeneratorComputeAvailable", "OnlyWorkingGenerators", "InvalidEnclaveKey", "OnlyValidGeneratorsCanRequestExit",
    "InvalidGeneratorStatePerMarket", "UnstakeRequestNotInPlace", "ReduceComputeRequestNotInPlace",
    "MaxParallelRequestsPerMarketExceeded", "ReductionRequestNotValid", "PublicMarketsDontNeedKey",
    "InvalidMarket", "AlreadyJoinedMarket", "CannotBeMoreThanDeclaredCompute", "CannotLeaveMarketWithActiveRequest",
    "InactiveMarket", "OnlyMarketCreator", "CannotAssignExpiredTasks", "InvalidInputs", "ArityMismatch",
    "RequestAlreadyInPlace", "CannotSlashUsingValidInputs", "ShouldBeInCreateState", "ProofPriceMismatch",
    "ProofTimeMismatch", "OnlyExpiredAsksCanBeCancelled", "OnlyAssignedAsksCanBeProved", "InvalidProof",
    "ShouldBeInCrossedDeadlineState", "ShouldBeInAssignedState", "OnlyGeneratorCanDiscardRequest",
    "CannotModifyImagesForPublicMarkets", "ImageAlreadyInFamily", "CannotRemoveDefaultImageFromMarket",
    # periphery/AttestationAutherUpgradeable.sol
    "AttestationAutherImageNotWhitelisted", "AttestationAutherImageNotInFamily", "AttestationAutherKeyNotVerified",
    "AttestationAutherAttestationTooOld",
    # OpenZeppelin 5.1
    "AccessControlUnauthorizedAccount", "EnforcedPause", "ExpectedPause", "ERC20InsufficientBalance", "ERC20InvalidReceiver",
    "ECDSAInvalidSignature", "ECDSAInvalidSignatureLength", "ECDSAInvalidSignatureS",
)

ERRORS: dict[str, type[SpecError]] = {name: _error(name, name, f"The contracts revert with {name}.") for name in _NAMES}
ERRORS.update({
    code: _error(name, code, doc)
    for name, code, doc in (
        ("PanicArithmetic", "PANIC_0x11", "Solidity panic 0x11: checked arithmetic over- or underflowed."),
        ("PanicDivisionByZero", "PANIC_0x12", "Solidity panic 0x12: division by zero."),
        ("PanicArrayIndex", "PANIC_0x32", "Solidity panic 0x32: array index out of bounds (no such market or ask)."),
        ("EmptyRevert", "EMPTY_REVERT", "A revert without data: the marketplace's public `marketData` getter called past the "
                                        "array (by the registry, which bubbles it up)."),
    )
})
ERRORS.update({cls.code: cls for cls in (MalformedOperation, UnknownOperation, InvalidAmount, UnknownToken, InvalidTimeStep)})  # environment: decoding, faucet, clock
globals().update({cls.__name__: cls for cls in ERRORS.values()})

ALL_ERRORS: tuple[type[SpecError], ...] = tuple(ERRORS.values())
ERROR_BY_CODE = {cls.code: cls for cls in ALL_ERRORS}


def revert(code: str, field: str, rule: str) -> SpecError:
    """The error the contracts revert with, by its code."""
    return ERROR_BY_CODE[code](field, rule)


def need(condition: bool, code: str, field: str, rule: str) -> None:
    """Revert with `code` unless `condition` holds (the fork's `require`)."""
    if not condition:
        raise revert(code, field, rule)
