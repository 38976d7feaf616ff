"""Scenarios of `spec.tasks`: assignment, proofs and invalid-inputs statements."""
from __future__ import annotations

from properties.fixtures import ALICE, CAROL, MALLORY, MEASUREMENT, OTHER_KEY, OTHER_SECRET, P0, P1, P2, WRONG_SECRET
from properties.world import (
    World, assigned_task, assignment_signature, invalid_inputs_signature, open_ask, open_market, proof,
    restaked_market, restaked_task, slash_requested,
)
from reference.conformance.scenarios.design.common import (
    RESTAKED, ask, assign, attestation, attested_market, create, pond, restaking_world, two_markets_one_prover,
)
from reference.conformance.scenarios.design.registry import scenario
from spec import operations as ops
from spec.types import AskState, MembershipStatus
from spec.containers import Config
from spec.signing import high_s


def _second_market_after_slash_request(slash: int) -> World:
    """`slash_requested` (100 of p0's 1000 restaked under an unresolved request), then market 1
    slashing `slash` POND, p0 quoting in it and carol's ask 1 there."""
    w = slash_requested()
    w.market(owner=CAROL, slash={"POND": slash}, key=OTHER_KEY)
    w.join(P0, 1)
    w.ask(1, requester=CAROL)
    return w


@scenario("submit_proof", "MALFORMED_OPERATION")
def submit_proof_proof_not_hex():
    """Bytes travel as 0x-prefixed hex."""
    return assigned_task().state, [{"op": "submit_proof", "args": {"sender": P0, "ask_id": "0", "proof": "deadbeef"}}]


def _locked(pre, post):
    task, prover = post.asks[0], post.provers[P0]
    return (task.state == AskState.ASSIGNED and task.assignment.deadline == pre.time + pre.asks[0].proof_time
            and prover.locked["POND"] == 100 and prover.compute_in_use == 1 and post.memberships[(0, P0)].status == MembershipStatus.WIP)


@scenario("assign_task", check=_locked)
def assign_task_ok():
    """The engine's signed assignment locks stake and compute and sets the deadline."""
    return open_ask().state, [assign()]


@scenario("assign_task")
def assign_task_at_price_bounds():
    """The price may equal the quote or the max_price; the assignment may happen at the expiry."""
    w = open_ask()
    w.ask()
    w.prover(P1)
    w.join(P1, 0, price=200)
    w.wait_until(w.expiry(1))
    return w.state, [assign(0, P0, 50), assign(1, P1, 200)]


@scenario("assign_task", check=lambda pre, post: pre.memberships[(1, P0)].quote is not None and post.memberships[(1, P0)].quote is None
          and post.memberships[(0, P0)].status == MembershipStatus.WIP)
def assign_task_cancels_quotes_that_no_longer_fit():
    """A match in one market withdraws the prover's quotes elsewhere that its free stake no longer covers."""
    return two_markets_one_prover().state, [assign()]


@scenario("assign_task", check=lambda pre, post: post.memberships[(1, P0)].quote == pre.memberships[(1, P0)].quote)
def assign_task_keeps_quotes_that_fit():
    """Quotes elsewhere that still fit stay active."""
    w = open_market()
    w.market(owner=CAROL, slash={"POND": 400}, key=OTHER_KEY)
    w.join(P0, 1, compute=3)
    w.ask(0)
    return w.state, [assign()]


@scenario("assign_task", check=lambda pre, post: pre.memberships[(1, P0)].quote is not None and post.memberships[(1, P0)].quote is None)
def assign_task_cancels_quote_lacking_compute():
    """Quotes elsewhere whose compute per request no longer fits are withdrawn."""
    w = open_market()
    w.market(owner=CAROL, slash={"POND": 10}, key=OTHER_KEY)
    w.join(P0, 1, compute=4)
    w.ask(0)
    return w.state, [assign()]


