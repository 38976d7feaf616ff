"""The bridge between the executable spec and the bounded model.

`abstract_state` / `abstract_op` map a spec state or operation to the model's concrete values
(the symbolic structures with Python leaves); `to_spec_state` / `to_spec_op` map a model's
values back to a spec state and a replayable operation (real engine signatures, stand-in
proofs). A spec value outside the bounds raises `ModelGap`.
"""
from __future__ import annotations

import attrs
from pyrsistent import pmap

from properties.fixtures import ENGINE_KEYS, ENGINE_SECRETS, MODEL_ROOT_SECRET, WRONG_SECRET
from properties.z3 import operations as sops
from properties.z3.model import (
    ASK,
    ASK_STATES,
    Bounds,
    SAsk,
    SAssignment,
    SConfig,
    SMarket,
    SMembership,
    SProver,
    SState,
    SWithdrawal,
)
from spec import operations as ops
from spec.containers import Ask, Assignment, Config, Market, Membership, Prover, Quote, State, WithdrawalRequest
from spec.env import DEFAULT_ENV, STAND_IN_VERIFIER_ID, Env, stand_in_proof
from spec.restaked_stake import max_restaked_proof_time
from spec.restaking_state import Restaking, RestakingParams, VaultChain
from spec.engine import MEASUREMENT_BYTES
from spec.signing import assignment_message, attestation_message, invalid_inputs_message, is_public_key, sign, verify_signature
from spec.types import MATCHING_PROTOCOLS

STAKE_TOKEN_NAMES = ("POND", "EIGEN", "ETH")
MODEL_MEASUREMENT = bytes(range(MEASUREMENT_BYTES))
MODEL_PRIVATE_INPUTS = b"\x01"
UNKNOWN_TOKEN = "DOGE"
MALFORMED_KEY = "00"


class ModelGap(ValueError):
    """A spec value the bounded model cannot represent."""


@attrs.frozen
class Universe:
    """Names of the model's accounts and engine keys (key id i is `keys[i]`, signed by `secrets[i]`)."""

    accounts: tuple[str, ...]
    keys: tuple[str, ...] = ENGINE_KEYS
    secrets: tuple[bytes, ...] = ENGINE_SECRETS

    def account(self, name: str) -> int:
        if name not in self.accounts:
            raise ModelGap(f"account {name!r} is outside the model's universe {self.accounts}")
        return self.accounts.index(name)

    def key(self, key: str) -> int:
        if not is_public_key(key):
            return -1
        if key not in self.keys:
            raise ModelGap(f"engine key {key} is outside the model's universe")
        return self.keys.index(key)


def proof_universe(bounds: Bounds) -> Universe:
    return Universe(accounts=tuple(f"a{i}" for i in range(bounds.accounts)), keys=ENGINE_KEYS[: bounds.engine_keys],
                    secrets=ENGINE_SECRETS[: bounds.engine_keys])


def _per_stake(pmap_, tokens) -> tuple:
    extra = set(pmap_) - set(tokens)
    if extra:
        raise ModelGap(f"amounts for tokens {sorted(extra)} outside the stake tokens")
    return tuple(pmap_.get(t, 0) for t in tokens)


def _index(mapping, bound: int, what: str) -> None:
    for key in mapping:
        if not 0 <= key < bound:
            raise ModelGap(f"{what} {key} outside the bound {bound}")


