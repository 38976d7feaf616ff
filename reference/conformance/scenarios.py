"""Hand-written scenario vectors: for every operation its happy path, its boundaries and every
error code it can raise. This is the one place to add cases when the spec grows an operation or
an error: register a function with `@scenario(operation, expect)` returning `(pre_state, ops)`.

`expect` is the outcome the scenario is written to show for its last operation ("ok" or an error
code); the generator records what the spec actually does and reports any disagreement. An
operation may be given as a raw JSON dict (`{"op": ..., "args": ...}`) to test decoding errors.
`requires` names further operations a scenario uses; a scenario whose operations the spec does
not (yet) have is skipped, and the generator says so.
"""
from __future__ import annotations

import inspect
from typing import Callable

import attrs
from pyrsistent import pmap

from reference.conformance.world import (
    ALICE, CAROL, CURATOR, GOVERNOR, KEY, MALLORY, OTHER_KEY, OTHER_SECRET, P0, P1, P2, RESOLVER, STAKER, WRONG_SECRET,
    World, assigned_task, assignment_signature, invalid_inputs_signature, open_ask, open_market, proof, restaked_market,
    restaked_task, restaking_config, slash_pending, slash_requested,
)
from spec import operations as ops
from spec.containers import Config
from spec.env import STAND_IN_VERIFIER_ID

UNKNOWN = "unknown"


@attrs.frozen
class Scenario:
    operation: str
    name: str
    expect: str
    description: str
    build: Callable
    requires: tuple = ()

    def available(self, operations) -> bool:
        """The spec has every operation the scenario uses."""
        return all(op in operations for op in self.requires + ((self.operation,) if self.operation != UNKNOWN else ()))


SCENARIOS: list[Scenario] = []


def scenario(operation: str, expect: str = "ok", requires: tuple = ()):
    """Register the decorated builder as a case of `operation` whose last step should end in `expect`."""

    def wrap(build):
        name = build.__name__.removeprefix(operation + "_").strip("_") or "ok"
        SCENARIOS.append(Scenario(operation, name, expect, inspect.getdoc(build) or name, build, tuple(requires)))
        return build

    return wrap


def POND(amount: int):
    return pmap({"POND": amount})


# --- decoding ---------------------------------------------------------------------------------

@scenario(UNKNOWN, "UNKNOWN_OPERATION")
def unknown_operation():
    """An operation name no transition handles is rejected and changes nothing."""
    return open_market().state, [{"op": "mint_everything", "args": {}}]


@scenario("mint", "MALFORMED_OPERATION")
def mint_amount_not_decimal():
    """Integers travel as decimal strings; a JSON number is malformed."""
    return World().state, [{"op": "mint", "args": {"account": ALICE, "token": "USDC", "amount": 5}}]


@scenario("mint", "MALFORMED_OPERATION")
def mint_missing_field():
    """A required field that is absent is malformed."""
    return World().state, [{"op": "mint", "args": {"account": ALICE, "token": "USDC"}}]


@scenario("mint", "MALFORMED_OPERATION")
def mint_unknown_field():
    """A field the operation does not have is malformed."""
    return World().state, [{"op": "mint", "args": {"account": ALICE, "token": "USDC", "amount": "5", "memo": "hi"}}]


@scenario("mint", "MALFORMED_OPERATION")
def mint_empty_account():
    """Addresses are non-empty strings."""
    return World().state, [{"op": "mint", "args": {"account": "", "token": "USDC", "amount": "5"}}]


@scenario("mint", "MALFORMED_OPERATION")
def mint_amount_out_of_range():
    """Integers lie in [-2^255, 2^255)."""
    return World().state, [{"op": "mint", "args": {"account": ALICE, "token": "USDC", "amount": str(2**255)}}]


@scenario("submit_proof", "MALFORMED_OPERATION")
def submit_proof_proof_not_hex():
    """Bytes travel as 0x-prefixed hex."""
    return assigned_task().state, [{"op": "submit_proof", "args": {"sender": P0, "ask_id": "0", "proof": "deadbeef"}}]


@scenario("create_market", "MALFORMED_OPERATION")
def create_market_slash_amount_not_map():
    """slash_amount maps token names to amounts."""
    return World().funded().state, [{"op": "create_market", "args": {
        "sender": ALICE, "verifier_id": STAND_IN_VERIFIER_ID, "matching_protocol": "orderbook", "slash_amount": ["POND"],
        "engine_key": KEY, "platform_fee": "0"}}]


# --- tokens and time ----------------------------------------------------------------------------

@scenario("mint")
def mint_payment_token():
    """Minting credits the account and grows the supply."""
    return World().state, [ops.Mint(ALICE, "USDC", 1_000)]


@scenario("mint")
def mint_stake_token_twice():
    """Mints of a stake token accumulate."""
    return World().state, [ops.Mint(P0, "POND", 7), ops.Mint(P0, "POND", 2**128)]


@scenario("mint", "UNKNOWN_TOKEN")
def mint_unknown_token():
    """Only the payment token and the stake tokens exist."""
    return World().state, [ops.Mint(ALICE, "DOGE", 10)]


@scenario("mint", "INVALID_AMOUNT")
def mint_zero():
    """A mint of 0 is rejected."""
    return World().state, [ops.Mint(ALICE, "USDC", 0)]


@scenario("mint", "INVALID_AMOUNT")
def mint_negative():
    """A negative mint is rejected."""
    return World().funded().state, [ops.Mint(ALICE, "USDC", -1)]


@scenario("advance_time")
def advance_time_one_second():
    """The clock moves forward by the given seconds."""
    return World().state, [ops.AdvanceTime(1), ops.AdvanceTime(3_599)]


@scenario("advance_time", "INVALID_TIME_STEP")
def advance_time_zero():
    """Time only moves forward."""
    return World().state, [ops.AdvanceTime(0)]


@scenario("advance_time", "INVALID_TIME_STEP")
def advance_time_backwards():
    """Time never moves back."""
    return World().state, [ops.AdvanceTime(-1)]


# --- markets ------------------------------------------------------------------------------------

def _create(sender=ALICE, verifier=STAND_IN_VERIFIER_ID, protocol="orderbook", slash=None, key=KEY, fee=10):
    return ops.CreateMarket(sender, verifier, protocol, POND(100) if slash is None else pmap(slash), key, fee)


@scenario("create_market")
def create_market_ok():
    """Anyone creates a market by paying the creation fee to the treasury; ids count up."""
    return World().funded().state, [_create(), _create(sender=CAROL, protocol="proof_race", fee=0)]


@scenario("create_market")
def create_market_every_protocol():
    """Every matching protocol tag is accepted."""
    return World().funded().state, [_create(protocol=p) for p in
                                    ("orderbook", "sealed_bid_auction", "round_robin", "proof_race", "reverse_dutch")]


@scenario("create_market")
def create_market_exact_fee():
    """A balance of exactly the creation fee suffices."""
    w = World().do(ops.Mint(CAROL, "USDC", 1_000))
    return w.state, [_create(sender=CAROL)]


@scenario("create_market", "INSUFFICIENT_BALANCE")
def create_market_cannot_pay_fee():
    """The creator must hold the creation fee."""
    w = World().do(ops.Mint(CAROL, "USDC", 999))
    return w.state, [_create(sender=CAROL)]


