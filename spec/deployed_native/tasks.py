"""Tasks in the ProofMarketplace: assignment by the one attested matching-engine key, proofs,
invalid-inputs claims by a market's IVS key, slashing and discarding."""
from __future__ import annotations

import attrs

from spec.deployed_native import operations as ops
from spec.deployed_native.asks import ask_state, get_ask
from spec.deployed_native.containers import AskState, State
from spec.deployed_native.errors import need, revert
from spec.deployed_native.keyregistry import allow_only_verified_family
from spec.deployed_native.keys import SignatureError, address, assignment_hash, invalid_inputs_hash, is_zero, ivs_family, matching_engine_family, recover
from spec.deployed_native.ledger import increase_claimable
from spec.deployed_native.memberships import assign_generator_task, complete_generator_task, slash_generator
from spec.deployed_native.uint import add
from spec.env import Env
from spec.events import Event, event


def signer_name(state: State, message_hash: bytes, signature: bytes, field: str) -> str | None:
    """The verified key that signed (EIP-191) `message_hash`, or None if the signer is no key
    the registry verified; OpenZeppelin's ECDSA reverts are the fork's errors."""
    try:
        signer = recover(message_hash, signature)
    except SignatureError as error:
        raise revert(error.code, field, "not a valid ECDSA signature") from None
    return next((name for name in sorted(state.keys.verified) if address(name) == signer), None)


def _assign(state: State, ask_id: int, prover: str, acl: bytes) -> tuple[State, list[Event]]:
    """ProofMarketplace.sol:517 _assignTask: the ask is CREATE (ShouldBeInCreateState: unexpired,
    unassigned); its reward covers the prover's quoted price (ProofPriceMismatch) and its proof
    time the prover's proposed time (ProofTimeMismatch); the deadline is now + proof_time; the
    registry locks the market's penalty (assign_generator_task)."""
    need(ask_state(state, ask_id) == AskState.CREATE, "ShouldBeInCreateState", "ask_id", f"ask {ask_id} is {ask_state(state, ask_id).value}")
    ask = state.asks[ask_id]
    info = state.memberships.get((ask.market_id, prover))
    price, proposed_time = (info.price, info.proposed_time) if info is not None else (0, 0)
    need(ask.reward >= price, "ProofPriceMismatch", "prover", f"reward {ask.reward} < quoted price {price}")
    need(ask.proof_time >= proposed_time, "ProofTimeMismatch", "prover", f"proof time {ask.proof_time} < proposed {proposed_time}")
    assigned = attrs.evolve(ask, stored_state=AskState.ASSIGNED, deadline=add(state.now, ask.proof_time, "proof_time"), prover=prover)
    state = attrs.evolve(state, asks=state.asks.set(ask_id, assigned))
    state, events = assign_generator_task(state, prover, ask.market_id, state.markets[ask.market_id].penalty)
    return state, events + [event("TaskCreated", askId=ask_id, generator=prover, new_acl=acl)]


def process_assign_task(state: State, op: ops.AssignTask, env: Env):
    """ProofMarketplace.sol:512 assignTask: the sender is itself a verified key whose image is in
    the marketplace's one matching-engine family."""
    allow_only_verified_family(state, matching_engine_family(), op.sender if op.sender in state.keys.verified else None, "sender")
    return _assign(state, op.ask_id, op.prover, op.acl)


def process_relay_batch_assign_tasks(state: State, op: ops.RelayBatchAssignTasks, env: Env):
    """ProofMarketplace.sol:487 relayBatchAssignTasks: anyone relays equal-length lists
    (ArityMismatch) signed by the matching-engine key: EIP-191 over keccak256(abi.encode(askIds,
    generators, newAcls)); each is assigned in order, all or none."""
    need(len(op.ask_ids) == len(op.provers) == len(op.acls), "ArityMismatch", "ask_ids", "ask_ids, provers and acls differ in length")
    signer = signer_name(state, assignment_hash(op.ask_ids, op.provers, op.acls), op.signature, "signature")
    allow_only_verified_family(state, matching_engine_family(), signer, "signature")
    events: list[Event] = []
    for ask_id, prover, acl in zip(op.ask_ids, op.provers, op.acls):
        state, assigned = _assign(state, ask_id, prover, acl)
        events += assigned
    return state, events


def _reward_details(state: State, ask_id: int) -> tuple[str, int]:
    """ProofMarketplace.sol:564/655: the assigned prover's CURRENT reward address and quoted
    price, read at proof time; no reward address (no prover) is CannotBeZero; the ask must read
    ASSIGNED (OnlyAssignedAsksCanBeProved: not past its deadline)."""
    ask = get_ask(state, ask_id)
    g = state.provers.get(ask.prover) if ask.prover is not None else None
    info = state.memberships.get((ask.market_id, ask.prover)) if ask.prover is not None else None
    need(g is not None and not is_zero(g.reward_address), "CannotBeZero", "ask_id", f"ask {ask_id} has no prover with a reward address")
    need(ask_state(state, ask_id) == AskState.ASSIGNED, "OnlyAssignedAsksCanBeProved", "ask_id", f"ask {ask_id} is {ask_state(state, ask_id).value}")
    return g.reward_address, info.price if info is not None else 0


