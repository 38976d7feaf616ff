"""Containers of restaked stake: the protocol's restaking parameters, the vault chain, the bridge
between the chains, and the market chain's record of snapshots, restaked backing and slashes.

All of it lives in one `Restaking` value on `State.restaking`; the parameters live on
`Config.restaking`. Times on both chains are integer seconds of the same real time.
"""
from __future__ import annotations

from enum import Enum
from typing import Union

import attrs
from pyrsistent import PMap, pmap

from spec.errors import InvalidConfig
from spec.types import EMPTY, NAME_RULE, Address, Token, as_pmap, is_name


def _entries(value) -> tuple:
    return tuple(tuple(entry) for entry in value)


@attrs.frozen
class RestakingParams:
    """Parameters of restaked stake (DESIGN §1).

    `stake_token`: the stake token restaked stake counts as. `epoch_length`: the protocol epoch;
    snapshots are captured at epoch starts. `offset`: a snapshot is usable `offset` seconds after
    its capture. `epoch_duration`: the least vault epoch the network accepts (stake captured at t
    is slashable until t + epoch_duration). `veto_duration`: the longest veto window the network
    accepts. `bridge_delay_max`: the bridge delivers every message within this many seconds of its
    first send. `governor`: who may change these parameters."""

    stake_token: Token = "POND"
    epoch_length: int = 3_600
    offset: int = 600
    epoch_duration: int = 7 * 86_400
    veto_duration: int = 86_400
    bridge_delay_max: int = 3_600
    governor: Address = "governor"

    def __attrs_post_init__(self):
        """Genesis checks what `set_restaking_parameters` checks of each value: epoch_length,
        epoch_duration and bridge_delay_max are integers > 0, offset and veto_duration integers
        >= 0; the stake token and the governor are names."""
        for name in ("epoch_length", "epoch_duration", "bridge_delay_max", "offset", "veto_duration"):
            value, least = getattr(self, name), 0 if name in ("offset", "veto_duration") else 1
            if type(value) is not int or value < least:
                raise InvalidConfig(f"restaking.{name}", f"must be an integer >= {least}")
        for name in ("stake_token", "governor"):
            if not is_name(getattr(self, name)):
                raise InvalidConfig(f"restaking.{name}", NAME_RULE)


class SlasherKind(str, Enum):
    """Instant: a slash executes on arrival. Veto: the vault's resolver may veto it within
    `veto_duration`, after which anyone executes it while the capture is still slashable."""

    INSTANT = "instant"
    VETO = "veto"


class SlashStatus(str, Enum):
    """REQUESTED (market chain, awaiting the result) or PENDING (vault chain, in the veto
    window or awaiting execution); EXECUTED, VETOED and EXPIRED (arrived or executed after the
    capture stopped being slashable) are final."""

    REQUESTED = "REQUESTED"
    PENDING = "PENDING"
    EXECUTED = "EXECUTED"
    VETOED = "VETOED"
    EXPIRED = "EXPIRED"


FINAL_SLASH_STATUSES = frozenset({SlashStatus.EXECUTED, SlashStatus.VETOED, SlashStatus.EXPIRED})


@attrs.frozen
class Vault:
    """A Symbiotic-style vault. Stakers hold shares of `active`; a withdrawal moves collateral
    into the bucket of the next epoch, claimable once that epoch ended; active stake and
    unclaimable buckets stay slashable. `history` holds (timestamp, active) checkpoints.
    Operators get `active * operator_shares[op] // sum(operator_shares)` delegated to the network."""

    id: str
    curator: Address
    created_at: int
    epoch_duration: int
    slasher: SlasherKind
    veto_duration: int
    resolver: Address
    operator_shares: PMap = attrs.field(converter=as_pmap)
    active: int = 0
    active_shares: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    history: tuple = attrs.field(default=(), converter=_entries)
    buckets: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    bucket_shares: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    claims: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    slashed_for_capture: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    slashed: int = 0


@attrs.frozen
class VaultSlashRequest:
    """A slash request as the vault chain holds it."""

    id: int
    vault_id: str
    operator: Address
    capture_ts: int
    amount: int
    received_at: int
    veto_deadline: int
    status: SlashStatus
    slashed: int = 0