@scenario("create_market", "UNKNOWN_VERIFIER")
def create_market_unknown_verifier():
    """The verifier must be registered in the environment."""
    return World().funded().state, [_create(verifier="groth16/unknown")]


@scenario("create_market", "UNKNOWN_MATCHING_PROTOCOL")
def create_market_unknown_protocol():
    """The matching protocol must be one of the protocol's tags."""
    return World().funded().state, [_create(protocol="barter")]


@scenario("create_market", "INVALID_MARKET_PARAMETER")
def create_market_no_slash_amount():
    """A market must put some stake at risk."""
    return World().funded().state, [_create(slash={})]


@scenario("create_market", "INVALID_MARKET_PARAMETER")
def create_market_slash_non_stake_token():
    """Only stake tokens can be slashed."""
    return World().funded().state, [_create(slash={"USDC": 5})]


@scenario("create_market", "INVALID_MARKET_PARAMETER")
def create_market_zero_slash():
    """Each slash amount is positive."""
    return World().funded().state, [_create(slash={"POND": 0})]


@scenario("create_market", "INVALID_MARKET_PARAMETER")
def create_market_bad_engine_key():
    """The engine key is a compressed secp256k1 public key."""
    return World().funded().state, [_create(key=KEY[:-2])]


@scenario("create_market", "INVALID_MARKET_PARAMETER")
def create_market_negative_fee():
    """The platform fee is not negative."""
    return World().funded().state, [_create(fee=-1)]


@scenario("update_market")
def update_market_ok():
    """The owner replaces slash amount, engine key and fee."""
    return open_market().state, [ops.UpdateMarket(ALICE, 0, POND(7), OTHER_KEY, 0)]


@scenario("update_market")
def update_market_keeps_locked_stake():
    """A task assigned before an update keeps what it locked; slashing it takes the old amount."""
    w = assigned_task()
    w.wait_until(w.deadline() + 1)
    return w.state, [ops.UpdateMarket(ALICE, 0, POND(300), KEY, 10), ops.SlashMissedDeadline(MALLORY, 0)]


@scenario("update_market", "UNKNOWN_MARKET")
def update_market_unknown():
    """The market must exist."""
    return open_market().state, [ops.UpdateMarket(ALICE, 1, POND(7), KEY, 0)]


@scenario("update_market", "NOT_MARKET_OWNER")
def update_market_not_owner():
    """Only the creator may update a market."""
    return open_market().state, [ops.UpdateMarket(CAROL, 0, POND(7), KEY, 0)]


@scenario("update_market", "INVALID_MARKET_PARAMETER")
def update_market_bad_parameters():
    """Updated parameters obey the same rules as at creation."""
    return open_market().state, [ops.UpdateMarket(ALICE, 0, POND(-5), KEY, 0)]


# --- provers ------------------------------------------------------------------------------------

@scenario("register_prover")
def register_prover_ok():
    """An address registers with a reward address and declared compute."""
    return World().state, [ops.RegisterProver(P1, "p1-cold-wallet", 8), ops.RegisterProver(P2, P2, 1)]


@scenario("register_prover", "PROVER_ALREADY_REGISTERED")
def register_prover_twice():
    """A prover registers once."""
    return open_market().state, [ops.RegisterProver(P0, P0, 2)]


@scenario("register_prover", "INVALID_COMPUTE")
def register_prover_no_compute():
    """Declared compute is positive."""
    return World().state, [ops.RegisterProver(P1, P1, 0)]


@scenario("deposit_stake")
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


@scenario("withdraw_stake")
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


@scenario("join_market")
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


@scenario("update_quote")
def update_quote_ok():
    """A member replaces its quote."""
    return open_market().state, [ops.UpdateQuote(P0, 0, 75, 40, 4)]


@scenario("update_quote")
def update_quote_reposts_cancelled_quote():
    """A quote auto-cancelled by a match elsewhere can be posted again."""
    w = _two_markets_one_prover()
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


@scenario("request_market_exit")
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


@scenario("leave_market")
def leave_market_ok():
    """An idle member leaves, with or without an exit request."""
    w = open_market()
    w.prover(P1)
    w.join(P1, 0).do(ops.RequestMarketExit(P1, 0))
    return w.state, [ops.LeaveMarket(P0, 0), ops.LeaveMarket(P1, 0)]


@scenario("leave_market")
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


# --- asks ---------------------------------------------------------------------------------------

def _ask(sender=ALICE, market=0, max_price=200, expiry=1_300, proof_time=100, preference=5_000, private=None):
    return ops.CreateAsk(sender, market, max_price, expiry, proof_time, preference, b"\x01\x02", private)


@scenario("create_ask")
def create_ask_ok():
    """The requester escrows max_price plus the market's platform fee."""
    return open_market().state, [_ask(), _ask(sender=CAROL, preference=0)]


@scenario("create_ask")
def create_ask_boundaries():
    """Expiry one second after now and the preference bounds 0 and 10000 are allowed."""
    return open_market().state, [_ask(expiry=1_001, preference=10_000), _ask(proof_time=1, preference=0, max_price=1)]


@scenario("create_ask")
def create_ask_exact_balance():
    """A balance of exactly max_price + fee suffices."""
    w = open_market().do(ops.Mint("dave", "USDC", 210))
    return w.state, [_ask(sender="dave")]


@scenario("create_ask", "INSUFFICIENT_BALANCE")
def create_ask_cannot_escrow_fee():
    """The escrow includes the platform fee."""
    w = open_market().do(ops.Mint("dave", "USDC", 209))
    return w.state, [_ask(sender="dave")]


@scenario("create_ask", "UNKNOWN_MARKET")
def create_ask_unknown_market():
    """The market must exist."""
    return open_market().state, [_ask(market=1)]


@scenario("create_ask", "INVALID_ASK_PARAMETER")
def create_ask_zero_price():
    """max_price is positive."""
    return open_market().state, [_ask(max_price=0)]


@scenario("create_ask", "INVALID_ASK_PARAMETER")
def create_ask_expiry_now():
    """The expiry lies strictly in the future."""
    return open_market().state, [_ask(expiry=1_000)]


@scenario("create_ask", "INVALID_ASK_PARAMETER")
def create_ask_zero_proof_time():
    """proof_time is positive."""
    return open_market().state, [_ask(proof_time=0)]


@scenario("create_ask", "INVALID_ASK_PARAMETER")
def create_ask_preference_too_high():
    """The preference lies in 0..10000."""
    return open_market().state, [_ask(preference=10_001)]


@scenario("create_ask", "INVALID_ASK_PARAMETER")
def create_ask_preference_negative():
    """The preference lies in 0..10000."""
    return open_market().state, [_ask(preference=-1)]


@scenario("cancel_ask")
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


@scenario("expire_ask")
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


# --- tasks --------------------------------------------------------------------------------------

def _assign(ask=0, prover=P0, price=100, market=0, secret=None, signed_price=None, sender=MALLORY):
    signature = assignment_signature(market, ask, prover, price if signed_price is None else signed_price,
                                     **({} if secret is None else {"secret": secret}))
    return ops.AssignTask(sender, ask, prover, price, signature)


def _two_markets_one_prover():
    """p0 (compute 4, 500 stake) quotes in market 0 (slash 100) and market 1 (slash 450, compute 1)."""
    w = open_market()
    w.market(owner=CAROL, slash={"POND": 450}, key=OTHER_KEY)
    w.join(P0, 1, price=60, compute=1)
    w.ask(0)
    return w


