"""Scenarios of asks and tasks in the deployed_native fork (see `scenarios`)."""
from __future__ import annotations

from reference.conformance.scenarios.deployed_native.registry import scenario
from reference.conformance.scenarios.deployed_native.world import (
    ADMIN, BOB, CAROL, DAVE, ENGINE, INPUTS, IVS_IMAGE, IVS_KEY, MALLORY, OTHER_KEY, PENALTY, PRICE, REWARD, TREASURY, World,
    proof_of,
)
from spec.deployed_native import keys
from spec.deployed_native import operations as ops
from spec.deployed_native.asks import ask_state
from spec.deployed_native.containers import AskState


@scenario("create_ask")
def create_ask_ok():
    """The requester pays the reward; with no per-byte cost there is no fee."""
    w = World().ready()
    w.ask()
    assert w.state.balances[("@marketplace", "USDC")] == REWARD
    return w


@scenario("create_ask")
def create_ask_fee_never_refunded():
    """The per-byte fee is the treasury's at creation; a cancelled ask refunds the reward only."""
    w = World().ready()
    w.do(ops.UpdateCostPerBytes(ADMIN, 0, 2))
    fee = 2 * len(INPUTS)
    w.fund(CAROL, usdc=fee)
    ask_id = w.ask(expiry_in=3)
    w.do(ops.AdvanceBlocks(5))
    w.do(ops.CancelAsk(CAROL, ask_id))
    assert w.state.claimable[TREASURY] == fee and w.state.claimable[CAROL] == REWARD
    return w


@scenario("create_ask", "InactiveMarket")
def create_ask_before_activation():
    """A market takes asks only from its activation block on."""
    w = World().engine()
    w.market(activate=False)
    w.fund(CAROL, usdc=REWARD)
    w.do(ops.CreateAsk(CAROL, 0, REWARD, w.state.now + 500, 10, CAROL, INPUTS), "InactiveMarket")
    return w


@scenario("create_ask", "CannotAssignExpiredTasks")
def create_ask_expiry_now():
    """Expiry must be after the creation block plus the minimum proving time."""
    w = World().ready().fund(CAROL, usdc=REWARD)
    w.do(ops.CreateAsk(CAROL, 0, REWARD, w.state.now, 10, CAROL, INPUTS), "CannotAssignExpiredTasks")
    return w


@scenario("create_ask", "EnforcedPause")
def create_ask_paused():
    """No asks while the marketplace is paused."""
    w = World().ready().fund(CAROL, usdc=REWARD)
    w.do(ops.Pause(ADMIN))
    w.do(ops.CreateAsk(CAROL, 0, REWARD, w.state.now + 50, 10, CAROL, INPUTS), "EnforcedPause")
    return w


@scenario("create_ask", "InvalidECIESACL")
def create_ask_acl_too_long():
    """An ACL is at most 130 bytes."""
    w = World().ready().fund(CAROL, usdc=REWARD)
    w.do(ops.CreateAsk(CAROL, 0, REWARD, w.state.now + 50, 10, CAROL, INPUTS, 0, b"", b"\x01" * 131), "InvalidECIESACL")
    return w


@scenario("create_ask", "ERC20InsufficientBalance")
def create_ask_unfunded():
    """The reward is pulled from the requester."""
    w = World().ready()
    w.do(ops.CreateAsk(CAROL, 0, REWARD, w.state.now + 50, 10, CAROL, INPUTS), "ERC20InsufficientBalance")
    return w


@scenario("cancel_ask")
def cancel_ask_by_anyone_after_expiry():
    """Anyone cancels an expired, unassigned ask; the refund address's claimable grows."""
    w = World().ready()
    ask_id = w.ask(expiry_in=2)
    w.do(ops.AdvanceBlocks(2))
    w.do(ops.CancelAsk(MALLORY, ask_id))
    return w


@scenario("cancel_ask", "OnlyExpiredAsksCanBeCancelled")
def cancel_ask_before_expiry():
    """Not even the requester cancels before expiry."""
    w = World().ready()
    ask_id = w.ask(expiry_in=10)
    w.do(ops.CancelAsk(CAROL, ask_id), "OnlyExpiredAsksCanBeCancelled")
    return w


@scenario("relay_batch_assign_tasks")
def relay_batch_assign_tasks_two():
    """Anyone relays a batch signed by the engine key; the penalty is locked per task."""
    w = World().ready()
    first, second = w.ask(), w.ask()
    w.assign([first, second], [BOB, BOB])
    assert w.state.provers[BOB].stake_locked == 2 * PENALTY
    return w


@scenario("relay_batch_assign_tasks")
def relay_batch_assign_tasks_last_block():
    """An ask is assignable while now < expiry: the block before expiry is the last."""
    w = World().ready()
    ask_id = w.ask(expiry_in=2)
    w.assign([ask_id], [BOB])
    return w


