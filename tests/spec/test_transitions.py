"""Unit tests per transition: the happy path and each error it can raise (state unchanged)."""
import pytest

import spec
from spec import operations as ops
from spec.types import AskState, MembershipStatus
from tests.spec.world import ENGINE_KEY, INPUTS, OTHER_SECRET, World, assigned, funded, with_ask, with_market, with_prover

STAND_IN = spec.STAND_IN_VERIFIER_ID


# tokens and clock

def test_mint_grows_balance_and_supply():
    w = World()
    assert w.do(ops.Mint("a", "USDC", 5))[0].kind == "Minted"
    assert w.balance("a") == 5 and w.state.supply["USDC"] == 5


@pytest.mark.parametrize("op, code", [
    (ops.Mint("a", "DOGE", 5), "UNKNOWN_TOKEN"),
    (ops.Mint("a", "USDC", 0), "INVALID_AMOUNT"),
    (ops.Mint("a", "USDC", -3), "INVALID_AMOUNT"),
])
def test_mint_errors(op, code):
    World().reject(op, code)


def test_advance_time():
    w = World()
    w.do(ops.AdvanceTime(30))
    assert w.state.time == 30
    w.reject(ops.AdvanceTime(0), "INVALID_TIME_STEP")


@pytest.mark.parametrize("field, value", [("amount", "5"), ("amount", True), ("account", ""), ("amount", 2**256)])
def test_malformed_operation_names_the_field(field, value):
    args = {"account": "a", "token": "USDC", "amount": 5, field: value}
    with pytest.raises(spec.SpecError) as info:
        ops.Mint(**args)
    assert info.value.code == "MALFORMED_OPERATION" and info.value.field == field


def test_unknown_operation():
    with pytest.raises(spec.SpecError) as info:
        spec.apply(World().state, object())
    assert info.value.code == "UNKNOWN_OPERATION"


# markets

def test_create_market_charges_the_fee_to_the_treasury():
    w = funded()
    w.do(ops.CreateMarket("owner", STAND_IN, "orderbook", {"POND": 100}, ENGINE_KEY, 10))
    market = w.state.markets[0]
    assert (market.owner, market.platform_fee, dict(market.slash_amount)) == ("owner", 10, {"POND": 100})
    assert w.balance("owner") == 10_000 - w.state.config.market_creation_fee
    assert w.state.treasury["USDC"] == w.state.config.market_creation_fee
    assert w.state.next_market_id == 1


@pytest.mark.parametrize("kw, code", [
    ({"verifier_id": "nope"}, "UNKNOWN_VERIFIER"),
    ({"matching_protocol": "barter"}, "UNKNOWN_MATCHING_PROTOCOL"),
    ({"slash_amount": {}}, "INVALID_MARKET_PARAMETER"),
    ({"slash_amount": {"USDC": 5}}, "INVALID_MARKET_PARAMETER"),
    ({"slash_amount": {"POND": 0}}, "INVALID_MARKET_PARAMETER"),
    ({"engine_key": "02" + "00" * 32}, "INVALID_MARKET_PARAMETER"),
    ({"platform_fee": -1}, "INVALID_MARKET_PARAMETER"),
    ({"sender": "pauper"}, "INSUFFICIENT_BALANCE"),
])
def test_create_market_errors(kw, code):
    args = dict(sender="owner", verifier_id=STAND_IN, matching_protocol="orderbook", slash_amount={"POND": 1}, engine_key=ENGINE_KEY, platform_fee=0)
    funded().reject(ops.CreateMarket(**{**args, **kw}), code)


def test_update_market_by_owner_only():
    w = with_market()
    w.do(ops.UpdateMarket("owner", 0, {"POND": 7}, ENGINE_KEY, 3))
    assert w.state.markets[0].platform_fee == 3 and w.state.markets[0].slash_amount["POND"] == 7
    w.reject(ops.UpdateMarket("prover", 0, {"POND": 7}, ENGINE_KEY, 3), "NOT_MARKET_OWNER")
    w.reject(ops.UpdateMarket("owner", 9, {"POND": 7}, ENGINE_KEY, 3), "UNKNOWN_MARKET")
    w.reject(ops.UpdateMarket("owner", 0, {"POND": -7}, ENGINE_KEY, 3), "INVALID_MARKET_PARAMETER")


