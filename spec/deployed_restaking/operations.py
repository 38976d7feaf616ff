"""The fork's operations: one per contract call of the restaking lineage's L2 contracts
(ProofMarketplace PMP, ProverManager PM, NativeStaking NS, SymbioticStaking SS, StakingManager
SM), plus the faucet's `mint` and the clock's `advance_time`. Names as the parent's (docs/forks.md):
an account or key name stands for its secp256k1 key and address, an image name for its PCRs.

The inputs a harness supplies that the contracts take from the chain:
- `assign_task.draw`: the uint256 both pools' `_selectStakeToken` compute as
  `keccak256(abi.encodePacked(block.timestamp, blockhash(block.number - 1), msg.sender))`, where
  msg.sender is always the StakingManager (NativeStaking.sol:270, SymbioticStaking.sol:536);
- the bridge's signed snapshot/slash payloads: `enclave_key` signs, `image` names the attested
  image (the repo's MockAttestationVerifier accepts every attestation)."""
from __future__ import annotations

import attrs

from spec.deployed_native.operations import BYTES, INT, LIST, _uint
from spec.errors import MalformedOperation
from spec.operations import STR, Mint, _str

OPERATIONS: dict[str, type] = {"mint": Mint}
CONTRACT_CALL: dict[str, str] = {"mint": "(faucet) TOKEN.transfer(account, amount)"}


def _op(name: str, call: str):
    def wrap(cls):
        cls = attrs.resolve_types(attrs.frozen(cls), globals())
        cls.name, cls.call = name, call
        OPERATIONS[name] = cls
        CONTRACT_CALL[name] = call
        return cls

    return wrap


def _same_length(*names: str):
    def check(self) -> None:
        lengths = {len(getattr(self, n)) for n in names}
        if len(lengths) > 1:
            raise MalformedOperation(names[-1], f"{', '.join(names)} must have the same length")

    return check


@_op("advance_time", "(chain) the next block's timestamp moves `seconds` on")
class AdvanceTime:
    seconds: int = INT()


@_op("create_market", "PMP.createMarket(metadata, verifier(verifier_id), pcrs(prover_image), pcrs(ivs_image))")
class CreateMarket:
    sender: str = STR()
    metadata: bytes = BYTES()
    verifier_id: str = STR()
    prover_image: str = STR()
    ivs_image: str = STR()


@_op("register_prover", "PM.register(reward_address, declared_compute, data)")
class RegisterProver:
    sender: str = STR()
    reward_address: str = STR()
    declared_compute: int = INT()
    data: bytes = BYTES()


@_op("join_market", "PM.joinMarketplace(market_id, compute_per_request, price, proposed_time, commission, false, '', '')")
class JoinMarket:
    sender: str = STR()
    market_id: int = INT()
    compute_per_request: int = INT()
    price: int = INT()
    proposed_time: int = INT()
    commission: int = attrs.field(default=0, validator=_uint)


@_op("stake", "NS.stake(token, prover, amount)")
class Stake:
    sender: str = STR()
    token: str = STR()
    prover: str = STR()
    amount: int = INT()


@_op("request_stake_withdrawal", "NS.requestStakeWithdrawal(prover, token, amount)")
class RequestStakeWithdrawal:
    sender: str = STR()
    prover: str = STR()
    token: str = STR()
    amount: int = INT()


@_op("withdraw_stake", "NS.withdrawStake(prover, indices)")
class WithdrawStake:
    sender: str = STR()
    prover: str = STR()
    indices: tuple = LIST(int, "indices")


@_op("create_bid", "PMP.createBid(Bid(market_id, reward, expiry, proof_time, 0, refund_address, prover_data), 0, '', '', '')")
class CreateBid:
    sender: str = STR()
    market_id: int = INT()
    reward: int = INT()
    expiry: int = INT()
    proof_time: int = INT()
    refund_address: str = STR()
    prover_data: bytes = BYTES()


@_op("cancel_bid", "PMP.cancelBid(bid_id)")
class CancelBid:
    sender: str = STR()
    bid_id: int = INT()


@_op("assign_task", "PMP.assignTask(bid_id, prover, '') sent by a verified matching-engine key")
class AssignTask:
    sender: str = STR()
    bid_id: int = INT()
    prover: str = STR()
    draw: int = attrs.field(default=0, validator=_uint)


@_op("submit_proof", "PMP.submitProof(bid_id, proof)")
class SubmitProof:
    sender: str = STR()
    bid_id: int = INT()
    proof: bytes = BYTES()


@_op("refund_fees", "PMP.refundFees(bid_ids)")
class RefundFees:
    sender: str = STR()
    bid_ids: tuple = LIST(int, "bid_ids")


@_op("claim_prover_fee_reward", "PMP.claimProverFeeReward(reward_address)")
class ClaimProverFeeReward:
    sender: str = STR()
    reward_address: str = STR()


@_op("submit_vault_snapshot",
     "SS.submitVaultSnapshot(index, num_txs, capture_timestamp, imageId(image), abi.encode(VaultSnapshot[]), proof(enclave_key, image))")
class SubmitVaultSnapshot:
    sender: str = STR()
    index: int = INT()
    num_txs: int = INT()
    capture_timestamp: int = INT()
    provers: tuple = LIST(str, "provers")
    vaults: tuple = LIST(str, "vaults")
    tokens: tuple = LIST(str, "tokens")
    amounts: tuple = LIST(int, "amounts")
    enclave_key: str = attrs.field(default="bridge-key", validator=_str)
    image: str = attrs.field(default="bridge-image", validator=_str)

    __attrs_post_init__ = _same_length("provers", "vaults", "tokens", "amounts")


@_op("submit_slash_result",
     "SS.submitSlashResult(index, num_txs, capture_timestamp, last_block_number, imageId(image), abi.encode(TaskSlashed[]), proof(enclave_key, image))")
class SubmitSlashResult:
    sender: str = STR()
    index: int = INT()
    num_txs: int = INT()
    capture_timestamp: int = INT()
    last_block_number: int = INT()
    bid_ids: tuple = LIST(int, "bid_ids")
    provers: tuple = LIST(str, "provers")
    reward_addresses: tuple = LIST(str, "reward_addresses")
    enclave_key: str = attrs.field(default="bridge-key", validator=_str)
    image: str = attrs.field(default="bridge-image", validator=_str)

    __attrs_post_init__ = _same_length("bid_ids", "provers", "reward_addresses")


@_op("emergency_withdraw", "<contract>.emergencyWithdraw(token, to) for contract in native_staking, staking_manager, symbiotic_staking")
class EmergencyWithdraw:
    sender: str = STR()
    contract: str = STR()
    token: str = STR()
    to: str = STR()
