"""The fork's state: what the L2 contracts of the restaking lineage store. Kept from the parent
(`deployed_native`): names for accounts, keys and images, the key registry, token balances.
Changed: time is in SECONDS (the chain's `block.timestamp`), asks are bids, stake lives in two
pools behind a StakingManager instead of the prover registry."""
from __future__ import annotations

from enum import Enum
from typing import ClassVar, Optional

import attrs
from pyrsistent import PMap

from spec.deployed_native.containers import KeyRegistry
from spec.deployed_native.keys import image_id, matching_engine_family
from spec.errors import InvalidConfig
from spec.types import EMPTY, as_pmap

EXPONENT = 10**18  # ProverManager.sol:47
PARALLEL_REQUESTS_UPPER_LIMIT = 100  # ProverManager.sol:45
MIN_PROVING_TIME = 1  # ProofMarketplace.sol:46, seconds
MAX_PROVING_TIME = 86_400  # ProofMarketplace.sol:47
MAX_MATCHING_TIME = 86_400  # ProofMarketplace.sol:48
STAKE_SNAPSHOT_DONE, SLASH_RESULT_DONE, SUBMISSION_COMPLETE = 0x01, 0x10, 0x11  # SymbioticStaking.sol:46-48
SNAPSHOT, SLASH = "STAKE_SNAPSHOT_TYPE", "SLASH_RESULT_TYPE"  # SymbioticStaking.sol:42-43

# The contracts as token holders and as event/emergency targets.
MARKETPLACE, NATIVE, MANAGER, SYMBIOTIC = "@marketplace", "@native_staking", "@staking_manager", "@symbiotic_staking"
HOLDERS = {MARKETPLACE: "marketplace", NATIVE: "native_staking", MANAGER: "staking_manager", SYMBIOTIC: "symbiotic_staking"}
EMERGENCY_TARGETS = {"native_staking": NATIVE, "staking_manager": MANAGER, "symbiotic_staking": SYMBIOTIC}


class BidState(str, Enum):
    """Enum.sol BidState: stored NULL/CREATED/ASSIGNED/COMPLETED; UNASSIGNED and DEADLINE_CROSSED
    only as `getBidState` derives them (ProofMarketplace.sol:756)."""

    NULL = "NULL"
    CREATED = "CREATED"
    UNASSIGNED = "UNASSIGNED"
    ASSIGNED = "ASSIGNED"
    COMPLETED = "COMPLETED"
    DEADLINE_CROSSED = "DEADLINE_CROSSED"


class ProverState(str, Enum):
    """Enum.sol ProverState."""

    NULL = "NULL"
    JOINED = "JOINED"
    NO_COMPUTE_AVAILABLE = "NO_COMPUTE_AVAILABLE"
    WIP = "WIP"
    REQUESTED_FOR_EXIT = "REQUESTED_FOR_EXIT"


def _names(value) -> tuple:
    return tuple(value)