@scenario("assign_task")
def assign_task_ok():
    """The engine's signed assignment locks stake and compute and sets the deadline."""
    return open_ask().state, [_assign()]


@scenario("assign_task")
def assign_task_at_price_bounds():
    """The price may equal the quote or the max_price; the assignment may happen at the expiry."""
    w = open_ask()
    w.ask()
    w.prover(P1)
    w.join(P1, 0, price=200)
    w.wait_until(w.expiry(1))
    return w.state, [_assign(0, P0, 50), _assign(1, P1, 200)]


@scenario("assign_task")
def assign_task_cancels_quotes_that_no_longer_fit():
    """A match in one market withdraws the prover's quotes elsewhere that its free stake no longer covers."""
    return _two_markets_one_prover().state, [_assign()]


@scenario("assign_task")
def assign_task_keeps_quotes_that_fit():
    """Quotes elsewhere that still fit stay active."""
    w = open_market()
    w.market(owner=CAROL, slash={"POND": 400}, key=OTHER_KEY)
    w.join(P0, 1, compute=3)
    w.ask(0)
    return w.state, [_assign()]


@scenario("assign_task")
def assign_task_cancels_quote_lacking_compute():
    """Quotes elsewhere whose compute per request no longer fits are withdrawn."""
    w = open_market()
    w.market(owner=CAROL, slash={"POND": 10}, key=OTHER_KEY)
    w.join(P0, 1, compute=4)
    w.ask(0)
    return w.state, [_assign()]


@scenario("assign_task")
def assign_task_two_tasks_use_all_compute():
    """Compute is shared by tasks: two tasks of compute 2 fill declared compute 4."""
    w = World().funded()
    w.market()
    w.prover(P0, compute=4, stake=200)
    w.join(P0, 0, compute=2)
    w.ask()
    w.ask()
    return w.state, [_assign(0), _assign(1)]


@scenario("assign_task", "INSUFFICIENT_COMPUTE")
def assign_task_compute_exhausted():
    """A third task that needs more compute than is free is refused."""
    w = World().funded()
    w.market()
    w.prover(P0, compute=5, stake=1_000)
    w.join(P0, 0, compute=2)
    for _ in range(3):
        w.ask()
    w.assign(0).assign(1)
    return w.state, [_assign(2)]


@scenario("assign_task", "INSUFFICIENT_STAKE")
def assign_task_stake_exhausted():
    """Stake locked by one task cannot back another."""
    w = World().funded()
    w.market()
    w.prover(P0, compute=4, stake=199)
    w.join(P0, 0)
    w.ask()
    w.ask()
    w.assign(0)
    return w.state, [_assign(1)]


@scenario("assign_task", "INSUFFICIENT_STAKE")
def assign_task_stake_pending_withdrawal():
    """Stake earmarked for withdrawal does not back tasks."""
    w = open_ask().do(ops.RequestStakeWithdrawal(P0, "POND", 401))
    return w.state, [_assign()]


@scenario("assign_task", "INSUFFICIENT_STAKE")
def assign_task_second_stake_token():
    """Every token of the slash amount must be covered."""
    config = Config(stake_tokens=("POND", "ETH"))
    w = World(config).funded()
    w.market(slash={"POND": 100, "ETH": 20})
    w.prover(P0)
    w.do(ops.DepositStake(P0, "ETH", 19))
    w.join(P0, 0)
    w.ask()
    return w.state, [_assign()]


@scenario("assign_task")
def assign_task_locks_every_stake_token():
    """A market slashing two tokens locks both."""
    config = Config(stake_tokens=("POND", "ETH"))
    w = World(config).funded()
    w.market(slash={"POND": 100, "ETH": 20})
    w.prover(P0)
    w.do(ops.DepositStake(P0, "ETH", 20))
    w.join(P0, 0)
    w.ask()
    return w.state, [_assign()]


@scenario("assign_task", "UNKNOWN_ASK")
def assign_task_unknown_ask():
    """The ask must exist."""
    return open_ask().state, [_assign(ask=4)]


@scenario("assign_task", "ASK_NOT_UNASSIGNED")
def assign_task_twice():
    """An ask is assigned once (I2)."""
    w = open_ask()
    w.prover(P1)
    w.join(P1, 0)
    return w.state, [_assign(), _assign(prover=P1)]


@scenario("assign_task", "ASK_EXPIRED")
def assign_task_after_expiry():
    """An ask cannot be assigned after its expiry."""
    w = open_ask()
    w.wait_until(w.expiry() + 1)
    return w.state, [_assign()]


@scenario("assign_task", "BAD_ENGINE_SIGNATURE")
def assign_task_wrong_engine():
    """Only the market's engine key may sign assignments."""
    return open_ask().state, [_assign(secret=OTHER_SECRET)]


@scenario("assign_task", "BAD_ENGINE_SIGNATURE")
def assign_task_signature_for_other_price():
    """The signature covers the price."""
    return open_ask().state, [_assign(price=150, signed_price=100)]


@scenario("assign_task", "BAD_ENGINE_SIGNATURE")
def assign_task_signature_for_other_prover():
    """The signature covers the prover."""
    w = open_ask()
    w.prover(P1)
    w.join(P1, 0)
    good = _assign(prover=P0)
    return w.state, [ops.AssignTask(MALLORY, 0, P1, 100, good.signature)]


@scenario("assign_task", "BAD_ENGINE_SIGNATURE")
def assign_task_truncated_signature():
    """A signature is 65 bytes."""
    good = _assign()
    return open_ask().state, [ops.AssignTask(MALLORY, 0, P0, 100, good.signature[:-1])]


@scenario("assign_task", "UNKNOWN_PROVER")
def assign_task_unregistered_prover():
    """The prover must be registered."""
    return open_ask().state, [_assign(prover=P2)]


@scenario("assign_task", "NOT_MEMBER")
def assign_task_prover_not_member():
    """The prover must have joined the ask's market."""
    w = open_ask()
    w.prover(P1)
    return w.state, [_assign(prover=P1)]


@scenario("assign_task", "EXIT_REQUESTED")
def assign_task_prover_leaving():
    """A prover that asked to leave takes no new task."""
    w = open_ask().do(ops.RequestMarketExit(P0, 0))
    return w.state, [_assign()]


@scenario("assign_task", "QUOTE_INACTIVE")
def assign_task_quote_cancelled():
    """A quote withdrawn by a match elsewhere cannot be matched."""
    w = _two_markets_one_prover()
    w.ask(1, requester=CAROL)
    w.assign(0, P0, 100)
    return w.state, [_assign(ask=1, market=1, secret=OTHER_SECRET)]


@scenario("assign_task", "PRICE_ABOVE_MAX")
def assign_task_price_above_max():
    """The price never exceeds max_price."""
    return open_ask().state, [_assign(price=201)]


@scenario("assign_task", "PRICE_BELOW_QUOTE")
def assign_task_price_below_quote():
    """The price is at least the prover's quote."""
    return open_ask().state, [_assign(price=49)]


@scenario("assign_task", "PROOF_TIME_EXCEEDED")
def assign_task_prover_too_slow():
    """The prover's proposed time must fit the ask's proof_time."""
    w = open_market()
    w.ask(proof_time=99)
    return w.state, [_assign()]


@scenario("assign_task")
def assign_task_proposed_time_equal_proof_time():
    """A proposed time equal to proof_time fits."""
    w = open_market()
    w.ask(proof_time=100)
    return w.state, [_assign()]


