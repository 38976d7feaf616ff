"""What a loaded state must be before any transition runs on it (the adapter's `load`, the
conformance runner's pre-states): canonical JSON (`codec.decode_state`), then the structure every
transition relies on. Each map entry is stored under its own id; every reference points at
something that exists; amounts lie in their ranges; the market's verifier is one the environment
has; and the books balance. A state that breaks any of it is refused with `MalformedState` naming
the JSON path, so no later call can crash on it or misread it (e.g. an ask stored under another
id, cancelled, refunding twice).
"""
from __future__ import annotations

from spec.codec import decode_state
from spec.containers import State
from spec.env import DEFAULT_ENV, Env
from spec.errors import MalformedState
from spec.signing import is_public_key
from spec.types import MATCHING_PROTOCOLS, OPEN_ASK_STATES, AskState

ASSIGNED_STATES = frozenset({AskState.ASSIGNED, AskState.COMPLETE, AskState.DEADLINE_CROSSED, AskState.INVALID_INPUTS})


def _require(condition: bool, path: str, rule: str) -> None:
    if not condition:
        raise MalformedState(path, rule)


def load_state(data, env: Env = DEFAULT_ENV) -> State:
    """A state from JSON data that is canonical and well formed, or `MalformedState`."""
    state = decode_state(data)
    check_state(state, env)
    return state


def _amounts(path: str, amounts, tokens, positive: bool = False) -> None:
    for token, amount in amounts.items():
        _require(token in tokens, f"{path}.{token}", f"not one of {list(tokens)}")
        _require(amount > 0 if positive else amount >= 0, f"{path}.{token}", "must be > 0" if positive else "must be >= 0")


def check_state(state: State, env: Env = DEFAULT_ENV) -> None:
    """Raise `MalformedState` at the first structural rule `state` breaks (module docstring)."""
    config = state.config
    tokens, stake_tokens = config.tokens, config.stake_tokens
    _require(state.time >= 0, "$.time", "must be >= 0")
    _require(state.next_market_id >= 0 and state.next_ask_id >= 0, "$.next_market_id", "counters are >= 0")
    for (account, token), amount in state.balances.items():
        _require(token in tokens and amount > 0, f"$.balances.{account}.{token}", "a known token, amount > 0")
    for name in ("supply", "treasury", "burnt"):
        _amounts(f"$.{name}", getattr(state, name), tokens)
    for market_id, market in state.markets.items():
        path = f"$.markets.{market_id}"
        _require(market.id == market_id and 0 <= market_id < state.next_market_id, f"{path}.id", "a market is stored under its id, below next_market_id")
        _require(market.verifier_id in env.verifiers, f"{path}.verifier_id", f"{market.verifier_id!r} is not a registered verifier")
        _require(market.matching_protocol in MATCHING_PROTOCOLS, f"{path}.matching_protocol", f"must be one of {sorted(MATCHING_PROTOCOLS)}")
        _require(is_public_key(market.engine_key), f"{path}.engine_key", "a compressed secp256k1 key, lower-case hex")
        _require(len(market.slash_amount) > 0, f"{path}.slash_amount", "names at least one stake token")
        _amounts(f"{path}.slash_amount", market.slash_amount, stake_tokens, positive=True)
        _require(market.platform_fee >= 0, f"{path}.platform_fee", "must be >= 0")
        _require(market.engine_measurement is None or len(market.engine_measurement) == 32, f"{path}.engine_measurement", "32 bytes or null")
    for address, prover in state.provers.items():
        path = f"$.provers.{address}"
        _require(prover.address == address, f"{path}.address", "a prover is stored under its address")
        _require(0 <= prover.compute_in_use <= prover.declared_compute, f"{path}.compute_in_use", "0 <= compute_in_use <= declared_compute")
        _amounts(f"{path}.stake", prover.stake, stake_tokens)
        _amounts(f"{path}.locked", prover.locked, stake_tokens)
        for token, amount in prover.locked.items():
            _require(amount <= prover.stake.get(token, 0), f"{path}.locked.{token}", "locked stake is part of stake")
        _require(prover.encryption_key is None or is_public_key(prover.encryption_key), f"{path}.encryption_key",
                 "null or a compressed secp256k1 key, lower-case hex")
    for (market_id, address), membership in state.memberships.items():
        path = f"$.memberships.{market_id}.{address}"
        _require((membership.market_id, membership.prover) == (market_id, address), path, "stored under its (market_id, prover)")
        _require(market_id in state.markets and address in state.provers, path, "of an existing market and a registered prover")
        _require(membership.active_tasks >= 0, f"{path}.active_tasks", "must be >= 0")
        quote = membership.quote
        _require(quote is None or (quote.price >= 0 and quote.proposed_time > 0 and quote.compute_per_request > 0), f"{path}.quote",
                 "price >= 0, proposed_time > 0, compute_per_request > 0")
    for ask_id, ask in state.asks.items():
        path = f"$.asks.{ask_id}"
        _require(ask.id == ask_id and 0 <= ask_id < state.next_ask_id, f"{path}.id", "an ask is stored under its id, below next_ask_id")
        _require(ask.market_id in state.markets, f"{path}.market_id", "an existing market")
        _require(ask.max_price > 0 and ask.fee >= 0 and ask.proof_time > 0, path, "max_price > 0, fee >= 0, proof_time > 0")
        open_escrow = ask.max_price + ask.fee if ask.state in OPEN_ASK_STATES else 0
        _require(ask.escrow == open_escrow, f"{path}.escrow", "max_price + fee while open, 0 once closed")
        _require((ask.assignment is not None) == (ask.state in ASSIGNED_STATES), f"{path}.assignment", "present iff the ask was assigned")
        if ask.assignment is not None:
            a = ask.assignment
            _require(a.prover in state.provers, f"{path}.assignment.prover", "a registered prover")
            _require(0 <= a.price <= ask.max_price and a.compute > 0, f"{path}.assignment", "0 <= price <= max_price, compute > 0")
            _amounts(f"{path}.assignment.locked", a.locked, stake_tokens, positive=True)
            if ask.state == AskState.ASSIGNED:
                _require((ask.market_id, a.prover) in state.memberships, f"{path}.assignment.prover", "a member of the ask's market")
    for (address, token), request in state.withdrawals.items():
        path = f"$.withdrawals.{address}.{token}"
        _require(address in state.provers and token in stake_tokens, path, "of a registered prover, in a stake token")
        _require(request.amount > 0, f"{path}.amount", "must be > 0")
    _check_restaking(state)
    _check_books(state)