@attrs.frozen
class Config:
    """Deployment parameters (the genesis the harness deploys, docs/forks.md): payment token,
    treasury, admin (every admin role, UPDATER_ROLE and BRIDGE_ENCLAVE_UPDATER_ROLE), market
    creation cost; per pool its stake tokens with selection weight and amount to lock;
    NativeStaking's withdrawal duration; SymbioticStaking's submission cooldown and base
    transmitter commission; the bridge enclave image; the matching engine's key and image; the
    head block and its timestamp."""

    payment_token: str = "USDC"
    treasury: str = "treasury"
    admin: str = "admin"
    market_creation_cost: int = 1_000
    native_tokens: tuple = attrs.field(default=("POND",), converter=_names)
    native_weights: tuple = attrs.field(default=(1,), converter=_names)
    native_lock: tuple = attrs.field(default=(100,), converter=_names)
    symbiotic_tokens: tuple = attrs.field(default=("POND",), converter=_names)
    symbiotic_weights: tuple = attrs.field(default=(1,), converter=_names)
    symbiotic_lock: tuple = attrs.field(default=(500,), converter=_names)
    withdrawal_duration: int = 3_600
    submission_cooldown: int = 600
    transmitter_rate: int = 0
    bridge_image: str = "bridge-image"
    engine_key: str = "engine-key"
    engine_image: str = "me-image"
    genesis_block: int = 100
    genesis_time: int = 1_700_000_000

    def __attrs_post_init__(self):
        for name in ("market_creation_cost", "withdrawal_duration", "submission_cooldown", "transmitter_rate",
                     "genesis_block", "genesis_time"):
            value = getattr(self, name)
            if type(value) is not int or not 0 <= value < 2**64:
                raise InvalidConfig(name, "must be an integer in [0, 2^64)")
        if self.withdrawal_duration == 0:
            raise InvalidConfig("withdrawal_duration", "must be > 0 (NativeStaking.sol:324 InvalidWithdrawalDuration)")
        if self.transmitter_rate >= EXPONENT:
            raise InvalidConfig("transmitter_rate", "must be < 1e18 (SymbioticStaking.sol:661)")
        for name in ("payment_token", "treasury", "admin", "bridge_image", "engine_key", "engine_image"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise InvalidConfig(name, "must be a non-empty string")
        for pool in ("native", "symbiotic"):
            tokens, weights, lock = (getattr(self, f"{pool}_{k}") for k in ("tokens", "weights", "lock"))
            if not tokens or len(set(tokens)) != len(tokens) or not all(isinstance(t, str) and t for t in tokens):
                raise InvalidConfig(f"{pool}_tokens", "must be a non-empty list of distinct token names")
            if self.payment_token in tokens:
                raise InvalidConfig(f"{pool}_tokens", "must not hold the payment token")
            for name, values in ((f"{pool}_weights", weights), (f"{pool}_lock", lock)):
                if len(values) != len(tokens) or not all(type(v) is int and 0 <= v < 2**128 for v in values):
                    raise InvalidConfig(name, f"must be one integer in [0, 2^128) per {pool} token")
            if sum(weights) == 0:
                raise InvalidConfig(f"{pool}_weights", "must not all be zero")

    @property
    def tokens(self) -> tuple:
        """Every token the faucet knows: payment first, then the stake tokens in order."""
        out = [self.payment_token]
        for t in self.native_tokens + self.symbiotic_tokens:
            if t not in out:
                out.append(t)
        return tuple(out)


@attrs.frozen
class Market:
    """Struct.sol Market (ProofMarketplace.sol:155)."""

    verifier_id: str
    prover_image_id: bytes
    ivs_image_id: bytes
    creator: str
    metadata: bytes


@attrs.frozen
class Bid:
    """Struct.sol Bid + BidWithState; `reward` is zeroed by a refund (ProofMarketplace.sol:531)."""

    market_id: int
    reward: int
    expiry: int
    proof_time: int
    deadline: int
    refund_address: str
    prover_data: bytes
    stored_state: BidState
    requester: str
    prover: Optional[str] = None


@attrs.frozen
class Prover:
    """Struct.sol Prover (ProverManager.sol:99): no stake here, it lives in the pools."""

    reward_address: str
    sum_of_compute_allocations: int
    compute_consumed: int
    active_marketplaces: int
    declared_compute: int
    intended_compute_utilization: int
    data: bytes


@attrs.frozen
class Membership:
    """Struct.sol ProverInfoPerMarket (`price` is proofGenerationCost)."""

    state: ProverState
    compute_per_request: int
    commission: int
    price: int
    proposed_time: int
    active_requests: int = 0


@attrs.frozen
class Lock:
    """NativeStakingLock / SymbioticStakingLock: the token and amount locked for one bid. Note
    what it does not hold: the snapshot (capture timestamp) the lock was taken against."""

    token: str
    amount: int


@attrs.frozen
class Withdrawal:
    """Struct.sol WithdrawalRequest (a withdrawn one is zeroed, NativeStaking.sol:146)."""

    token: str
    amount: int
    time: int


@attrs.frozen
class NativePool:
    """NativeStaking storage: `stakes[(token, account, prover)]`, `prover_stake[(token, prover)]`,
    `withdrawals[(account, prover)]` (a tuple, indices are positions), `locks[bid]`,
    `locked[(token, prover)]`."""

    stakes: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    prover_stake: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    withdrawals: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    locks: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    locked: PMap = attrs.field(default=EMPTY, converter=as_pmap)


@attrs.frozen
class Confirmed:
    """Struct.sol ConfirmedTimestamp."""

    capture_timestamp: int
    block_number: int
    transmitter: str
    rate: int


@attrs.frozen
class SymbioticPool:
    """SymbioticStaking storage: `confirmed` (the list of confirmed snapshots), `tx_count[(ts,
    type)] = (num_txs, idx_to_submit)`, `status[(ts, transmitter)]`, `capture[ts] = (transmitter,
    block_number)`, `prover_stake[(ts, token, prover)]`, `vault_stake[(ts, token, vault, prover)]`,
    `locks[bid]`, `locked[(token, prover)]`."""

    confirmed: tuple = ()
    tx_count: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    status: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    capture: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    prover_stake: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    vault_stake: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    locks: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    locked: PMap = attrs.field(default=EMPTY, converter=as_pmap)

    @property
    def latest(self) -> Optional[Confirmed]:
        return self.confirmed[-1] if self.confirmed else None


@attrs.frozen
class State:
    """The deployed L2 system. `block`/`time` are the head's number and timestamp: a transaction
    runs at block + 1, time + 1 (docs/forks.md)."""

    fork: ClassVar[str] = "deployed_restaking"

    config: Config = Config()
    block: int = 100
    time: int = 1_700_000_000
    supply: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    balances: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    prover_fees: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    transmitter_fees: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    markets: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    bids: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    provers: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    memberships: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    native: NativePool = NativePool()
    symbiotic: SymbioticPool = SymbioticPool()
    enclave_images: frozenset = frozenset()
    keys: KeyRegistry = KeyRegistry()

    @property
    def now(self) -> int:
        """`block.timestamp` as the next transaction sees it."""
        return self.time + 1


def genesis(config: Config = Config()) -> State:
    """The deployed contracts (docs/forks.md): market 0 the placeholder `initialize` pushes
    (ProofMarketplace.sol:117), the matching engine's image in its family and its key verified,
    the bridge image added to SymbioticStaking; no market, prover, stake or snapshot."""
    me = image_id(config.engine_image)
    # the engine key is verified at genesis (verifyMatchingEngine) under an attestation taken at genesis_time, so the key
    # registry's age rule (AttestationAutherUpgradeable.sol:165, finding A1 of deployed_native) passes; the fork verifies no
    # key after genesis
    keys = KeyRegistry(images={me}, families={(matching_engine_family(), me)}, verified={config.engine_key: me})
    placeholder = Market("", b"\x00" * 32, b"\x00" * 32, "0x" + "00" * 20, b"")
    return State(config=config, block=config.genesis_block, time=config.genesis_time, markets={0: placeholder},
                 enclave_images=frozenset({image_id(config.bridge_image)}), keys=keys)