def process_submit_proof(state: State, op: ops.SubmitProof, env: Env):
    """ProofMarketplace.sol:650 _submitProof: ANYONE submits a proof of an ASSIGNED ask that the
    market's verifier accepts for (prover_data, proof) (InvalidProof); the prover's reward
    address is owed its quoted price, the refund address reward - price; the penalty is released."""
    reward_address, price = _reward_details(state, op.ask_id)
    ask = state.asks[op.ask_id]
    verify = env.verifiers[state.markets[ask.market_id].verifier_id]
    need(verify(ask.prover_data, op.proof), "InvalidProof", "proof", f"the verifier rejects the proof of ask {op.ask_id}")
    state = attrs.evolve(state, asks=state.asks.set(op.ask_id, attrs.evolve(ask, stored_state=AskState.COMPLETE)))
    state = increase_claimable(increase_claimable(state, reward_address, price), ask.refund_address, ask.reward - price)
    state, released = complete_generator_task(state, ask.prover, ask.market_id, state.markets[ask.market_id].penalty)
    return state, released + [event("ProofCreated", askId=op.ask_id, proof=op.proof)]


def process_submit_proofs(state: State, op: ops.SubmitProofs, env: Env):
    """ProofMarketplace.sol:634 submitProofs: equal-length lists (ArityMismatch), each proof
    submitted in order as by submitProof; all or none."""
    need(len(op.ask_ids) == len(op.proofs), "ArityMismatch", "ask_ids", "ask_ids and proofs differ in length")
    events: list[Event] = []
    for ask_id, proof in zip(op.ask_ids, op.proofs):
        state, submitted = process_submit_proof(state, ops.SubmitProof(op.sender, ask_id, proof), env)
        events += submitted
    return state, events


def process_submit_invalid_inputs(state: State, op: ops.SubmitInvalidInputs, env: Env):
    """ProofMarketplace.sol:610 submitProofForInvalidInputs: anyone, with a signature by a key of
    the market's IVS family over keccak256(abi.encode(askId, proverData)); the prover is still
    paid its price, the remainder reward - price goes to the TREASURY (not the requester)."""
    reward_address, price = _reward_details(state, op.ask_id)
    ask = state.asks[op.ask_id]
    signer = signer_name(state, invalid_inputs_hash(op.ask_id, ask.prover_data), op.signature, "signature")
    allow_only_verified_family(state, ivs_family(ask.market_id), signer, "signature")
    state = attrs.evolve(state, asks=state.asks.set(op.ask_id, attrs.evolve(ask, stored_state=AskState.COMPLETE)))
    state = increase_claimable(increase_claimable(state, reward_address, price), state.config.treasury, ask.reward - price)
    state, released = complete_generator_task(state, ask.prover, ask.market_id, state.markets[ask.market_id].penalty)
    return state, released + [event("InvalidInputsDetected", askId=op.ask_id)]


def _slash(state: State, ask_id: int, reward_address: str) -> tuple[State, list[Event]]:
    """ProofMarketplace.sol:713 _slashGenerator: the reward goes back to the refund address; the
    whole penalty goes to `reward_address`."""
    ask = state.asks[ask_id]
    state = attrs.evolve(state, asks=state.asks.set(ask_id, attrs.evolve(ask, stored_state=AskState.COMPLETE)))
    state = increase_claimable(state, ask.refund_address, ask.reward)
    state, slashed = slash_generator(state, ask.prover, ask.market_id, state.markets[ask.market_id].penalty, reward_address)
    return state, [event("ProofNotGenerated", askId=ask_id)] + slashed


def process_slash_missed_deadline(state: State, op: ops.SlashMissedDeadline, env: Env):
    """ProofMarketplace.sol:692 slashGenerator(askId, rewardAddress): ANYONE, once the ask reads
    DEADLINE_CROSSED (ShouldBeInCrossedDeadlineState), sends the whole penalty to an address of
    their choice; the requester gets its reward back and nothing of the stake."""
    need(ask_state(state, op.ask_id) == AskState.DEADLINE_CROSSED, "ShouldBeInCrossedDeadlineState", "ask_id",
         f"ask {op.ask_id} is {ask_state(state, op.ask_id).value}")
    return _slash(state, op.ask_id, op.reward_address)


def process_discard_task(state: State, op: ops.DiscardTask, env: Env):
    """ProofMarketplace.sol:702 discardRequest: the assigned prover gives up an ASSIGNED ask
    (ShouldBeInAssignedState, OnlyGeneratorCanDiscardRequest); its penalty goes to the treasury."""
    need(ask_state(state, op.ask_id) == AskState.ASSIGNED, "ShouldBeInAssignedState", "ask_id", f"ask {op.ask_id} is {ask_state(state, op.ask_id).value}")
    need(state.asks[op.ask_id].prover == op.sender, "OnlyGeneratorCanDiscardRequest", "sender", f"only {state.asks[op.ask_id].prover} may discard")
    return _slash(state, op.ask_id, state.config.treasury)