@scenario("submit_proof")
def submit_proof_ok():
    """A valid proof pays the prover's reward address, refunds max_price - price and pays the fee to the treasury."""
    return assigned_task(price=130).state, [ops.SubmitProof(P0, 0, proof())]


@scenario("submit_proof")
def submit_proof_at_deadline():
    """A proof is accepted at the deadline itself."""
    w = assigned_task()
    w.wait_until(w.deadline())
    return w.state, [ops.SubmitProof(P0, 0, proof())]


@scenario("submit_proof")
def submit_proof_frees_capacity():
    """After the proof, the freed stake and compute back the next task."""
    w = World().funded()
    w.market()
    w.prover(P0, compute=1, stake=100)
    w.join(P0, 0)
    w.ask()
    w.ask()
    w.assign(0)
    return w.state, [ops.SubmitProof(P0, 0, proof()), _assign(1)]


@scenario("submit_proof", "DEADLINE_PASSED")
def submit_proof_after_deadline():
    """A proof one second late is refused."""
    w = assigned_task()
    w.wait_until(w.deadline() + 1)
    return w.state, [ops.SubmitProof(P0, 0, proof())]


@scenario("submit_proof", "INVALID_PROOF")
def submit_proof_invalid():
    """The market's verifier must accept the proof."""
    return assigned_task().state, [ops.SubmitProof(P0, 0, proof(b"other inputs"))]


@scenario("submit_proof", "UNKNOWN_ASK")
def submit_proof_unknown_ask():
    """The ask must exist."""
    return assigned_task().state, [ops.SubmitProof(P0, 1, proof())]


@scenario("submit_proof", "ASK_NOT_ASSIGNED")
def submit_proof_unassigned():
    """Only assigned asks take proofs."""
    return open_ask().state, [ops.SubmitProof(P0, 0, proof())]


@scenario("submit_proof", "ASK_NOT_ASSIGNED")
def submit_proof_twice():
    """A task is paid once."""
    return assigned_task().state, [ops.SubmitProof(P0, 0, proof()), ops.SubmitProof(P0, 0, proof())]


@scenario("submit_proof", "NOT_ASSIGNED_PROVER")
def submit_proof_by_other():
    """Only the assigned prover submits."""
    return assigned_task().state, [ops.SubmitProof(P1, 0, proof())]


@scenario("submit_invalid_inputs")
def submit_invalid_inputs_ok():
    """The engine's statement that the inputs are unprovable pays the prover as for a proof."""
    return assigned_task(price=77).state, [ops.SubmitInvalidInputs(P0, 0, invalid_inputs_signature(0, 0, P0))]


@scenario("submit_invalid_inputs")
def submit_invalid_inputs_at_deadline():
    """The statement is accepted at the deadline itself."""
    w = assigned_task()
    w.wait_until(w.deadline())
    return w.state, [ops.SubmitInvalidInputs(P0, 0, invalid_inputs_signature(0, 0, P0))]


@scenario("submit_invalid_inputs", "DEADLINE_PASSED")
def submit_invalid_inputs_after_deadline():
    """Not after the deadline."""
    w = assigned_task()
    w.wait_until(w.deadline() + 1)
    return w.state, [ops.SubmitInvalidInputs(P0, 0, invalid_inputs_signature(0, 0, P0))]


@scenario("submit_invalid_inputs", "BAD_ENGINE_SIGNATURE")
def submit_invalid_inputs_wrong_signer():
    """The statement must be signed by the market's engine key."""
    return assigned_task().state, [ops.SubmitInvalidInputs(P0, 0, invalid_inputs_signature(0, 0, P0, WRONG_SECRET))]


@scenario("submit_invalid_inputs", "BAD_ENGINE_SIGNATURE")
def submit_invalid_inputs_assignment_signature():
    """An assignment signature is not an invalid-inputs statement."""
    return assigned_task().state, [ops.SubmitInvalidInputs(P0, 0, assignment_signature(0, 0, P0, 100))]


@scenario("submit_invalid_inputs", "UNKNOWN_ASK")
def submit_invalid_inputs_unknown_ask():
    """The ask must exist."""
    return assigned_task().state, [ops.SubmitInvalidInputs(P0, 3, invalid_inputs_signature(0, 3, P0))]


@scenario("submit_invalid_inputs", "ASK_NOT_ASSIGNED")
def submit_invalid_inputs_unassigned():
    """Only assigned asks."""
    return open_ask().state, [ops.SubmitInvalidInputs(P0, 0, invalid_inputs_signature(0, 0, P0))]


@scenario("submit_invalid_inputs", "NOT_ASSIGNED_PROVER")
def submit_invalid_inputs_by_other():
    """Only the assigned prover submits."""
    return assigned_task().state, [ops.SubmitInvalidInputs(MALLORY, 0, invalid_inputs_signature(0, 0, P0))]


# --- slashing -----------------------------------------------------------------------------------

@scenario("slash_missed_deadline")
def slash_missed_deadline_ok():
    """One second after the deadline anyone slashes: half compensates the requester, a quarter burns,
    the rest goes to the treasury; the escrow is refunded in full."""
    w = assigned_task()
    w.wait_until(w.deadline() + 1)
    return w.state, [ops.SlashMissedDeadline(MALLORY, 0)]


@scenario("slash_missed_deadline")
def slash_missed_deadline_rounding():
    """Compensation and burn round down; the treasury takes the remainder."""
    config = Config(slash_compensation_bps=3_333, slash_burn_bps=1_111, stake_withdrawal_delay=60)
    w = assigned_task(config, slash={"POND": 101}, fee=3)
    w.wait_until(w.deadline() + 500)
    return w.state, [ops.SlashMissedDeadline(CAROL, 0)]


@scenario("slash_missed_deadline")
def slash_missed_deadline_two_tokens():
    """Every locked token is slashed."""
    config = Config(stake_tokens=("POND", "ETH"), slash_compensation_bps=7_000, slash_burn_bps=0)
    w = World(config).funded()
    w.market(slash={"POND": 100, "ETH": 33})
    w.prover(P0)
    w.do(ops.DepositStake(P0, "ETH", 50))
    w.join(P0, 0)
    w.ask()
    w.assign()
    w.wait_until(w.deadline() + 1)
    return w.state, [ops.SlashMissedDeadline(MALLORY, 0)]


@scenario("slash_missed_deadline")
def slash_missed_deadline_frees_capacity():
    """After a slash the prover's compute is free, its in-flight count drops and it may leave."""
    w = World().funded()
    w.market()
    w.prover(P0, compute=1, stake=250)
    w.join(P0, 0)
    w.ask()
    w.ask(expires_in=1_000)
    w.assign(0)
    w.wait_until(w.deadline() + 1)
    return w.state, [ops.SlashMissedDeadline(MALLORY, 0), _assign(1), ops.DiscardTask(P0, 1),
                     ops.RequestMarketExit(P0, 0), ops.LeaveMarket(P0, 0)]


@scenario("slash_missed_deadline", "DEADLINE_NOT_PASSED")
def slash_missed_deadline_at_deadline():
    """At the deadline itself the prover may still deliver: no slash."""
    w = assigned_task()
    w.wait_until(w.deadline())
    return w.state, [ops.SlashMissedDeadline(MALLORY, 0)]


