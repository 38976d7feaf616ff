"""Restaked stake end to end: epochs, the vault chain, the bridge, the market chain's use of
snapshots, the key safety rule, and typed errors for bad input (state unchanged)."""
import attrs
import pytest

import spec
from properties import invariants as inv
from properties.fixtures import ENGINE_KEY as KEY, ENGINE_SECRET as SECRET, RESTAKING_ARGS, RESTAKING_PARAMS
from spec import operations as ops
from spec.bridge import enqueue
from spec.codec import decode_op, decode_state, dumps, encode_op, encode_state
from spec.epochs import epoch_at, epoch_start, protocol_epoch
from spec.errors import MalformedOperation, SpecError
from spec.restaked_stake import confirmed_snapshot, free_restaked_stake, key_safety_rule_holds, max_restaked_proof_time
from spec.restaking import active_at, operator_stake_at, snapshot_parts
from spec.restaking_state import Route, SlashRequest, SlashResult, SlashStatus, SnapshotPart
from spec.signing import assignment_message, sign
from spec.types import AskState

PARAMS = RESTAKING_PARAMS
MAX_PROOF_TIME = max_restaked_proof_time(PARAMS)


def sent_part(*args, params=PARAMS):
    """A snapshot part as the transmitter sends it under `params` (stamped with its bounds)."""
    return SnapshotPart(*args, epoch_duration=params.epoch_duration, veto_duration=params.veto_duration)


def run(state, *operations, env=spec.DEFAULT_ENV):
    events = []
    for op in operations:
        state, emitted = spec.apply(state, op, env)
        events += emitted
    return state, events


def rejects(state, op, code, field=None):
    """`op` raises the typed error `code` (naming `field`) and leaves `state` as it was."""
    before = encode_state(state)
    with pytest.raises(SpecError) as info:
        spec.apply(state, op)
    assert info.value.code == code, info.value
    if field is not None:
        assert info.value.field == field
    assert encode_state(state) == before
    return info.value


def deliver_all(state):
    for message_id in sorted(state.restaking.bridge.in_flight):
        state, _ = spec.apply(state, ops.DeliverMessage(message_id))
    return state


def assign(ask_id, prover="p0", price=10):
    return ops.AssignTask("engine", ask_id, prover, price, sign(SECRET, assignment_message(0, ask_id, prover, price)))


def world(native=0, deposit=400, slasher="veto", veto=200, epoch=1_000):
    """A market slashing 100 POND; prover p0 with `native` POND staked; vault v0 delegating half of
    `deposit` to p0 and half to p1 (not a prover); a confirmed snapshot of capture 100 at time 150."""
    state = spec.genesis(spec.Config(restaking=PARAMS))
    state, _ = run(
        state,
        ops.Mint("alice", "USDC", 10_000), ops.Mint("p0", "POND", 1_000),
        ops.CreateMarket("alice", spec.STAND_IN_VERIFIER_ID, "orderbook", {"POND": 100}, KEY, 0),
        ops.RegisterProver("p0", "p0-rewards", 8), ops.JoinMarket("p0", 0, 10, 20, 1),
        ops.CreateVault("curator", "v0", epoch, slasher, veto, "resolver", {"p0": 1, "p1": 1}),
        ops.VaultDeposit("staker", "v0", deposit), ops.AdvanceTime(150),
    )
    if native:
        state, _ = run(state, ops.DepositStake("p0", "POND", native))
    for part in snapshot_parts(state, 100, 1):
        state, _ = run(state, ops.TransmitSnapshotPart("transmitter", part.capture_ts, part.index, part.count, part.entries))
    return deliver_all(state)


def ask(state, proof_time=100, expiry=100):
    return run(state, ops.CreateAsk("alice", 0, 200, state.time + expiry, proof_time, 0, b"\x01"))[0]