def abstract_state(state: State, universe: Universe, bounds: Bounds) -> SState:
    """The model's values for a spec state."""
    config = state.config
    if len(config.tokens) != bounds.tokens:
        raise ModelGap(f"{len(config.tokens)} tokens, the model has {bounds.tokens}")
    if state.restaking.snapshots or state.restaking.backing:
        raise ModelGap("restaked stake (snapshots, restaked backing) is outside the model")
    stake_tokens = config.stake_tokens
    zeros = tuple(0 for _ in stake_tokens)
    _index(state.markets, bounds.markets, "market id")
    _index(state.asks, bounds.asks, "ask id")
    if not state.next_market_id <= bounds.markets or not state.next_ask_id <= bounds.asks:
        raise ModelGap("id counters outside the bounds")
    for name in state.provers:
        universe.account(name)
    for (_, name) in list(state.memberships) + [(None, p) for p, _ in state.withdrawals]:
        universe.account(name)
    for account, token in state.balances:
        universe.account(account)
        if token not in config.tokens:
            raise ModelGap(f"balance in unknown token {token}")

    def market(m: int) -> SMarket:
        mk = state.markets.get(m)
        if mk is None:
            return SMarket(0, 0, zeros, 0, False)
        return SMarket(universe.account(mk.owner), universe.key(mk.engine_key), _per_stake(mk.slash_amount, stake_tokens), mk.platform_fee,
                       mk.engine_measurement is not None)

    def prover(name: str) -> SProver:
        p = state.provers.get(name)
        if p is None:
            return SProver(False, 0, 0, 0, zeros, zeros, False)
        return SProver(True, universe.account(p.reward_address), p.declared_compute, p.compute_in_use,
                       _per_stake(p.stake, stake_tokens), _per_stake(p.locked, stake_tokens), p.encryption_key is not None)

    def membership(m: int, name: str) -> SMembership:
        ms = state.memberships.get((m, name))
        if ms is None:
            return SMembership(False, False, 0, 0, 0, 0, False)
        q = ms.quote
        return SMembership(True, q is not None, q.price if q else 0, q.proposed_time if q else 0, q.compute_per_request if q else 0,
                           ms.active_tasks, ms.exit_requested)

    def ask(n: int) -> SAsk:
        a = state.asks.get(n)
        if a is None:
            return SAsk(0, 0, 0, 0, 0, 0, 0, 0, 0, False, False, SAssignment(0, 0, 0, 0, 0, zeros))
        s = a.assignment
        assignment = (SAssignment(universe.account(s.prover), s.price, s.assigned_at, s.deadline, s.compute, _per_stake(s.locked, stake_tokens))
                      if s is not None else SAssignment(0, 0, 0, 0, 0, zeros))
        return SAsk(a.market_id, universe.account(a.requester), a.max_price, a.fee, a.expiry, a.proof_time, a.created_at, a.escrow,
                    ASK[a.state], a.private_inputs is not None, s is not None, assignment)

    def withdrawal(name: str, token: str) -> SWithdrawal:
        w = state.withdrawals.get((name, token))
        return SWithdrawal(False, 0, 0) if w is None else SWithdrawal(True, w.amount, w.available_at)

    return SState(
        config=SConfig(config.market_creation_fee, config.stake_withdrawal_delay, config.slash_compensation_bps, config.slash_burn_bps,
                       _token_index(config, config.restaking.stake_token), max_restaked_proof_time(config.restaking) >= 1),
        time=state.time,
        supply=tuple(state.supply.get(t, 0) for t in config.tokens),
        balances=tuple(tuple(state.balances.get((a, t), 0) for t in config.tokens) for a in universe.accounts),
        treasury=tuple(state.treasury.get(t, 0) for t in config.tokens),
        burnt=tuple(state.burnt.get(t, 0) for t in config.tokens),
        markets=tuple(market(m) for m in range(bounds.markets)),
        provers=tuple(prover(a) for a in universe.accounts),
        memberships=tuple(tuple(membership(m, a) for a in universe.accounts) for m in range(bounds.markets)),
        asks=tuple(ask(n) for n in range(bounds.asks)),
        withdrawals=tuple(tuple(withdrawal(a, t) for t in stake_tokens) for a in universe.accounts),
        next_market_id=state.next_market_id,
        next_ask_id=state.next_ask_id,
    )


def _token_index(config: Config, token: str) -> int:
    return config.tokens.index(token) if token in config.tokens else -1


def _slash_fields(config: Config, slash_amount) -> dict:
    return dict(
        slash_present=tuple(t in slash_amount for t in config.tokens),
        slash_amount=tuple(slash_amount.get(t, 0) for t in config.tokens),
        slash_unknown=any(t not in config.tokens for t in slash_amount),
    )


def abstract_op(op, state: State, universe: Universe, env: Env = DEFAULT_ENV):
    """The model's values for a spec operation applied to `state` (signature and proof checks
    evaluated with the spec's own functions)."""
    config = state.config
    cls = sops.SYMBOLIC_OPERATIONS[op.name]
    values = {}
    for f in attrs.fields(cls):
        if f.name in sops.ACCOUNT_FIELDS:
            values[f.name] = universe.account(getattr(op, f.name))
        elif f.name == "token":
            values[f.name] = _token_index(config, op.token)
        elif f.name == "engine_key":
            values[f.name] = universe.key(op.engine_key)
        elif hasattr(op, f.name):
            values[f.name] = getattr(op, f.name)
    if isinstance(op, (ops.CreateMarket, ops.UpdateMarket)):
        values.update(_slash_fields(config, op.slash_amount))
    if isinstance(op, ops.CreateMarket):
        values.update(verifier_known=op.verifier_id in env.verifiers, protocol_known=op.matching_protocol in MATCHING_PROTOCOLS)
    if isinstance(op, ops.CreateAsk):
        values["has_private_inputs"] = op.private_inputs is not None
    if isinstance(op, ops.AttestEngine):
        attested = state.markets.get(op.market_id)
        values["measurement_valid"] = len(op.measurement) == MEASUREMENT_BYTES
        values["attestation_valid"] = attested is not None and verify_signature(
            env.attestation_root, attestation_message(op.measurement, attested.engine_key), op.attestation)
    if isinstance(op, ops.RegisterProverKey):
        values["encryption_key_valid"] = is_public_key(op.encryption_key)
    ask = state.asks.get(getattr(op, "ask_id", None))
    market = state.markets.get(ask.market_id) if ask is not None else None
    if isinstance(op, ops.AssignTask):
        values["signature_valid"] = market is not None and verify_signature(
            market.engine_key, assignment_message(market.id, ask.id, op.prover, op.price), op.signature)
    if isinstance(op, ops.SubmitProof):
        values["proof_valid"] = market is not None and env.verifiers[market.verifier_id](ask.public_inputs, op.proof)
    if isinstance(op, ops.SubmitInvalidInputs):
        values["signature_valid"] = market is not None and ask.assignment is not None and verify_signature(
            market.engine_key, invalid_inputs_message(market.id, ask.id, ask.assignment.prover), op.signature)
    return cls(**values)


