"""Scenarios of `spec.provers`: registration, stake, market membership and quotes."""
from __future__ import annotations

from properties.fixtures import MALLORY, P0, P1, P2
from properties.world import World, assigned_task, open_market, proof, restaked_market
from reference.conformance.scenarios.design.common import RESTAKED, two_markets_one_prover
from reference.conformance.scenarios.design.registry import scenario
from spec import operations as ops
from spec.types import MembershipStatus


def _registered(pre, post):
    return ((post.provers[P1].reward_address, post.provers[P1].declared_compute) == ("p1-cold-wallet", 8)
            and post.provers[P2].declared_compute == 1)


@scenario("register_prover", check=_registered)
def register_prover_ok():
    """An address registers with a reward address and declared compute."""
    return World().state, [ops.RegisterProver(P1, "p1-cold-wallet", 8), ops.RegisterProver(P2, P2, 1)]


@scenario("deposit_stake", "INSUFFICIENT_BALANCE")
def deposit_stake_one_without_a_balance():
    """A prover that never held the stake token cannot deposit even 1 of it."""
    w = World()
    w.do(ops.Mint(P2, "USDC", 10))
    w.prover(P2, stake=0)
    return w.state, [ops.DepositStake(P2, "POND", 1)]


@scenario("register_prover", "PROVER_ALREADY_REGISTERED")
def register_prover_twice():
    """A prover registers once."""
    return open_market().state, [ops.RegisterProver(P0, P0, 2)]


@scenario("register_prover", "INVALID_COMPUTE")
def register_prover_no_compute():
    """Declared compute is positive."""
    return World().state, [ops.RegisterProver(P1, P1, 0)]


@scenario("deposit_stake", check=lambda pre, post: post.provers[P1].stake["POND"] == 10_000 and (P1, "POND") not in post.balances)
def deposit_stake_ok():
    """Stake moves from the prover's balance into its native stake."""
    w = World().funded()
    w.prover(P1, stake=0)
    return w.state, [ops.DepositStake(P1, "POND", 250), ops.DepositStake(P1, "POND", 9_750)]


@scenario("deposit_stake", "UNKNOWN_PROVER")
def deposit_stake_unregistered():
    """Only registered provers stake."""
    return World().funded().state, [ops.DepositStake(P1, "POND", 10)]


@scenario("deposit_stake", "NOT_STAKE_TOKEN")
def deposit_stake_payment_token():
    """The payment token is not a stake token."""
    return open_market().state, [ops.DepositStake(P0, "USDC", 10)]


@scenario("deposit_stake", "INVALID_AMOUNT")
def deposit_stake_zero():
    """A deposit is positive."""
    return open_market().state, [ops.DepositStake(P0, "POND", 0)]


@scenario("deposit_stake", "INSUFFICIENT_BALANCE")
def deposit_stake_more_than_balance():
    """The prover must hold what it deposits."""
    return open_market().state, [ops.DepositStake(P0, "POND", 9_501)]


@scenario("request_stake_withdrawal")
def request_stake_withdrawal_all_free():
    """All free stake may be earmarked; it becomes available after the delay."""
    return open_market().state, [ops.RequestStakeWithdrawal(P0, "POND", 500)]


@scenario("request_stake_withdrawal")
def request_stake_withdrawal_beside_task():
    """Stake not locked by the task in flight may be earmarked."""
    return assigned_task().state, [ops.RequestStakeWithdrawal(P0, "POND", 400)]


@scenario("request_stake_withdrawal", "INSUFFICIENT_FREE_STAKE")
def request_stake_withdrawal_locked():
    """Stake locked by a task in flight cannot be earmarked."""
    return assigned_task().state, [ops.RequestStakeWithdrawal(P0, "POND", 401)]


@scenario("request_stake_withdrawal", "UNKNOWN_PROVER")
def request_stake_withdrawal_unregistered():
    """Only registered provers withdraw."""
    return open_market().state, [ops.RequestStakeWithdrawal(P1, "POND", 1)]


@scenario("request_stake_withdrawal", "NOT_STAKE_TOKEN")
def request_stake_withdrawal_unknown_token():
    """Only stake tokens are withdrawn from stake."""
    return open_market().state, [ops.RequestStakeWithdrawal(P0, "DOGE", 1)]


@scenario("request_stake_withdrawal", "INVALID_AMOUNT")
def request_stake_withdrawal_zero():
    """A withdrawal is positive."""
    return open_market().state, [ops.RequestStakeWithdrawal(P0, "POND", 0)]