def test_update_market_keeps_what_assigned_tasks_locked():
    w = assigned()
    w.do(ops.UpdateMarket("owner", 0, {"POND": 300}, ENGINE_KEY, 10))
    w.do(ops.DiscardTask("prover", 0))
    assert w.state.provers["prover"].stake["POND"] == 400


# provers and stake

def test_register_prover():
    w = funded()
    w.do(ops.RegisterProver("prover", "rewards", 8))
    assert w.state.provers["prover"].declared_compute == 8
    w.reject(ops.RegisterProver("prover", "rewards", 8), "PROVER_ALREADY_REGISTERED")
    w.reject(ops.RegisterProver("other", "rewards", 0), "INVALID_COMPUTE")


def test_deposit_stake():
    w = with_prover(stake=500)
    assert w.state.provers["prover"].stake["POND"] == 500 and w.balance("prover", "POND") == 9_500
    w.reject(ops.DepositStake("nobody", "POND", 5), "UNKNOWN_PROVER")
    w.reject(ops.DepositStake("prover", "USDC", 5), "NOT_STAKE_TOKEN")
    w.reject(ops.DepositStake("prover", "POND", 0), "INVALID_AMOUNT")
    w.reject(ops.DepositStake("prover", "POND", 10**6), "INSUFFICIENT_BALANCE")


def test_stake_withdrawal_waits_for_the_delay():
    w = with_prover(stake=500)
    w.do(ops.RequestStakeWithdrawal("prover", "POND", 200))
    w.reject(ops.RequestStakeWithdrawal("prover", "POND", 1), "WITHDRAWAL_ALREADY_REQUESTED")
    w.reject(ops.WithdrawStake("prover", "POND"), "WITHDRAWAL_NOT_READY")
    w.do(ops.AdvanceTime(w.state.config.stake_withdrawal_delay))
    w.do(ops.WithdrawStake("prover", "POND"))
    assert w.state.provers["prover"].stake["POND"] == 300 and w.balance("prover", "POND") == 9_700
    w.reject(ops.WithdrawStake("prover", "POND"), "NO_WITHDRAWAL_REQUEST")


def test_stake_withdrawal_errors():
    w = assigned(stake=150)
    w.reject(ops.RequestStakeWithdrawal("prover", "POND", 51), "INSUFFICIENT_FREE_STAKE")
    w.reject(ops.RequestStakeWithdrawal("prover", "POND", 0), "INVALID_AMOUNT")
    w.reject(ops.RequestStakeWithdrawal("prover", "DOGE", 5), "NOT_STAKE_TOKEN")
    w.reject(ops.RequestStakeWithdrawal("nobody", "POND", 5), "UNKNOWN_PROVER")
    w.reject(ops.WithdrawStake("nobody", "POND"), "UNKNOWN_PROVER")
    w.reject(ops.WithdrawStake("prover", "USDC"), "NOT_STAKE_TOKEN")
    w.do(ops.RequestStakeWithdrawal("prover", "POND", 50))


def test_pending_withdrawal_cannot_back_a_task():
    w = with_ask(stake=150)
    w.do(ops.RequestStakeWithdrawal("prover", "POND", 51))
    w.reject(w.assign(), "INSUFFICIENT_STAKE")


def test_join_market_and_quotes():
    w = with_market()
    w.do(ops.RegisterProver("prover", "rewards", 10))
    w.reject(ops.JoinMarket("prover", 5, 1, 1, 1), "UNKNOWN_MARKET")
    w.reject(ops.JoinMarket("nobody", 0, 1, 1, 1), "UNKNOWN_PROVER")
    w.reject(ops.JoinMarket("prover", 0, -1, 1, 1), "INVALID_QUOTE")
    w.reject(ops.JoinMarket("prover", 0, 1, 0, 1), "INVALID_QUOTE")
    w.reject(ops.JoinMarket("prover", 0, 1, 1, 11), "INVALID_QUOTE")
    w.do(ops.JoinMarket("prover", 0, 1, 1, 1))
    assert w.state.memberships[(0, "prover")].status == MembershipStatus.JOINED
    w.reject(ops.JoinMarket("prover", 0, 1, 1, 1), "ALREADY_MEMBER")
    w.do(ops.UpdateQuote("prover", 0, 9, 9, 9))
    assert w.state.memberships[(0, "prover")].quote.price == 9
    w.reject(ops.UpdateQuote("prover", 1, 9, 9, 9), "NOT_MEMBER")
    w.reject(ops.UpdateQuote("prover", 0, 9, 9, 0), "INVALID_QUOTE")