@scenario("relay_batch_assign_tasks", "ShouldBeInCreateState")
def relay_batch_assign_tasks_at_expiry():
    """At the expiry block the ask reads UNASSIGNED (expired): no assignment."""
    w = World().ready()
    ask_id = w.ask(expiry_in=1)
    w.assign([ask_id], [BOB], expect="ShouldBeInCreateState")
    return w


@scenario("relay_batch_assign_tasks", "AttestationAutherKeyNotVerified")
def relay_batch_assign_tasks_wrong_signer():
    """A batch signed by a key the registry never verified is refused."""
    w = World().ready()
    ask_id = w.ask()
    w.assign([ask_id], [BOB], key=OTHER_KEY, expect="AttestationAutherKeyNotVerified")
    return w


@scenario("relay_batch_assign_tasks", "AttestationAutherImageNotInFamily")
def relay_batch_assign_tasks_ivs_key_signs():
    """A verified key of another family (a market's IVS key) cannot assign."""
    w = World().ready()
    w.do(ops.AddIvsKey(DAVE, 0, IVS_KEY, IVS_IMAGE))
    ask_id = w.ask()
    w.assign([ask_id], [BOB], key=IVS_KEY, expect="AttestationAutherImageNotInFamily")
    return w


@scenario("relay_batch_assign_tasks", "ArityMismatch")
def relay_batch_assign_tasks_arity():
    """The three lists have one length."""
    w = World().ready()
    w.do(ops.RelayBatchAssignTasks(DAVE, [0], [BOB, BOB], [b""], b"\x00" * 65), "ArityMismatch")
    return w


@scenario("relay_batch_assign_tasks", "ECDSAInvalidSignatureLength")
def relay_batch_assign_tasks_short_signature():
    """A signature is 65 bytes."""
    w = World().ready()
    w.do(ops.RelayBatchAssignTasks(DAVE, [], [], [], b"\x01" * 64), "ECDSAInvalidSignatureLength")
    return w


@scenario("relay_batch_assign_tasks", "ProofPriceMismatch")
def relay_batch_assign_tasks_reward_below_price():
    """The reward must cover the prover's quoted price."""
    w = World().ready()
    ask_id = w.ask(reward=PRICE - 1)
    w.assign([ask_id], [BOB], expect="ProofPriceMismatch")
    return w


@scenario("relay_batch_assign_tasks", "AssignOnlyToIdleGenerators")
def relay_batch_assign_tasks_not_member():
    """Only members that are JOINED or WIP take tasks."""
    w = World().ready()
    ask_id = w.ask()
    w.assign([ask_id], [DAVE], expect="AssignOnlyToIdleGenerators")
    return w


@scenario("relay_batch_assign_tasks", "InsufficientStakeToLock")
def relay_batch_assign_tasks_no_stake():
    """Free stake must cover the market's penalty."""
    w = World().engine()
    w.market()
    w.prover(stake=PENALTY - 1)
    ask_id = w.ask()
    w.assign([ask_id], [BOB], expect="InsufficientStakeToLock")
    return w


@scenario("assign_task")
def assign_task_by_engine_key():
    """The engine key may send the assignment itself."""
    w = World().ready()
    ask_id = w.ask()
    w.do(ops.AssignTask(ENGINE, ask_id, BOB))
    return w


@scenario("assign_task", "AttestationAutherKeyNotVerified")
def assign_task_not_engine():
    """Anyone else sending assignTask is refused."""
    w = World().ready()
    ask_id = w.ask()
    w.do(ops.AssignTask(MALLORY, ask_id, BOB), "AttestationAutherKeyNotVerified")
    return w


@scenario("submit_proof")
def submit_proof_by_anyone():
    """Anyone submits a valid proof; the prover is owed its quoted price, the refund address the
    rest of the reward; the penalty is released."""
    w = World()
    ask_id = w.task()
    w.do(ops.SubmitProof(MALLORY, ask_id, proof_of()))
    assert w.state.claimable[BOB] == PRICE and w.state.claimable[CAROL] == REWARD - PRICE
    return w


@scenario("submit_proof")
def submit_proof_at_deadline():
    """A proof is on time up to the deadline block itself."""
    w = World()
    ask_id = w.task()
    w.do(ops.AdvanceBlocks(w.state.asks[ask_id].deadline - w.state.now))
    w.do(ops.SubmitProof(BOB, ask_id, proof_of()))
    return w


@scenario("submit_proof", "OnlyAssignedAsksCanBeProved")
def submit_proof_after_deadline():
    """After the deadline block the ask reads DEADLINE_CROSSED."""
    w = World()
    ask_id = w.task()
    w.do(ops.AdvanceBlocks(w.state.asks[ask_id].deadline - w.state.now + 1))
    w.do(ops.SubmitProof(BOB, ask_id, proof_of()), "OnlyAssignedAsksCanBeProved")
    return w