def test_epochs():
    assert [epoch_at(t, 0, 100) for t in (0, 99, 100, 250)] == [0, 0, 1, 2]
    assert epoch_at(1_500, 500, 1_000) == 1 and epoch_start(2, 500, 1_000) == 2_500
    assert protocol_epoch(attrs.evolve(spec.genesis(spec.Config(restaking=PARAMS)), time=250)) == 2


def test_snapshot_is_confirmed_offset_after_capture_and_counts_as_free_stake():
    state = world()
    assert confirmed_snapshot(state).capture_ts == 100
    assert free_restaked_stake(state, "p0", "POND") == 200
    assert free_restaked_stake(state, "p0", "USDC") == 0
    early = attrs.evolve(state, time=149)
    assert confirmed_snapshot(early) is None and free_restaked_stake(early, "p0", "POND") == 0


def test_native_stake_alone_behaves_as_the_foundation():
    state = ask(world(native=300))
    state, events = run(state, assign(0))
    assert [e.kind for e in events] == ["TaskAssigned"]
    assert dict(state.asks[0].assignment.locked) == {"POND": 100}
    assert not state.restaking.backing and not state.restaking.locked


def test_native_first_then_restaked_and_never_counted_twice():
    state = ask(ask(ask(world(native=40))))
    state, events = run(state, assign(0))
    assert dict(state.asks[0].assignment.locked) == {"POND": 40}
    assert dict(state.restaking.backing[0].amounts) == {"v0": 60}
    assert events[-1].kind == "RestakedStakeLocked" and events[-1].data["amount"] == 60
    state, _ = run(state, assign(1))
    assert dict(state.restaking.locked) == {("p0", "v0"): 160}
    rejects(state, assign(2), "INSUFFICIENT_STAKE", "prover")
    assert inv.restaked_backing(state) == [] and inv.stake_backing(state) == []
    state, _ = run(state, ops.SubmitProof("p0", 0, spec.stand_in_proof(b"\x01")))
    assert dict(state.restaking.locked) == {("p0", "v0"): 100} and 0 not in state.restaking.backing


def test_key_safety_rule_at_assignment_boundary():
    state = world()
    assert MAX_PROOF_TIME == 1_000 - 50 - 1 - 150 - 200
    room = 100 + PARAMS.epoch_duration - 1 - PARAMS.bridge_delay_max - PARAMS.veto_duration - state.time
    ok, _ = run(ask(state, proof_time=room), assign(0))
    assert key_safety_rule_holds(PARAMS, ok.asks[0].assignment.deadline, 100)
    error = rejects(ask(state, proof_time=room + 1), assign(0), "KEY_SAFETY_RULE", "prover")
    assert "epoch_duration" in error.rule
    unsafe = attrs.evolve(spec.DEFAULT_ENV, unsafe_skip_key_safety_rule=True)
    escaped, _ = run(ask(state, proof_time=room + 1), assign(0), env=unsafe)
    assert inv.cross_chain_safety(escaped) and not inv.cross_chain_safety(ok)


def test_market_parameters_must_leave_room_for_the_rule():
    tight = attrs.evolve(PARAMS, epoch_duration=50 + 1 + 150 + 200)
    state, _ = run(spec.genesis(spec.Config(stake_tokens=("POND", "ETH"), restaking=tight)), ops.Mint("alice", "USDC", 5_000))
    rejects(state, ops.CreateMarket("alice", spec.STAND_IN_VERIFIER_ID, "orderbook", {"POND": 1}, KEY, 0), "KEY_SAFETY_RULE", "slash_amount")
    state, _ = run(state, ops.CreateMarket("alice", spec.STAND_IN_VERIFIER_ID, "orderbook", {"ETH": 1}, KEY, 0))
    rejects(state, ops.UpdateMarket("alice", 0, {"POND": 1, "ETH": 1}, KEY, 0), "KEY_SAFETY_RULE", "slash_amount")


