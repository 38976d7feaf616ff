"""The fork's state: what the three contracts store, as plain frozen data (field names follow
the Solidity structs; accounts are names, docs/forks.md)."""
from __future__ import annotations

from enum import Enum
from typing import ClassVar, Optional

import attrs
from pyrsistent import PMap, PSet, pset

from spec.errors import InvalidConfig
from spec.types import EMPTY, as_pmap

EXPONENT = 10**18  # GeneratorRegistry.sol:62
MARKET_ACTIVATION_DELAY = 100  # ProofMarketplace.sol:89, in blocks
PARALLEL_REQUESTS_UPPER_LIMIT = 100  # GeneratorRegistry.sol:59
REDUCTION_REQUEST_BLOCK_GAP = 1  # GeneratorRegistry.sol:63
MAX_ACL_BYTES = 130  # ProofMarketplace.sol:382

MARKETPLACE = "@marketplace"  # the ProofMarketplace contract as a token holder
REGISTRY = "@registry"  # the GeneratorRegistry contract as a token holder


class AskState(str, Enum):
    """ProofMarketplace.sol:132: stored CREATE / ASSIGNED / COMPLETE; UNASSIGNED and
    DEADLINE_CROSSED exist only as `getAskState` derives them."""

    NULL = "NULL"
    CREATE = "CREATE"
    UNASSIGNED = "UNASSIGNED"
    ASSIGNED = "ASSIGNED"
    COMPLETE = "COMPLETE"
    DEADLINE_CROSSED = "DEADLINE_CROSSED"


class GeneratorState(str, Enum):
    """GeneratorRegistry.sol:81."""

    NULL = "NULL"
    JOINED = "JOINED"
    NO_COMPUTE_AVAILABLE = "NO_COMPUTE_AVAILABLE"
    WIP = "WIP"
    REQUESTED_FOR_EXIT = "REQUESTED_FOR_EXIT"


def _pset(value) -> PSet:
    return value if isinstance(value, PSet) else pset(value)


@attrs.frozen
class Config:
    """Deployment parameters: the two tokens, the treasury, the admin (DEFAULT_ADMIN_ROLE on the
    three contracts and UPDATER_ROLE on the marketplace), the market creation cost and the head
    block at genesis."""

    payment_token: str = "USDC"
    staking_token: str = "POND"
    treasury: str = "treasury"
    admin: str = "admin"
    market_creation_cost: int = 1_000
    genesis_block: int = 100

    def __attrs_post_init__(self):
        for name in ("market_creation_cost", "genesis_block"):
            value = getattr(self, name)
            if type(value) is not int or not 0 <= value < 2**64:
                raise InvalidConfig(name, "must be an integer in [0, 2^64)")
        for name in ("payment_token", "staking_token", "treasury", "admin"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise InvalidConfig(name, "must be a non-empty string")
        if self.payment_token == self.staking_token:
            raise InvalidConfig("staking_token", "must differ from the payment token")

    @property
    def tokens(self) -> tuple[str, ...]:
        return (self.payment_token, self.staking_token)


@attrs.frozen
class Market:
    """ProofMarketplace.sol:122 Market; `creator` is None once frozen."""

    verifier_id: str
    prover_image_id: bytes
    penalty: int
    activation_block: int
    ivs_image_id: bytes
    creator: Optional[str]
    metadata: bytes


@attrs.frozen
class Ask:
    """ProofMarketplace.sol:147 Ask + AskWithState; `stored_state` is what storage holds."""

    market_id: int
    reward: int
    expiry: int
    proof_time: int
    deadline: int
    refund_address: str
    prover_data: bytes
    stored_state: AskState
    requester: str
    prover: Optional[str] = None


@attrs.frozen
class Generator:
    """GeneratorRegistry.sol:89 Generator."""

    reward_address: str
    total_stake: int
    sum_of_compute_allocations: int
    compute_consumed: int
    stake_locked: int
    active_marketplaces: int
    declared_compute: int
    intended_stake_utilization: int
    intended_compute_utilization: int
    data: bytes


@attrs.frozen
class Membership:
    """GeneratorRegistry.sol:102 GeneratorInfoPerMarket (`price` is proofGenerationCost)."""

    state: GeneratorState
    compute_per_request: int
    price: int
    proposed_time: int
    active_requests: int = 0


@attrs.frozen
class KeyRegistry:
    """EntityKeyRegistry + AttestationAutherUpgradeable storage: whitelisted images, image
    families as (family, image id) pairs, verified keys (key name -> image id) and the stored
    public keys ((owner, index) -> 64 bytes)."""

    images: PSet = attrs.field(default=pset(), converter=_pset)
    families: PSet = attrs.field(default=pset(), converter=_pset)
    verified: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    pub_keys: PMap = attrs.field(default=EMPTY, converter=as_pmap)


@attrs.frozen
class State:
    """The whole deployed system. `block` is the chain's head: a transaction runs at block + 1."""

    fork: ClassVar[str] = "deployed_native"

    config: Config = Config()
    block: int = 100
    supply: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    balances: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    claimable: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    markets: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    asks: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    provers: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    memberships: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    unstake_request_block: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    reduce_compute_request_block: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    cost_per_input_bytes: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    min_proving_time: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    keys: KeyRegistry = KeyRegistry()
    paused: bool = False

    @property
    def now(self) -> int:
        """`block.number` as the next transaction sees it."""
        return self.block + 1


def genesis(config: Config = Config()) -> State:
    """Freshly deployed contracts: nothing registered, every cost 0, head at genesis_block."""
    return State(config=config, block=config.genesis_block)
