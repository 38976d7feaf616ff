"""Provers: registration, native stake, market membership and quotes."""
from __future__ import annotations

import attrs

from spec.containers import Membership, Prover, Quote, State, WithdrawalRequest
from spec.env import Env
from spec.errors import (
    AlreadyMember,
    ExitRequested,
    InsufficientFreeStake,
    InvalidAmount,
    InvalidCompute,
    InvalidQuote,
    NotMember,
    NotStakeToken,
    NoWithdrawalRequest,
    ProverAlreadyRegistered,
    TasksInFlight,
    UnknownProver,
    WithdrawalAlreadyRequested,
    WithdrawalNotReady,
    require,
)
from spec.events import event
from spec.markets import get_market
from spec.operations import (
    DepositStake,
    JoinMarket,
    LeaveMarket,
    RegisterProver,
    RequestMarketExit,
    RequestStakeWithdrawal,
    UpdateQuote,
    WithdrawStake,
)
from spec.restaked_stake import free_restaked_stake
from spec.tokens import add_to, credit, debit


def get_prover(state: State, address: str, field: str = "sender") -> Prover:
    require(address in state.provers, UnknownProver, field, f"{address} is not a registered prover")
    return state.provers[address]


def get_membership(state: State, market_id: int, prover: str, field: str = "market_id") -> Membership:
    require((market_id, prover) in state.memberships, NotMember, field, f"{prover} has not joined market {market_id}")
    return state.memberships[(market_id, prover)]


def pending_withdrawal(state: State, prover: str, token: str) -> int:
    request = state.withdrawals.get((prover, token))
    return request.amount if request is not None else 0


def free_native_stake(state: State, prover: Prover, token: str) -> int:
    """Native stake that backs no task and is not pending withdrawal."""
    return prover.stake.get(token, 0) - prover.locked.get(token, 0) - pending_withdrawal(state, prover.address, token)


def free_stake(state: State, prover: Prover, token: str) -> int:
    """Free native stake plus free restaked stake from the confirmed snapshot."""
    return free_native_stake(state, prover, token) + free_restaked_stake(state, prover.address, token)


def free_compute(prover: Prover) -> int:
    return prover.declared_compute - prover.compute_in_use


def require_stake_token(state: State, token: str) -> None:
    require(token in state.config.stake_tokens, NotStakeToken, "token", f"{token!r} is not one of {list(state.config.stake_tokens)}")


def check_quote(prover: Prover, price: int, proposed_time: int, compute_per_request: int) -> Quote:
    require(price >= 0, InvalidQuote, "price", "must be >= 0")
    require(proposed_time > 0, InvalidQuote, "proposed_time", "must be > 0")
    require(
        0 < compute_per_request <= prover.declared_compute,
        InvalidQuote,
        "compute_per_request",
        f"must be in 1..{prover.declared_compute} (declared compute)",
    )
    return Quote(price=price, proposed_time=proposed_time, compute_per_request=compute_per_request)


def process_register_prover(state: State, op: RegisterProver, env: Env):
    """An address registers once as a prover with a reward address and declared compute > 0."""
    require(op.sender not in state.provers, ProverAlreadyRegistered, "sender", f"{op.sender} is already registered")
    require(op.declared_compute > 0, InvalidCompute, "declared_compute", "must be > 0")
    prover = Prover(address=op.sender, reward_address=op.reward_address, declared_compute=op.declared_compute)
    new = attrs.evolve(state, provers=state.provers.set(op.sender, prover))
    return new, [event("ProverRegistered", prover=op.sender, declared_compute=op.declared_compute)]


def process_deposit_stake(state: State, op: DepositStake, env: Env):
    """A prover moves `amount` > 0 of a stake token from its balance into its native stake."""
    prover = get_prover(state, op.sender)
    require_stake_token(state, op.token)
    require(op.amount > 0, InvalidAmount, "amount", "must be > 0")
    balances = debit(state.balances, op.sender, op.token, op.amount)
    updated = attrs.evolve(prover, stake=add_to(prover.stake, op.token, op.amount))
    new = attrs.evolve(state, balances=balances, provers=state.provers.set(op.sender, updated))
    return new, [event("StakeDeposited", prover=op.sender, token=op.token, amount=op.amount)]