def test_set_restaking_parameters():
    state = ask(world(), proof_time=500)
    state, _ = run(state, assign(0))
    args = RESTAKING_ARGS
    rejects(state, ops.SetRestakingParameters("mallory", **args), "NOT_GOVERNOR", "sender")
    rejects(state, ops.SetRestakingParameters("governor", **{**args, "bridge_delay_max": 0}), "INVALID_RESTAKING_PARAMETER", "bridge_delay_max")
    rejects(state, ops.SetRestakingParameters("governor", **{**args, "epoch_duration": 401}), "KEY_SAFETY_RULE", "epoch_duration")
    # task 0 (deadline 650, capture 100, vault epoch 1000, veto 200) allows a bridge bound of at most 249
    error = rejects(state, ops.SetRestakingParameters("governor", **{**args, "bridge_delay_max": 250}), "KEY_SAFETY_RULE", "bridge_delay_max")
    assert "task 0" in error.rule
    wider, _ = run(state, ops.SetRestakingParameters("governor", **{**args, "bridge_delay_max": 249}))
    assert inv.cross_chain_safety(wider) == []
    # a longer accepted veto window binds vaults sent from now on, not the backing of task 0
    state, _ = run(state, ops.SetRestakingParameters("governor", **{**args, "veto_duration": 400}))
    assert state.config.restaking.veto_duration == 400 and inv.cross_chain_safety(state) == []


def test_longer_bridge_bound_refused_while_a_slash_request_may_be_on_the_bridge():
    """Task 0 (deadline 749) meets the rule with equality; once it is slashed its backing is
    released, but the request may still be on the bridge: a longer bridge bound would let the
    adversary deliver it after v0's window, so it is refused until the slash is resolved."""
    state = ask(world(), proof_time=599)
    state, _ = run(state, assign(0), ops.AdvanceTime(600), ops.SlashMissedDeadline("keeper", 0))
    assert not state.restaking.backing and state.restaking.slashes[0].status == SlashStatus.REQUESTED
    args = dict(epoch_length=100, offset=50, epoch_duration=1_000, veto_duration=200, bridge_delay_max=151)
    error = rejects(state, ops.SetRestakingParameters("governor", **args), "KEY_SAFETY_RULE", "bridge_delay_max")
    assert "unresolved slash 0" in error.rule
    state = deliver_all(state)
    state, _ = run(state, ops.AdvanceTime(200), ops.ExecuteSlash("keeper", 0))
    state = deliver_all(state)
    assert state.restaking.slashes[0].status == SlashStatus.EXECUTED
    state, _ = run(state, ops.SetRestakingParameters("governor", **args))


@pytest.mark.parametrize("change", [{"veto_duration": 100}, {"epoch_duration": 1_300}])
def test_parameter_change_over_a_confirmed_snapshot_keeps_its_vaults_bounds(change):
    """The escape: the snapshot of capture 100 holds vault v0 (epoch 1000, veto 200). Lowering
    the network's veto bound or raising its epoch bound does not change v0, so a new task must
    still meet the rule under the bounds the snapshot was sent under (deadline <= 749), not the
    new ones. The change itself is accepted; a later snapshot carries the new bounds."""
    args = {**dict(epoch_length=100, offset=50, epoch_duration=1_000, veto_duration=200, bridge_delay_max=150), **change}
    state, _ = run(world(), ops.SetRestakingParameters("governor", **args))
    assert confirmed_snapshot(state).epoch_duration == 1_000 and confirmed_snapshot(state).veto_duration == 200
    new_params = state.config.restaking
    assert key_safety_rule_holds(new_params, 800, 100) and not key_safety_rule_holds(PARAMS, 800, 100)
    error = rejects(ask(state, proof_time=800 - state.time), assign(0), "KEY_SAFETY_RULE", "prover")
    assert "epoch_duration 1000" in error.rule
    ok, _ = run(ask(state, proof_time=749 - state.time), assign(0))
    assert inv.cross_chain_safety(ok) == []
    unsafe = attrs.evolve(spec.DEFAULT_ENV, unsafe_skip_key_safety_rule=True)
    escaped, _ = run(ask(state, proof_time=800 - state.time), assign(0), env=unsafe)
    assert any("vault 'v0'" in line for line in inv.cross_chain_safety(escaped))


