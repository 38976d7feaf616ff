"""Scenarios of `spec.restaking`: vaults, snapshots and vault-chain slashes."""
from __future__ import annotations

import attrs
from pyrsistent import pmap

from properties.fixtures import ALICE, CURATOR, MALLORY, P0, P1, RESOLVER, STAKER, restaking_config
from properties.world import World, slash_pending, slash_requested
from reference.conformance.scenarios.design.common import RESTAKED, two_operators
from reference.conformance.scenarios.design.registry import scenario
from spec import operations as ops


def _vault(vault_id="v1", epoch_duration=1_000, slasher="veto", veto_duration=200, shares=None):
    return ops.CreateVault(CURATOR, vault_id, epoch_duration, slasher, veto_duration, RESOLVER, pmap(shares if shares is not None else {P0: 2, P1: 1}))


def _withdrawn() -> World:
    """Vault v1 (epoch 1000 s from 1000); at 1100 the staker withdrew 400 into the bucket of epoch 1."""
    w = World(restaking_config())
    w.vault()
    w.wait(100)
    return w.do(ops.VaultWithdraw(STAKER, "v1", 400))


@scenario("create_vault")
def create_vault_ok():
    """A curator creates a veto vault and an instant vault."""
    return World(restaking_config()).state, [_vault(), _vault("v2", 500, "instant", 0, {P1: 1})]


@scenario("create_vault")
def create_vault_smallest_windows():
    """The smallest parameters: an instant vault with a 1 s epoch, a veto vault with a 2 s epoch and a
    1 s veto window, a veto vault whose window is one second shorter than its epoch."""
    return World(restaking_config()).state, [_vault("v2", 1, "instant", 0), _vault("v3", 2, "veto", 1), _vault("v4", 1_000, "veto", 999)]


@scenario("vault_deposit")
def vault_deposit_one():
    """The smallest deposit, 1, into an empty vault mints a share."""
    w = World(restaking_config())
    w.vault(deposit=0)
    return w.state, [ops.VaultDeposit(STAKER, "v1", 1)]


@scenario("create_vault", "VAULT_EXISTS")
def create_vault_twice():
    """A vault id is used once."""
    w = World(restaking_config())
    w.vault()
    return w.state, [_vault()]


@scenario("create_vault", "INVALID_VAULT_PARAMETER")
def create_vault_zero_epoch():
    """A vault's epoch_duration is > 0."""
    return World(restaking_config()).state, [_vault(epoch_duration=0)]


@scenario("create_vault", "INVALID_VAULT_PARAMETER")
def create_vault_unknown_slasher():
    """The slasher is instant or veto."""
    return World(restaking_config()).state, [_vault(slasher="lazy")]


@scenario("create_vault", "INVALID_VAULT_PARAMETER")
def create_vault_instant_with_veto():
    """An instant slasher has no veto window."""
    return World(restaking_config()).state, [_vault(slasher="instant", veto_duration=5)]


@scenario("create_vault", "INVALID_VAULT_PARAMETER")
def create_vault_veto_as_long_as_epoch():
    """A veto window is shorter than the vault epoch."""
    return World(restaking_config()).state, [_vault(veto_duration=1_000)]


@scenario("create_vault", "INVALID_VAULT_PARAMETER")
def create_vault_no_operators():
    """A vault delegates to at least one operator."""
    return World(restaking_config()).state, [_vault(shares={})]


@scenario("create_vault", "INVALID_VAULT_PARAMETER")
def create_vault_zero_share():
    """Every operator share is > 0."""
    return World(restaking_config()).state, [_vault(shares={P0: 1, P1: 0})]


@scenario("vault_deposit")
def vault_deposit_ok():
    """Deposits mint shares in proportion to the vault's active stake."""
    w = World(restaking_config())
    w.vault(deposit=0)
    return w.state, [ops.VaultDeposit(STAKER, "v1", 1_000), ops.VaultDeposit(ALICE, "v1", 333)]


