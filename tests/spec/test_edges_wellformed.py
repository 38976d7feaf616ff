"""Edges of `spec.wellformed`: each rule of a loaded state, at its boundary.

Every case edits a committed design vector's pre_state: the value just inside a rule loads (and
encodes back to the same JSON), the value just outside is refused with `MalformedState` whose
field is the rule's path; a rule `a and b` is broken one conjunct at a time. The expected fields
and bounds are written from the rules' text (spec/wellformed.py), not computed by calling them.
Where an amount moves, the books are kept balanced (or the edit is outside the books), so the
refusal is the rule's own. Written for the generated mutants of `spec.wellformed` that the vectors,
which only carry well-formed states, cannot reach.
"""
import copy
import json
from functools import lru_cache
from pathlib import Path

import attrs
import pytest

from spec.codec import encode_state
from spec.errors import MalformedState
from spec.wellformed import check_state, load_state

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "design"
ASSIGNED = "restaked_stake/set_restaking_parameters/break_task_in_flight"  # an ASSIGNED ask, its backing, restaked lock
CLOSED = "relay/deliver_message/slash_result"  # a DEADLINE_CROSSED ask, a vault request, a slash, a message in flight
WITHDRAWING = "provers/request_stake_withdrawal/twice"  # native stake, a withdrawal request, no ask
BARE = "bridge/delay_message/not_later"  # no market, no ask; a vault and a message in flight
DROPPED = "bridge/retransmit_message/ok"  # a dropped message


@lru_cache(maxsize=None)
def _text(vector: str) -> str:
    return (VECTORS / f"{vector}.json").read_text()


def _pre(vector: str, *edits) -> dict:
    """The vector's pre_state with `(dotted.path, value)` edits (None is JSON null)."""
    data = json.loads(_text(vector))["pre_state"]
    for path, value in edits:
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = copy.deepcopy(value)
    return data


def _accepted(data: dict) -> None:
    assert encode_state(load_state(data)) == data


def _refused(data: dict, field: str) -> None:
    with pytest.raises(MalformedState) as info:
        load_state(data)
    assert info.value.field == field


MEMBER = {"active_tasks": "0", "exit_requested": False, "market_id": "0", "prover": "p0",
          "quote": {"compute_per_request": "1", "price": "50", "proposed_time": "100"}, "status": "JOINED"}