def test_snapshot_parts_carry_the_bounds_they_were_sent_under():
    """Parts sent under different bounds: the snapshot keeps the weakest (least epoch, longest
    veto window); the transmitter can send only vaults the network accepts when it sends."""
    state, _ = run(world(), ops.CreateVault("curator", "v1", 900, "veto", 300, "resolver", {"p0": 1}), ops.AdvanceTime(150))
    rejects(state, ops.TransmitSnapshotPart("transmitter", 200, 0, 1, (("p0", "v1", 5),)), "INVALID_SNAPSHOT_PART", "entries")
    rejects(state, ops.TransmitSnapshotPart("transmitter", 200, 0, 1, (("p0", "nowhere", 5),)), "UNKNOWN_VAULT", "entries")
    state, _ = run(state, ops.TransmitSnapshotPart("transmitter", 200, 0, 2, (("p0", "v0", 5),)))
    loose = dict(epoch_length=100, offset=50, epoch_duration=900, veto_duration=300, bridge_delay_max=150)
    state, _ = run(state, ops.SetRestakingParameters("governor", **loose))
    state, _ = run(state, ops.TransmitSnapshotPart("transmitter", 200, 1, 2, (("p0", "v1", 5),)))
    state = deliver_all(state)
    snapshot = state.restaking.snapshots[200]
    assert snapshot.complete and (snapshot.epoch_duration, snapshot.veto_duration) == (900, 300)


def test_native_withdrawal_respects_i9_next_to_restaked_backing():
    state = ask(world(native=50))
    state, _ = run(state, assign(0))
    rejects(state, ops.RequestStakeWithdrawal("p0", "POND", 1), "INSUFFICIENT_FREE_STAKE", "amount")
    state, _ = run(state, ops.SubmitProof("p0", 0, spec.stand_in_proof(b"\x01")), ops.RequestStakeWithdrawal("p0", "POND", 50))
    assert inv.withdrawal(state) == [] and free_restaked_stake(state, "p0", "POND") == 200


def test_vault_withdrawal_claimable_after_the_next_epoch_and_stake_history():
    state = world(epoch=1_000)
    state, events = run(state, ops.VaultWithdraw("staker", "v0", 100))
    epoch = events[0].data["epoch"]
    assert epoch == 1
    vault = state.restaking.vault_chain.vaults["v0"]
    assert active_at(vault, 100) == 400 and active_at(vault, 150) == vault.active < 400
    assert operator_stake_at(vault, "p0", 100) == 200
    state, _ = run(state, ops.AdvanceTime(1_849))
    rejects(state, ops.VaultClaim("staker", "v0", epoch), "WITHDRAWAL_NOT_CLAIMABLE", "epoch")
    state, events = run(state, ops.AdvanceTime(1), ops.VaultClaim("staker", "v0", epoch))
    assert events[-1].data["amount"] == 400 - vault.active
    rejects(state, ops.VaultClaim("staker", "v0", epoch), "NOTHING_TO_CLAIM", "epoch")
    assert inv.vault_conservation(state) == []


def _slash(state, amount=100, capture=100, request_id=0, operator="p0"):
    state, _ = enqueue(state, Route.TO_VAULT_CHAIN, SlashRequest(request_id, "v0", operator, capture, amount))
    return state