@scenario("vault_deposit", "UNKNOWN_VAULT")
def vault_deposit_unknown_vault():
    """The vault must exist."""
    return World(restaking_config()).state, [ops.VaultDeposit(STAKER, "v9", 10)]


@scenario("vault_deposit", "INVALID_AMOUNT")
def vault_deposit_zero():
    """A deposit is positive."""
    w = World(restaking_config())
    w.vault()
    return w.state, [ops.VaultDeposit(STAKER, "v1", 0)]


@scenario("vault_withdraw")
def vault_withdraw_ok():
    """A withdrawal moves stake into the next vault epoch's bucket."""
    w = World(restaking_config())
    w.vault()
    w.wait(100)
    return w.state, [ops.VaultWithdraw(STAKER, "v1", 400), ops.VaultWithdraw(STAKER, "v1", 600)]


@scenario("vault_withdraw", "INSUFFICIENT_SHARES")
def vault_withdraw_more_than_held():
    """A staker withdraws at most the shares it holds."""
    w = World(restaking_config())
    w.vault()
    return w.state, [ops.VaultWithdraw(STAKER, "v1", 1_001)]


@scenario("vault_withdraw", "UNKNOWN_VAULT")
def vault_withdraw_unknown_vault():
    """The vault must exist."""
    return World(restaking_config()).state, [ops.VaultWithdraw(STAKER, "v1", 1)]


@scenario("vault_claim")
def vault_claim_when_epoch_ended():
    """A withdrawal is claimable as soon as its epoch ended (vault epoch 1 ends at 3000)."""
    w = _withdrawn().wait_until(3_000)
    return w.state, [ops.VaultClaim(STAKER, "v1", 1)]


@scenario("vault_claim", "WITHDRAWAL_NOT_CLAIMABLE")
def vault_claim_one_second_early():
    """Not before its epoch ended."""
    w = _withdrawn().wait_until(2_999)
    return w.state, [ops.VaultClaim(STAKER, "v1", 1)]


@scenario("vault_claim", "NOTHING_TO_CLAIM")
def vault_claim_without_withdrawal():
    """Only a staker with a withdrawal in that epoch claims."""
    w = _withdrawn().wait_until(3_000)
    return w.state, [ops.VaultClaim(ALICE, "v1", 1)]


@scenario("vault_claim", "UNKNOWN_VAULT")
def vault_claim_unknown_vault():
    """The vault must exist."""
    return _withdrawn().state, [ops.VaultClaim(STAKER, "v2", 1)]


@scenario("transmit_snapshot_part")
def transmit_snapshot_part_ok():
    """The transmitter sends a snapshot in two parts over the bridge."""
    w = two_operators()
    return w.state, [w.transmit(1_000, 0, 2), w.transmit(1_000, 1, 2)]


@scenario("transmit_snapshot_part", "INVALID_CAPTURE_TIMESTAMP")
def transmit_snapshot_part_not_epoch_start():
    """Captures are protocol epoch starts."""
    w = two_operators()
    return w.state, [w.transmit(1_050, entries=((P0, "v1", 1),))]


@scenario("transmit_snapshot_part", "INVALID_CAPTURE_TIMESTAMP")
def transmit_snapshot_part_capture_now():
    """A capture lies strictly in the past."""
    w = two_operators()
    return w.state, [w.transmit(1_100, entries=((P0, "v1", 1),))]


@scenario("veto_slash", requires=RESTAKED)
def veto_slash_ok():
    """The resolver vetoes a pending slash before its veto deadline; the market chain learns it."""
    w = slash_pending()
    w.wait_until(1_400)
    return w.state, [ops.VetoSlash(RESOLVER, 0), ops.DeliverMessage(w.message() + 1)]


@scenario("veto_slash", "VETO_PERIOD_ENDED", requires=RESTAKED)
def veto_slash_at_deadline():
    """At the veto deadline itself the veto window is closed."""
    w = slash_pending().wait_until(1_401)
    return w.state, [ops.VetoSlash(RESOLVER, 0)]