def test_exit_and_leave():
    w = assigned()
    w.reject(ops.LeaveMarket("prover", 0), "TASKS_IN_FLIGHT")
    w.do(ops.RequestMarketExit("prover", 0))
    m = w.state.memberships[(0, "prover")]
    assert m.status == MembershipStatus.REQUESTED_FOR_EXIT and m.quote is None
    w.reject(ops.RequestMarketExit("prover", 0), "EXIT_REQUESTED")
    w.reject(ops.UpdateQuote("prover", 0, 1, 1, 1), "EXIT_REQUESTED")
    w.do(ops.SubmitProof("prover", 0, spec.stand_in_proof(INPUTS)))
    w.do(ops.LeaveMarket("prover", 0))
    assert (0, "prover") not in w.state.memberships
    w.reject(ops.LeaveMarket("prover", 0), "NOT_MEMBER")


# asks

def test_create_ask_escrows_max_price_and_fee():
    w = with_ask(max_price=100)
    ask = w.state.asks[0]
    assert ask.escrow == 110 and ask.state == AskState.UNASSIGNED
    assert w.balance("requester") == 10_000 - 110


@pytest.mark.parametrize("kw, code", [
    ({"market_id": 3}, "UNKNOWN_MARKET"),
    ({"max_price": 0}, "INVALID_ASK_PARAMETER"),
    ({"expiry": 0}, "INVALID_ASK_PARAMETER"),
    ({"proof_time": 0}, "INVALID_ASK_PARAMETER"),
    ({"price_time_preference": 10_001}, "INVALID_ASK_PARAMETER"),
    ({"max_price": 10_000}, "INSUFFICIENT_BALANCE"),
])
def test_create_ask_errors(kw, code):
    args = dict(sender="requester", market_id=0, max_price=100, expiry=100, proof_time=10, price_time_preference=0, public_inputs=b"")
    with_market().reject(ops.CreateAsk(**{**args, **kw}), code)


def test_cancel_ask_refunds_while_unassigned():
    w = with_ask()
    w.reject(ops.CancelAsk("prover", 0), "NOT_REQUESTER")
    w.reject(ops.CancelAsk("requester", 4), "UNKNOWN_ASK")
    w.do(ops.CancelAsk("requester", 0))
    assert w.state.asks[0].state == AskState.CANCELLED and w.balance("requester") == 10_000
    w.reject(ops.CancelAsk("requester", 0), "ASK_NOT_UNASSIGNED")
    a = assigned()
    a.reject(ops.CancelAsk("requester", 0), "ASK_NOT_UNASSIGNED")


def test_expire_ask_strictly_after_expiry():
    w = with_ask(expiry=100)
    w.do(ops.AdvanceTime(100))
    w.reject(ops.ExpireAsk("anyone", 0), "ASK_NOT_EXPIRED")
    w.do(ops.AdvanceTime(1))
    w.do(ops.ExpireAsk("anyone", 0))
    assert w.state.asks[0].state == AskState.EXPIRED and w.balance("requester") == 10_000
    w.reject(ops.ExpireAsk("anyone", 0), "ASK_NOT_UNASSIGNED")


# assignment

def test_assign_locks_stake_and_compute():
    w = assigned(stake=500, cpr=4)
    ask = w.state.asks[0]
    prover = w.state.provers["prover"]
    assert ask.state == AskState.ASSIGNED and ask.assignment.deadline == 200
    assert prover.locked["POND"] == 100 and prover.compute_in_use == 4
    assert w.state.memberships[(0, "prover")].status == MembershipStatus.WIP


def test_assign_at_expiry_is_allowed_after_is_not():
    w = with_ask(expiry=100)
    w.do(ops.AdvanceTime(100))
    w.do(w.assign())
    w = with_ask(expiry=100)
    w.do(ops.AdvanceTime(101))
    w.reject(w.assign(), "ASK_EXPIRED")