@scenario("slash_missed_deadline", "ASK_NOT_ASSIGNED")
def slash_missed_deadline_twice():
    """A task is slashed once (I5)."""
    w = assigned_task()
    w.wait_until(w.deadline() + 1)
    return w.state, [ops.SlashMissedDeadline(MALLORY, 0), ops.SlashMissedDeadline(CAROL, 0)]


@scenario("slash_missed_deadline", "ASK_NOT_ASSIGNED")
def slash_missed_deadline_completed():
    """A completed task is not slashed."""
    w = assigned_task().do(ops.SubmitProof(P0, 0, proof()))
    w.wait(1_000)
    return w.state, [ops.SlashMissedDeadline(MALLORY, 0)]


@scenario("slash_missed_deadline", "UNKNOWN_ASK")
def slash_missed_deadline_unknown():
    """The ask must exist."""
    return assigned_task().state, [ops.SlashMissedDeadline(MALLORY, 2)]


@scenario("discard_task")
def discard_task_ok():
    """The assigned prover gives a task up and is slashed at once; the requester is refunded."""
    return assigned_task().state, [ops.DiscardTask(P0, 0)]


@scenario("discard_task")
def discard_task_at_deadline():
    """A discard is possible up to the deadline."""
    w = assigned_task()
    w.wait_until(w.deadline())
    return w.state, [ops.DiscardTask(P0, 0)]


@scenario("discard_task", "DEADLINE_PASSED")
def discard_task_after_deadline():
    """After the deadline the task is slashed for the missed deadline instead."""
    w = assigned_task()
    w.wait_until(w.deadline() + 1)
    return w.state, [ops.DiscardTask(P0, 0)]


@scenario("discard_task", "NOT_ASSIGNED_PROVER")
def discard_task_by_other():
    """Only the assigned prover discards."""
    return assigned_task().state, [ops.DiscardTask(ALICE, 0)]


@scenario("discard_task", "ASK_NOT_ASSIGNED")
def discard_task_unassigned():
    """Only assigned asks."""
    return open_ask().state, [ops.DiscardTask(P0, 0)]


@scenario("discard_task", "UNKNOWN_ASK")
def discard_task_unknown():
    """The ask must exist."""
    return open_ask().state, [ops.DiscardTask(P0, 8)]


# --- whole life cycles --------------------------------------------------------------------------

@scenario("submit_proof")
def submit_proof_full_lifecycle():
    """From genesis: fund, create a market, register, stake, join, ask, assign, prove."""
    return World().state, [
        ops.Mint(ALICE, "USDC", 5_000), ops.Mint(P1, "POND", 300),
        _create(fee=5), ops.RegisterProver(P1, "p1-rewards", 2), ops.DepositStake(P1, "POND", 300),
        ops.JoinMarket(P1, 0, 40, 30, 2), _ask(max_price=90, proof_time=30), ops.AdvanceTime(12),
        _assign(prover=P1, price=45), ops.AdvanceTime(30), ops.SubmitProof(P1, 0, b"\x00"),
        ops.SubmitProof(P1, 0, proof(b"\x01\x02")),
    ]


# --- restaking: parameters, vaults, snapshots, the bridge, slashes of restaked stake -------------

RESTAKED = ("create_vault", "vault_deposit", "transmit_snapshot_part", "deliver_message")


def _restaking_world() -> World:
    """Funded accounts under `restaking_config`, p0 and p1 registered without native stake."""
    w = World(restaking_config()).funded()
    w.prover(P0, stake=0)
    w.prover(P1, stake=0)
    return w


def _set_parameters(sender=GOVERNOR, epoch_length=100, offset=50, epoch_duration=1_000, veto_duration=200, bridge_delay_max=150):
    return ops.SetRestakingParameters(sender, epoch_length, offset, epoch_duration, veto_duration, bridge_delay_max)


@scenario("set_restaking_parameters")
def set_restaking_parameters_ok():
    """The governor replaces the restaking parameters."""
    return World(restaking_config()).state, [_set_parameters(epoch_duration=2_000, offset=0, veto_duration=0)]


@scenario("set_restaking_parameters", requires=RESTAKED)
def set_restaking_parameters_rule_at_its_bound():
    """New parameters are accepted if every restaked task in flight still meets the key safety rule,
    here with equality: deadline 1200 + 1 + 599 + 200 = capture 1000 + 1000."""
    return restaked_task().state, [_set_parameters(bridge_delay_max=599)]


@scenario("set_restaking_parameters", "KEY_SAFETY_RULE", requires=RESTAKED)
def set_restaking_parameters_break_task_in_flight():
    """Parameters under which a restaked task in flight would break the key safety rule are refused."""
    return restaked_task().state, [_set_parameters(bridge_delay_max=600)]


@scenario("set_restaking_parameters", "KEY_SAFETY_RULE", requires=RESTAKED + ("slash_missed_deadline",))
def set_restaking_parameters_break_unresolved_slash():
    """A slashed task's request may still be on the bridge (its backing is released): a bridge bound
    under which its delivery would clear the veto window too late is refused (1200 + 1 + 600 + 200 > 2000)."""
    return slash_requested().state, [_set_parameters(bridge_delay_max=600)]


@scenario("set_restaking_parameters", requires=RESTAKED + ("slash_missed_deadline",))
def set_restaking_parameters_unresolved_slash_at_its_bound():
    """The same with the bound at the rule's equality (1200 + 1 + 599 + 200 = 2000): accepted."""
    return slash_requested().state, [_set_parameters(bridge_delay_max=599)]


@scenario("set_restaking_parameters", "KEY_SAFETY_RULE")
def set_restaking_parameters_no_room():
    """Parameters that leave no proof time restaked stake could back are refused."""
    return World(restaking_config()).state, [_set_parameters(epoch_duration=401)]


@scenario("set_restaking_parameters", "NOT_GOVERNOR")
def set_restaking_parameters_not_governor():
    """Only the governor sets restaking parameters."""
    return World(restaking_config()).state, [_set_parameters(sender=MALLORY)]


@scenario("set_restaking_parameters", "INVALID_RESTAKING_PARAMETER")
def set_restaking_parameters_zero_epoch():
    """Epoch length is > 0."""
    return World(restaking_config()).state, [_set_parameters(epoch_length=0)]


@scenario("set_restaking_parameters", "INVALID_RESTAKING_PARAMETER")
def set_restaking_parameters_negative_offset():
    """The confirmation offset is >= 0."""
    return World(restaking_config()).state, [_set_parameters(offset=-1)]


@scenario("create_market", "KEY_SAFETY_RULE", requires=("set_restaking_parameters",))
def create_market_restaked_infeasible():
    """A market slashing the restaking stake token needs parameters under which the key safety rule can hold."""
    w = World(restaking_config(epoch_duration=401)).funded()
    return w.state, [_create()]


def _vault(vault_id="v1", epoch_duration=1_000, slasher="veto", veto_duration=200, shares=None):
    return ops.CreateVault(CURATOR, vault_id, epoch_duration, slasher, veto_duration, RESOLVER, pmap(shares if shares is not None else {P0: 2, P1: 1}))


@scenario("create_vault")
def create_vault_ok():
    """A curator creates a veto vault and an instant vault."""
    return World(restaking_config()).state, [_vault(), _vault("v2", 500, "instant", 0, {P1: 1})]


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