@scenario("veto_slash", "NOT_RESOLVER", requires=RESTAKED)
def veto_slash_not_resolver():
    """Only the vault's resolver vetoes."""
    return slash_pending().state, [ops.VetoSlash(MALLORY, 0)]


@scenario("veto_slash", "UNKNOWN_SLASH_REQUEST", requires=RESTAKED)
def veto_slash_unknown():
    """The request must have reached the vault chain."""
    return slash_requested().state, [ops.VetoSlash(RESOLVER, 0)]


@scenario("veto_slash", "SLASH_REQUEST_COMPLETED", requires=RESTAKED)
def veto_slash_twice():
    """A request is resolved once."""
    return slash_pending().state, [ops.VetoSlash(RESOLVER, 0), ops.VetoSlash(RESOLVER, 0)]


@scenario("veto_slash", "NOT_VETO_SLASHER", requires=RESTAKED)
def veto_slash_instant_vault():
    """Only requests of veto vaults can be vetoed. An instant vault never leaves a request pending,
    so this pre-state is constructed: the pending request's vault is made instant."""
    from spec.restaking_state import SlasherKind

    w = slash_pending()
    chain = w.state.restaking.vault_chain
    vault = attrs.evolve(chain.vaults["v1"], slasher=SlasherKind.INSTANT, veto_duration=0)
    restaking = attrs.evolve(w.state.restaking, vault_chain=attrs.evolve(chain, vaults=chain.vaults.set("v1", vault)))
    return attrs.evolve(w.state, restaking=restaking), [ops.VetoSlash(RESOLVER, 0)]


@scenario("execute_slash", requires=RESTAKED)
def execute_slash_at_veto_deadline():
    """Anyone executes a pending slash from its veto deadline on: the vault loses the amount."""
    w = slash_pending().wait_until(1_401)
    return w.state, [ops.ExecuteSlash(MALLORY, 0)]


@scenario("execute_slash", requires=RESTAKED)
def execute_slash_last_slashable_second():
    """Execution is possible up to capture_ts + epoch_duration."""
    w = slash_pending().wait_until(2_000)
    return w.state, [ops.ExecuteSlash(MALLORY, 0)]


@scenario("execute_slash", requires=RESTAKED)
def execute_slash_pro_rata_with_withdrawals():
    """A slash takes pro rata from active stake and the withdrawal buckets still slashable."""
    w = slash_pending()
    w.do(ops.VaultWithdraw(STAKER, "v1", 333))
    w.wait_until(1_401)
    return w.state, [ops.ExecuteSlash(MALLORY, 0)]


@scenario("execute_slash", "VETO_PERIOD_NOT_ENDED", requires=RESTAKED)
def execute_slash_before_veto_deadline():
    """Not a second before the veto deadline."""
    w = slash_pending().wait_until(1_400)
    return w.state, [ops.ExecuteSlash(MALLORY, 0)]


@scenario("execute_slash", "SLASH_PERIOD_ENDED", requires=RESTAKED)
def execute_slash_after_slashable():
    """Stake captured at 1000 is slashable until 2000 only."""
    w = slash_pending().wait_until(2_001)
    return w.state, [ops.ExecuteSlash(MALLORY, 0)]


@scenario("execute_slash", "SLASH_REQUEST_COMPLETED", requires=RESTAKED)
def execute_slash_after_veto():
    """A vetoed request is not executed."""
    w = slash_pending().do(ops.VetoSlash(RESOLVER, 0))
    w.wait_until(1_401)
    return w.state, [ops.ExecuteSlash(MALLORY, 0)]


@scenario("execute_slash", "UNKNOWN_SLASH_REQUEST", requires=RESTAKED)
def execute_slash_unknown():
    """The request must exist on the vault chain."""
    return slash_pending().state, [ops.ExecuteSlash(MALLORY, 4)]