def test_veto_slasher_windows_and_pro_rata_slashing():
    state, _ = run(world(deposit=400), ops.VaultWithdraw("staker", "v0", 100))
    state = _slash(state, amount=150)
    state, events = run(state, ops.DeliverMessage(max(state.restaking.bridge.in_flight)))
    request = state.restaking.vault_chain.requests[0]
    assert request.status == SlashStatus.PENDING and request.veto_deadline == state.time + 200
    rejects(state, ops.ExecuteSlash("anyone", 0), "VETO_PERIOD_NOT_ENDED")
    rejects(state, ops.VetoSlash("mallory", 0), "NOT_RESOLVER", "sender")
    state, _ = run(state, ops.AdvanceTime(200))
    rejects(state, ops.VetoSlash("resolver", 0), "VETO_PERIOD_ENDED")
    vault = state.restaking.vault_chain.vaults["v0"]
    active, bucket = vault.active, vault.buckets[1]
    state, events = run(state, ops.ExecuteSlash("anyone", 0))
    after = state.restaking.vault_chain.vaults["v0"]
    assert after.active + after.buckets[1] == active + bucket - 150 and after.slashed == 150
    assert abs((active - after.active) - 150 * active / (active + bucket)) < 1
    assert events[-1].data["status"] == "EXECUTED"
    rejects(state, ops.ExecuteSlash("anyone", 0), "SLASH_REQUEST_COMPLETED")
    assert inv.vault_conservation(state) == []


def test_slash_is_capped_by_the_operators_stake_at_capture_and_never_below_zero():
    state = _slash(world(deposit=400, slasher="instant", veto=0), amount=10_000)
    state, events = run(state, ops.DeliverMessage(max(state.restaking.bridge.in_flight)))
    assert events[-1].data["slashed"] == 200
    vault = state.restaking.vault_chain.vaults["v0"]
    assert vault.active == 200 and vault.slashed == 200
    state = _slash(state, amount=10_000, request_id=1)
    state, events = run(state, ops.DeliverMessage(max(state.restaking.bridge.in_flight)))
    assert events[-1].data["slashed"] == 0 and state.restaking.vault_chain.vaults["v0"].active == 200


def test_slash_after_the_window_expires_and_veto_after_expiry_is_impossible():
    state = _slash(world(), capture=100)
    state, _ = run(state, ops.AdvanceTime(751))
    state, events = run(state, ops.DeliverMessage(max(state.restaking.bridge.in_flight)))
    assert events[-1].data["status"] == "EXPIRED"
    rejects(state, ops.VetoSlash("resolver", 0), "SLASH_REQUEST_COMPLETED")


def test_full_missed_deadline_flow_under_bridge_faults_is_idempotent():
    state = ask(world(), proof_time=100)
    state, _ = run(state, assign(0), ops.AdvanceTime(101), ops.SlashMissedDeadline("keeper", 0))
    slash_message = max(state.restaking.bridge.in_flight)
    assert state.restaking.slashes[0].status == SlashStatus.REQUESTED
    assert free_restaked_stake(state, "p0", "POND") == 100
    rejects(state, ops.DelayMessage(slash_message, state.time + 151), "BRIDGE_DELAY_EXCEEDED", "deliver_at")
    state, _ = run(state, ops.DelayMessage(slash_message, state.time + 150), ops.DuplicateMessage(slash_message), ops.DropMessage(slash_message))
    rejects(state, ops.DeliverMessage(slash_message), "UNKNOWN_MESSAGE", "message_id")
    copy = max(state.restaking.bridge.in_flight)
    rejects(state, ops.DeliverMessage(copy), "MESSAGE_NOT_DUE", "message_id")
    state, _ = run(state, ops.RetransmitMessage(slash_message), ops.DeliverMessage(slash_message), ops.ResendSlashRequest("anyone", 0))
    state, _ = run(state, ops.AdvanceTime(150))
    state, events = run(state, ops.DeliverMessage(copy), ops.DeliverMessage(max(state.restaking.bridge.in_flight)))
    assert [e.kind for e in events].count("DuplicateIgnored") == 2
    state, events = run(state, ops.AdvanceTime(50), ops.ExecuteSlash("keeper", 0))
    result = max(state.restaking.bridge.in_flight)
    state, _ = run(state, ops.DuplicateMessage(result))
    state, events = run(state, ops.DeliverMessage(result + 1), ops.DeliverMessage(result))
    assert [e.kind for e in events] == ["MessageDelivered", "RestakedSlashResolved", "MessageDelivered", "DuplicateIgnored"]
    assert state.restaking.slashes[0].status == SlashStatus.EXECUTED and state.restaking.vault_chain.vaults["v0"].slashed == 100
    assert inv.state_violations(state) == []
    rejects(state, ops.ResendSlashRequest("anyone", 0), "NO_RESTAKED_SLASH", "ask_id")