def _withdrawn() -> World:
    """Vault v1 (epoch 1000 s from 1000); at 1100 the staker withdrew 400 into the bucket of epoch 1."""
    w = World(restaking_config())
    w.vault()
    w.wait(100)
    return w.do(ops.VaultWithdraw(STAKER, "v1", 400))


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


def _two_operators() -> World:
    """p0 and p1 registered, vault v1 delegating 2:1 to them with 999 staked; time 1100."""
    w = _restaking_world()
    w.vault(operators={P0: 2, P1: 1}, deposit=999)
    return w.wait(100)


@scenario("transmit_snapshot_part")
def transmit_snapshot_part_ok():
    """The transmitter sends a snapshot in two parts over the bridge."""
    w = _two_operators()
    return w.state, [w.transmit(1_000, 0, 2), w.transmit(1_000, 1, 2)]


@scenario("transmit_snapshot_part", "INVALID_CAPTURE_TIMESTAMP")
def transmit_snapshot_part_not_epoch_start():
    """Captures are protocol epoch starts."""
    w = _two_operators()
    return w.state, [w.transmit(1_050, entries=((P0, "v1", 1),))]


@scenario("transmit_snapshot_part", "INVALID_CAPTURE_TIMESTAMP")
def transmit_snapshot_part_capture_now():
    """A capture lies strictly in the past."""
    w = _two_operators()
    return w.state, [w.transmit(1_100, entries=((P0, "v1", 1),))]


@scenario("deliver_message")
def deliver_message_snapshot_in_any_order():
    """Parts arrive in any order; the snapshot completes with the last one."""
    w = _two_operators()
    w.do(w.transmit(1_000, 0, 2), w.transmit(1_000, 1, 2))
    return w.state, [ops.DeliverMessage(1), ops.DeliverMessage(0)]


@scenario("deliver_message")
def deliver_message_duplicate_part_ignored():
    """A part delivered twice is ignored the second time."""
    w = _two_operators()
    w.do(w.transmit(1_000))
    return w.state, [ops.DuplicateMessage(0), ops.DeliverMessage(0), ops.DeliverMessage(1)]


@scenario("deliver_message", "UNKNOWN_MESSAGE")
def deliver_message_unknown():
    """Only messages in flight are delivered."""
    return _two_operators().state, [ops.DeliverMessage(7)]


@scenario("deliver_message", "MESSAGE_NOT_DUE")
def deliver_message_before_due():
    """A delayed message is not delivered before its delivery time."""
    w = _two_operators()
    w.do(w.transmit(1_000), ops.DelayMessage(0, 1_150))
    w.wait(49)
    return w.state, [ops.DeliverMessage(0)]


@scenario("deliver_message", "INVALID_SNAPSHOT_PART")
def deliver_message_part_index_out_of_range():
    """A part's index is below its count; a rejected part stays in flight."""
    w = _two_operators()
    w.do(w.transmit(1_000, index=1, count=1, entries=((P0, "v1", 666),)))
    return w.state, [ops.DeliverMessage(0)]


@scenario("deliver_message", "INVALID_SNAPSHOT_PART")
def deliver_message_part_unsorted():
    """Entries are sorted by (operator, vault)."""
    w = _two_operators()
    w.do(w.transmit(1_000, entries=((P1, "v1", 333), (P0, "v1", 666))))
    return w.state, [ops.DeliverMessage(0)]


@scenario("deliver_message", "INVALID_SNAPSHOT_PART")
def deliver_message_part_count_disagrees():
    """All parts of a capture agree on their count."""
    w = _two_operators()
    w.do(w.transmit(1_000, 0, 2), w.transmit(1_000, 1, 3, entries=((P1, "v1", 333),)), ops.DeliverMessage(0))
    return w.state, [ops.DeliverMessage(1)]


@scenario("deliver_message", "INVALID_SNAPSHOT_PART")
def deliver_message_part_negative_stake():
    """Snapshot stakes are >= 0."""
    w = _two_operators()
    w.do(w.transmit(1_000, entries=((P0, "v1", -1),)))
    return w.state, [ops.DeliverMessage(0)]


@scenario("deliver_message", "UNKNOWN_OPERATOR")
def deliver_message_part_unknown_operator():
    """Snapshot operators are registered provers."""
    w = _two_operators()
    w.do(w.transmit(1_000, entries=((MALLORY, "v1", 10),)))
    return w.state, [ops.DeliverMessage(0)]


@scenario("deliver_message", "STALE_CAPTURE", requires=RESTAKED)
def deliver_message_part_older_than_snapshot():
    """A capture older than the latest complete snapshot is refused."""
    w = restaked_market()
    w.do(w.transmit(900, entries=((P0, "v1", 1_000),)))
    return w.state, [ops.DeliverMessage(w.message())]


@scenario("deliver_message", "STALE_CAPTURE")
def deliver_message_part_no_longer_slashable():
    """A capture whose stake is no longer slashable (capture + epoch_duration <= now) is refused."""
    w = _two_operators()
    w.do(w.transmit(1_000))
    w.wait_until(2_000)
    return w.state, [ops.DeliverMessage(0)]


@scenario("deliver_message", requires=RESTAKED)
def deliver_message_slash_request_to_veto_vault():
    """A slash request reaching a veto vault waits for its veto deadline (arrival + veto_duration)."""
    w = slash_requested()
    return w.state, [ops.DeliverMessage(w.message())]


@scenario("deliver_message", requires=RESTAKED)
def deliver_message_slash_request_to_instant_vault():
    """A slash request reaching an instant vault executes at once; the result goes back over the bridge."""
    w = slash_requested("instant")
    return w.state, [ops.DeliverMessage(w.message()), ops.DeliverMessage(w.message() + 1)]


@scenario("deliver_message", requires=RESTAKED + ("drop_message", "retransmit_message"))
def deliver_message_slash_request_too_late():
    """A request retransmitted so late that its veto window would end after the stake stops being
    slashable expires on arrival; its delivery is flagged late."""
    w = slash_requested()
    message = w.message()
    w.do(ops.DropMessage(message))
    w.wait_until(1_801)
    return w.state, [ops.RetransmitMessage(message), ops.DeliverMessage(message), ops.DeliverMessage(message + 1)]


@scenario("deliver_message", requires=RESTAKED + ("duplicate_message",))
def deliver_message_duplicate_slash_request_ignored():
    """The vault chain ignores a slash request it already received."""
    w = slash_requested()
    message = w.message()
    return w.state, [ops.DuplicateMessage(message), ops.DeliverMessage(message), ops.DeliverMessage(message + 1)]


@scenario("deliver_message", requires=RESTAKED + ("execute_slash",))
def deliver_message_slash_result():
    """The executed slash's result resolves the restaked slash on the market chain; a copy is ignored."""
    w = slash_pending().wait(200)
    w.do(ops.ExecuteSlash(MALLORY, 0))
    message = w.message()
    return w.state, [ops.DuplicateMessage(message), ops.DeliverMessage(message), ops.DeliverMessage(message + 1)]


@scenario("deliver_message", "INVALID_SLASH_RESULT", requires=RESTAKED + ("execute_slash",))
def deliver_message_slash_result_not_final():
    """A slash result must carry a final status. No operation sends another, so this pre-state is
    constructed: the result in flight says PENDING."""
    from spec.restaking_state import SlashStatus

    w = slash_pending().wait(200)
    w.do(ops.ExecuteSlash(MALLORY, 0))
    bridge = w.state.restaking.bridge
    message = bridge.in_flight[w.message()]
    forged = attrs.evolve(message, payload=attrs.evolve(message.payload, status=SlashStatus.PENDING))
    restaking = attrs.evolve(w.state.restaking, bridge=attrs.evolve(bridge, in_flight=bridge.in_flight.set(message.id, forged)))
    return attrs.evolve(w.state, restaking=restaking), [ops.DeliverMessage(message.id)]


