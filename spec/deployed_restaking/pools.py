"""The two staking pools behind the StakingManager: NativeStaking (tokens held on L2) and
SymbioticStaking's lock side (stake read from the latest confirmed snapshot), the stake-token
selection both use, and the admins' `emergencyWithdraw`. The pools replace the parent's stake
in the prover registry (GeneratorRegistry)."""
from __future__ import annotations

import attrs

from spec.deployed_native.keys import is_zero
from spec.deployed_native.ledger import transfer
from spec.deployed_native.uint import sub
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.containers import EMERGENCY_TARGETS, NATIVE, Lock, State, Withdrawal
from spec.deployed_restaking.errors import need
from spec.env import Env
from spec.errors import MalformedOperation, UnknownToken
from spec.events import Event, event


def _add(m, key, amount):
    """m[key] += amount, a slot at zero absent (as `_sub` leaves it): one state for each storage."""
    value = m.get(key, 0) + amount
    return m.set(key, value) if value else m


def _sub(m, key, amount, field):
    value = sub(m.get(key, 0), amount, field)
    return m.remove(key) if value == 0 and key in m else (m.set(key, value) if value or key in m else m)


# ---- stake-token selection -------------------------------------------------------------------

def select_stake_token(tokens, weights, locks: dict, active, draw: int, code_empty: str) -> str:
    """NativeStaking.sol:243 / SymbioticStaking.sol:508 _selectStakeToken: the tokens with a
    non-zero weight, in set order; repeat: r = draw % weightSum, the first token whose cumulative
    weight exceeds r is chosen if the prover's active stake covers its lock amount, else it is
    swapped out with the last candidate and its weight leaves the sum; none left:
    NoStakeTokenAvailableToLock. `draw` is keccak256(timestamp, blockhash(n - 1), StakingManager)
    on chain: the same for both pools and for every candidate round."""
    need(sum(weights) > 0, code_empty, "draw", "the selection weights sum to zero")
    cand = [(t, w) for t, w in zip(tokens, weights) if w > 0]
    weight_sum = sum(weights)
    while True:
        need(len(cand) > 0, "NoStakeTokenAvailableToLock", "prover", "no stake token covers its lock amount")
        r = draw % weight_sum
        cumulative, i = 0, 0
        for i, (token, w) in enumerate(cand):
            cumulative += w
            if r < cumulative:
                break
        token = cand[i][0]
        if active(token) >= locks[token]:
            return token
        weight_sum -= cand[i][1]
        cand[i] = cand[-1]
        cand.pop()


# ---- SymbioticStaking, the lock side --------------------------------------------------------

def latest_timestamp(state: State) -> int:
    """SymbioticStaking.sol:365 latestConfirmedTimestamp (0 before any)."""
    latest = state.symbiotic.latest
    return latest.capture_timestamp if latest else 0


def latest_block(state: State) -> int:
    """SymbioticStaking.sol:370 latestConfirmedTimestampBlockNumber (0 before any)."""
    latest = state.symbiotic.latest
    return latest.block_number if latest else 0


def symbiotic_active(state: State, token: str, prover: str) -> int:
    """SymbioticStaking.sol:403 getProverActiveStakeAmount: the latest confirmed capture's stake
    minus what is locked, floored at 0."""
    stake = state.symbiotic.prover_stake.get((latest_timestamp(state), token, prover), 0)
    locked = state.symbiotic.locked.get((token, prover), 0)
    return stake - locked if stake > locked else 0


def symbiotic_lock(state: State, bid_id: int, prover: str, draw: int) -> tuple[State, list[Event]]:
    """SymbioticStaking.sol:289 lockStake: select a token against the latest confirmed capture,
    lock its amount. The lock does not record the capture it was taken against."""
    c = state.config
    locks = dict(zip(c.symbiotic_tokens, c.symbiotic_lock))
    token = select_stake_token(c.symbiotic_tokens, c.symbiotic_weights, locks, lambda t: symbiotic_active(state, t, prover), draw,
                               "ZeroStakeTokenSelectionWeightSum")
    pool = state.symbiotic
    pool = attrs.evolve(pool, locks=pool.locks.set(bid_id, Lock(token, locks[token])), locked=_add(pool.locked, (token, prover), locks[token]))
    return attrs.evolve(state, symbiotic=pool), [event("StakeLocked", bidId=bid_id, prover=prover, token=token, amount=locks[token])]


NO_TOKEN = "0x" + "00" * 20