# (name, vector, edits just inside, edits just outside, the rule's path)
BOUNDS = [
    ("time >= 0", BARE, [("time", "0")], [("time", "-1")], "$.time"),
    ("next_market_id >= 0", BARE, [], [("next_market_id", "-1")], "$.next_market_id"),
    ("next_ask_id >= 0", BARE, [], [("next_ask_id", "-1")], "$.next_market_id"),
    ("next_ask_id >= 0 with markets", WITHDRAWING, [("next_ask_id", "0")], [("next_ask_id", "-1")], "$.next_market_id"),
    # a balance is > 0: 1 POND of carol's, the rest moved to the treasury (the books still balance)
    ("a balance > 0", ASSIGNED, [("balances.carol.POND", "1"), ("treasury.POND", "9999")],
     [("balances.carol.POND", "-1"), ("treasury.POND", "10001")], "$.balances.carol.POND"),
    ("a balance in a known token", ASSIGNED, [], [("balances.carol.XYZ", "1")], "$.balances.carol.XYZ"),
    ("supply in a known token", ASSIGNED, [], [("supply.XYZ", "1")], "$.supply.XYZ"),
    ("treasury in a known token", ASSIGNED, [], [("treasury.XYZ", "1")], "$.treasury.XYZ"),
    ("burnt in a known token", ASSIGNED, [], [("burnt.XYZ", "1")], "$.burnt.XYZ"),
    ("treasury >= 0", ASSIGNED, [("treasury.POND", "1"), ("balances.carol.POND", "9999")],
     [("treasury.POND", "-1"), ("balances.carol.POND", "10001")], "$.treasury.POND"),
    ("burnt >= 0", ASSIGNED, [("burnt.POND", "1"), ("balances.carol.POND", "9999")],
     [("burnt.POND", "-1"), ("balances.carol.POND", "10001")], "$.burnt.POND"),
    # markets
    ("a market below next_market_id", ASSIGNED, [("next_market_id", "1")], [("next_market_id", "0")], "$.markets.0.id"),
    ("a market under its id", ASSIGNED, [("next_market_id", "2")], [("next_market_id", "2"), ("markets.0.id", "1")], "$.markets.0.id"),
    ("a registered verifier", ASSIGNED, [], [("markets.0.verifier_id", "no-such-verifier")], "$.markets.0.verifier_id"),
    ("a matching protocol", ASSIGNED, [], [("markets.0.matching_protocol", "auction-of-nothing")], "$.markets.0.matching_protocol"),
    ("an engine key", ASSIGNED, [], [("markets.0.engine_key", "04" + "11" * 32)], "$.markets.0.engine_key"),
    ("a slash amount names a token", ASSIGNED, [], [("markets.0.slash_amount", {})], "$.markets.0.slash_amount"),
    ("a slash amount > 0", ASSIGNED, [("markets.0.slash_amount.POND", "1")], [("markets.0.slash_amount.POND", "0")],
     "$.markets.0.slash_amount.POND"),
    ("a slash amount in a stake token", ASSIGNED, [], [("markets.0.slash_amount.USDC", "1")], "$.markets.0.slash_amount.USDC"),
    ("platform_fee >= 0", ASSIGNED, [("markets.0.platform_fee", "0")], [("markets.0.platform_fee", "-1")], "$.markets.0.platform_fee"),
    ("a measurement of 32 bytes", ASSIGNED, [("markets.0.engine_measurement", "0x" + "ab" * 32)],
     [("markets.0.engine_measurement", "0x" + "ab" * 31)], "$.markets.0.engine_measurement"),
    ("a measurement of 32 bytes, not 33", ASSIGNED, [], [("markets.0.engine_measurement", "0x" + "ab" * 33)],
     "$.markets.0.engine_measurement"),
    # provers
    ("a prover under its address", ASSIGNED, [], [("provers.p0.address", "p1")], "$.provers.p0.address"),
    ("compute_in_use <= declared_compute", ASSIGNED, [("provers.p0.compute_in_use", "4")], [("provers.p0.compute_in_use", "5")],
     "$.provers.p0.compute_in_use"),
    ("compute_in_use >= 0", WITHDRAWING, [("provers.p0.compute_in_use", "0")], [("provers.p0.compute_in_use", "-1")],
     "$.provers.p0.compute_in_use"),
    ("native stake >= 0", WITHDRAWING, [("provers.p0.stake.POND", "1"), ("balances.p0.POND", "9999")],
     [("provers.p0.stake.POND", "-1"), ("balances.p0.POND", "10001")], "$.provers.p0.stake.POND"),
    ("native stake in a stake token", WITHDRAWING, [], [("provers.p0.stake.USDC", "1"), ("balances.p0.USDC", "9999")],
     "$.provers.p0.stake.USDC"),
    ("locked stake is part of stake", WITHDRAWING, [("provers.p0.locked.POND", "500")], [("provers.p0.locked.POND", "501")],
     "$.provers.p0.locked.POND"),
    ("locked stake without stake", ASSIGNED, [], [("provers.p0.locked.POND", "1")], "$.provers.p0.locked.POND"),
    ("locked stake >= 0", WITHDRAWING, [], [("provers.p0.locked.POND", "-1")], "$.provers.p0.locked.POND"),
    ("an encryption key", ASSIGNED, [], [("provers.p0.encryption_key", "0x1234")], "$.provers.p0.encryption_key"),
    # memberships
    ("a membership under its market", CLOSED, [], [("memberships.0.p0.market_id", "1")], "$.memberships.0.p0"),
    ("a membership of a registered prover", CLOSED, [], [("memberships.0.p9", {**MEMBER, "prover": "p9"})], "$.memberships.0.p9"),
    ("a membership of an existing market", CLOSED, [], [("memberships.7", {"p0": {**MEMBER, "market_id": "7"}})], "$.memberships.7.p0"),
    ("active_tasks >= 0", CLOSED, [], [("memberships.0.p0.active_tasks", "-1")], "$.memberships.0.p0.active_tasks"),
    ("a quote's price >= 0", CLOSED, [("memberships.0.p0.quote.price", "0")], [("memberships.0.p0.quote.price", "-1")],
     "$.memberships.0.p0.quote"),
    ("a quote's proposed_time > 0", CLOSED, [("memberships.0.p0.quote.proposed_time", "1")],
     [("memberships.0.p0.quote.proposed_time", "0")], "$.memberships.0.p0.quote"),
    ("a quote's compute_per_request > 0", CLOSED, [("memberships.0.p0.quote.compute_per_request", "1")],
     [("memberships.0.p0.quote.compute_per_request", "0")], "$.memberships.0.p0.quote"),
    # asks (the CLOSED one holds no escrow: its amounts are outside the books)
    ("an ask below next_ask_id", CLOSED, [("next_ask_id", "1")], [("next_ask_id", "0")], "$.asks.0.id"),
    ("an ask under its id", CLOSED, [("next_ask_id", "2")], [("next_ask_id", "2"), ("asks.0.id", "1")], "$.asks.0.id"),
    ("an ask of an existing market", CLOSED, [], [("asks.0.market_id", "1")], "$.asks.0.market_id"),
    ("max_price > 0", CLOSED, [("asks.0.max_price", "1"), ("asks.0.assignment.price", "1")],
     [("asks.0.max_price", "0"), ("asks.0.assignment.price", "0")], "$.asks.0"),
    ("fee >= 0", CLOSED, [("asks.0.fee", "0")], [("asks.0.fee", "-1")], "$.asks.0"),
    ("proof_time > 0", CLOSED, [("asks.0.proof_time", "1")], [("asks.0.proof_time", "0")], "$.asks.0"),
    ("an open ask escrows max_price + fee", ASSIGNED, [], [("asks.0.escrow", "209"), ("balances.alice.USDC", "8791")], "$.asks.0.escrow"),
    ("a closed ask escrows nothing", CLOSED, [], [("asks.0.escrow", "1"), ("balances.alice.USDC", "8999")], "$.asks.0.escrow"),
    ("an assigned ask has an assignment", CLOSED, [], [("asks.0.assignment", None)], "$.asks.0.assignment"),
    ("an assignment to a registered prover", CLOSED, [], [("asks.0.assignment.prover", "p9")], "$.asks.0.assignment.prover"),
    ("an assignment's price >= 0", CLOSED, [("asks.0.assignment.price", "0")], [("asks.0.assignment.price", "-1")], "$.asks.0.assignment"),
    ("an assignment's price <= max_price", CLOSED, [("asks.0.assignment.price", "200")], [("asks.0.assignment.price", "201")],
     "$.asks.0.assignment"),
    ("an assignment's compute > 0", CLOSED, [("asks.0.assignment.compute", "1")], [("asks.0.assignment.compute", "0")], "$.asks.0.assignment"),
    ("an assignment locks > 0", CLOSED, [("asks.0.assignment.locked.POND", "1")], [("asks.0.assignment.locked.POND", "0")],
     "$.asks.0.assignment.locked.POND"),
    ("an assignment locks a stake token", CLOSED, [], [("asks.0.assignment.locked.USDC", "1")], "$.asks.0.assignment.locked.USDC"),
    ("an ASSIGNED ask's prover is a member", ASSIGNED, [], [("memberships", {})], "$.asks.0.assignment.prover"),
    ("a closed ask's prover need not be a member", CLOSED, [("memberships", {})], [("asks.0.assignment.prover", "p9")],
     "$.asks.0.assignment.prover"),
    # withdrawals
    ("a withdrawal > 0", WITHDRAWING, [("withdrawals.p0.POND.amount", "1")], [("withdrawals.p0.POND.amount", "0")],
     "$.withdrawals.p0.POND.amount"),
    ("a withdrawal of a registered prover", WITHDRAWING, [], [("withdrawals.p9", {"POND": {"amount": "100", "available_at": "4600"}})],
     "$.withdrawals.p9.POND"),
    ("a withdrawal in a stake token", WITHDRAWING, [], [("withdrawals.p0.USDC", {"amount": "100", "available_at": "4600"})],
     "$.withdrawals.p0.USDC"),
    # the vault chain
    ("a vault under its id", BARE, [], [("restaking.vault_chain.vaults.v1.id", "v2")], "$.restaking.vault_chain.vaults.v1.id"),
    ("a vault's active >= 0", BARE, [("restaking.vault_chain.vaults.v1.active", "0")], [("restaking.vault_chain.vaults.v1.active", "-1")],
     "$.restaking.vault_chain.vaults.v1"),
    ("a vault's slashed >= 0", BARE, [("restaking.vault_chain.vaults.v1.slashed", "0")], [("restaking.vault_chain.vaults.v1.slashed", "-1")],
     "$.restaking.vault_chain.vaults.v1"),
    ("a vault's operator shares >= 0", BARE, [("restaking.vault_chain.vaults.v1.operator_shares.p0", "0")],
     [("restaking.vault_chain.vaults.v1.operator_shares.p0", "-1")], "$.restaking.vault_chain.vaults.v1.operator_shares"),
    ("a vault's active shares >= 0", BARE, [("restaking.vault_chain.vaults.v1.active_shares.staker", "0")],
     [("restaking.vault_chain.vaults.v1.active_shares.staker", "-1")], "$.restaking.vault_chain.vaults.v1.active_shares"),
    ("a vault request under its id", CLOSED, [], [("restaking.vault_chain.requests.0.id", "1")], "$.restaking.vault_chain.requests.0"),
    ("a vault request of an existing vault", CLOSED, [], [("restaking.vault_chain.requests.0.vault_id", "v9")],
     "$.restaking.vault_chain.requests.0"),
    # the bridge: message 2 is in flight, 0 was dropped
    ("a message below next_id", CLOSED, [("restaking.bridge.next_id", "3")], [("restaking.bridge.next_id", "2")],
     "$.restaking.bridge.in_flight.2"),
    ("a message under its id", CLOSED, [], [("restaking.bridge.in_flight.2.id", "1")], "$.restaking.bridge.in_flight.2"),
    ("a dropped message below next_id", DROPPED, [("restaking.bridge.next_id", "1")], [("restaking.bridge.next_id", "0")],
     "$.restaking.bridge.dropped.0"),
    # snapshots, backing, slashes, restaked locks
    ("a snapshot under its capture", ASSIGNED, [], [("restaking.snapshots.1000.capture_ts", "999")], "$.restaking.snapshots.1000"),
    ("a snapshot of count >= 1", ASSIGNED, [], [("restaking.snapshots.1000.count", "0")], "$.restaking.snapshots.1000"),
    ("a backing of its prover's ask", ASSIGNED, [], [("restaking.backing.0.prover", "p9")], "$.restaking.backing.0"),
    ("a backing of an ASSIGNED ask", CLOSED, [], [("restaking.backing.0", {"amounts": {"v1": "100"}, "capture_ts": "1000",
                                                                          "epoch_duration": "1000", "prover": "p0", "veto_duration": "200"})],
     "$.restaking.backing.0"),
    ("a slash under its id", CLOSED, [], [("restaking.slashes.0.id", "1")], "$.restaking.slashes.0"),
    ("a slash of an existing ask", CLOSED, [], [("restaking.slashes.0.ask_id", "1")], "$.restaking.slashes.0"),
    ("a restaked lock >= 0", ASSIGNED, [("restaking.locked.p0.v1", "0")], [("restaking.locked.p0.v1", "-1")], "$.restaking.locked.p0.v1"),
    ("a restaked lock of a registered prover", ASSIGNED, [], [("restaking.locked.p9", {"v1": "1"})], "$.restaking.locked.p9.v1"),
    # the books
    ("the books balance", ASSIGNED, [("burnt.POND", "100"), ("balances.carol.POND", "9900")],
     [("burnt.POND", "100"), ("balances.carol.POND", "9901")], "$.supply.POND"),
    ("the books count escrow", ASSIGNED, [], [("supply.USDC", "59790")], "$.supply.USDC"),
    ("the books count native stake", WITHDRAWING, [], [("supply.POND", "59500")], "$.supply.POND"),
    ("the books count the treasury", ASSIGNED, [("treasury.POND", "7"), ("supply.POND", "60007")], [("supply.POND", "60007")], "$.supply.POND"),
]