def test_vetoed_slash_is_recorded():
    state = ask(world(), proof_time=100)
    state, _ = run(state, assign(0), ops.AdvanceTime(101), ops.SlashMissedDeadline("keeper", 0))
    state = deliver_all(state)
    state, _ = run(state, ops.VetoSlash("resolver", 0))
    state = deliver_all(state)
    assert state.restaking.slashes[0].status == SlashStatus.VETOED
    assert state.restaking.vault_chain.vaults["v0"].slashed == 0 and inv.cross_chain_safety(state) == []


def test_reorder_swaps_delivery_times_within_bounds():
    state = world()
    state = _slash(_slash(state, request_id=0), request_id=1)
    a, b = sorted(state.restaking.bridge.in_flight)[-2:]
    state, _ = run(state, ops.DelayMessage(a, state.time + 100))
    rejects(state, ops.ReorderMessages(a, a), "INVALID_REORDER", "second")
    state, _ = run(state, ops.ReorderMessages(a, b))
    in_flight = state.restaking.bridge.in_flight
    assert (in_flight[a].deliver_at, in_flight[b].deliver_at) == (state.time, state.time + 100)
    rejects(state, ops.DeliverMessage(b), "MESSAGE_NOT_DUE")


def _part(state, part):
    state, message = enqueue(state, Route.TO_MARKET_CHAIN, part)
    return state, ops.DeliverMessage(message.id)


@pytest.mark.parametrize("part, code, field", [
    (sent_part(200, 2, 2, ()), "INVALID_SNAPSHOT_PART", "index"),
    (sent_part(200, 0, 0, ()), "INVALID_SNAPSHOT_PART", "count"),
    (sent_part(200, 0, 1, (("p0", "v1", 5), ("p0", "v0", 5))), "INVALID_SNAPSHOT_PART", "entries"),
    (sent_part(200, 0, 1, (("p0", "v0", 5), ("p0", "v0", 6))), "INVALID_SNAPSHOT_PART", "entries"),
    (sent_part(200, 0, 1, (("p0", "v0", -1),)), "INVALID_SNAPSHOT_PART", "entries"),
    (sent_part(200, 0, 1, (("ghost", "v0", 5),)), "UNKNOWN_OPERATOR", "entries"),
    (sent_part(150, 0, 1, ()), "INVALID_CAPTURE_TIMESTAMP", "capture_ts"),
    (sent_part(400, 0, 1, ()), "INVALID_CAPTURE_TIMESTAMP", "capture_ts"),
    (sent_part(100, 0, 1, ()), "STALE_CAPTURE", "capture_ts"),
    (sent_part(0, 0, 1, ()), "STALE_CAPTURE", "capture_ts"),
])
def test_bad_snapshot_parts_are_typed_errors(part, code, field):
    state, _ = run(world(), ops.AdvanceTime(150))
    state, deliver = _part(state, part)
    rejects(state, deliver, code, field)