def process_request_stake_withdrawal(state: State, op: RequestStakeWithdrawal, env: Env):
    """A prover earmarks `amount` of free native stake for withdrawal after `stake_withdrawal_delay`;
    earmarked stake can no longer back tasks. One pending request per token."""
    prover = get_prover(state, op.sender)
    require_stake_token(state, op.token)
    require(op.amount > 0, InvalidAmount, "amount", "must be > 0")
    require((op.sender, op.token) not in state.withdrawals, WithdrawalAlreadyRequested, "token", f"a withdrawal of {op.token} is already pending")
    available = free_native_stake(state, prover, op.token)
    require(op.amount <= available, InsufficientFreeStake, "amount", f"free native stake is {available}")
    request = WithdrawalRequest(amount=op.amount, available_at=state.time + state.config.stake_withdrawal_delay)
    new = attrs.evolve(state, withdrawals=state.withdrawals.set((op.sender, op.token), request))
    return new, [
        event("StakeWithdrawalRequested", prover=op.sender, token=op.token, amount=op.amount, available_at=request.available_at)
    ]


def process_withdraw_stake(state: State, op: WithdrawStake, env: Env):
    """Once its delay passed, a pending withdrawal moves from stake to the prover's balance (I9)."""
    prover = get_prover(state, op.sender)
    require_stake_token(state, op.token)
    request = state.withdrawals.get((op.sender, op.token))
    require(request is not None, NoWithdrawalRequest, "token", f"no pending withdrawal of {op.token}")
    require(state.time >= request.available_at, WithdrawalNotReady, "token", f"available at {request.available_at}, now {state.time}")
    updated = attrs.evolve(prover, stake=add_to(prover.stake, op.token, -request.amount))
    new = attrs.evolve(
        state,
        balances=credit(state.balances, op.sender, op.token, request.amount),
        provers=state.provers.set(op.sender, updated),
        withdrawals=state.withdrawals.discard((op.sender, op.token)),
    )
    return new, [event("StakeWithdrawn", prover=op.sender, token=op.token, amount=request.amount)]


def process_join_market(state: State, op: JoinMarket, env: Env):
    """A registered prover joins a market once, with a quote."""
    prover = get_prover(state, op.sender)
    get_market(state, op.market_id)
    require((op.market_id, op.sender) not in state.memberships, AlreadyMember, "market_id", f"{op.sender} already joined market {op.market_id}")
    quote = check_quote(prover, op.price, op.proposed_time, op.compute_per_request)
    membership = Membership(market_id=op.market_id, prover=op.sender, quote=quote)
    new = attrs.evolve(state, memberships=state.memberships.set((op.market_id, op.sender), membership))
    return new, [event("MarketJoined", market_id=op.market_id, prover=op.sender, price=op.price)]


def process_update_quote(state: State, op: UpdateQuote, env: Env):
    """A member that has not asked to exit replaces (or re-posts) its quote."""
    prover = get_prover(state, op.sender)
    membership = get_membership(state, op.market_id, op.sender)
    require(not membership.exit_requested, ExitRequested, "market_id", f"{op.sender} asked to leave market {op.market_id}")
    quote = check_quote(prover, op.price, op.proposed_time, op.compute_per_request)
    updated = attrs.evolve(membership, quote=quote)
    new = attrs.evolve(state, memberships=state.memberships.set((op.market_id, op.sender), updated))
    return new, [event("QuoteUpdated", market_id=op.market_id, prover=op.sender, price=op.price)]


def process_request_market_exit(state: State, op: RequestMarketExit, env: Env):
    """A member withdraws its quote and takes no new task here; it may leave once idle."""
    membership = get_membership(state, op.market_id, op.sender)
    require(not membership.exit_requested, ExitRequested, "market_id", "exit already requested")
    updated = attrs.evolve(membership, quote=None, exit_requested=True)
    new = attrs.evolve(state, memberships=state.memberships.set((op.market_id, op.sender), updated))
    return new, [event("MarketExitRequested", market_id=op.market_id, prover=op.sender)]


def process_leave_market(state: State, op: LeaveMarket, env: Env):
    """A member with no task in flight in the market leaves it."""
    membership = get_membership(state, op.market_id, op.sender)
    require(membership.active_tasks == 0, TasksInFlight, "market_id", f"{membership.active_tasks} task(s) in flight")
    new = attrs.evolve(state, memberships=state.memberships.discard((op.market_id, op.sender)))
    return new, [event("MarketLeft", market_id=op.market_id, prover=op.sender)]
