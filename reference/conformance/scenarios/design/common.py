"""Builders shared by the design fork's scenario modules."""
from __future__ import annotations

from pyrsistent import pmap

from properties.fixtures import (
    ALICE, CAROL, ENGINE_KEY, MALLORY, MEASUREMENT, MODEL_ROOT_SECRET, OTHER_KEY, P0, P1, attest, restaking_config,
)
from properties.world import World, assignment_signature, open_market
from spec import operations as ops
from spec.env import STAND_IN_VERIFIER_ID


def pond(amount: int):
    return pmap({"POND": amount})


def create(sender=ALICE, verifier=STAND_IN_VERIFIER_ID, protocol="orderbook", slash=None, key=ENGINE_KEY, fee=10):
    return ops.CreateMarket(sender, verifier, protocol, pond(100) if slash is None else pmap(slash), key, fee)


def ask(sender=ALICE, market=0, max_price=200, expiry=1_300, proof_time=100, preference=5_000, private=None):
    return ops.CreateAsk(sender, market, max_price, expiry, proof_time, preference, b"\x01\x02", private)


def assign(ask=0, prover=P0, price=100, market=0, secret=None, signed_price=None, sender=MALLORY):
    signature = assignment_signature(market, ask, prover, price if signed_price is None else signed_price,
                                     **({} if secret is None else {"secret": secret}))
    return ops.AssignTask(sender, ask, prover, price, signature)


def two_markets_one_prover():
    """p0 (compute 4, 500 stake) quotes in market 0 (slash 100) and market 1 (slash 450, compute 1)."""
    w = open_market()
    w.market(owner=CAROL, slash={"POND": 450}, key=OTHER_KEY)
    w.join(P0, 1, price=60, compute=1)
    w.ask(0)
    return w


RESTAKED = ("create_vault", "vault_deposit", "transmit_snapshot_part", "deliver_message")


def restaking_world() -> World:
    """Funded accounts under `restaking_config`, p0 and p1 registered without native stake."""
    w = World(restaking_config()).funded()
    w.prover(P0, stake=0)
    w.prover(P1, stake=0)
    return w


def two_operators() -> World:
    """p0 and p1 registered, vault v1 delegating 2:1 to them with 999 staked; time 1100."""
    w = restaking_world()
    w.vault(operators={P0: 2, P1: 1}, deposit=999)
    return w.wait(100)


def attestation(measurement: bytes = MEASUREMENT, engine_key: str = ENGINE_KEY, root_secret=None) -> bytes:
    return attest(measurement, engine_key, MODEL_ROOT_SECRET if root_secret is None else root_secret)


def attested_market() -> World:
    """`open_market` with market 0's engine attested."""
    return open_market().do(ops.AttestEngine(ALICE, 0, MEASUREMENT, attestation()))