@scenario("submit_proof", "InvalidProof")
def submit_proof_invalid():
    """The market's verifier must accept the proof."""
    w = World()
    ask_id = w.task()
    w.do(ops.SubmitProof(BOB, ask_id, b"\x00" * 32), "InvalidProof")
    return w


@scenario("submit_proof", "CannotBeZero")
def submit_proof_unassigned():
    """An unassigned ask has no prover to pay."""
    w = World().ready()
    ask_id = w.ask()
    w.do(ops.SubmitProof(BOB, ask_id, proof_of()), "CannotBeZero")
    return w


@scenario("submit_proof")
def submit_proof_paid_to_new_reward_address():
    """The reward address is read at proof time."""
    w = World()
    ask_id = w.task()
    w.do(ops.ChangeRewardAddress(BOB, DAVE))
    w.do(ops.SubmitProof(BOB, ask_id, proof_of()))
    assert w.state.claimable[DAVE] == PRICE
    return w


@scenario("submit_invalid_inputs")
def submit_invalid_inputs_ok():
    """An IVS key's signature closes the task: the prover is paid its price, the rest goes to the
    treasury."""
    w = World()
    ask_id = w.task()
    w.do(ops.AddIvsKey(DAVE, 0, IVS_KEY, IVS_IMAGE))
    signature = keys.sign_hash(IVS_KEY, keys.invalid_inputs_hash(ask_id, INPUTS))
    w.do(ops.SubmitInvalidInputs(MALLORY, ask_id, signature))
    assert w.state.claimable[TREASURY] == REWARD - PRICE
    return w


@scenario("submit_invalid_inputs", "AttestationAutherImageNotInFamily")
def submit_invalid_inputs_engine_signs():
    """Only the market's IVS family may state inputs invalid, not the engine."""
    w = World()
    ask_id = w.task()
    signature = keys.sign_hash(ENGINE, keys.invalid_inputs_hash(ask_id, INPUTS))
    w.do(ops.SubmitInvalidInputs(MALLORY, ask_id, signature), "AttestationAutherImageNotInFamily")
    return w


@scenario("slash_missed_deadline")
def slash_missed_deadline_to_caller():
    """After the deadline anyone slashes and names where the whole penalty goes; the requester
    gets its reward back and nothing of the stake."""
    w = World()
    ask_id = w.task()
    w.do(ops.AdvanceBlocks(w.state.asks[ask_id].deadline - w.state.now + 1))
    w.do(ops.SlashMissedDeadline(MALLORY, ask_id, MALLORY))
    assert w.state.balances[(MALLORY, "POND")] == PENALTY and w.state.claimable[CAROL] == REWARD
    return w


@scenario("slash_missed_deadline", "ShouldBeInCrossedDeadlineState")
def slash_missed_deadline_at_deadline():
    """At the deadline block the task is still ASSIGNED."""
    w = World()
    ask_id = w.task()
    w.do(ops.AdvanceBlocks(w.state.asks[ask_id].deadline - w.state.now))
    assert ask_state(w.state, ask_id) == AskState.ASSIGNED
    w.do(ops.SlashMissedDeadline(MALLORY, ask_id, MALLORY), "ShouldBeInCrossedDeadlineState")
    return w


@scenario("discard_task")
def discard_task_to_treasury():
    """The prover gives a task up: its penalty goes to the treasury, the reward back."""
    w = World()
    ask_id = w.task()
    w.do(ops.DiscardTask(BOB, ask_id))
    assert w.state.balances[(TREASURY, "POND")] == PENALTY
    return w


@scenario("discard_task", "OnlyGeneratorCanDiscardRequest")
def discard_task_not_prover():
    """Only the assigned prover discards."""
    w = World()
    ask_id = w.task()
    w.do(ops.DiscardTask(MALLORY, ask_id), "OnlyGeneratorCanDiscardRequest")
    return w


@scenario("flush")
def flush_claimable():
    """Anyone flushes an account's claimable amount to it."""
    w = World()
    ask_id = w.task()
    w.do(ops.SubmitProof(BOB, ask_id, proof_of()))
    w.do(ops.Flush(MALLORY, BOB))
    assert w.state.balances[(BOB, "USDC")] == PRICE
    return w


@scenario("submit_proofs")
def submit_proofs_two():
    """Several proofs in one transaction, in order."""
    w = World().ready()
    first, second = w.ask(), w.ask()
    w.assign([first, second], [BOB, BOB])
    w.do(ops.SubmitProofs(MALLORY, [first, second], [proof_of(), proof_of()]))
    return w


@scenario("submit_proofs", "InvalidProof")
def submit_proofs_one_bad():
    """One bad proof reverts the whole batch."""
    w = World().ready()
    first, second = w.ask(), w.ask()
    w.assign([first, second], [BOB, BOB])
    w.do(ops.SubmitProofs(MALLORY, [first, second], [proof_of(), b"\x00"]), "InvalidProof")
    return w