def _check_restaking(state: State) -> None:
    restaking = state.restaking
    for vault_id, vault in restaking.vault_chain.vaults.items():
        path = f"$.restaking.vault_chain.vaults.{vault_id}"
        _require(vault.id == vault_id, f"{path}.id", "a vault is stored under its id")
        _require(vault.epoch_duration > 0 and vault.active >= 0 and vault.slashed >= 0, path, "epoch_duration > 0, active and slashed >= 0")
        for name in ("operator_shares", "active_shares", "buckets", "bucket_shares", "claims", "slashed_for_capture"):
            _require(all(v >= 0 for v in getattr(vault, name).values()), f"{path}.{name}", "entries are >= 0")
    for request_id, request in restaking.vault_chain.requests.items():
        path = f"$.restaking.vault_chain.requests.{request_id}"
        _require(request.id == request_id and request.vault_id in restaking.vault_chain.vaults, path, "stored under its id, of an existing vault")
    for name in ("in_flight", "dropped"):
        for message_id, message in getattr(restaking.bridge, name).items():
            _require(message.id == message_id and 0 <= message_id < restaking.bridge.next_id, f"$.restaking.bridge.{name}.{message_id}",
                     "stored under its id, below next_id")
    for capture_ts, snapshot in restaking.snapshots.items():
        _require(snapshot.capture_ts == capture_ts and snapshot.count >= 1, f"$.restaking.snapshots.{capture_ts}", "stored under its capture, count >= 1")
    for ask_id, backing in restaking.backing.items():
        ask = state.asks.get(ask_id)
        _require(ask is not None and ask.state == AskState.ASSIGNED and ask.assignment.prover == backing.prover,
                 f"$.restaking.backing.{ask_id}", "backs an ASSIGNED ask of its prover")
    for slash_id, slash in restaking.slashes.items():
        _require(slash.id == slash_id and slash.ask_id in state.asks, f"$.restaking.slashes.{slash_id}", "stored under its id, of an existing ask")
    for (address, vault_id), amount in restaking.locked.items():
        _require(address in state.provers and amount >= 0, f"$.restaking.locked.{address}.{vault_id}", "of a registered prover, >= 0")


def _check_books(state: State) -> None:
    """The books balance: per token, balances + open escrows + native stake + treasury + burnt
    equals the supply (a state that does not could pay out money no one minted)."""
    for token in state.config.tokens:
        held = sum(v for (_, t), v in state.balances.items() if t == token)
        escrow = sum(a.escrow for a in state.asks.values()) if token == state.config.payment_token else 0
        staked = sum(p.stake.get(token, 0) for p in state.provers.values())
        total = held + escrow + staked + state.treasury.get(token, 0) + state.burnt.get(token, 0)
        _require(total == state.supply.get(token, 0), f"$.supply.{token}", f"balances, escrows, stake, treasury and burnt add up to {total}")
