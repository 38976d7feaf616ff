"""deployed_restaking operations as L2 contract calls (spec/deployed_restaking/operations.py
names each call), and the chain's draw for the stake-token selection."""
from __future__ import annotations

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from reference.evm.restaking.deploy import Restaking, bridge_proof
from spec.deployed_native import keys
from spec.deployed_native.keys import encoded_pcrs, image_id
from spec.deployed_restaking.containers import SLASH, SNAPSHOT

ZERO = "0x" + "00" * 20
ACCOUNT_FIELDS = ("sender", "account", "reward_address", "prover", "to", "refund_address")
# A tiny contract whose runtime returns blockhash(block.number - 1): PUSH1 1 NUMBER SUB BLOCKHASH
# PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN, deployed by init code that returns those 13 bytes.
BLOCKHASH_RUNTIME = bytes.fromhex("600143034060005260206000f3")
BLOCKHASH_INIT = bytes.fromhex("6c") + BLOCKHASH_RUNTIME + bytes.fromhex("600052600d6013f3")


def account_names(op) -> list[str]:
    out = [getattr(op, f) for f in ACCOUNT_FIELDS if hasattr(op, f)]
    if op.name in ("submit_slash_result", "submit_vault_snapshot"):
        out += list(op.provers)
    if op.name == "submit_slash_result":
        out += list(op.reward_addresses)
    return out


def _a(name: str) -> str:
    return to_checksum_address(keys.address(name))


def token_address(system: Restaking, name: str) -> str:
    """A token the genesis deployed, else the address the name stands for (no token there)."""
    return system.tokens[name].address if name in system.tokens else _a(name)


def call_for(system: Restaking, op) -> tuple:
    """(contract, function, args) of one operation's transaction."""
    pmp, pm, ns, ss = system.marketplace, system.provers, system.native, system.symbiotic
    n = op.name
    if n == "create_market":
        verifier = system.verifiers[op.verifier_id].address if op.verifier_id in system.verifiers else ZERO
        return pmp, "createMarket", (op.metadata, verifier, encoded_pcrs(op.prover_image), encoded_pcrs(op.ivs_image))
    if n == "register_prover":
        return pm, "register", (_a(op.reward_address), op.declared_compute, op.data)
    if n == "join_market":
        return pm, "joinMarketplace", (op.market_id, op.compute_per_request, op.price, op.proposed_time, op.commission, False, b"", b"")
    if n == "stake":
        return ns, "stake", (token_address(system, op.token), _a(op.prover), op.amount)
    if n == "request_stake_withdrawal":
        return ns, "requestStakeWithdrawal", (_a(op.prover), token_address(system, op.token), op.amount)
    if n == "withdraw_stake":
        return ns, "withdrawStake", (_a(op.prover), list(op.indices))
    if n == "create_bid":
        bid = (op.market_id, op.reward, op.expiry, op.proof_time, 0, _a(op.refund_address), op.prover_data)
        return pmp, "createBid", (bid, 0, b"", b"", b"")
    if n == "cancel_bid":
        return pmp, "cancelBid", (op.bid_id,)
    if n == "assign_task":
        return pmp, "assignTask", (op.bid_id, _a(op.prover), b"")
    if n == "submit_proof":
        return pmp, "submitProof", (op.bid_id, op.proof)
    if n == "refund_fees":
        return pmp, "refundFees", (list(op.bid_ids),)
    if n == "claim_prover_fee_reward":
        return pmp, "claimProverFeeReward", (_a(op.reward_address),)
    if n == "submit_vault_snapshot":
        rows = [(_a(p), _a(v), token_address(system, t), a) for p, v, t, a in zip(op.provers, op.vaults, op.tokens, op.amounts)]
        data = encode(["(address,address,address,uint256)[]"], [rows])
        proof = bridge_proof(keccak(text=SNAPSHOT), op.index, op.num_txs, op.capture_timestamp, data, op.enclave_key, op.image)
        return ss, "submitVaultSnapshot", (op.index, op.num_txs, op.capture_timestamp, image_id(op.image), data, proof)
    if n == "submit_slash_result":
        rows = [(b, _a(p), _a(r)) for b, p, r in zip(op.bid_ids, op.provers, op.reward_addresses)]
        data = encode(["(uint256,address,address)[]"], [rows]) if rows else b""
        proof = bridge_proof(keccak(text=SLASH), op.index, op.num_txs, op.capture_timestamp, data, op.enclave_key, op.image)
        return ss, "submitSlashResult", (op.index, op.num_txs, op.capture_timestamp, op.last_block_number, image_id(op.image), data, proof)
    if n == "emergency_withdraw":
        target = {"native_staking": ns, "staking_manager": system.manager, "symbiotic_staking": ss}[op.contract]
        return target, "emergencyWithdraw", (token_address(system, op.token), _a(op.to))
    raise KeyError(n)


def chain_draw(system: Restaking, blockhash_reader: str) -> int:
    """What both pools' _selectStakeToken compute in the next transaction: keccak256(abi.encodePacked(
    block.timestamp, blockhash(block.number - 1), msg.sender = StakingManager)) (NativeStaking.sol:270)."""
    chain = system.chain
    previous = chain.call("admin", blockhash_reader, b"")
    packed = chain.timestamp.to_bytes(32, "big") + previous + bytes.fromhex(system.manager.address[2:])
    return int.from_bytes(keccak(packed), "big")