@scenario("assign_task")
def assign_task_two_tasks_use_all_compute():
    """Compute is shared by tasks: two tasks of compute 2 fill declared compute 4."""
    w = World().funded()
    w.market()
    w.prover(P0, compute=4, stake=200)
    w.join(P0, 0, compute=2)
    w.ask()
    w.ask()
    return w.state, [assign(0), assign(1)]


@scenario("assign_task", "INSUFFICIENT_COMPUTE")
def assign_task_compute_exhausted():
    """A third task that needs more compute than is free is refused."""
    w = World().funded()
    w.market()
    w.prover(P0, compute=5, stake=1_000)
    w.join(P0, 0, compute=2)
    for _ in range(3):
        w.ask()
    w.assign(0).assign(1)
    return w.state, [assign(2)]


@scenario("assign_task", "INSUFFICIENT_STAKE")
def assign_task_stake_exhausted():
    """Stake locked by one task cannot back another."""
    w = World().funded()
    w.market()
    w.prover(P0, compute=4, stake=199)
    w.join(P0, 0)
    w.ask()
    w.ask()
    w.assign(0)
    return w.state, [assign(1)]


@scenario("assign_task", "INSUFFICIENT_STAKE")
def assign_task_stake_pending_withdrawal():
    """Stake earmarked for withdrawal does not back tasks."""
    w = open_ask().do(ops.RequestStakeWithdrawal(P0, "POND", 401))
    return w.state, [assign()]


@scenario("assign_task", "INSUFFICIENT_STAKE")
def assign_task_second_stake_token():
    """Every token of the slash amount must be covered."""
    config = Config(stake_tokens=("POND", "ETH"))
    w = World(config).funded()
    w.market(slash={"POND": 100, "ETH": 20})
    w.prover(P0)
    w.do(ops.DepositStake(P0, "ETH", 19))
    w.join(P0, 0)
    w.ask()
    return w.state, [assign()]


@scenario("assign_task")
def assign_task_locks_every_stake_token():
    """A market slashing two tokens locks both."""
    config = Config(stake_tokens=("POND", "ETH"))
    w = World(config).funded()
    w.market(slash={"POND": 100, "ETH": 20})
    w.prover(P0)
    w.do(ops.DepositStake(P0, "ETH", 20))
    w.join(P0, 0)
    w.ask()
    return w.state, [assign()]


@scenario("assign_task", "UNKNOWN_ASK")
def assign_task_unknown_ask():
    """The ask must exist."""
    return open_ask().state, [assign(ask=4)]


@scenario("assign_task", "ASK_NOT_UNASSIGNED")
def assign_task_twice():
    """An ask is assigned once (I2)."""
    w = open_ask()
    w.prover(P1)
    w.join(P1, 0)
    return w.state, [assign(), assign(prover=P1)]


@scenario("assign_task", "ASK_EXPIRED")
def assign_task_after_expiry():
    """An ask cannot be assigned after its expiry."""
    w = open_ask()
    w.wait_until(w.expiry() + 1)
    return w.state, [assign()]


@scenario("assign_task", "BAD_ENGINE_SIGNATURE")
def assign_task_wrong_engine():
    """Only the market's engine key may sign assignments."""
    return open_ask().state, [assign(secret=OTHER_SECRET)]


@scenario("assign_task", "BAD_ENGINE_SIGNATURE")
def assign_task_signature_for_other_price():
    """The signature covers the price."""
    return open_ask().state, [assign(price=150, signed_price=100)]


@scenario("assign_task", "BAD_ENGINE_SIGNATURE")
def assign_task_signature_for_other_prover():
    """The signature covers the prover."""
    w = open_ask()
    w.prover(P1)
    w.join(P1, 0)
    good = assign(prover=P0)
    return w.state, [ops.AssignTask(MALLORY, 0, P1, 100, good.signature)]


@scenario("assign_task", "BAD_ENGINE_SIGNATURE")
def assign_task_truncated_signature():
    """A signature is 65 bytes."""
    good = assign()
    return open_ask().state, [ops.AssignTask(MALLORY, 0, P0, 100, good.signature[:-1])]