@pytest.mark.parametrize("build, code", [
    (lambda w: w.assign(secret=OTHER_SECRET), "BAD_ENGINE_SIGNATURE"),
    (lambda w: ops.AssignTask("relayer", 0, "prover", 61, w.assign(price=60).signature), "BAD_ENGINE_SIGNATURE"),
    (lambda w: ops.AssignTask("relayer", 0, "prover", 60, b"\x00" * 65), "BAD_ENGINE_SIGNATURE"),
    (lambda w: w.assign(ask_id=0, price=101), "PRICE_ABOVE_MAX"),
    (lambda w: w.assign(price=49), "PRICE_BELOW_QUOTE"),
    (lambda w: w.assign(price=-1), "PRICE_BELOW_QUOTE"),
    (lambda w: w.assign(prover="stranger"), "UNKNOWN_PROVER"),
    (lambda w: ops.AssignTask("relayer", 9, "prover", 60, b""), "UNKNOWN_ASK"),
])
def test_assign_errors(build, code):
    w = with_ask()
    w.reject(build(w), code)


def test_assign_requires_membership_quote_and_fit():
    w = with_ask()
    w.do(ops.RegisterProver("outsider", "r", 5))
    w.reject(w.assign(prover="outsider"), "NOT_MEMBER")
    assert with_ask(proof_time=99).reject(with_ask(proof_time=99).assign(), "PROOF_TIME_EXCEEDED")
    assert with_ask(stake=99).reject(with_ask(stake=99).assign(), "INSUFFICIENT_STAKE")
    w = with_ask()
    w.do(ops.RequestMarketExit("prover", 0))
    w.reject(w.assign(), "EXIT_REQUESTED")
    w = assigned(compute=6, cpr=4)
    w.do(ops.CreateAsk("requester", 0, 100, 1_000, 200, 0, INPUTS))
    w.reject(w.assign(ask_id=1), "INSUFFICIENT_COMPUTE")
    w.reject(w.assign(ask_id=0), "ASK_NOT_UNASSIGNED")


def test_assign_auto_cancels_quotes_elsewhere_that_no_longer_fit():
    w = with_prover(stake=150, compute=10, cpr=4)
    w.do(ops.CreateMarket("owner", STAND_IN, "orderbook", {"POND": 100}, ENGINE_KEY, 0))
    w.do(ops.CreateMarket("owner", STAND_IN, "orderbook", {"POND": 10}, ENGINE_KEY, 0))
    w.do(ops.JoinMarket("prover", 1, 50, 100, 4))
    w.do(ops.JoinMarket("prover", 2, 50, 100, 4))
    w.do(ops.CreateAsk("requester", 0, 100, 1_000, 200, 0, INPUTS))
    events = w.do(w.assign())
    assert [e.data["market_id"] for e in events if e.kind == "QuoteCancelled"] == [1]
    assert w.state.memberships[(1, "prover")].quote is None
    assert w.state.memberships[(1, "prover")].status == MembershipStatus.NO_COMPUTE_AVAILABLE
    assert w.state.memberships[(2, "prover")].quote is not None
    w.reject(w.assign(ask_id=0), "ASK_NOT_UNASSIGNED")


def test_quote_inactive_after_auto_cancel():
    w = with_prover(stake=150)
    w.do(ops.CreateMarket("owner", STAND_IN, "orderbook", {"POND": 100}, ENGINE_KEY, 0))
    w.do(ops.JoinMarket("prover", 1, 50, 100, 4))
    w.do(ops.CreateAsk("requester", 0, 100, 1_000, 200, 0, INPUTS))
    w.do(ops.CreateAsk("requester", 1, 100, 1_000, 200, 0, INPUTS))
    w.do(w.assign(ask_id=0))
    w.reject(w.assign(ask_id=1), "QUOTE_INACTIVE")


# proofs, invalid inputs, slashing

