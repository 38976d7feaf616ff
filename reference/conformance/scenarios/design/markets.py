"""Scenarios of `spec.markets`: creating and updating markets."""
from __future__ import annotations

from properties.fixtures import ALICE, CAROL, ENGINE_KEY, MALLORY, OTHER_KEY, P0, restaking_config
from properties.world import World, assigned_task, open_market
from reference.conformance.scenarios.design.common import attested_market, create, pond
from reference.conformance.scenarios.design.registry import scenario
from spec import operations as ops
from spec.env import STAND_IN_VERIFIER_ID


@scenario("create_market", "MALFORMED_OPERATION")
def create_market_slash_amount_not_map():
    """slash_amount maps token names to amounts."""
    return World().funded().state, [{"op": "create_market", "args": {
        "sender": ALICE, "verifier_id": STAND_IN_VERIFIER_ID, "matching_protocol": "orderbook", "slash_amount": ["POND"],
        "engine_key": ENGINE_KEY, "platform_fee": "0"}}]


def _created(pre, post):
    fee = pre.config.market_creation_fee
    first, second = post.markets[0], post.markets[1]
    return ((first.owner, first.platform_fee, dict(first.slash_amount), first.matching_protocol) == (ALICE, 10, {"POND": 100}, "orderbook")
            and (second.owner, second.matching_protocol) == (CAROL, "proof_race") and post.next_market_id == 2
            and post.treasury["USDC"] == 2 * fee and post.balances[(ALICE, "USDC")] == pre.balances[(ALICE, "USDC")] - fee)


@scenario("create_market", check=_created)
def create_market_ok():
    """Anyone creates a market by paying the creation fee to the treasury; ids count up."""
    return World().funded().state, [create(), create(sender=CAROL, protocol="proof_race", fee=0)]


@scenario("create_market")
def create_market_every_protocol():
    """Every matching protocol tag is accepted."""
    return World().funded().state, [create(protocol=p) for p in
                                    ("orderbook", "sealed_bid_auction", "round_robin", "proof_race", "reverse_dutch")]


@scenario("create_market")
def create_market_exact_fee():
    """A balance of exactly the creation fee suffices."""
    w = World().do(ops.Mint(CAROL, "USDC", 1_000))
    return w.state, [create(sender=CAROL)]


@scenario("create_market", "INSUFFICIENT_BALANCE")
def create_market_cannot_pay_fee():
    """The creator must hold the creation fee."""
    w = World().do(ops.Mint(CAROL, "USDC", 999))
    return w.state, [create(sender=CAROL)]


@scenario("create_market", "UNKNOWN_VERIFIER")
def create_market_unknown_verifier():
    """The verifier must be registered in the environment."""
    return World().funded().state, [create(verifier="groth16/unknown")]


@scenario("create_market", "UNKNOWN_MATCHING_PROTOCOL")
def create_market_unknown_protocol():
    """The matching protocol must be one of the protocol's tags."""
    return World().funded().state, [create(protocol="barter")]


@scenario("create_market", "INVALID_MARKET_PARAMETER")
def create_market_no_slash_amount():
    """A market must put some stake at risk."""
    return World().funded().state, [create(slash={})]


@scenario("create_market", "INVALID_MARKET_PARAMETER")
def create_market_slash_non_stake_token():
    """Only stake tokens can be slashed."""
    return World().funded().state, [create(slash={"USDC": 5})]


@scenario("create_market", "INVALID_MARKET_PARAMETER")
def create_market_zero_slash():
    """Each slash amount is positive."""
    return World().funded().state, [create(slash={"POND": 0})]


@scenario("create_market", "INVALID_MARKET_PARAMETER")
def create_market_bad_engine_key():
    """The engine key is a compressed secp256k1 public key."""
    return World().funded().state, [create(key=ENGINE_KEY[:-2])]


@scenario("create_market", "INVALID_MARKET_PARAMETER")
def create_market_negative_fee():
    """The platform fee is not negative."""
    return World().funded().state, [create(fee=-1)]


def _updated(pre, post):
    market = post.markets[0]
    return (dict(market.slash_amount), market.engine_key, market.platform_fee) == ({"POND": 7}, OTHER_KEY, 0)


@scenario("update_market", check=_updated)
def update_market_ok():
    """The owner replaces slash amount, engine key and fee."""
    return open_market().state, [ops.UpdateMarket(ALICE, 0, pond(7), OTHER_KEY, 0)]


@scenario("update_market", check=lambda pre, post: post.provers[P0].stake["POND"] == pre.provers[P0].stake["POND"] - 100)
def update_market_keeps_locked_stake():
    """A task assigned before an update keeps what it locked; slashing it takes the old amount."""
    w = assigned_task()
    w.wait_until(w.deadline() + 1)
    return w.state, [ops.UpdateMarket(ALICE, 0, pond(300), ENGINE_KEY, 10), ops.SlashMissedDeadline(MALLORY, 0)]


@scenario("update_market", "UNKNOWN_MARKET")
def update_market_unknown():
    """The market must exist."""
    return open_market().state, [ops.UpdateMarket(ALICE, 1, pond(7), ENGINE_KEY, 0)]


@scenario("update_market", "NOT_MARKET_OWNER")
def update_market_not_owner():
    """Only the creator may update a market."""
    return open_market().state, [ops.UpdateMarket(CAROL, 0, pond(7), ENGINE_KEY, 0)]


@scenario("update_market", "INVALID_MARKET_PARAMETER")
def update_market_bad_parameters():
    """Updated parameters obey the same rules as at creation."""
    return open_market().state, [ops.UpdateMarket(ALICE, 0, pond(-5), ENGINE_KEY, 0)]


@scenario("create_market", "KEY_SAFETY_RULE", requires=("set_restaking_parameters",))
def create_market_restaked_infeasible():
    """A market slashing the restaking stake token needs parameters under which the key safety rule can hold."""
    w = World(restaking_config(epoch_duration=401)).funded()
    return w.state, [create()]


@scenario("update_market", requires=("attest_engine",))
def update_market_new_key_drops_attestation():
    """A new engine key needs a new attestation; keeping the key keeps it."""
    return attested_market().state, [ops.UpdateMarket(ALICE, 0, pond(7), ENGINE_KEY, 0), ops.UpdateMarket(ALICE, 0, pond(7), OTHER_KEY, 0)]


@scenario("create_market", "INVALID_MARKET_PARAMETER")
def create_market_upper_case_engine_key():
    """An engine key is lower-case hex: an upper-case spelling would never match a signer."""
    return open_market().state, [create(key=ENGINE_KEY.upper())]
