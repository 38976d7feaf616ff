"""The fork's errors: reverts of the restaking lineage coded by the custom error's name
(`lib/Error.sol` of initial-deploy-7cf6586, `AttestationAutherUpgradeable.sol`, OpenZeppelin
5.1), a Solidity panic, or a `require(cond, "string")` coded `REVERT_STRING`."""
from __future__ import annotations

from spec.deployed_native.errors import ERRORS as PARENT
from spec.errors import SpecError, _error

_NAMES = (
    # lib/Error.sol (this lineage's names that the parent lacks)
    "ProverAlreadyExists", "InvalidProver", "InvalidProverCommission", "AssignOnlyToIdleProvers",
    "InsufficientProverComputeAvailable", "OnlyWorkingProvers", "ExceedsMaximumMatchtime", "OnlyExpiredBidsCanBeCancelled",
    "OnlyAssignedBidsCanBeProved", "NoRewardToClaim", "NotSlashableBidId", "InvalidProverProposedTime",
    "InvalidTimeForProofGeneration", "InsufficientStakeAmount", "NoStakeTokenAvailableToLock", "ZeroTokenAddress",
    "ZeroToAddress", "InvalidPool", "NotRegisteredBlockNumber", "NotRegisteredTransmitter", "SubmissionAlreadyCompleted",
    "InvalidIndex", "InvalidNumOfTxs", "ZeroNumOfTxs", "InvalidCaptureTimestamp", "CooldownPeriodNotPassed",
    "NotIdxToSubmit", "ImageNotFound", "InvalidSignatureLength", "EnclaveKeyMismatch", "InvalidImage",
    "InvalidLastBlockNumber", "OnlyProverCanStake", "InvalidIndexLength", "OnlyProverCanWithdrawStake",
    "WithdrawalTimeNotReached", "InvalidWithdrawalAmount", "TokenNotSupported", "ZeroAmount",
    "ZeroStakeTokenSelectionWeightSum", "NoStakeTokensAvailable", "ZeroNewRewardAddress", "ProverNotRegistered",
    "REVERT_STRING",  # require(cond, "a string"), e.g. NativeStaking.sol:244
)

ERRORS: dict[str, type[SpecError]] = dict(PARENT)
ERRORS.update({name: _error(name, name, f"The contracts revert with {name}.") for name in _NAMES})
ALL_ERRORS: tuple[type[SpecError], ...] = tuple(ERRORS.values())
ERROR_BY_CODE = {cls.code: cls for cls in ALL_ERRORS}


def need(condition: bool, code: str, field: str, rule: str) -> None:
    """Revert with `code` unless `condition` holds (the fork's `require`)."""
    if not condition:
        raise ERROR_BY_CODE[code](field, rule)