@attrs.frozen
class VaultChain:
    """The second chain: its clock, its vaults, the slash requests it received; `deposited` and
    `claimed` count collateral that entered and left its vaults."""

    time: int = 0
    vaults: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    requests: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    deposited: int = 0
    claimed: int = 0


@attrs.frozen
class SnapshotPart:
    """Part `index` of `count` of the stake snapshot captured at `capture_ts`: sorted entries
    (operator, vault_id, amount). `epoch_duration` and `veto_duration` are the network's
    acceptance bounds in force when the part was sent: every vault in it has an epoch at least
    `epoch_duration` and a veto window at most `veto_duration`."""

    capture_ts: int
    index: int
    count: int
    entries: tuple = attrs.field(converter=_entries)
    epoch_duration: int = attrs.field(kw_only=True)
    veto_duration: int = attrs.field(kw_only=True)


@attrs.frozen
class SlashRequest:
    """Slash `amount` of `operator`'s stake in `vault_id` captured at `capture_ts`."""

    request_id: int
    vault_id: str
    operator: Address
    capture_ts: int
    amount: int


@attrs.frozen
class SlashResult:
    """The vault chain's final answer to a slash request."""

    request_id: int
    status: SlashStatus
    slashed: int


Payload = Union[SnapshotPart, SlashRequest, SlashResult]


class Route(str, Enum):
    TO_VAULT_CHAIN = "to_vault_chain"
    TO_MARKET_CHAIN = "to_market_chain"


@attrs.frozen
class Message:
    """A message on the bridge. Duplicates and retransmissions keep `origin` and `sent_at` (the
    first send); it may be delivered from `deliver_at` on."""

    id: int
    origin: int
    route: Route
    payload: Payload
    sent_at: int
    deliver_at: int


@attrs.frozen
class Bridge:
    in_flight: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    dropped: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    next_id: int = 0


@attrs.frozen
class Snapshot:
    """The parts of one capture received on the market chain (part index -> entries).
    `epoch_duration` / `veto_duration`: the weakest acceptance bounds its parts were sent under
    (least epoch, longest veto window), so every vault in it has an epoch at least
    `epoch_duration` and a veto window at most `veto_duration`, whatever the parameters are now."""

    capture_ts: int
    count: int
    epoch_duration: int
    veto_duration: int
    parts: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    completed_at: int = -1

    @property
    def complete(self) -> bool:
        return len(self.parts) == self.count

    def stakes(self) -> PMap:
        """(operator, vault_id) -> amount over all parts."""
        return pmap({(op, vault): amount for entries in self.parts.values() for op, vault, amount in entries})


@attrs.frozen
class Backing:
    """Restaked stake a task locked: per vault, from the snapshot captured at `capture_ts`,
    whose vaults were accepted under `epoch_duration` / `veto_duration` (the snapshot's bounds)."""

    prover: Address
    capture_ts: int
    amounts: PMap = attrs.field(converter=as_pmap)
    epoch_duration: int = attrs.field(kw_only=True)
    veto_duration: int = attrs.field(kw_only=True)


@attrs.frozen
class RestakedSlash:
    """A slash of restaked stake as the market chain records it, with its backing's acceptance
    bounds (`epoch_duration`, `veto_duration`)."""

    id: int
    ask_id: int
    prover: Address
    vault_id: str
    capture_ts: int
    amount: int
    deadline: int
    requested_at: int
    status: SlashStatus = SlashStatus.REQUESTED
    slashed: int = 0
    resolved_at: int = -1
    epoch_duration: int = attrs.field(kw_only=True)
    veto_duration: int = attrs.field(kw_only=True)


@attrs.frozen
class Restaking:
    """Everything restaking adds to the state. `locked[(prover, vault_id)]` is the restaked
    stake in-flight tasks hold; `backing[ask_id]` what each holds."""

    vault_chain: VaultChain = VaultChain()
    bridge: Bridge = Bridge()
    snapshots: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    locked: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    backing: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    slashes: PMap = attrs.field(default=EMPTY, converter=as_pmap)
    next_slash_id: int = 0