@pytest.mark.parametrize("vector, inside, outside, field", [b[1:] for b in BOUNDS], ids=[b[0] for b in BOUNDS])
def test_a_rule_accepts_its_boundary_and_refuses_one_past_it(vector, inside, outside, field):
    _accepted(_pre(vector, *inside))
    _refused(_pre(vector, *outside), field)


def test_a_backing_of_a_missing_ask_is_refused_without_a_crash():
    """A backing of an ask that does not exist is refused at its path."""
    _refused(_pre(ASSIGNED, ("restaking.backing.5", {"amounts": {"v1": "100"}, "capture_ts": "1000", "epoch_duration": "1000",
                                                     "prover": "p0", "veto_duration": "200"})), "$.restaking.backing.5")


# The canonical form drops zero entries of balance-like maps, so `decode_state` refuses them before
# `check_state` runs; `check_state` states the rule itself for any State (e.g. one built in Python).
ZERO_ENTRIES_ACCEPTED = [
    ("a treasury entry of 0", lambda s: {"treasury": {**s.treasury, "POND": 0}}),
    ("a burnt entry of 0", lambda s: {"burnt": {**s.burnt, "POND": 0}}),
    ("a supply entry of 0 for a token no one holds", lambda s: {"supply": {**s.supply, "POND": 0},
                                                                  "balances": {k: v for k, v in s.balances.items() if k[1] != "POND"}}),
]


