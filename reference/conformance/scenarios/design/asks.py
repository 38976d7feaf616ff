"""Scenarios of `spec.asks`: creating, cancelling and expiring asks."""
from __future__ import annotations

from properties.fixtures import ALICE, CAROL, MALLORY
from properties.world import assigned_task, open_ask, open_market
from reference.conformance.scenarios.design.common import ask, attested_market
from reference.conformance.scenarios.design.registry import scenario
from spec import operations as ops
from spec.types import AskState


def _escrowed(pre, post):
    escrow = 200 + pre.markets[0].platform_fee
    return (post.asks[0].state == AskState.UNASSIGNED and post.asks[0].escrow == post.asks[1].escrow == escrow
            and post.balances[(ALICE, "USDC")] == pre.balances[(ALICE, "USDC")] - escrow and post.next_ask_id == 2)


@scenario("create_ask", check=_escrowed)
def create_ask_ok():
    """The requester escrows max_price plus the market's platform fee."""
    return open_market().state, [ask(), ask(sender=CAROL, preference=0)]


@scenario("create_ask")
def create_ask_boundaries():
    """Expiry one second after now and the preference bounds 0 and 10000 are allowed."""
    return open_market().state, [ask(expiry=1_001, preference=10_000), ask(proof_time=1, preference=0, max_price=1)]


@scenario("create_ask")
def create_ask_exact_balance():
    """A balance of exactly max_price + fee suffices."""
    w = open_market().do(ops.Mint("dave", "USDC", 210))
    return w.state, [ask(sender="dave")]


@scenario("create_ask", "INSUFFICIENT_BALANCE")
def create_ask_cannot_escrow_fee():
    """The escrow includes the platform fee."""
    w = open_market().do(ops.Mint("dave", "USDC", 209))
    return w.state, [ask(sender="dave")]


@scenario("create_ask", "UNKNOWN_MARKET")
def create_ask_unknown_market():
    """The market must exist."""
    return open_market().state, [ask(market=1)]


@scenario("create_ask", "INVALID_ASK_PARAMETER")
def create_ask_zero_price():
    """max_price is positive."""
    return open_market().state, [ask(max_price=0)]


@scenario("create_ask", "INVALID_ASK_PARAMETER")
def create_ask_expiry_now():
    """The expiry lies strictly in the future."""
    return open_market().state, [ask(expiry=1_000)]


@scenario("create_ask", "INVALID_ASK_PARAMETER")
def create_ask_zero_proof_time():
    """proof_time is positive."""
    return open_market().state, [ask(proof_time=0)]


@scenario("create_ask", "INVALID_ASK_PARAMETER")
def create_ask_preference_too_high():
    """The preference lies in 0..10000."""
    return open_market().state, [ask(preference=10_001)]


@scenario("create_ask", "INVALID_ASK_PARAMETER")
def create_ask_preference_negative():
    """The preference lies in 0..10000."""
    return open_market().state, [ask(preference=-1)]


def _refunded(state: AskState):
    def check(pre, post):
        return (post.asks[0].state == state and post.asks[0].escrow == 0
                and post.balances[(ALICE, "USDC")] == pre.balances[(ALICE, "USDC")] + pre.asks[0].escrow)
    return check


@scenario("cancel_ask", check=_refunded(AskState.CANCELLED))
def cancel_ask_ok():
    """The requester cancels an unassigned ask and gets the whole escrow back."""
    return open_ask().state, [ops.CancelAsk(ALICE, 0)]


@scenario("cancel_ask")
def cancel_ask_after_expiry():
    """An expired but unassigned ask may still be cancelled."""
    w = open_ask()
    w.wait_until(w.expiry() + 10)
    return w.state, [ops.CancelAsk(ALICE, 0)]


@scenario("cancel_ask", "UNKNOWN_ASK")
def cancel_ask_unknown():
    """The ask must exist."""
    return open_ask().state, [ops.CancelAsk(ALICE, 1)]


@scenario("cancel_ask", "NOT_REQUESTER")
def cancel_ask_not_requester():
    """Only the requester cancels."""
    return open_ask().state, [ops.CancelAsk(CAROL, 0)]


@scenario("cancel_ask", "ASK_NOT_UNASSIGNED")
def cancel_ask_assigned():
    """An assigned ask cannot be cancelled."""
    return assigned_task().state, [ops.CancelAsk(ALICE, 0)]


@scenario("cancel_ask", "ASK_NOT_UNASSIGNED")
def cancel_ask_twice():
    """A cancelled ask cannot be cancelled again (no double refund)."""
    return open_ask().state, [ops.CancelAsk(ALICE, 0), ops.CancelAsk(ALICE, 0)]


@scenario("expire_ask", check=_refunded(AskState.EXPIRED))
def expire_ask_one_second_after_expiry():
    """Anyone closes an unassigned ask one second after its expiry; the requester is refunded."""
    w = open_ask()
    w.wait_until(w.expiry() + 1)
    return w.state, [ops.ExpireAsk(MALLORY, 0)]


@scenario("expire_ask", "ASK_NOT_EXPIRED")
def expire_ask_at_expiry():
    """At the expiry itself the ask is still open."""
    w = open_ask()
    w.wait_until(w.expiry())
    return w.state, [ops.ExpireAsk(MALLORY, 0)]


@scenario("expire_ask", "UNKNOWN_ASK")
def expire_ask_unknown():
    """The ask must exist."""
    return open_ask().state, [ops.ExpireAsk(MALLORY, 9)]


@scenario("expire_ask", "ASK_NOT_UNASSIGNED")
def expire_ask_assigned():
    """An assigned ask does not expire."""
    w = assigned_task()
    w.wait_until(w.expiry() + 1)
    return w.state, [ops.ExpireAsk(MALLORY, 0)]


@scenario("expire_ask", "ASK_NOT_UNASSIGNED")
def expire_ask_twice():
    """An ask expires once (no double refund)."""
    w = open_ask()
    w.wait_until(w.expiry() + 1)
    return w.state, [ops.ExpireAsk(MALLORY, 0), ops.ExpireAsk(ALICE, 0)]


@scenario("create_ask", requires=("attest_engine",))
def create_ask_private_inputs_attested():
    """Private inputs are accepted by a market whose engine is attested."""
    return attested_market().state, [ask(private=b"\xca\xfe")]


@scenario("create_ask", "ENGINE_NOT_ATTESTED", requires=("attest_engine",))
def create_ask_private_inputs_unattested():
    """Private inputs need an attested engine."""
    return open_market().state, [ask(private=b"\xca\xfe")]