@scenario("assign_task", "UNKNOWN_PROVER")
def assign_task_unregistered_prover():
    """The prover must be registered."""
    return open_ask().state, [assign(prover=P2)]


@scenario("assign_task", "NOT_MEMBER")
def assign_task_prover_not_member():
    """The prover must have joined the ask's market."""
    w = open_ask()
    w.prover(P1)
    return w.state, [assign(prover=P1)]


@scenario("assign_task", "EXIT_REQUESTED")
def assign_task_prover_leaving():
    """A prover that asked to leave takes no new task."""
    w = open_ask().do(ops.RequestMarketExit(P0, 0))
    return w.state, [assign()]


@scenario("assign_task", "QUOTE_INACTIVE")
def assign_task_quote_cancelled():
    """A quote withdrawn by a match elsewhere cannot be matched."""
    w = two_markets_one_prover()
    w.ask(1, requester=CAROL)
    w.assign(0, P0, 100)
    return w.state, [assign(ask=1, market=1, secret=OTHER_SECRET)]


@scenario("assign_task", "PRICE_ABOVE_MAX")
def assign_task_price_above_max():
    """The price never exceeds max_price."""
    return open_ask().state, [assign(price=201)]


@scenario("assign_task", "PRICE_BELOW_QUOTE")
def assign_task_price_below_quote():
    """The price is at least the prover's quote."""
    return open_ask().state, [assign(price=49)]


@scenario("assign_task", "PROOF_TIME_EXCEEDED")
def assign_task_prover_too_slow():
    """The prover's proposed time must fit the ask's proof_time."""
    w = open_market()
    w.ask(proof_time=99)
    return w.state, [assign()]


@scenario("assign_task")
def assign_task_proposed_time_equal_proof_time():
    """A proposed time equal to proof_time fits."""
    w = open_market()
    w.ask(proof_time=100)
    return w.state, [assign()]


def _paid(state: AskState, price: int):
    def check(pre, post):
        task, prover, fee = post.asks[0], post.provers[P0], pre.markets[0].platform_fee
        return (task.state == state and task.escrow == 0 and post.balances[("p0-rewards", "USDC")] == price
                and post.balances[(ALICE, "USDC")] == pre.balances[(ALICE, "USDC")] + pre.asks[0].max_price - price
                and post.treasury["USDC"] == pre.treasury["USDC"] + fee
                and not prover.locked.get("POND", 0) and prover.compute_in_use == 0
                and post.memberships[(0, P0)].status == MembershipStatus.JOINED)
    return check


@scenario("submit_proof", check=_paid(AskState.COMPLETE, 130))
def submit_proof_ok():
    """A valid proof pays the prover's reward address, refunds max_price - price and pays the fee to the treasury."""
    return assigned_task(price=130).state, [ops.SubmitProof(P0, 0, proof())]


@scenario("submit_proof")
def submit_proof_at_deadline():
    """A proof is accepted at the deadline itself."""
    w = assigned_task()
    w.wait_until(w.deadline())
    return w.state, [ops.SubmitProof(P0, 0, proof())]


@scenario("submit_proof")
def submit_proof_frees_capacity():
    """After the proof, the freed stake and compute back the next task."""
    w = World().funded()
    w.market()
    w.prover(P0, compute=1, stake=100)
    w.join(P0, 0)
    w.ask()
    w.ask()
    w.assign(0)
    return w.state, [ops.SubmitProof(P0, 0, proof()), assign(1)]


@scenario("submit_proof", "DEADLINE_PASSED")
def submit_proof_after_deadline():
    """A proof one second late is refused."""
    w = assigned_task()
    w.wait_until(w.deadline() + 1)
    return w.state, [ops.SubmitProof(P0, 0, proof())]


