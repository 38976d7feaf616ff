"""Scenarios of `spec.restaking` at its edges: vault parameter bounds, the smallest deposits,
withdrawals and claims, and slash requests whose pro-rata arithmetic is bound by the operator's
stake, by what was already slashed for a capture, by the buckets still slashable and by rounding.

A slash request reaches the vault chain as a bridge message. Here it is put on the bridge
directly (`_request`): any (vault, operator, capture at a protocol epoch start, amount) request
is one the market chain sends after a transmitter overstated a snapshot (the market chain trusts
snapshots; the vault chain checks requests against its own history), so these pre-states are
reachable, except in the two scenarios of the vault chain's own checks of requests the market
chain never sends (amount 0, a capture not in the past). Building each through a whole market
would bury the rule under fifty steps."""
from __future__ import annotations

from pyrsistent import pmap

from properties.fixtures import ALICE, CURATOR, P0, P1, RESOLVER, STAKER, restaking_config
from properties.world import World
from reference.conformance.scenarios.design.common import two_operators
from reference.conformance.scenarios.design.registry import scenario
from spec import operations as ops
from spec.bridge import enqueue
from spec.restaking_state import Route, SlashRequest


def _vault(vault_id="v1", epoch_duration=1_000, slasher="instant", veto_duration=0, shares=None):
    return ops.CreateVault(CURATOR, vault_id, epoch_duration, slasher, veto_duration, RESOLVER, pmap(shares or {P0: 1}))


def _instant(deposit: int = 1_000, operators=None) -> World:
    """Instant vault v1 (epoch 1000 s from 1000) delegating to p0 (or `operators`), `deposit` staked at 1000."""
    w = World(restaking_config())
    w.vault(slasher="instant", veto_duration=0, operators=operators, deposit=deposit)
    return w


def _request(w: World, amount: int, capture_ts: int = 1_000, operator: str = P0, vault_id: str = "v1", request_id: int = 0):
    """Put the market chain's slash request on the bridge now; the operation that delivers it."""
    w.state, message = enqueue(w.state, Route.TO_VAULT_CHAIN, SlashRequest(request_id, vault_id, operator, capture_ts, amount))
    return ops.DeliverMessage(message.id)


def _vault_of(state):
    return state.restaking.vault_chain.vaults["v1"]


def _request_of(state, request_id: int = 0):
    return state.restaking.vault_chain.requests[request_id]


# -- vault parameters ------------------------------------------------------------------------------

@scenario("create_vault", "INVALID_VAULT_PARAMETER")
def create_vault_zero_epoch_instant():
    """A vault's epoch_duration is > 0, for an instant slasher too (its veto window 0 is valid)."""
    return World(restaking_config()).state, [_vault(epoch_duration=0)]


@scenario("create_vault", "INVALID_VAULT_PARAMETER")
def create_vault_veto_without_window():
    """A veto slasher has a veto window of at least one second."""
    return World(restaking_config()).state, [_vault(slasher="veto", veto_duration=0)]


# -- the smallest withdrawals and claims -----------------------------------------------------------

@scenario("vault_withdraw", "INSUFFICIENT_SHARES")
def vault_withdraw_without_shares():
    """A staker holding no shares withdraws none (not even one)."""
    w = _instant()
    return w.state, [ops.VaultWithdraw(ALICE, "v1", 1)]


@scenario("vault_withdraw", "INSUFFICIENT_SHARES")
def vault_withdraw_zero_shares():
    """A withdrawal redeems at least one share: zero shares is out of range, not too small."""
    w = _instant()
    return w.state, [ops.VaultWithdraw(STAKER, "v1", 0)]


@scenario("vault_withdraw", check=lambda pre, post: _vault_of(post).buckets[1] == 1 and _vault_of(post).claims[(STAKER, 1)] == 1)
def vault_withdraw_one_share():
    """One share worth one unit is the smallest withdrawal: one unit in the bucket, one claim share."""
    w = _instant().wait(100)
    return w.state, [ops.VaultWithdraw(STAKER, "v1", 1)]


@scenario("vault_claim", check=lambda pre, post: post.restaking.vault_chain.claimed == pre.restaking.vault_chain.claimed + 1)
def vault_claim_one_share():
    """A claim of a single share pays its unit."""
    w = _instant().wait(100).do(ops.VaultWithdraw(STAKER, "v1", 1)).wait_until(3_000)
    return w.state, [ops.VaultClaim(STAKER, "v1", 1)]


def _claimed_nothing(pre, post) -> bool:
    v = _vault_of(post)
    return post.restaking.vault_chain.claimed == pre.restaking.vault_chain.claimed and 1 not in v.buckets and v.bucket_shares == pmap()


@scenario("vault_claim", check=_claimed_nothing)
def vault_claim_bucket_emptied():
    """A bucket a slash and earlier claims emptied pays a later claim nothing: staker and alice
    withdrew 2 and 1 into bucket 1, a slash took 2 of it, the staker's claim took the last unit;
    alice's claim reads an empty bucket (its entry dropped) and gets 0."""
    w = World(restaking_config())
    w.vault(slasher="instant", veto_duration=0, deposit=2)
    w.do(ops.VaultDeposit(ALICE, "v1", 1)).wait(100)
    w.do(ops.VaultWithdraw(STAKER, "v1", 2), ops.VaultWithdraw(ALICE, "v1", 1))
    w.do(_request(w, 2)).wait_until(3_000).do(ops.VaultClaim(STAKER, "v1", 1))
    return w.state, [ops.VaultClaim(ALICE, "v1", 1)]


