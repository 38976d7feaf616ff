"""The `deployed_native` fork's operations: one per contract call of the `master-66d489f`
contracts (`ProofMarketplace` PMP, `GeneratorRegistry` GR, `EntityKeyRegistry` EKR), plus the
environment's `mint` (the token faucet) and `advance_blocks` (the chain's clock).

Accounts, keys and images are names (docs/forks.md): an account or key name stands for the
secp256k1 key `accounts.secret_key(name)` and its address; a `0x` + 40-hex name is that address
itself. An image name stands for three 48-byte PCRs (`keys.pcrs(name)`); `"public"` is the
all-zero PCRs (the contracts' NO_ENCLAVE_ID). Signatures (`signature`) are raw 65-byte
`r || s || v` ECDSA signatures, replayed as they are. Where a design operation has a deployed
counterpart, the name is kept; the fields are the contract's. Every operation has a `CONTRACT_CALL`
naming the function it maps to.
"""
from __future__ import annotations

from typing import Optional

import attrs

from spec.errors import MalformedOperation
from spec.operations import STR, Mint, _bytes, _str

SECRET_TYPES = (0, 1, 2)  # PMP.SecretType: NULL, CALLDATA, EXTERNAL (ProofMarketplace.sol:141)

OPERATIONS: dict[str, type] = {"mint": Mint}
CONTRACT_CALL: dict[str, str] = {"mint": "(faucet) PAYMENT_TOKEN/STAKING_TOKEN.transfer(account, amount)"}


def _op(name: str, call: str):
    """Register an operation class under its wire name and the contract call it maps to."""

    def wrap(cls):
        cls = attrs.resolve_types(attrs.frozen(cls), globals())
        cls.name = name
        cls.call = call
        OPERATIONS[name] = cls
        CONTRACT_CALL[name] = call
        return cls

    return wrap


def _uint(_, attribute, value) -> None:
    if type(value) is not int or not 0 <= value < 2**256:
        raise MalformedOperation(attribute.name, "must be a uint256: an integer in [0, 2^256)")


def INT():
    """A uint256 field (the contracts take no negative numbers)."""
    return attrs.field(validator=_uint)


def _canonical_name(value):
    """A name that is a hex address stands for that address in lower case (one spelling per
    account, as the chain has one)."""
    if isinstance(value, str) and len(value) == 42 and value[:2] == "0x" and all(c in "0123456789abcdefABCDEF" for c in value[2:]):
        return value.lower()
    return value


MAX_ATTESTATION_AGE_MS = 10**12
"""The largest attestation age an operation may state (31 years): the attestation's timestamp,
block.timestamp * 1000 - age, stays positive on any chain past 2001."""


def _age(instance, attribute, value):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ATTESTATION_AGE_MS:
        raise MalformedOperation(attribute.name, f"must be an integer in [0, {MAX_ATTESTATION_AGE_MS}] (milliseconds)")


def AGE():
    """`attestation_age_ms`: how long before the transaction's block the enclave's attestation
    was taken, in milliseconds; its `timestampInMilliseconds` is block.timestamp * 1000 - age.
    0 (fresh) by default, and then left out of the operation's JSON."""
    return attrs.field(default=0, validator=_age, metadata={"omit_default": True})


def NAME():
    """An account or key name (docs/forks.md)."""
    return attrs.field(converter=_canonical_name, validator=_str)


def BYTES():
    return attrs.field(validator=_bytes)


def _secret_type(_, attribute, value) -> None:
    if type(value) is not int or value not in SECRET_TYPES:
        raise MalformedOperation(attribute.name, "must be a SecretType: 0 (NULL), 1 (CALLDATA) or 2 (EXTERNAL)")


def _tuple_of(kind: type, what: str):
    def convert(value) -> tuple:
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            raise MalformedOperation(what, f"must be a list of {kind.__name__}")
        items = tuple(value)
        for item in items:
            if type(item) is not kind or (kind is str and not item) or (kind is int and not 0 <= item < 2**256):
                raise MalformedOperation(what, f"must be a list of {kind.__name__}")
        return items

    return convert


def LIST(kind: type, name: str):
    return attrs.field(converter=_tuple_of(kind, name), metadata={"items": kind})


# ---- environment ---------------------------------------------------------------------------

@_op("advance_blocks", "(chain) mine `blocks` empty blocks")
class AdvanceBlocks:
    blocks: int = INT()


@_op("flush", "PMP.flush(address)")
class Flush:
    sender: str = NAME()
    account: str = NAME()


# ---- marketplace administration (UPDATER_ROLE) ---------------------------------------------

@_op("set_matching_engine_image", "PMP.setMatchingEngineImage(bytes pcrs)")
class SetMatchingEngineImage:
    sender: str = NAME()
    image: str = STR()


@_op("verify_matching_engine", "PMP.verifyMatchingEngine(bytes attestationData, bytes meSignature)")
class VerifyMatchingEngine:
    """`key` is the enclave key attested (running `image`); the adapter builds the attestation
    and the enclave's signature over (attestation, marketplace address) from the key."""

    sender: str = NAME()
    key: str = NAME()
    image: str = STR()
    attestation_age_ms: int = AGE()