@scenario("request_stake_withdrawal", "WITHDRAWAL_ALREADY_REQUESTED")
def request_stake_withdrawal_twice():
    """One pending withdrawal per prover and token."""
    w = open_market().do(ops.RequestStakeWithdrawal(P0, "POND", 100))
    return w.state, [ops.RequestStakeWithdrawal(P0, "POND", 100)]


def _withdrawn(pre, post):
    return (post.provers[P0].stake["POND"] == pre.provers[P0].stake["POND"] - 200
            and post.balances[(P0, "POND")] == pre.balances[(P0, "POND")] + 200 and (P0, "POND") not in post.withdrawals)


@scenario("withdraw_stake", check=_withdrawn)
def withdraw_stake_at_available_time():
    """A withdrawal completes exactly when its delay has passed."""
    w = open_market().do(ops.RequestStakeWithdrawal(P0, "POND", 200))
    w.wait(w.state.config.stake_withdrawal_delay)
    return w.state, [ops.WithdrawStake(P0, "POND")]


@scenario("withdraw_stake")
def withdraw_stake_then_request_again():
    """After a withdrawal a new one may be requested."""
    w = open_market().do(ops.RequestStakeWithdrawal(P0, "POND", 200))
    w.wait(w.state.config.stake_withdrawal_delay + 50)
    return w.state, [ops.WithdrawStake(P0, "POND"), ops.RequestStakeWithdrawal(P0, "POND", 300)]


@scenario("withdraw_stake", "WITHDRAWAL_NOT_READY")
def withdraw_stake_one_second_early():
    """Not a second before the delay has passed."""
    w = open_market().do(ops.RequestStakeWithdrawal(P0, "POND", 200))
    w.wait(w.state.config.stake_withdrawal_delay - 1)
    return w.state, [ops.WithdrawStake(P0, "POND")]


@scenario("withdraw_stake", "NO_WITHDRAWAL_REQUEST")
def withdraw_stake_without_request():
    """A withdrawal must be requested first."""
    return open_market().state, [ops.WithdrawStake(P0, "POND")]


@scenario("withdraw_stake", "UNKNOWN_PROVER")
def withdraw_stake_unregistered():
    """Only registered provers withdraw."""
    return open_market().state, [ops.WithdrawStake(MALLORY, "POND")]


@scenario("withdraw_stake", "NOT_STAKE_TOKEN")
def withdraw_stake_payment_token():
    """Only stake tokens are withdrawn from stake."""
    return open_market().state, [ops.WithdrawStake(P0, "USDC")]


def _joined(pre, post):
    m = post.memberships[(0, P1)]
    return m.status == MembershipStatus.JOINED and (m.quote.price, m.quote.proposed_time, m.quote.compute_per_request) == (0, 1, 3)


@scenario("join_market", check=_joined)
def join_market_ok():
    """A registered prover joins with a quote; a zero price and all its compute are allowed."""
    w = open_market()
    w.prover(P1, compute=3)
    return w.state, [ops.JoinMarket(P1, 0, 0, 1, 3)]


@scenario("join_market", "UNKNOWN_PROVER")
def join_market_unregistered():
    """Only registered provers join."""
    return open_market().state, [ops.JoinMarket(P1, 0, 10, 10, 1)]


@scenario("join_market", "UNKNOWN_MARKET")
def join_market_unknown_market():
    """The market must exist."""
    return open_market().state, [ops.JoinMarket(P0, 5, 10, 10, 1)]


@scenario("join_market", "ALREADY_MEMBER")
def join_market_twice():
    """A prover joins a market once."""
    return open_market().state, [ops.JoinMarket(P0, 0, 10, 10, 1)]


@scenario("join_market", "INVALID_QUOTE")
def join_market_negative_price():
    """A quoted price is >= 0."""
    w = open_market()
    w.prover(P1)
    return w.state, [ops.JoinMarket(P1, 0, -1, 10, 1)]


@scenario("join_market", "INVALID_QUOTE")
def join_market_zero_time():
    """A proposed proof time is > 0."""
    w = open_market()
    w.prover(P1)
    return w.state, [ops.JoinMarket(P1, 0, 10, 0, 1)]


@scenario("join_market", "INVALID_QUOTE")
def join_market_zero_compute():
    """Compute per request is > 0."""
    w = open_market()
    w.prover(P1)
    return w.state, [ops.JoinMarket(P1, 0, 10, 10, 0)]