@scenario("delay_message")
def delay_message_to_its_bound():
    """A message may be delayed up to sent_at + bridge_delay_max."""
    w = _two_operators()
    w.do(w.transmit(1_000))
    return w.state, [ops.DelayMessage(0, 1_200), ops.DelayMessage(0, 1_250)]


@scenario("delay_message", "BRIDGE_DELAY_EXCEEDED")
def delay_message_past_bound():
    """Not beyond the bridge's bound."""
    w = _two_operators()
    w.do(w.transmit(1_000))
    return w.state, [ops.DelayMessage(0, 1_251)]


@scenario("delay_message", "INVALID_TIME_STEP")
def delay_message_not_later():
    """A delay moves delivery later."""
    w = _two_operators()
    w.do(w.transmit(1_000))
    return w.state, [ops.DelayMessage(0, 1_100)]


@scenario("delay_message", "UNKNOWN_MESSAGE")
def delay_message_unknown():
    """Only messages in flight are delayed."""
    return _two_operators().state, [ops.DelayMessage(3, 1_200)]


def _two_in_flight() -> World:
    """Part 0 sent at 1100 (deliverable then); part 1 sent at 1200 and delayed to 1300."""
    w = _two_operators()
    w.do(w.transmit(1_000, 0, 2))
    w.wait(100)
    return w.do(w.transmit(1_000, 1, 2), ops.DelayMessage(1, 1_300))


@scenario("reorder_messages")
def reorder_messages_ok():
    """Two messages swap delivery times when both stay within their bounds."""
    w = _two_operators()
    w.do(w.transmit(1_000, 0, 2), w.transmit(1_000, 1, 2), ops.DelayMessage(0, 1_200))
    return w.state, [ops.ReorderMessages(0, 1), ops.DeliverMessage(0)]


@scenario("reorder_messages", "BRIDGE_DELAY_EXCEEDED")
def reorder_messages_past_bound():
    """A swap that would deliver a message after its bound is refused."""
    return _two_in_flight().state, [ops.ReorderMessages(0, 1)]


@scenario("reorder_messages", "INVALID_REORDER")
def reorder_messages_same():
    """A message is not reordered with itself."""
    return _two_in_flight().state, [ops.ReorderMessages(1, 1)]


@scenario("reorder_messages", "UNKNOWN_MESSAGE")
def reorder_messages_unknown():
    """Both messages are in flight."""
    return _two_in_flight().state, [ops.ReorderMessages(0, 5)]


@scenario("duplicate_message")
def duplicate_message_ok():
    """A copy keeps the original's origin, payload and times."""
    w = _two_operators()
    w.do(w.transmit(1_000))
    return w.state, [ops.DuplicateMessage(0)]


@scenario("duplicate_message", "UNKNOWN_MESSAGE")
def duplicate_message_unknown():
    """Only messages in flight are copied."""
    return _two_operators().state, [ops.DuplicateMessage(0)]


@scenario("drop_message")
def drop_message_ok():
    """A dropped message leaves the flight (it may be retransmitted later)."""
    w = _two_operators()
    w.do(w.transmit(1_000))
    return w.state, [ops.DropMessage(0)]


@scenario("drop_message", "UNKNOWN_MESSAGE")
def drop_message_unknown():
    """Only messages in flight are dropped."""
    return _two_operators().state, [ops.DropMessage(1)]


@scenario("retransmit_message")
def retransmit_message_ok():
    """A dropped message is put back in flight, deliverable now (not at its old delivery time),
    keeping its first send time."""
    w = _two_operators()
    w.do(w.transmit(1_000), ops.DelayMessage(0, 1_200), ops.DropMessage(0))
    w.wait(10)
    return w.state, [ops.RetransmitMessage(0), ops.DeliverMessage(0)]


@scenario("retransmit_message", "UNKNOWN_MESSAGE")
def retransmit_message_not_dropped():
    """Only dropped messages are retransmitted."""
    w = _two_operators()
    w.do(w.transmit(1_000))
    return w.state, [ops.RetransmitMessage(0)]


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


@scenario("resend_slash_request", requires=RESTAKED + ("drop_message",))
def resend_slash_request_after_drop():
    """Anyone sends an unresolved slash request again (e.g. after the bridge lost it)."""
    w = slash_requested()
    w.do(ops.DropMessage(w.message()))
    return w.state, [ops.ResendSlashRequest(CAROL, 0), ops.DeliverMessage(w.message() + 1)]


@scenario("resend_slash_request", "NO_RESTAKED_SLASH")
def resend_slash_request_native_task():
    """A task backed only by native stake has no restaked slash to resend."""
    w = assigned_task(restaking_config())
    w.wait_until(w.deadline() + 1)
    return w.do(ops.SlashMissedDeadline(MALLORY, 0)).state, [ops.ResendSlashRequest(CAROL, 0)]


@scenario("assign_task", requires=RESTAKED)
def assign_task_backed_by_restaked_stake():
    """A prover without native stake is backed by its confirmed restaked stake, under the key safety rule."""
    w = restaked_market()
    w.ask()
    return w.state, [_assign()]


@scenario("assign_task", requires=RESTAKED)
def assign_task_native_first_then_restaked():
    """Free native stake is locked first; restaked stake covers the rest."""
    w = restaked_market(native_stake=60)
    w.ask()
    return w.state, [_assign()]


@scenario("assign_task", requires=RESTAKED)
def assign_task_restaked_rule_at_its_bound():
    """The longest proof time the rule allows when assigning at 1100: deadline 1649 + 1 + 150 + 200 = 1000 + 1000."""
    w = restaked_market()
    w.ask(proof_time=549)
    return w.state, [_assign()]


@scenario("assign_task", "KEY_SAFETY_RULE", requires=RESTAKED)
def assign_task_restaked_rule_broken():
    """A deadline one second longer would let the slash clear the veto window after the stake stops being slashable."""
    w = restaked_market()
    w.ask(proof_time=550)
    return w.state, [_assign()]


@scenario("assign_task", "KEY_SAFETY_RULE", requires=RESTAKED + ("set_restaking_parameters",))
def assign_task_restaked_rule_after_veto_bound_lowered():
    """The escape through a parameter change, refused: the snapshot of 1000 holds vault v1 (epoch
    1000, veto 200); the governor lowers the accepted veto window to 100. A deadline of 1700 meets
    the rule under the new bound (1700 + 1 + 150 + 100 <= 2000) but not under the bounds the
    snapshot was sent under (1700 + 1 + 150 + 200 > 2000): its slash would clear v1's veto window
    after the stake stopped being slashable."""
    w = restaked_market()
    w.ask(proof_time=600)
    return w.state, [_set_parameters(veto_duration=100), _assign()]


@scenario("assign_task", "KEY_SAFETY_RULE", requires=RESTAKED + ("set_restaking_parameters",))
def assign_task_restaked_rule_after_epoch_bound_raised():
    """The same escape through a longer accepted epoch (1300): v1 still holds stake captured at 1000
    slashable only until 2000, so the snapshot's bound (epoch 1000) decides, not the new one."""
    w = restaked_market()
    w.ask(proof_time=600)
    return w.state, [_set_parameters(epoch_duration=1_300), _assign()]