@_op("update_cost_per_bytes", "PMP.updateCostPerBytes(SecretType, uint256)")
class UpdateCostPerBytes:
    sender: str = NAME()
    secret_type: int = attrs.field(validator=_secret_type)
    cost: int = INT()


@_op("update_min_proving_time", "PMP.updateMinProvingTime(SecretType, uint256)")
class UpdateMinProvingTime:
    sender: str = NAME()
    secret_type: int = attrs.field(validator=_secret_type)
    blocks: int = INT()


@_op("pause", "PMP.pause()")
class Pause:
    sender: str = NAME()


@_op("unpause", "PMP.unpause()")
class Unpause:
    sender: str = NAME()


# ---- markets -------------------------------------------------------------------------------

@_op("create_market", "PMP.createMarketplace(bytes metadata, IVerifier verifier, uint256 penalty, bytes proverPcrs, bytes ivsPcrs)")
class CreateMarket:
    sender: str = NAME()
    metadata: bytes = BYTES()
    verifier_id: str = STR()
    penalty: int = INT()
    prover_image: str = STR()
    ivs_image: str = STR()


@_op("add_extra_images", "PMP.addExtraImages(uint256 marketId, bytes[] proverPcrs, bytes[] ivsPcrs)")
class AddExtraImages:
    sender: str = NAME()
    market_id: int = INT()
    prover_images: tuple = LIST(str, "prover_images")
    ivs_images: tuple = LIST(str, "ivs_images")


@_op("remove_extra_images", "PMP.removeExtraImages(uint256 marketId, bytes[] proverPcrs, bytes[] ivsPcrs)")
class RemoveExtraImages:
    sender: str = NAME()
    market_id: int = INT()
    prover_images: tuple = LIST(str, "prover_images")
    ivs_images: tuple = LIST(str, "ivs_images")


@_op("freeze_market", "PMP.freezeMarket(uint256)")
class FreezeMarket:
    sender: str = NAME()
    market_id: int = INT()


# ---- provers (GeneratorRegistry) -----------------------------------------------------------

@_op("register_prover", "GR.register(address rewardAddress, uint256 declaredCompute, uint256 initialStake, bytes generatorData)")
class RegisterProver:
    sender: str = NAME()
    reward_address: str = NAME()
    declared_compute: int = INT()
    initial_stake: int = INT()
    data: bytes = BYTES()


@_op("change_reward_address", "GR.changeRewardAddress(address)")
class ChangeRewardAddress:
    sender: str = NAME()
    reward_address: str = NAME()


@_op("increase_declared_compute", "GR.increaseDeclaredCompute(uint256)")
class IncreaseDeclaredCompute:
    sender: str = NAME()
    compute: int = INT()


@_op("request_compute_decrease", "GR.intendToReduceCompute(uint256)")
class RequestComputeDecrease:
    sender: str = NAME()
    compute: int = INT()


@_op("decrease_declared_compute", "GR.decreaseDeclaredCompute()")
class DecreaseDeclaredCompute:
    sender: str = NAME()


@_op("deposit_stake", "GR.stake(address generator, uint256 amount)")
class DepositStake:
    """`sender` pays; `prover` is credited (anyone may top up any prover)."""

    sender: str = NAME()
    prover: str = NAME()
    amount: int = INT()


@_op("request_stake_withdrawal", "GR.intendToReduceStake(uint256)")
class RequestStakeWithdrawal:
    sender: str = NAME()
    amount: int = INT()


@_op("withdraw_stake", "GR.unstake(address to)")
class WithdrawStake:
    sender: str = NAME()
    to: str = NAME()


@_op("deregister_prover", "GR.deregister(address refundAddress)")
class DeregisterProver:
    sender: str = NAME()
    refund_address: str = NAME()


def _optional_name(_, attribute, value) -> None:
    if value is not None and (not isinstance(value, str) or not value):
        raise MalformedOperation(attribute.name, "must be a non-empty string or absent")


@_op("join_market", "GR.joinMarketplace(uint256 marketId, uint256 computePerRequest, uint256 proofGenerationCost, uint256 proposedTime, bool updateMarketDedicatedKey, bytes attestationData, bytes enclaveSignature)")
class JoinMarket:
    """Without `key`: updateMarketDedicatedKey = false and empty attestation; with `key` (running
    `image`): true, and the adapter builds the attestation and the key's signature over
    (attestation, sender)."""

    sender: str = NAME()
    market_id: int = INT()
    compute_per_request: int = INT()
    price: int = INT()
    proposed_time: int = INT()
    key: Optional[str] = attrs.field(default=None, converter=lambda v: _canonical_name(v) if v is not None else None, validator=_optional_name)
    image: Optional[str] = attrs.field(default=None, validator=_optional_name)
    attestation_age_ms: int = AGE()

    def __attrs_post_init__(self):
        if (self.key is None) != (self.image is None):
            raise MalformedOperation("image", "key and image go together")