def symbiotic_unlock(state: State, bid_id: int, prover: str) -> tuple[State, list[Event]]:
    """SymbioticStaking.sol:299 onTaskCompletion with a zero fee (the only fee ProofMarketplace
    passes, ProofMarketplace.sol:478-483: the transmitter's commission branch never runs): the
    lock is released; StakeUnlocked is emitted even for a bid without a lock (token zero, 0)."""
    lock = state.symbiotic.locks.get(bid_id, Lock(NO_TOKEN, 0))
    pool = state.symbiotic
    pool = attrs.evolve(pool, locks=pool.locks.discard(bid_id), locked=_sub(pool.locked, (lock.token, prover), lock.amount, "prover"))
    return attrs.evolve(state, symbiotic=pool), [event("StakeUnlocked", bidId=bid_id, prover=prover, token=lock.token, amount=lock.amount)]


def symbiotic_slash(state: State, tasks) -> tuple[State, list[Event]]:
    """SymbioticStaking.sol:334 slash: a lock is released (TaskSlashed); no tokens move on L2."""
    events = []
    for bid_id, prover, _ in tasks:
        lock = state.symbiotic.locks.get(bid_id)
        if lock is None or lock.amount == 0:
            continue
        pool = state.symbiotic
        pool = attrs.evolve(pool, locks=pool.locks.remove(bid_id), locked=_sub(pool.locked, (lock.token, prover), lock.amount, "provers"))
        state = attrs.evolve(state, symbiotic=pool)
        events.append(event("TaskSlashed", bidId=bid_id, prover=prover, token=lock.token, amount=lock.amount))
    return state, events


# ---- NativeStaking ---------------------------------------------------------------------------

def native_active(state: State, token: str, prover: str) -> int:
    """NativeStaking.sol:215 getProverActiveStakeAmount: stake - locked (checked)."""
    pool = state.native
    return sub(pool.prover_stake.get((token, prover), 0), pool.locked.get((token, prover), 0), "prover")


def native_lock(state: State, bid_id: int, prover: str, draw: int) -> tuple[State, list[Event]]:
    """NativeStaking.sol:156 lockStake: select a token, lock its `amountToLock` for the bid."""
    c = state.config
    locks = dict(zip(c.native_tokens, c.native_lock))
    token = select_stake_token(c.native_tokens, c.native_weights, locks, lambda t: native_active(state, t, prover), draw,
                               "REVERT_STRING")
    amount = locks[token]
    pool = state.native
    pool = attrs.evolve(pool, locks=pool.locks.set(bid_id, Lock(token, amount)), locked=_add(pool.locked, (token, prover), amount))
    return attrs.evolve(state, native=pool), [event("StakeLocked", bidId=bid_id, prover=prover, token=token, amount=amount)]


def native_unlock(state: State, bid_id: int, prover: str) -> tuple[State, list[Event]]:
    """NativeStaking.sol:170 onTaskCompletion: no lock, nothing; else the lock is released
    (StakeUnlocked)."""
    lock = state.native.locks.get(bid_id)
    if lock is None or lock.amount == 0:
        return state, []
    pool = state.native
    pool = attrs.evolve(pool, locks=pool.locks.remove(bid_id), locked=_sub(pool.locked, (lock.token, prover), lock.amount, "prover"))
    return attrs.evolve(state, native=pool), [event("StakeUnlocked", bidId=bid_id, prover=prover, token=lock.token, amount=lock.amount)]


def native_slash(state: State, tasks) -> tuple[State, list[Event]]:
    """NativeStaking.sol:183 slash: for each (bid, prover, reward address) with a lock, release it
    and send the locked tokens to the reward address (TaskSlashed); no lock, nothing."""
    events = []
    for bid_id, prover, reward_address in tasks:
        lock = state.native.locks.get(bid_id)
        if lock is None or lock.amount == 0:
            continue
        pool = state.native
        pool = attrs.evolve(pool, locks=pool.locks.remove(bid_id), locked=_sub(pool.locked, (lock.token, prover), lock.amount, "provers"))
        state = transfer(attrs.evolve(state, native=pool), NATIVE, reward_address, lock.token, lock.amount, "reward_addresses")
        events.append(event("TaskSlashed", bidId=bid_id, prover=prover, token=lock.token, amount=lock.amount))
    return state, events