# -- slash requests arriving on the vault chain ----------------------------------------------------

@scenario("deliver_message", check=lambda pre, post: _request_of(post).slashed == 0 and _vault_of(post) == _vault_of(pre))
def deliver_message_slash_before_first_deposit():
    """Stake captured before the vault's first checkpoint is 0: the request executes, slashes
    nothing and leaves the vault as it was (no checkpoint is written)."""
    w = World(restaking_config())
    w.vault(slasher="instant", veto_duration=0, deposit=0)
    w.wait(100).do(ops.VaultDeposit(STAKER, "v1", 1_000)).wait(100)
    op = _request(w, 100)
    return w.state, [op]


@scenario("deliver_message", check=lambda pre, post: _request_of(post).slashed == 1 and _vault_of(post).active == 999)
def deliver_message_slash_one_unit():
    """The smallest slash request, one unit, is executed."""
    w = _instant().wait(100)
    op = _request(w, 1)
    return w.state, [op]


@scenario("deliver_message", "INVALID_AMOUNT")
def deliver_message_slash_zero_amount():
    """A slash request's amount is > 0."""
    w = _instant().wait(100)
    op = _request(w, 0)
    return w.state, [op]


@scenario("deliver_message", "INVALID_CAPTURE_TIMESTAMP")
def deliver_message_slash_capture_now():
    """A slash request's capture lies strictly before the vault chain's now."""
    w = _instant().wait(100)
    op = _request(w, 10, capture_ts=1_100)
    return w.state, [op]


@scenario("deliver_message", check=lambda pre, post: _request_of(post).slashed == 10)
def deliver_message_slash_instant_at_last_slashable_second():
    """An instant vault executes a request arriving at capture_ts + epoch_duration itself."""
    w = _instant().wait_until(2_000)
    op = _request(w, 10)
    return w.state, [op]


@scenario("deliver_message", check=lambda pre, post: _request_of(post).slashed == 666 and _vault_of(post).active == 333)
def deliver_message_slash_capped_by_operator_stake():
    """A request for more than the operator's stake at the capture takes that stake: p0 holds
    2 of 3 shares of 999, so 666 of a request for 700."""
    w = _instant(deposit=999, operators={P0: 2, P1: 1}).wait(100)
    op = _request(w, 700)
    return w.state, [op]


@scenario("deliver_message", check=lambda pre, post: _request_of(post, 1).slashed == 66 and _vault_of(post).active == 333)
def deliver_message_slash_capped_by_earlier_slash():
    """Slashes for one capture together take at most the operator's stake at it: after 600 of
    p0's 666, a second request for 600 takes the remaining 66."""
    w = _instant(deposit=999, operators={P0: 2, P1: 1}).wait(100)
    first, second = _request(w, 600), _request(w, 600, request_id=1)
    return w.state, [first, second]


def _active_cut_only(pre, post) -> bool:
    return _vault_of(post).active == 300 and _vault_of(post).buckets == _vault_of(pre).buckets


@scenario("deliver_message", check=_active_cut_only)
def deliver_message_slash_spares_claimable_buckets():
    """A slash for a capture in vault epoch 1 takes from active stake and buckets of epoch 2 on:
    the bucket of epoch 1 (withdrawn in epoch 0) is claimable when epoch 1 ends, before the
    capture's window closes, so it is not slashable for it."""
    w = _instant().wait(100).do(ops.VaultWithdraw(STAKER, "v1", 400)).wait_until(2_100)
    op = _request(w, 300, capture_ts=2_000)
    return w.state, [op]


def _rounding_unit_to_first_holding_part(pre, post) -> bool:
    v = _vault_of(post)
    return v.active == 0 and v.buckets[1] == 0 and v.buckets[2] == 999


@scenario("deliver_message", check=_rounding_unit_to_first_holding_part)
def deliver_message_slash_rounding_skips_empty_parts():
    """The unit pro-rata rounding leaves goes to the first part that still holds some: active
    stake is 0, buckets hold 1 and 999, a slash of 1 rounds every cut to 0 and takes the unit
    from the bucket of 1 (the empty active stake is skipped)."""
    w = _instant().wait(100).do(ops.VaultWithdraw(STAKER, "v1", 1)).wait_until(2_000)
    w.do(ops.VaultWithdraw(STAKER, "v1", 999))
    op = _request(w, 1)
    return w.state, [op]


# -- snapshot parts: the network's bounds on vaults ------------------------------------------------

@scenario("transmit_snapshot_part", "INVALID_SNAPSHOT_PART")
def transmit_snapshot_part_vault_veto_too_long():
    """A vault with a long enough epoch but a veto window longer than the network's is not accepted."""
    w = two_operators()
    w.do(ops.CreateVault(CURATOR, "v2", 2_000, "veto", 300, RESOLVER, pmap({P0: 1})), ops.VaultDeposit(STAKER, "v2", 10))
    return w.state, [w.transmit(1_000, entries=((P0, "v2", 10),))]


@scenario("transmit_snapshot_part", "INVALID_SNAPSHOT_PART")
def transmit_snapshot_part_vault_epoch_too_short():
    """A vault with a short enough veto window but an epoch shorter than the network's is not accepted."""
    w = two_operators()
    w.do(ops.CreateVault(CURATOR, "v2", 500, "veto", 100, RESOLVER, pmap({P0: 1})), ops.VaultDeposit(STAKER, "v2", 10))
    return w.state, [w.transmit(1_000, entries=((P0, "v2", 10),))]