@scenario("join_market", "INVALID_QUOTE")
def join_market_compute_above_declared():
    """Compute per request never exceeds declared compute."""
    w = open_market()
    w.prover(P1, compute=3)
    return w.state, [ops.JoinMarket(P1, 0, 10, 10, 4)]


def _requoted(pre, post):
    q = post.memberships[(0, P0)].quote
    return (q.price, q.proposed_time, q.compute_per_request) == (75, 40, 4)


@scenario("update_quote", check=_requoted)
def update_quote_ok():
    """A member replaces its quote."""
    return open_market().state, [ops.UpdateQuote(P0, 0, 75, 40, 4)]


@scenario("update_quote")
def update_quote_reposts_cancelled_quote():
    """A quote auto-cancelled by a match elsewhere can be posted again."""
    w = two_markets_one_prover()
    w.assign(0, P0, 100)
    return w.state, [ops.UpdateQuote(P0, 1, 60, 100, 1)]


@scenario("update_quote", "UNKNOWN_PROVER")
def update_quote_unregistered():
    """Only registered provers quote."""
    return open_market().state, [ops.UpdateQuote(P2, 0, 10, 10, 1)]


@scenario("update_quote", "NOT_MEMBER")
def update_quote_not_member():
    """Only members quote."""
    w = open_market()
    w.prover(P1)
    return w.state, [ops.UpdateQuote(P1, 0, 10, 10, 1)]


@scenario("update_quote", "EXIT_REQUESTED")
def update_quote_after_exit_request():
    """A member on its way out posts no quote."""
    w = open_market().do(ops.RequestMarketExit(P0, 0))
    return w.state, [ops.UpdateQuote(P0, 0, 10, 10, 1)]


@scenario("update_quote", "INVALID_QUOTE")
def update_quote_compute_above_declared():
    """Quotes obey the same bounds as when joining."""
    return open_market().state, [ops.UpdateQuote(P0, 0, 10, 10, 5)]


def _exiting(pre, post):
    m = post.memberships[(0, P0)]
    return m.status == MembershipStatus.REQUESTED_FOR_EXIT and m.quote is None


@scenario("request_market_exit", check=_exiting)
def request_market_exit_ok():
    """A member withdraws its quote and asks to leave."""
    return open_market().state, [ops.RequestMarketExit(P0, 0)]


@scenario("request_market_exit")
def request_market_exit_with_task_in_flight():
    """A member with a task in flight may ask to leave; the task stays."""
    return assigned_task().state, [ops.RequestMarketExit(P0, 0)]


@scenario("request_market_exit", "NOT_MEMBER")
def request_market_exit_not_member():
    """Only members exit."""
    return open_market().state, [ops.RequestMarketExit(P1, 0)]


@scenario("request_market_exit", "EXIT_REQUESTED")
def request_market_exit_twice():
    """An exit is requested once."""
    w = open_market().do(ops.RequestMarketExit(P0, 0))
    return w.state, [ops.RequestMarketExit(P0, 0)]


@scenario("leave_market", check=lambda pre, post: (0, P0) not in post.memberships and (0, P1) not in post.memberships)
def leave_market_ok():
    """An idle member leaves, with or without an exit request."""
    w = open_market()
    w.prover(P1)
    w.join(P1, 0).do(ops.RequestMarketExit(P1, 0))
    return w.state, [ops.LeaveMarket(P0, 0), ops.LeaveMarket(P1, 0)]


@scenario("leave_market", check=lambda pre, post: (0, P0) not in post.memberships)
def leave_market_after_task_done():
    """Once its task completed, the member may leave."""
    w = assigned_task().do(ops.RequestMarketExit(P0, 0))
    return w.state, [ops.SubmitProof(P0, 0, proof()), ops.LeaveMarket(P0, 0)]


@scenario("leave_market", "TASKS_IN_FLIGHT")
def leave_market_with_task_in_flight():
    """A member with a task in flight cannot leave."""
    w = assigned_task().do(ops.RequestMarketExit(P0, 0))
    return w.state, [ops.LeaveMarket(P0, 0)]


@scenario("leave_market", "NOT_MEMBER")
def leave_market_not_member():
    """Only members leave."""
    return open_market().state, [ops.LeaveMarket(P0, 3)]


@scenario("request_stake_withdrawal", "INSUFFICIENT_FREE_STAKE", requires=RESTAKED)
def request_stake_withdrawal_restaked_is_not_native():
    """Only native stake is withdrawn; restaked stake does not count."""
    return restaked_market(native_stake=50).state, [ops.RequestStakeWithdrawal(P0, "POND", 51)]