def test_check_state_refuses_a_balance_of_zero_that_the_decoder_refuses_first():
    _refused(_pre(ASSIGNED, ("balances.carol.POND", "0"), ("treasury.POND", "10000")), "$.balances")
    state = load_state(_pre(ASSIGNED))
    with pytest.raises(MalformedState) as info:
        check_state(attrs.evolve(state, balances={**state.balances, ("carol", "POND"): 0}, treasury={**state.treasury, "POND": 10000}))
    assert info.value.field == "$.balances.carol.POND"


@pytest.mark.parametrize("edit", [z[1] for z in ZERO_ENTRIES_ACCEPTED], ids=[z[0] for z in ZERO_ENTRIES_ACCEPTED])
def test_check_state_accepts_an_amount_of_zero_where_the_rule_is_at_least_zero(edit):
    state = load_state(_pre(ASSIGNED))
    check_state(attrs.evolve(state, **edit(state)))


def test_check_state_accepts_native_stake_and_locked_stake_of_zero():
    """Stake and locked stake are >= 0: entries of 0 (500 POND moved back to the prover's balance)."""
    state = load_state(_pre(WITHDRAWING))
    prover = attrs.evolve(state.provers["p0"], stake={"POND": 0}, locked={"POND": 0})
    check_state(attrs.evolve(state, provers={"p0": prover}, balances={**state.balances, ("p0", "POND"): 10000}))


def test_a_token_no_one_holds_needs_no_supply_entry():
    """The books of a token absent everywhere add up to 0, the supply of a token it does not name."""
    data = _pre(ASSIGNED)
    for account in data["balances"].values():
        del account["POND"]
    del data["supply"]["POND"]
    _accepted(data)
    data["treasury"]["POND"] = "1"
    _refused(data, "$.supply.POND")