def _nonzero(tokens, values) -> dict:
    return {t: v for t, v in zip(tokens, values) if v != 0}


def spec_config(values: SConfig, bounds: Bounds) -> Config:
    tokens = ("USDC", *STAKE_TOKEN_NAMES[: bounds.stake_tokens])
    restaking = RestakingParams(stake_token=tokens[values.restaking_token] if 0 <= values.restaking_token < len(tokens) else UNKNOWN_TOKEN)
    if not values.restaking_feasible:
        restaking = attrs.evolve(restaking, epoch_duration=restaking.offset + restaking.bridge_delay_max + restaking.veto_duration)
    return Config(stake_tokens=tokens[1:], market_creation_fee=values.market_creation_fee,
                  stake_withdrawal_delay=values.stake_withdrawal_delay, slash_compensation_bps=values.slash_compensation_bps,
                  slash_burn_bps=values.slash_burn_bps, restaking=restaking)


def _require_representable(values: SState, universe: Universe, bounds: Bounds) -> None:
    """The references a spec state needs are inside the bounds (the auxiliary invariant A1)."""
    accounts, keys = range(len(universe.accounts)), range(len(universe.keys))
    problems = []
    if not 0 <= values.next_market_id <= bounds.markets or not 0 <= values.next_ask_id <= bounds.asks:
        problems.append("id counters")
    for m, market in enumerate(values.markets[: max(0, values.next_market_id)]):
        if market.owner not in accounts or market.engine_key not in keys:
            problems.append(f"market {m}")
    for a, prover in enumerate(values.provers):
        if prover.registered and prover.reward_address not in accounts:
            problems.append(f"prover {a}")
    for n, ask in enumerate(values.asks[: max(0, values.next_ask_id)]):
        if ask.requester not in accounts or ask.state not in range(len(ASK_STATES)) or (
                ask.has_assignment and ask.assignment.prover not in accounts):
            problems.append(f"ask {n}")
    if problems:
        raise ModelGap(f"the model's state is not a spec state (out of range: {', '.join(problems)})")


def to_spec_state(values: SState, universe: Universe, bounds: Bounds) -> State:
    """A spec state for the model's values (absent entries dropped, zero amounts omitted)."""
    config = spec_config(values.config, bounds)
    tokens, stake_tokens, names = config.tokens, config.stake_tokens, universe.accounts
    _require_representable(values, universe, bounds)
    markets = {
        m: Market(id=m, owner=names[mk.owner], verifier_id=STAND_IN_VERIFIER_ID, matching_protocol="orderbook",
                  slash_amount=_nonzero(stake_tokens, mk.slash_amount), engine_key=universe.keys[mk.engine_key], platform_fee=mk.platform_fee,
                  engine_measurement=MODEL_MEASUREMENT if mk.attested else None)
        for m, mk in enumerate(values.markets) if m < values.next_market_id
    }
    provers = {
        names[a]: Prover(address=names[a], reward_address=names[p.reward_address], declared_compute=p.declared_compute,
                         compute_in_use=p.compute_in_use, stake=_nonzero(stake_tokens, p.stake), locked=_nonzero(stake_tokens, p.locked),
                         encryption_key=ENGINE_KEYS[0] if p.has_encryption_key else None)
        for a, p in enumerate(values.provers) if p.registered
    }
    memberships = {
        (m, names[a]): Membership(market_id=m, prover=names[a],
                                  quote=Quote(ms.price, ms.proposed_time, ms.compute_per_request) if ms.has_quote else None,
                                  active_tasks=ms.active_tasks, exit_requested=ms.exit_requested)
        for m, row in enumerate(values.memberships) for a, ms in enumerate(row) if ms.member
    }

    def assignment(s: SAssignment) -> Assignment:
        return Assignment(prover=names[s.prover], price=s.price, assigned_at=s.assigned_at, deadline=s.deadline, compute=s.compute,
                          locked=_nonzero(stake_tokens, s.locked))

    asks = {
        n: Ask(id=n, market_id=a.market_id, requester=names[a.requester], max_price=a.max_price, fee=a.fee, expiry=a.expiry,
               proof_time=a.proof_time, price_time_preference=0, public_inputs=b"",
               private_inputs=MODEL_PRIVATE_INPUTS if a.has_private_inputs else None, created_at=a.created_at,
               escrow=a.escrow, state=ASK_STATES[a.state], assignment=assignment(a.assignment) if a.has_assignment else None)
        for n, a in enumerate(values.asks) if n < values.next_ask_id
    }
    withdrawals = {
        (names[a], stake_tokens[k]): WithdrawalRequest(w.amount, w.available_at)
        for a, row in enumerate(values.withdrawals) for k, w in enumerate(row) if w.pending
    }
    balances = {(names[a], tokens[t]): v for a, row in enumerate(values.balances) for t, v in enumerate(row) if v != 0}
    return State(
        config=config, time=values.time, restaking=Restaking(vault_chain=VaultChain(time=values.time)), supply=_nonzero(tokens, values.supply), balances=balances,
        treasury=_nonzero(tokens, values.treasury), burnt=_nonzero(tokens, values.burnt), markets=pmap(markets),
        provers=pmap(provers), memberships=pmap(memberships), asks=pmap(asks), withdrawals=pmap(withdrawals),
        next_market_id=values.next_market_id, next_ask_id=values.next_ask_id,
    )


