"""Scenarios at the edges of what an operation may carry: the signed-integer range's lowest
value, names inside maps and snapshot entries, and the low-s range's two ends (signatures
crafted so that they recover to the market's engine key)."""
from __future__ import annotations

import coincurve

from properties.fixtures import ALICE, MALLORY, P0
from properties.world import World, open_market
from reference.conformance.scenarios.design.common import ask, two_operators
from reference.conformance.scenarios.design.registry import scenario
from spec import operations as ops
from spec.env import STAND_IN_VERIFIER_ID
from spec.operations import INT_BOUND
from spec.signing import HALF_N, _sha256, assignment_message
from spec.types import NAME_MAX

G_X = 0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798
"""The x-coordinate of secp256k1's generator: a valid `r` for a crafted signature."""


@scenario("mint", "INVALID_AMOUNT")
def mint_lowest_integer():
    """-2^255 is the lowest integer an operation carries: it is well-formed (and then refused by
    the rule, amounts are > 0); -2^255 - 1 would be malformed."""
    return World().state, [{"op": "mint", "args": {"account": ALICE, "token": "USDC", "amount": str(-INT_BOUND)}}]


@scenario("create_market", "MALFORMED_OPERATION")
def create_market_slash_amount_key_not_a_name():
    """slash_amount's keys are names: a key with a control character is malformed, not an unknown token."""
    return World().funded().state, [{"op": "create_market", "args": {
        "sender": ALICE, "verifier_id": STAND_IN_VERIFIER_ID, "matching_protocol": "orderbook", "slash_amount": {"PO\nND": "100"},
        "engine_key": "02" + "11" * 32, "platform_fee": "0"}}]


@scenario("transmit_snapshot_part", "MALFORMED_OPERATION")
def transmit_snapshot_part_operator_not_a_name():
    """A snapshot entry's operator is a name: an empty one is malformed (its vault and amount are fine)."""
    w = two_operators()
    return w.state, [{"op": "transmit_snapshot_part", "args": {
        "sender": "transmitter", "capture_ts": "1000", "index": "0", "count": "1", "entries": [["", "v1", "1"]]}}]


def _crafted(s: int) -> tuple[str, bytes]:
    """(key, signature): a signature of assigning ask 0 of market 0 to p0 at 100 with this `s`
    (r = G's x, parity 0), and the key it recovers to."""
    signature = G_X.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([0])
    key = coincurve.PublicKey.from_signature_and_message(signature, assignment_message(0, 0, P0, 100), hasher=_sha256)
    return key.format(compressed=True).hex(), signature


def _assign_with(s: int):
    key, signature = _crafted(s)
    w = open_market(key=key).do(ask())
    return w.state, [ops.AssignTask(MALLORY, 0, P0, 100, signature)]


@scenario("assign_task")
def assign_task_signature_s_one():
    """s = 1, the smallest low s, is valid: the engine key is the one the signature recovers to."""
    return _assign_with(1)


@scenario("assign_task")
def assign_task_signature_s_half_order():
    """s = n // 2, the largest low s, is valid."""
    return _assign_with(HALF_N)


@scenario("mint", check=lambda pre, post: post.balances[("a" * NAME_MAX, "USDC")] == 1)
def mint_longest_name():
    """A name of NAME_MAX (256) characters is valid."""
    return World().state, [ops.Mint("a" * NAME_MAX, "USDC", 1)]