def test_snapshot_parts_out_of_order_and_contradicting_parts():
    state, _ = run(world(), ops.AdvanceTime(150))
    state, second = _part(state, sent_part(200, 1, 2, (("p0", "v1", 7),)))
    state, _ = run(state, second)
    state, clash = _part(state, sent_part(200, 0, 3, ()))
    rejects(state, clash, "INVALID_SNAPSHOT_PART", "count")
    state, repeat = _part(state, sent_part(200, 0, 2, (("p0", "v1", 1),)))
    rejects(state, repeat, "INVALID_SNAPSHOT_PART", "entries")
    state, other = _part(state, sent_part(200, 1, 2, (("p0", "v1", 8),)))
    rejects(state, other, "INVALID_SNAPSHOT_PART", "index")
    state, first = _part(state, sent_part(200, 0, 2, (("p0", "v0", 9),)))
    state, events = run(state, first)
    assert events[-1].kind == "SnapshotCompleted"
    assert free_restaked_stake(state, "p0", "POND") == 16
    state, late = _part(state, sent_part(100, 0, 2, ()))
    rejects(state, late, "STALE_CAPTURE", "capture_ts")


def test_stale_capture_no_longer_slashable():
    state, _ = run(world(), ops.AdvanceTime(1_050))
    state, deliver = _part(state, sent_part(200, 0, 1, ()))
    rejects(state, deliver, "STALE_CAPTURE", "capture_ts")


@pytest.mark.parametrize("request_, code, field", [
    (SlashRequest(7, "nowhere", "p0", 100, 10), "UNKNOWN_VAULT", "vault_id"),
    (SlashRequest(7, "v0", "ghost", 100, 10), "UNKNOWN_OPERATOR", "operator"),
    (SlashRequest(7, "v0", "p0", 100, 0), "INVALID_AMOUNT", "amount"),
    (SlashRequest(7, "v0", "p0", 150, 10), "INVALID_CAPTURE_TIMESTAMP", "capture_ts"),
])
def test_bad_slash_requests_are_typed_errors(request_, code, field):
    state, message = enqueue(world(), Route.TO_VAULT_CHAIN, request_)
    rejects(state, ops.DeliverMessage(message.id), code, field)


def test_slash_requests_and_results_for_unknown_tasks():
    state = world()
    rejects(state, ops.ResendSlashRequest("anyone", 42), "NO_RESTAKED_SLASH", "ask_id")
    state, message = enqueue(state, Route.TO_MARKET_CHAIN, SlashResult(42, SlashStatus.EXECUTED, 1))
    rejects(state, ops.DeliverMessage(message.id), "UNKNOWN_SLASH_REQUEST", "request_id")
    rejects(state, ops.VetoSlash("resolver", 42), "UNKNOWN_SLASH_REQUEST", "request_id")
    rejects(state, ops.ExecuteSlash("anyone", 42), "UNKNOWN_SLASH_REQUEST", "request_id")
    rejects(state, ops.RetransmitMessage(42), "UNKNOWN_MESSAGE", "message_id")


def test_bad_vault_parameters():
    state = world()
    base = dict(sender="curator", vault_id="v9", epoch_duration=100, slasher="veto", veto_duration=10, resolver="r", operator_shares={"p0": 1})
    for change, code, field in [
        ({"vault_id": "v0"}, "VAULT_EXISTS", "vault_id"),
        ({"epoch_duration": 0}, "INVALID_VAULT_PARAMETER", "epoch_duration"),
        ({"slasher": "fast"}, "INVALID_VAULT_PARAMETER", "slasher"),
        ({"veto_duration": 100}, "INVALID_VAULT_PARAMETER", "veto_duration"),
        ({"slasher": "instant"}, "INVALID_VAULT_PARAMETER", "veto_duration"),
        ({"operator_shares": {}}, "INVALID_VAULT_PARAMETER", "operator_shares"),
        ({"operator_shares": {"p0": 0}}, "INVALID_VAULT_PARAMETER", "operator_shares"),
    ]:
        rejects(state, ops.CreateVault(**{**base, **change}), code, field)
    rejects(state, ops.VaultWithdraw("staker", "v0", 10**9), "INSUFFICIENT_SHARES", "shares")
    rejects(state, ops.VaultDeposit("staker", "v0", 0), "INVALID_AMOUNT", "amount")
    rejects(state, ops.TransmitSnapshotPart("t", 150, 0, 1, ()), "INVALID_CAPTURE_TIMESTAMP", "capture_ts")