@scenario("submit_proof", "INVALID_PROOF")
def submit_proof_invalid():
    """The market's verifier must accept the proof."""
    return assigned_task().state, [ops.SubmitProof(P0, 0, proof(b"other inputs"))]


@scenario("submit_proof", "UNKNOWN_ASK")
def submit_proof_unknown_ask():
    """The ask must exist."""
    return assigned_task().state, [ops.SubmitProof(P0, 1, proof())]


@scenario("submit_proof", "ASK_NOT_ASSIGNED")
def submit_proof_unassigned():
    """Only assigned asks take proofs."""
    return open_ask().state, [ops.SubmitProof(P0, 0, proof())]


@scenario("submit_proof", "ASK_NOT_ASSIGNED")
def submit_proof_twice():
    """A task is paid once."""
    return assigned_task().state, [ops.SubmitProof(P0, 0, proof()), ops.SubmitProof(P0, 0, proof())]


@scenario("submit_proof", "NOT_ASSIGNED_PROVER")
def submit_proof_by_other():
    """Only the assigned prover submits."""
    return assigned_task().state, [ops.SubmitProof(P1, 0, proof())]


@scenario("submit_invalid_inputs", check=_paid(AskState.INVALID_INPUTS, 77))
def submit_invalid_inputs_ok():
    """The engine's statement that the inputs are unprovable pays the prover as for a proof."""
    return assigned_task(price=77).state, [ops.SubmitInvalidInputs(P0, 0, invalid_inputs_signature(0, 0, P0))]


@scenario("submit_invalid_inputs")
def submit_invalid_inputs_at_deadline():
    """The statement is accepted at the deadline itself."""
    w = assigned_task()
    w.wait_until(w.deadline())
    return w.state, [ops.SubmitInvalidInputs(P0, 0, invalid_inputs_signature(0, 0, P0))]


@scenario("submit_invalid_inputs", "DEADLINE_PASSED")
def submit_invalid_inputs_after_deadline():
    """Not after the deadline."""
    w = assigned_task()
    w.wait_until(w.deadline() + 1)
    return w.state, [ops.SubmitInvalidInputs(P0, 0, invalid_inputs_signature(0, 0, P0))]


@scenario("submit_invalid_inputs", "BAD_ENGINE_SIGNATURE")
def submit_invalid_inputs_wrong_signer():
    """The statement must be signed by the market's engine key."""
    return assigned_task().state, [ops.SubmitInvalidInputs(P0, 0, invalid_inputs_signature(0, 0, P0, WRONG_SECRET))]


@scenario("submit_invalid_inputs", "BAD_ENGINE_SIGNATURE")
def submit_invalid_inputs_assignment_signature():
    """An assignment signature is not an invalid-inputs statement."""
    return assigned_task().state, [ops.SubmitInvalidInputs(P0, 0, assignment_signature(0, 0, P0, 100))]


@scenario("submit_invalid_inputs", "UNKNOWN_ASK")
def submit_invalid_inputs_unknown_ask():
    """The ask must exist."""
    return assigned_task().state, [ops.SubmitInvalidInputs(P0, 3, invalid_inputs_signature(0, 3, P0))]


@scenario("submit_invalid_inputs", "ASK_NOT_ASSIGNED")
def submit_invalid_inputs_unassigned():
    """Only assigned asks."""
    return open_ask().state, [ops.SubmitInvalidInputs(P0, 0, invalid_inputs_signature(0, 0, P0))]


@scenario("submit_invalid_inputs", "NOT_ASSIGNED_PROVER")
def submit_invalid_inputs_by_other():
    """Only the assigned prover submits."""
    return assigned_task().state, [ops.SubmitInvalidInputs(MALLORY, 0, invalid_inputs_signature(0, 0, P0))]