def process_stake(state: State, op: ops.Stake, env: Env):
    """NativeStaking.sol:101 stake: a supported token (TokenNotSupported), only the prover for
    itself (OnlyProverCanStake); the tokens move to NativeStaking."""
    need(op.token in state.config.native_tokens, "TokenNotSupported", "token", f"{op.token} is not a native stake token")
    need(op.sender == op.prover, "OnlyProverCanStake", "prover", "only the prover stakes for itself")
    state = transfer(state, op.sender, NATIVE, op.token, op.amount)
    pool = state.native
    pool = attrs.evolve(pool, stakes=_add(pool.stakes, (op.token, op.sender, op.prover), op.amount),
                        prover_stake=_add(pool.prover_stake, (op.token, op.prover), op.amount))
    return attrs.evolve(state, native=pool), [event("Staked", account=op.sender, prover=op.prover, token=op.token, amount=op.amount)]


def process_request_stake_withdrawal(state: State, op: ops.RequestStakeWithdrawal, env: Env):
    """NativeStaking.sol:118 requestStakeWithdrawal: the prover's active stake covers the amount
    (InsufficientStakeAmount), amount > 0 (ZeroAmount); the sender's own stake drops (checked),
    a request matures `withdrawalDuration` seconds later."""
    need(native_active(state, op.token, op.prover) >= op.amount, "InsufficientStakeAmount", "amount", "exceeds the active stake")
    need(op.amount > 0, "ZeroAmount", "amount", "must be > 0")
    pool = state.native
    key = (op.sender, op.prover)
    requests = pool.withdrawals.get(key, ()) + (Withdrawal(op.token, op.amount, state.now + state.config.withdrawal_duration),)
    pool = attrs.evolve(pool, stakes=_sub(pool.stakes, (op.token, op.sender, op.prover), op.amount, "amount"),
                        prover_stake=_sub(pool.prover_stake, (op.token, op.prover), op.amount, "amount"),
                        withdrawals=pool.withdrawals.set(key, requests))
    return attrs.evolve(state, native=pool), [event("StakeWithdrawalRequested", account=op.sender, prover=op.prover, token=op.token,
                                                    index=len(requests) - 1, amount=op.amount)]


def process_withdraw_stake(state: State, op: ops.WithdrawStake, env: Env):
    """NativeStaking.sol:134 withdrawStake: only the prover (OnlyProverCanWithdrawStake), at
    least one index (InvalidIndexLength); each request exists (panic 0x32), has matured
    (WithdrawalTimeNotReached) and is not spent (InvalidWithdrawalAmount); it is zeroed and its
    tokens leave NativeStaking."""
    need(op.sender == op.prover, "OnlyProverCanWithdrawStake", "sender", "only the prover withdraws")
    need(len(op.indices) > 0, "InvalidIndexLength", "indices", "must not be empty")
    key, events = (op.sender, op.prover), []
    for index in op.indices:
        requests = state.native.withdrawals.get(key, ())
        need(index < len(requests), "PANIC_0x32", "indices", f"no withdrawal request {index}")
        request = requests[index]
        need(request.time <= state.now, "WithdrawalTimeNotReached", "indices", f"request {index} matures at {request.time}")
        need(request.amount > 0, "InvalidWithdrawalAmount", "indices", f"request {index} is spent")
        requests = requests[:index] + (Withdrawal("0x" + "00" * 20, 0, 0),) + requests[index + 1:]
        state = attrs.evolve(state, native=attrs.evolve(state.native, withdrawals=state.native.withdrawals.set(key, requests)))
        state = transfer(state, NATIVE, op.sender, request.token, request.amount, "indices")
        events.append(event("StakeWithdrawn", account=op.sender, prover=op.prover, token=request.token, index=index, amount=request.amount))
    return state, events


def process_emergency_withdraw(state: State, op: ops.EmergencyWithdraw, env: Env):
    """NativeStaking.sol:343, StakingManager.sol:247, SymbioticStaking.sol:701 emergencyWithdraw
    (DEFAULT_ADMIN_ROLE): the contract's whole balance of `token` goes to `to`, staked or locked
    tokens included; nothing in the pools' accounting changes."""
    holder = EMERGENCY_TARGETS.get(op.contract)
    if holder is None:
        raise MalformedOperation("contract", f"must be one of {sorted(EMERGENCY_TARGETS)}")
    if op.token not in state.config.tokens:
        raise UnknownToken("token", f"{op.token!r} is not one of {list(state.config.tokens)}")
    need(op.sender == state.config.admin, "AccessControlUnauthorizedAccount", "sender", f"{op.sender} lacks DEFAULT_ADMIN_ROLE")
    need(not is_zero(op.to), "ZeroToAddress", "to", "must not be the zero address")
    return transfer(state, holder, op.to, op.token, state.balances.get((holder, op.token), 0), "token"), []