def to_spec_op(values, pre: State, universe: Universe):
    """A replayable spec operation for the model's operation values on the spec state `pre`."""
    config = pre.config
    spec_cls = ops.OPERATIONS[values.name]
    kwargs = {}
    for f in attrs.fields(spec_cls):
        if f.name in sops.ACCOUNT_FIELDS:
            kwargs[f.name] = universe.accounts[getattr(values, f.name)]
        elif f.name == "token":
            kwargs[f.name] = config.tokens[values.token] if values.token >= 0 else UNKNOWN_TOKEN
        elif f.name == "engine_key":
            kwargs[f.name] = universe.keys[values.engine_key] if values.engine_key >= 0 else MALFORMED_KEY
        elif f.name == "slash_amount":
            amounts = {t: a for t, a, present in zip(config.tokens, values.slash_amount, values.slash_present) if present}
            kwargs[f.name] = {**amounts, UNKNOWN_TOKEN: 1} if values.slash_unknown else amounts
        elif f.name == "verifier_id":
            kwargs[f.name] = STAND_IN_VERIFIER_ID if values.verifier_known else "unknown/verifier"
        elif f.name == "matching_protocol":
            kwargs[f.name] = "orderbook" if values.protocol_known else "barter"
        elif f.name == "public_inputs":
            kwargs[f.name] = b""
        elif f.name == "private_inputs":
            kwargs[f.name] = MODEL_PRIVATE_INPUTS if values.has_private_inputs else None
        elif f.name == "measurement":
            kwargs[f.name] = MODEL_MEASUREMENT if values.measurement_valid else b"\x00"
        elif f.name == "encryption_key":
            kwargs[f.name] = ENGINE_KEYS[0] if values.encryption_key_valid else MALFORMED_KEY
        elif f.name in ("signature", "proof", "attestation"):
            continue
        else:
            kwargs[f.name] = getattr(values, f.name)
    ask = pre.asks.get(getattr(values, "ask_id", None))
    market = pre.markets.get(ask.market_id) if ask is not None else None

    def engine_secret(valid: bool) -> bytes:
        if valid and market is not None:
            return universe.secrets[universe.keys.index(market.engine_key)]
        return WRONG_SECRET

    if spec_cls is ops.AssignTask:
        message = assignment_message(ask.market_id if ask else 0, values.ask_id, kwargs["prover"], values.price)
        kwargs["signature"] = sign(engine_secret(values.signature_valid), message)
    elif spec_cls is ops.SubmitInvalidInputs:
        prover = ask.assignment.prover if ask is not None and ask.assignment is not None else kwargs["sender"]
        message = invalid_inputs_message(ask.market_id if ask else 0, values.ask_id, prover)
        kwargs["signature"] = sign(engine_secret(values.signature_valid), message)
    elif spec_cls is ops.AttestEngine:
        attested = pre.markets.get(values.market_id)
        message = attestation_message(kwargs["measurement"], attested.engine_key if attested else MALFORMED_KEY)
        kwargs["attestation"] = sign(MODEL_ROOT_SECRET if values.attestation_valid else WRONG_SECRET, message)
    elif spec_cls is ops.SubmitProof:
        kwargs["proof"] = stand_in_proof(ask.public_inputs if ask else b"") if values.proof_valid else b""
    return spec_cls(**kwargs)