@scenario("assign_task", requires=RESTAKED + ("set_restaking_parameters",))
def assign_task_restaked_rule_after_parameter_change_at_its_bound():
    """After the veto bound is lowered, the snapshot still backs a deadline at its own bound:
    1649 + 1 + 150 + 200 = 1000 + 1000."""
    w = restaked_market()
    w.ask(proof_time=549)
    return w.state, [_set_parameters(veto_duration=100), _assign()]


@scenario("assign_task", requires=RESTAKED)
def assign_task_snapshot_confirmed_after_offset():
    """A snapshot backs tasks only `offset` seconds after its capture: refused (INSUFFICIENT_STAKE)
    at 1049, accepted at 1050."""
    w = _restaking_world()
    w.market()
    w.vault()
    w.join(P0, 0)
    w.wait(49)
    w.snapshot(1_000)
    w.ask()
    return w.state, [_assign(), ops.AdvanceTime(1), _assign()]


def _second_market_after_slash_request(slash: int) -> World:
    """`slash_requested` (100 of p0's 1000 restaked under an unresolved request), then market 1
    slashing `slash` POND, p0 quoting in it and carol's ask 1 there."""
    w = slash_requested()
    w.market(owner=CAROL, slash={"POND": slash}, key=OTHER_KEY)
    w.join(P0, 1)
    w.ask(1, requester=CAROL)
    return w


@scenario("assign_task", requires=RESTAKED)
def assign_task_restaked_beside_slash_request():
    """Restaked stake under an unresolved slash request backs no new task: 900 of 1000 remain."""
    return _second_market_after_slash_request(900).state, [_assign(ask=1, market=1, secret=OTHER_SECRET)]


@scenario("assign_task", "INSUFFICIENT_STAKE", requires=RESTAKED)
def assign_task_restaked_encumbered_by_slash_request():
    """One unit more than the unencumbered restaked stake is refused."""
    return _second_market_after_slash_request(901).state, [_assign(ask=1, market=1, secret=OTHER_SECRET)]


@scenario("discard_task", requires=RESTAKED)
def discard_task_restaked():
    """Discarding a restaked task sends a slash request for its restaked backing."""
    return restaked_task().state, [ops.DiscardTask(P0, 0)]


@scenario("submit_proof", requires=RESTAKED)
def submit_proof_releases_restaked_stake():
    """A proof releases the task's restaked backing."""
    return restaked_task().state, [ops.SubmitProof(P0, 0, proof())]


@scenario("request_stake_withdrawal", "INSUFFICIENT_FREE_STAKE", requires=RESTAKED)
def request_stake_withdrawal_restaked_is_not_native():
    """Only native stake is withdrawn; restaked stake does not count."""
    return restaked_market(native_stake=50).state, [ops.RequestStakeWithdrawal(P0, "POND", 51)]


# --- matching engine identity: attestation, prover keys, private inputs --------------------------

MEASUREMENT = bytes(range(32))


def _attestation(measurement: bytes = MEASUREMENT, engine_key: str = KEY, root_secret=None) -> bytes:
    from reference.engine.tee import MODEL_ROOT_SECRET, attest

    return attest(measurement, engine_key, MODEL_ROOT_SECRET if root_secret is None else root_secret)


def _attested_market() -> World:
    """`open_market` with market 0's engine attested."""
    return open_market().do(ops.AttestEngine(ALICE, 0, MEASUREMENT, _attestation()))


@scenario("attest_engine")
def attest_engine_ok():
    """The market's owner records the enclave measurement the TEE root signed with the engine key."""
    return open_market().state, [ops.AttestEngine(ALICE, 0, MEASUREMENT, _attestation())]


@scenario("attest_engine", "BAD_ATTESTATION")
def attest_engine_short_measurement():
    """A measurement is 32 bytes."""
    return open_market().state, [ops.AttestEngine(ALICE, 0, MEASUREMENT[:31], _attestation(MEASUREMENT[:31]))]


@scenario("attest_engine", "BAD_ATTESTATION")
def attest_engine_not_signed_by_root():
    """Only the TEE root's signature attests."""
    return open_market().state, [ops.AttestEngine(ALICE, 0, MEASUREMENT, _attestation(root_secret=OTHER_SECRET))]


@scenario("attest_engine", "BAD_ATTESTATION")
def attest_engine_other_engine_key():
    """The attestation covers the market's engine key."""
    return open_market().state, [ops.AttestEngine(ALICE, 0, MEASUREMENT, _attestation(engine_key=OTHER_KEY))]


@scenario("attest_engine", "NOT_MARKET_OWNER")
def attest_engine_not_owner():
    """Only the market's owner attests its engine."""
    return open_market().state, [ops.AttestEngine(CAROL, 0, MEASUREMENT, _attestation())]


@scenario("attest_engine", "UNKNOWN_MARKET")
def attest_engine_unknown_market():
    """The market must exist."""
    return open_market().state, [ops.AttestEngine(ALICE, 3, MEASUREMENT, _attestation())]


@scenario("update_market", requires=("attest_engine",))
def update_market_new_key_drops_attestation():
    """A new engine key needs a new attestation; keeping the key keeps it."""
    return _attested_market().state, [ops.UpdateMarket(ALICE, 0, POND(7), KEY, 0), ops.UpdateMarket(ALICE, 0, POND(7), OTHER_KEY, 0)]


@scenario("register_prover_key")
def register_prover_key_ok():
    """A prover sets, then rotates, its encryption key."""
    return open_market().state, [ops.RegisterProverKey(P0, OTHER_KEY), ops.RegisterProverKey(P0, KEY)]


@scenario("register_prover_key", "INVALID_PROVER_KEY")
def register_prover_key_not_a_key():
    """The key is a compressed secp256k1 public key."""
    return open_market().state, [ops.RegisterProverKey(P0, KEY[:-2])]


@scenario("register_prover_key", "UNKNOWN_PROVER")
def register_prover_key_unregistered():
    """Only registered provers set a key."""
    return open_market().state, [ops.RegisterProverKey(P1, KEY)]


@scenario("create_ask", requires=("attest_engine",))
def create_ask_private_inputs_attested():
    """Private inputs are accepted by a market whose engine is attested."""
    return _attested_market().state, [_ask(private=b"\xca\xfe")]


@scenario("create_ask", "ENGINE_NOT_ATTESTED", requires=("attest_engine",))
def create_ask_private_inputs_unattested():
    """Private inputs need an attested engine."""
    return open_market().state, [_ask(private=b"\xca\xfe")]


@scenario("assign_task", "PROVER_KEY_MISSING", requires=("attest_engine", "register_prover_key"))
def assign_task_private_inputs_without_prover_key():
    """An ask with private inputs goes only to a prover with an encryption key."""
    return _attested_market().do(_ask(private=b"\xca\xfe")).state, [_assign()]


@scenario("assign_task", requires=("attest_engine", "register_prover_key"))
def assign_task_private_inputs_with_prover_key():
    """Once the prover registered a key, the ask with private inputs is assigned."""
    w = _attested_market().do(_ask(private=b"\xca\xfe"))
    return w.state, [_assign(), ops.RegisterProverKey(P0, OTHER_KEY), _assign()]
