"""deployed_native operations as contract calls (docs/forks.md, the operations table), and the
chain's outcomes (revert data, logs) in the fork's canonical form.

Names are the fork's: `Names` turns an account or key name into its address and back (an
address no name stands for is its lower-case hex; the marketplace is "marketplace").
"""
from __future__ import annotations

from typing import Callable, Mapping

from eth_utils import to_checksum_address

from reference.evm.abi import Event, Revert
from reference.evm.deploy import Kalypso, attestation, enclave_signature
from spec.deployed_native import keys
from spec.deployed_native.keyregistry import MARKETPLACE_NAME

ZERO = "0x" + "00" * 20


class Names:
    """Every name the session has met, by address; the contracts by their fork names."""

    def __init__(self, contracts: Mapping[str, str]):
        self.by_address: dict[str, str] = {a.lower(): n for n, a in contracts.items()}
        self.contracts = set(contracts.values())
        self.accounts: list[str] = []

    def add(self, name: str) -> tuple[str, bool]:
        """(checksum address, first time seen)."""
        address = keys.address(name)
        new = name not in self.accounts and address not in self.by_address
        if new:
            self.accounts.append(name)
            self.by_address[address] = name
        elif name not in self.accounts and self.by_address.get(address) not in self.contracts:
            self.accounts.append(name)
        return to_checksum_address(address), new

    def name_of(self, address: str) -> str:
        return self.by_address.get(address.lower(), address.lower())


ACCOUNT_FIELDS = ("sender", "account", "reward_address", "prover", "to", "refund_address", "key")


def account_names(op) -> list[str]:
    """The account and key names an operation mentions (they must exist, approved, before it runs)."""
    out = [getattr(op, f) for f in ACCOUNT_FIELDS if getattr(op, f, None) is not None]
    out += list(getattr(op, "provers", ()))
    return out


def _a(name: str) -> str:
    return to_checksum_address(keys.address(name))


def call_for(system: Kalypso, op, block_timestamp: int) -> tuple:
    """(contract, function name, args) of one operation's transaction."""
    pmp, gr = system.marketplace, system.generators
    ts_ms = block_timestamp * 1000 - getattr(op, "attestation_age_ms", 0)  # the attestation's time (operations.AGE)
    table: dict[str, Callable[[], tuple]] = {
        "flush": lambda: (pmp, "flush", (_a(op.account),)),
        "set_matching_engine_image": lambda: (pmp, "setMatchingEngineImage", (keys.encoded_pcrs(op.image),)),
        "verify_matching_engine": lambda: _verify_engine(system, op, ts_ms),
        "update_cost_per_bytes": lambda: (pmp, "updateCostPerBytes", (op.secret_type, op.cost)),
        "update_min_proving_time": lambda: (pmp, "updateMinProvingTime", (op.secret_type, op.blocks)),
        "pause": lambda: (pmp, "pause", ()),
        "unpause": lambda: (pmp, "unpause", ()),
        "create_market": lambda: (pmp, "createMarketplace", (
            op.metadata, system.verifiers[op.verifier_id].address if op.verifier_id in system.verifiers else ZERO,
            op.penalty, keys.encoded_pcrs(op.prover_image), keys.encoded_pcrs(op.ivs_image))),
        "freeze_market": lambda: (pmp, "freezeMarket", (op.market_id,)),
        "add_extra_images": lambda: (pmp, "addExtraImages", (
            op.market_id, [keys.encoded_pcrs(i) for i in op.prover_images], [keys.encoded_pcrs(i) for i in op.ivs_images])),
        "remove_extra_images": lambda: (pmp, "removeExtraImages", (
            op.market_id, [keys.encoded_pcrs(i) for i in op.prover_images], [keys.encoded_pcrs(i) for i in op.ivs_images])),
        "update_encryption_key": lambda: _update_encryption_key(system, op, ts_ms),
        "remove_encryption_key": lambda: (gr, "removeEncryptionKey", (op.market_id,)),
        "submit_proofs": lambda: (pmp, "submitProofs", (list(op.ask_ids), list(op.proofs))),
        "register_prover": lambda: (gr, "register", (_a(op.reward_address), op.declared_compute, op.initial_stake, op.data)),
        "change_reward_address": lambda: (gr, "changeRewardAddress", (_a(op.reward_address),)),
        "increase_declared_compute": lambda: (gr, "increaseDeclaredCompute", (op.compute,)),
        "request_compute_decrease": lambda: (gr, "intendToReduceCompute", (op.compute,)),
        "decrease_declared_compute": lambda: (gr, "decreaseDeclaredCompute", ()),
        "deposit_stake": lambda: (gr, "stake", (_a(op.prover), op.amount)),
        "request_stake_withdrawal": lambda: (gr, "intendToReduceStake", (op.amount,)),
        "withdraw_stake": lambda: (gr, "unstake", (_a(op.to),)),
        "deregister_prover": lambda: (gr, "deregister", (_a(op.refund_address),)),
        "join_market": lambda: _join_market(system, op, ts_ms),
        "request_market_exit": lambda: (gr, "requestForExitMarketplace", (op.market_id,)),
        "leave_market": lambda: (gr, "leaveMarketplace", (op.market_id,)),
        "request_market_exits": lambda: (gr, "requestForExitMarketplaces", (list(op.market_ids),)),
        "leave_markets": lambda: (gr, "leaveMarketplaces", (list(op.market_ids),)),
        "add_ivs_key": lambda: _add_ivs_key(system, op, ts_ms),
        "create_ask": lambda: (pmp, "createAsk", (
            (op.market_id, op.reward, op.expiry, op.proof_time, 0, _a(op.refund_address), op.prover_data),
            op.secret_type, op.private_inputs, op.acl, op.extra_data)),
        "cancel_ask": lambda: (pmp, "cancelAsk", (op.ask_id,)),
        "assign_task": lambda: (pmp, "assignTask", (op.ask_id, _a(op.prover), op.acl)),
        "relay_batch_assign_tasks": lambda: (pmp, "relayBatchAssignTasks", (
            list(op.ask_ids), [_a(p) for p in op.provers], list(op.acls), op.signature)),
        "submit_proof": lambda: (pmp, "submitProof", (op.ask_id, op.proof)),
        "submit_invalid_inputs": lambda: (pmp, "submitProofForInvalidInputs", (op.ask_id, op.signature)),
        "slash_missed_deadline": lambda: (pmp, "slashGenerator", (op.ask_id, _a(op.reward_address))),
        "discard_task": lambda: (pmp, "discardRequest", (op.ask_id,)),
    }
    return table[op.name]()