@scenario("submit_proof")
def submit_proof_full_lifecycle():
    """From genesis: fund, create a market, register, stake, join, ask, assign, prove."""
    return World().state, [
        ops.Mint(ALICE, "USDC", 5_000), ops.Mint(P1, "POND", 300),
        create(fee=5), ops.RegisterProver(P1, "p1-rewards", 2), ops.DepositStake(P1, "POND", 300),
        ops.JoinMarket(P1, 0, 40, 30, 2), ask(max_price=90, proof_time=30), ops.AdvanceTime(12),
        assign(prover=P1, price=45), ops.AdvanceTime(30), ops.SubmitProof(P1, 0, b"\x00"),
        ops.SubmitProof(P1, 0, proof(b"\x01\x02")),
    ]


@scenario("assign_task", requires=RESTAKED)
def assign_task_backed_by_restaked_stake():
    """A prover without native stake is backed by its confirmed restaked stake, under the key safety rule."""
    w = restaked_market()
    w.ask()
    return w.state, [assign()]


@scenario("assign_task", requires=RESTAKED)
def assign_task_native_first_then_restaked():
    """Free native stake is locked first; restaked stake covers the rest."""
    w = restaked_market(native_stake=60)
    w.ask()
    return w.state, [assign()]


@scenario("assign_task", requires=RESTAKED)
def assign_task_restaked_rule_at_its_bound():
    """The longest proof time the rule allows when assigning at 1100: deadline 1649 + 1 + 150 + 200 = 1000 + 1000."""
    w = restaked_market()
    w.ask(proof_time=549)
    return w.state, [assign()]


@scenario("assign_task", "KEY_SAFETY_RULE", requires=RESTAKED)
def assign_task_restaked_rule_broken():
    """A deadline one second longer would let the slash clear the veto window after the stake stops being slashable."""
    w = restaked_market()
    w.ask(proof_time=550)
    return w.state, [assign()]


@scenario("assign_task", requires=RESTAKED)
def assign_task_snapshot_confirmed_after_offset():
    """A snapshot backs tasks only `offset` seconds after its capture: refused (INSUFFICIENT_STAKE)
    at 1049, accepted at 1050."""
    w = restaking_world()
    w.market()
    w.vault()
    w.join(P0, 0)
    w.wait(49)
    w.snapshot(1_000)
    w.ask()
    return w.state, [assign(), ops.AdvanceTime(1), assign()]


@scenario("assign_task", requires=RESTAKED)
def assign_task_restaked_beside_slash_request():
    """Restaked stake under an unresolved slash request backs no new task: 900 of 1000 remain."""
    return _second_market_after_slash_request(900).state, [assign(ask=1, market=1, secret=OTHER_SECRET)]


@scenario("assign_task", "INSUFFICIENT_STAKE", requires=RESTAKED)
def assign_task_restaked_encumbered_by_slash_request():
    """One unit more than the unencumbered restaked stake is refused."""
    return _second_market_after_slash_request(901).state, [assign(ask=1, market=1, secret=OTHER_SECRET)]


@scenario("submit_proof", requires=RESTAKED)
def submit_proof_releases_restaked_stake():
    """A proof releases the task's restaked backing."""
    return restaked_task().state, [ops.SubmitProof(P0, 0, proof())]


@scenario("assign_task", "PROVER_KEY_MISSING", requires=("attest_engine", "register_prover_key"))
def assign_task_private_inputs_without_prover_key():
    """An ask with private inputs goes only to a prover with an encryption key."""
    return attested_market().do(ask(private=b"\xca\xfe")).state, [assign()]


@scenario("assign_task", requires=("attest_engine", "register_prover_key"))
def assign_task_private_inputs_with_prover_key():
    """Once the prover registered a key, the ask with private inputs is assigned."""
    w = attested_market().do(ask(private=b"\xca\xfe"))
    return w.state, [assign(), ops.RegisterProverKey(P0, OTHER_KEY), assign()]


# --- I12: private inputs only under an attested engine key --------------------------------------

PRIVATE = b"\xca\xfe"
KEYED = ("attest_engine", "register_prover_key", "update_market")