def test_codec_round_trips_restaking_state_and_operations():
    state = ask(world(), proof_time=100)
    state, _ = run(state, assign(0), ops.VaultWithdraw("staker", "v0", 50), ops.AdvanceTime(101), ops.SlashMissedDeadline("k", 0))
    state, _ = run(state, ops.DuplicateMessage(max(state.restaking.bridge.in_flight)), ops.DropMessage(max(state.restaking.bridge.in_flight)))
    state = deliver_all(state)
    encoded = encode_state(state)
    assert decode_state(encoded) == state
    assert dumps(encode_state(decode_state(encoded))) == dumps(encoded)
    for op in (ops.TransmitSnapshotPart("t", 100, 0, 2, (("p0", "v0", 5),)), ops.CreateVault("c", "v", 10, "veto", 1, "r", {"p0": 1}), ops.ReorderMessages(1, 2)):
        assert decode_op(encode_op(op)) == op
    with pytest.raises(MalformedOperation) as info:
        decode_op({"op": "transmit_snapshot_part", "args": {"sender": "t", "capture_ts": "1", "index": "0", "count": "1", "entries": [["p0", "v0"]]}})
    assert info.value.field == "entries"


def test_predicates_detect_violations():
    state = ask(world(), proof_time=100)
    state, _ = run(state, assign(0))
    assert inv.restaked_backing(state) == [] and inv.bounded_liveness(state) == []
    doubled = attrs.evolve(state, restaking=attrs.evolve(state.restaking, locked=state.restaking.locked.set(("p0", "v0"), 300)))
    assert inv.restaked_backing(doubled)
    a = state.asks[0]
    late = attrs.evolve(state, asks=state.asks.set(0, attrs.evolve(a, assignment=attrs.evolve(a.assignment, deadline=a.expiry + a.proof_time + 1))))
    assert inv.bounded_liveness(late)
    stuck = attrs.evolve(state, time=a.assignment.deadline + 1, asks=state.asks.set(0, attrs.evolve(a, state=AskState.ASSIGNED, market_id=9)))
    assert inv.bounded_liveness(stuck)
    leaked = attrs.evolve(state, restaking=attrs.evolve(state.restaking, vault_chain=attrs.evolve(state.restaking.vault_chain, claimed=1)))
    assert inv.vault_conservation(leaked)


def test_backing_from_an_older_snapshot_is_not_counted_against_a_newer_one():
    """Found by the long cross-chain run: an older capture keeps backing its task on a vault the
    newer snapshot no longer reports, while new tasks use another vault."""
    state = ask(world(deposit=400), proof_time=100)
    state, _ = run(state, assign(0), ops.CreateVault("curator", "v1", 1_000, "veto", 200, "resolver", {"p0": 1}), ops.VaultDeposit("staker", "v1", 300))
    shares = state.restaking.vault_chain.vaults["v0"].active_shares["staker"]
    state, _ = run(state, ops.VaultWithdraw("staker", "v0", shares), ops.AdvanceTime(100))
    for part in snapshot_parts(state, 200, 1):
        state, _ = run(state, ops.TransmitSnapshotPart("transmitter", part.capture_ts, part.index, part.count, part.entries))
    state = ask(deliver_all(state), proof_time=100)
    assert confirmed_snapshot(state).stakes().get(("p0", "v0"), 0) == 0
    state, _ = run(state, assign(1))
    assert dict(state.restaking.backing[1].amounts) == {"v1": 100} and state.restaking.backing[0].capture_ts == 100
    assert inv.restaked_backing(state) == []