def _verify_engine(system: Kalypso, op, ts_ms: int) -> tuple:
    data = attestation(op.key, op.image, ts_ms)
    return system.marketplace, "verifyMatchingEngine", (data, enclave_signature(op.key, data, system.marketplace.address))


def _add_ivs_key(system: Kalypso, op, ts_ms: int) -> tuple:
    data = attestation(op.key, op.image, ts_ms)
    return system.generators, "addIvsKey", (op.market_id, data, enclave_signature(op.key, data, _a(op.sender)))


def _join_market(system: Kalypso, op, ts_ms: int) -> tuple:
    head = (op.market_id, op.compute_per_request, op.price, op.proposed_time)
    if op.key is None:
        return system.generators, "joinMarketplace", (*head, False, b"", b"")
    data = attestation(op.key, op.image, ts_ms)
    return system.generators, "joinMarketplace", (*head, True, data, enclave_signature(op.key, data, _a(op.sender)))


def _update_encryption_key(system: Kalypso, op, ts_ms: int) -> tuple:
    data = attestation(op.key, op.image, ts_ms)
    return system.generators, "updateEncryptionKey", (op.market_id, data, enclave_signature(op.key, data, _a(op.sender)))


def error_code(revert: Revert) -> str:
    """The fork's code for a revert: the custom error's name, PANIC_0xNN for a Solidity panic."""
    if revert.name == "Panic":
        return f"PANIC_0x{revert.args[0]:02x}"
    if revert.name == "EmptyRevert":
        return "EMPTY_REVERT"
    return revert.name


def _value(names: Names, abi_type: str, value):
    if abi_type == "address":
        return names.name_of(value)
    if abi_type == "bool":
        return bool(value)
    if abi_type.startswith(("uint", "int")):
        return str(value)
    if abi_type.endswith("]"):
        inner = abi_type[:abi_type.rindex("[")]
        return [_value(names, inner, v) for v in value]
    if abi_type.startswith("bytes") or isinstance(value, bytes):
        return "0x" + bytes(value).hex()
    return value


def encode_event(names: Names, event: Event) -> dict:
    """{"event": NAME, arg: value, ...} as docs/forks.md writes events (an indexed dynamic
    argument is its topic, the keccak hash, as hex)."""
    out = {"event": event.name}
    abi_types = event.types
    for arg, value in event.args.items():
        out[arg] = "0x" + value.hex() if isinstance(value, bytes) and abi_types[arg] in ("bytes", "string") else \
            _value(names, abi_types[arg], value)
    return out


__all__ = ["Names", "call_for", "error_code", "encode_event", "account_names", "MARKETPLACE_NAME", "ZERO"]
