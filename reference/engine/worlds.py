"""Small protocol worlds for the matching tests, the differential tests and the benchmark:
markets served by one attested engine, staked provers quoting in them, open asks. Every world
is built by applying spec operations, so it is a reachable state."""
from __future__ import annotations

import hashlib
from typing import Optional

import attrs
from hypothesis import strategies as st

import spec
from reference.engine.tee import Engine, measurement_of, seal_private_inputs
from spec import operations as ops
from spec.containers import Config, State
from spec.env import STAND_IN_VERIFIER_ID
from spec.signing import public_key
from spec.types import MatchingProtocol

ENGINE = Engine(secret=hashlib.sha256(b"kalypso/v1/test-engine").digest(), measurement=measurement_of(b"kalypso matching engine v1"))
OWNER = "market-owner"
REQUESTER = "requester"
CONFIG = Config(stake_tokens=("POND", "ETH"), market_creation_fee=0)


def prover_secret(name: str) -> bytes:
    return hashlib.sha256(b"kalypso/v1/prover-key/" + name.encode()).digest()


def ephemeral_secret(label: str) -> bytes:
    return hashlib.sha256(b"kalypso/v1/test-ephemeral/" + label.encode()).digest()


@attrs.frozen
class MarketPlan:
    protocol: str
    slash_amount: tuple[tuple[str, int], ...] = (("POND", 10),)
    attested: bool = True


@attrs.frozen
class ProverPlan:
    name: str
    compute: int
    stake: tuple[tuple[str, int], ...]
    quotes: tuple[tuple[int, int, int, int], ...]
    keyed: bool = True


@attrs.frozen
class AskPlan:
    market: int
    max_price: int
    expiry_in: int
    proof_time: int
    preference: int
    private: Optional[bytes] = None


def build(markets: list[MarketPlan], provers: list[ProverPlan], asks: list[AskPlan], config: Config = CONFIG) -> State:
    """Apply the operations that create the planned world; every one must be accepted.
    `ProverPlan.quotes` are (market index, price, proposed time, compute per request)."""
    state = spec.genesis(config)
    def run(op):
        nonlocal state
        state, _ = spec.apply(state, op)
    for plan in markets:
        run(ops.CreateMarket(OWNER, STAND_IN_VERIFIER_ID, plan.protocol, dict(plan.slash_amount), ENGINE.key, 0))
        if plan.attested:
            run(ENGINE.attest_op(OWNER, state.next_market_id - 1))
    for plan in provers:
        run(ops.RegisterProver(plan.name, plan.name + "-rewards", plan.compute))
        if plan.keyed:
            run(ops.RegisterProverKey(plan.name, public_key(prover_secret(plan.name))))
        for token, amount in plan.stake:
            run(ops.Mint(plan.name, token, amount))
            run(ops.DepositStake(plan.name, token, amount))
        for market, price, time, compute in plan.quotes:
            run(ops.JoinMarket(plan.name, market, price, time, compute))
    total = sum(a.max_price for a in asks)
    if total:
        run(ops.Mint(REQUESTER, config.payment_token, total))
    for i, plan in enumerate(asks):
        private = None
        if plan.private is not None:
            private = seal_private_inputs(state, plan.market, REQUESTER, plan.private, ephemeral_secret(f"ask-{i}"))
        run(ops.CreateAsk(REQUESTER, plan.market, plan.max_price, state.time + plan.expiry_in, plan.proof_time, plan.preference, b"inputs-%d" % i, private))
    return state


@st.composite
def worlds(draw, protocols=(MatchingProtocol.ORDERBOOK.value,), max_provers: int = 8, max_asks: int = 12) -> State:
    """A world with 1-3 markets of the given protocols, provers quoting in some of them (few
    price and time values, so ties and dominated quotes are common), scarce compute and stake
    (so matches exhaust provers and cancel their other quotes), and asks, some with private inputs."""
    market_plans = [
        MarketPlan(draw(st.sampled_from(protocols)), tuple(draw(st.dictionaries(st.sampled_from(("POND", "ETH")), st.integers(1, 30), min_size=1)).items()), draw(st.booleans()))
        for _ in range(draw(st.integers(1, 3)))
    ]
    prover_plans = []
    for i in range(draw(st.integers(2, max_provers))):
        compute = draw(st.integers(1, 6))
        quotes = tuple(
            (m, draw(st.integers(0, 6)) * 10, draw(st.integers(1, 6)) * 10, draw(st.integers(1, compute)))
            for m in sorted(draw(st.sets(st.integers(0, len(market_plans) - 1), min_size=1)))
        )
        stake = tuple((token, amount) for token in ("POND", "ETH") if (amount := draw(st.sampled_from((0, 15, 30, 45, 60, 90)))) > 0)
        prover_plans.append(ProverPlan(f"p{i}", compute, stake, quotes, draw(st.booleans())))
    ask_plans = []
    for _ in range(draw(st.integers(2, max_asks))):
        m = draw(st.integers(0, len(market_plans) - 1))
        private = draw(st.one_of(st.none(), st.binary(min_size=1, max_size=8))) if market_plans[m].attested else None
        ask_plans.append(AskPlan(
            m, draw(st.integers(2, 9)) * 10, draw(st.integers(10, 60)), draw(st.integers(2, 9)) * 10,
            draw(st.sampled_from((0, 1, 2500, 5000, 7500, 9999, 10_000))), private,
        ))
    state = build(market_plans, prover_plans, ask_plans)
    advance = draw(st.integers(0, 10))
    return spec.apply(state, ops.AdvanceTime(advance))[0] if advance else state
