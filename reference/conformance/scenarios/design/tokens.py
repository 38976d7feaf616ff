"""Scenarios of `spec.tokens`: minting, and decoding errors shown on mint."""
from __future__ import annotations

from properties.fixtures import ALICE, P0
from properties.world import World
from reference.conformance.scenarios.design.registry import scenario
from spec import operations as ops


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


def _credited(pre, post):
    return post.balances[(ALICE, "USDC")] == 1_000 and post.supply["USDC"] == pre.supply.get("USDC", 0) + 1_000


@scenario("mint", check=_credited)
def mint_payment_token():
    """Minting credits the account and grows the supply."""
    return World().state, [ops.Mint(ALICE, "USDC", 1_000)]


@scenario("mint", check=lambda pre, post: post.balances[(P0, "POND")] == 7 + 2**128 == post.supply["POND"])
def mint_stake_token_twice():
    """Mints of a stake token accumulate."""
    return World().state, [ops.Mint(P0, "POND", 7), ops.Mint(P0, "POND", 2**128)]


@scenario("mint", check=lambda pre, post: post.balances[(ALICE, "USDC")] == 1)
def mint_one():
    """The smallest mint, 1, is accepted."""
    return World().state, [ops.Mint(ALICE, "USDC", 1)]


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


@scenario("mint", "MALFORMED_OPERATION")
def mint_lone_surrogate_account():
    """A name is Unicode scalar values: a lone surrogate (which JSON can carry) is malformed."""
    return World().funded().state, [{"op": "mint", "args": {"account": "\ud800", "token": "USDC", "amount": "1"}}]