def _private_ask_rotated() -> World:
    """An attested market with a private-input ask (p0 has an encryption key), whose owner then
    rotates the engine key to one that is not attested."""
    w = attested_market().do(ops.RegisterProverKey(P0, OTHER_KEY), ask(private=PRIVATE))
    return w.do(ops.UpdateMarket(ALICE, 0, pond(100), OTHER_KEY, 10))


@scenario("assign_task", "ENGINE_NOT_ATTESTED", requires=KEYED)
def assign_task_private_inputs_after_key_rotation():
    """After a key rotation the new, unattested key cannot assign an ask with private inputs."""
    return _private_ask_rotated().state, [assign(secret=OTHER_SECRET)]


@scenario("assign_task", requires=KEYED)
def assign_task_private_inputs_after_key_rotation_and_attestation():
    """Once the TEE root attested the new key, it assigns the ask with private inputs."""
    w = _private_ask_rotated().do(ops.AttestEngine(ALICE, 0, MEASUREMENT, attestation(engine_key=OTHER_KEY)))
    return w.state, [assign(secret=OTHER_SECRET)]


@scenario("assign_task", requires=KEYED)
def assign_task_public_inputs_after_key_rotation():
    """Asks without private inputs need no attestation: the new key assigns them."""
    w = attested_market().do(ask(), ops.UpdateMarket(ALICE, 0, pond(100), OTHER_KEY, 10))
    return w.state, [assign(secret=OTHER_SECRET)]


@scenario("submit_invalid_inputs", "ENGINE_NOT_ATTESTED", requires=KEYED)
def submit_invalid_inputs_private_inputs_after_key_rotation():
    """The unattested new key cannot declare a private-input task's inputs invalid (the prover
    would be paid from the requester's escrow without a proof)."""
    w = attested_market().do(ops.RegisterProverKey(P0, OTHER_KEY), ask(private=PRIVATE), assign())
    w.do(ops.UpdateMarket(ALICE, 0, pond(100), OTHER_KEY, 10))
    return w.state, [ops.SubmitInvalidInputs(P0, 0, invalid_inputs_signature(0, 0, P0, OTHER_SECRET))]


@scenario("submit_invalid_inputs", requires=KEYED)
def submit_invalid_inputs_private_inputs_attested():
    """The attested engine declares a private-input task's inputs invalid."""
    w = attested_market().do(ops.RegisterProverKey(P0, OTHER_KEY), ask(private=PRIVATE), assign())
    return w.state, [ops.SubmitInvalidInputs(P0, 0, invalid_inputs_signature(0, 0, P0))]


# --- low-s signatures (Ethereum's rule; OpenZeppelin ECDSA refuses high s too) ------------------

@scenario("assign_task", "BAD_ENGINE_SIGNATURE")
def assign_task_high_s_signature():
    """The high-s form of a valid engine signature (same r, s -> n - s) is refused."""
    return open_market().do(ask()).state, [ops.AssignTask(MALLORY, 0, P0, 100, high_s(assignment_signature(0, 0, P0, 100)))]


@scenario("assign_task")
def assign_task_low_s_signature():
    """The low-s form of the same signature assigns."""
    return open_market().do(ask()).state, [ops.AssignTask(MALLORY, 0, P0, 100, assignment_signature(0, 0, P0, 100))]


@scenario("submit_invalid_inputs", "BAD_ENGINE_SIGNATURE")
def submit_invalid_inputs_high_s_signature():
    """A high-s invalid-inputs statement is refused."""
    return assigned_task().state, [ops.SubmitInvalidInputs(P0, 0, high_s(invalid_inputs_signature(0, 0, P0)))]


@scenario("assign_task", "MALFORMED_OPERATION")
def assign_task_control_character_prover():
    """A name has no control characters."""
    return open_market().do(ask()).state, [{"op": "assign_task", "args": {
        "sender": MALLORY, "ask_id": "0", "prover": "p0\n", "price": "100", "signature": "0x" + assignment_signature(0, 0, P0, 100).hex()}}]