@_op("request_market_exit", "GR.requestForExitMarketplace(uint256)")
class RequestMarketExit:
    sender: str = NAME()
    market_id: int = INT()


@_op("leave_market", "GR.leaveMarketplace(uint256)")
class LeaveMarket:
    sender: str = NAME()
    market_id: int = INT()


@_op("request_market_exits", "GR.requestForExitMarketplaces(uint256[] marketIds)")
class RequestMarketExits:
    sender: str = NAME()
    market_ids: tuple = LIST(int, "market_ids")


@_op("leave_markets", "GR.leaveMarketplaces(uint256[] marketIds)")
class LeaveMarkets:
    sender: str = NAME()
    market_ids: tuple = LIST(int, "market_ids")


@_op("add_ivs_key", "GR.addIvsKey(uint256 marketId, bytes attestationData, bytes enclaveSignature)")
class AddIvsKey:
    """`key` (running `image`) signs (attestation, sender): the adapter builds both from the key."""

    sender: str = NAME()
    market_id: int = INT()
    key: str = NAME()
    image: str = STR()
    attestation_age_ms: int = AGE()


@_op("update_encryption_key", "GR.updateEncryptionKey(uint256 marketId, bytes attestationData, bytes enclaveSignature)")
class UpdateEncryptionKey:
    """`key` (running `image`) signs (attestation, sender): the adapter builds both from the key."""

    sender: str = NAME()
    market_id: int = INT()
    key: str = NAME()
    image: str = STR()
    attestation_age_ms: int = AGE()


@_op("remove_encryption_key", "GR.removeEncryptionKey(uint256 marketId)")
class RemoveEncryptionKey:
    sender: str = NAME()
    market_id: int = INT()


# ---- asks and tasks (ProofMarketplace) -----------------------------------------------------

@_op("create_ask", "PMP.createAsk(Ask(marketId, reward, expiry, proofTime, 0, refundAddress, proverData), SecretType, privateInputs, acl, extraData)")
class CreateAsk:
    sender: str = NAME()
    market_id: int = INT()
    reward: int = INT()
    expiry: int = INT()
    proof_time: int = INT()
    refund_address: str = NAME()
    prover_data: bytes = BYTES()
    secret_type: int = attrs.field(default=0, validator=_secret_type)
    private_inputs: bytes = attrs.field(default=b"", validator=_bytes)
    acl: bytes = attrs.field(default=b"", validator=_bytes)
    extra_data: bytes = attrs.field(default=b"", validator=_bytes)


@_op("cancel_ask", "PMP.cancelAsk(uint256)")
class CancelAsk:
    sender: str = NAME()
    ask_id: int = INT()


@_op("assign_task", "PMP.assignTask(uint256 askId, address generator, bytes newAcl)")
class AssignTask:
    """Sent by the matching engine's key itself (`sender` is a key name)."""

    sender: str = NAME()
    ask_id: int = INT()
    prover: str = NAME()
    acl: bytes = attrs.field(default=b"", validator=_bytes)


@_op("relay_batch_assign_tasks", "PMP.relayBatchAssignTasks(uint256[] askIds, address[] generators, bytes[] newAcls, bytes signature)")
class RelayBatchAssignTasks:
    """Anyone relays; `signature` is the engine key's EIP-191 signature over
    keccak256(abi.encode(askIds, generators, newAcls))."""

    sender: str = NAME()
    ask_ids: tuple = LIST(int, "ask_ids")
    provers: tuple = attrs.field(converter=lambda v: tuple(_canonical_name(p) for p in _tuple_of(str, "provers")(v)), metadata={"items": str})
    acls: tuple = LIST(bytes, "acls")
    signature: bytes = BYTES()


@_op("submit_proof", "PMP.submitProof(uint256 askId, bytes proof)")
class SubmitProof:
    sender: str = NAME()
    ask_id: int = INT()
    proof: bytes = BYTES()


@_op("submit_proofs", "PMP.submitProofs(uint256[] taskIds, bytes[] proofs)")
class SubmitProofs:
    sender: str = NAME()
    ask_ids: tuple = LIST(int, "ask_ids")
    proofs: tuple = LIST(bytes, "proofs")


@_op("submit_invalid_inputs", "PMP.submitProofForInvalidInputs(uint256 askId, bytes invalidProofSignature)")
class SubmitInvalidInputs:
    """`signature` is an IVS key's EIP-191 signature over keccak256(abi.encode(askId, proverData))."""

    sender: str = NAME()
    ask_id: int = INT()
    signature: bytes = BYTES()


@_op("slash_missed_deadline", "PMP.slashGenerator(uint256 askId, address rewardAddress)")
class SlashMissedDeadline:
    sender: str = NAME()
    ask_id: int = INT()
    reward_address: str = NAME()


@_op("discard_task", "PMP.discardRequest(uint256)")
class DiscardTask:
    sender: str = NAME()
    ask_id: int = INT()
