"""Small protocol worlds for the matching tests, the differential tests and the benchmark:
markets served by one attested engine, staked provers quoting in them, open asks. Every world
is built with `properties.world.World` (by applying spec operations), so it is a reachable state."""
from __future__ import annotations

from typing import Optional

import attrs
from hypothesis import strategies as st

import spec
from properties.fixtures import ENCLAVE_MEASUREMENT, ENCLAVE_SECRET, ephemeral_secret, prover_secret
from properties.world import World
from reference.engine.tee import Engine, seal_private_inputs
from spec import operations as ops
from spec.containers import Config, State
from spec.signing import public_key
from spec.types import MatchingProtocol

ENGINE = Engine(secret=ENCLAVE_SECRET, measurement=ENCLAVE_MEASUREMENT)
OWNER = "market-owner"
REQUESTER = "requester"
CONFIG = Config(stake_tokens=("POND", "ETH"), market_creation_fee=0)


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
    w = World(config, time=0, engine_secret=ENGINE.secret)
    for plan in markets:
        market_id = w.market(OWNER, dict(plan.slash_amount), ENGINE.key, 0, plan.protocol)
        if plan.attested:
            w.do(ENGINE.attest_op(OWNER, market_id))
    for plan in provers:
        w.prover(plan.name, plan.compute, stake=0)
        if plan.keyed:
            w.do(ops.RegisterProverKey(plan.name, public_key(prover_secret(plan.name))))
        for token, amount in plan.stake:
            w.do(ops.Mint(plan.name, token, amount), ops.DepositStake(plan.name, token, amount))
        for market, price, time, compute in plan.quotes:
            w.join(plan.name, market, price, time, compute)
    total = sum(a.max_price for a in asks)
    if total:
        w.do(ops.Mint(REQUESTER, config.payment_token, total))
    for i, plan in enumerate(asks):
        private = None
        if plan.private is not None:
            private = seal_private_inputs(w.state, plan.market, REQUESTER, plan.private, ephemeral_secret(f"ask-{i}"))
        w.ask(plan.market, REQUESTER, plan.max_price, plan.expiry_in, plan.proof_time, plan.preference, b"inputs-%d" % i, private)
    return w.state


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