def test_submit_proof_pays_refunds_and_unlocks():
    w = assigned()
    w.do(ops.AdvanceTime(200))
    w.do(ops.SubmitProof("prover", 0, spec.stand_in_proof(INPUTS)))
    assert w.state.asks[0].state == AskState.COMPLETE and w.state.asks[0].escrow == 0
    assert w.balance("prover-rewards") == 60
    assert w.balance("requester") == 10_000 - 110 + 40
    assert w.state.treasury["USDC"] == w.state.config.market_creation_fee + 10
    prover = w.state.provers["prover"]
    assert prover.locked.get("POND", 0) == 0 and prover.compute_in_use == 0
    assert w.state.memberships[(0, "prover")].status == MembershipStatus.JOINED


def test_submit_proof_errors():
    w = assigned()
    w.reject(ops.SubmitProof("prover", 0, b"bogus"), "INVALID_PROOF")
    w.reject(ops.SubmitProof("requester", 0, spec.stand_in_proof(INPUTS)), "NOT_ASSIGNED_PROVER")
    w.reject(ops.SubmitProof("prover", 1, spec.stand_in_proof(INPUTS)), "UNKNOWN_ASK")
    w.do(ops.AdvanceTime(201))
    w.reject(ops.SubmitProof("prover", 0, spec.stand_in_proof(INPUTS)), "DEADLINE_PASSED")
    with_ask().reject(ops.SubmitProof("prover", 0, spec.stand_in_proof(INPUTS)), "ASK_NOT_ASSIGNED")


def test_invalid_inputs_statement_pays_the_prover():
    w = assigned()
    w.reject(w.invalid_inputs(secret=OTHER_SECRET), "BAD_ENGINE_SIGNATURE")
    w.reject(w.invalid_inputs(prover="requester"), "NOT_ASSIGNED_PROVER")
    w.do(w.invalid_inputs())
    assert w.state.asks[0].state == AskState.INVALID_INPUTS and w.balance("prover-rewards") == 60
    w = assigned()
    w.do(ops.AdvanceTime(201))
    w.reject(w.invalid_inputs(), "DEADLINE_PASSED")


def test_slash_missed_deadline_strictly_after_and_once():
    w = assigned()
    w.do(ops.AdvanceTime(200))
    w.reject(ops.SlashMissedDeadline("anyone", 0), "DEADLINE_NOT_PASSED")
    w.do(ops.AdvanceTime(1))
    w.do(ops.SlashMissedDeadline("anyone", 0))
    config = w.state.config
    compensation = 100 * config.slash_compensation_bps // 10_000
    burn = 100 * config.slash_burn_bps // 10_000
    assert w.state.asks[0].state == AskState.DEADLINE_CROSSED
    assert w.state.provers["prover"].stake["POND"] == 400
    assert w.balance("requester", "POND") == 10_000 + compensation
    assert w.state.burnt["POND"] == burn and w.state.treasury["POND"] == 100 - compensation - burn
    assert w.balance("requester") == 10_000
    w.reject(ops.SlashMissedDeadline("anyone", 0), "ASK_NOT_ASSIGNED")
    w.reject(ops.SlashMissedDeadline("anyone", 7), "UNKNOWN_ASK")


def test_discard_slashes_at_once():
    w = assigned()
    w.reject(ops.DiscardTask("requester", 0), "NOT_ASSIGNED_PROVER")
    w.do(ops.DiscardTask("prover", 0))
    assert w.state.asks[0].state == AskState.DEADLINE_CROSSED and w.state.provers["prover"].stake["POND"] == 400
    w = assigned()
    w.do(ops.AdvanceTime(201))
    w.reject(ops.DiscardTask("prover", 0), "DEADLINE_PASSED")


@pytest.mark.parametrize("kw, field", [
    ({"slash_compensation_bps": -5_000}, "slash_compensation_bps"),
    ({"slash_compensation_bps": 6_000, "slash_burn_bps": 5_000}, "slash_burn_bps"),
    ({"market_creation_fee": -1}, "market_creation_fee"),
    ({"stake_tokens": ()}, "stake_tokens"),
    ({"stake_tokens": ("USDC",)}, "stake_tokens"),
])
def test_config_out_of_range_is_rejected_at_genesis(kw, field):
    with pytest.raises(spec.errors.InvalidConfig) as info:
        spec.Config(**kw)
    assert info.value.field == field
