"""SymbioticStaking: the TEE-signed bridge from L1. A transmitter submits, for one capture
timestamp, the vault snapshot and the slash result, each in parts in strict index order; the
capture is confirmed when both are complete. There is no offset and no staleness bound: every
lock reads the latest confirmed capture, however old (the design's key safety rule has no
counterpart). The parent has no bridge."""
from __future__ import annotations

import attrs

from spec.deployed_native.keys import image_id
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.containers import (
    SLASH, SLASH_RESULT_DONE, SNAPSHOT, STAKE_SNAPSHOT_DONE, SUBMISSION_COMPLETE, Confirmed, State,
)
from spec.deployed_restaking.errors import need
from spec.deployed_restaking.bids import refund_fees
from spec.deployed_restaking.pools import _add, latest_block, latest_timestamp, native_slash, symbiotic_slash
from spec.env import Env
from spec.events import Event, event


def _check_capture(state: State, ts: int, transmitter: str, block_number: int) -> State:
    """SymbioticStaking.sol:250 _checkCaptureTimestampInfo: the first transmitter of a capture
    owns it (NotRegisteredTransmitter); a slash result fixes its L1 block (NotRegisteredBlockNumber)."""
    registered, registered_block = state.symbiotic.capture.get(ts, (None, 0))
    need(registered is None or registered == transmitter, "NotRegisteredTransmitter", "sender", f"capture {ts} is {registered}'s")
    if block_number:
        need(registered_block in (0, block_number), "NotRegisteredBlockNumber", "last_block_number", f"capture {ts} is at block {registered_block}")
        registered_block = registered_block or block_number
    pool = attrs.evolve(state.symbiotic, capture=state.symbiotic.capture.set(ts, (transmitter, registered_block)))
    return attrs.evolve(state, symbiotic=pool)


def _check_validity(state: State, op, kind: str) -> None:
    """SymbioticStaking.sol:441 _checkValidity and :479 _verifyProof: not complete for this
    transmitter (SubmissionAlreadyCompleted), index < num_txs (InvalidIndex), num_txs > 0
    (ZeroNumOfTxs), capture >= latest confirmed + submissionCooldown (CooldownPeriodNotPassed),
    capture <= now (InvalidCaptureTimestamp), parts in strict order (NotIdxToSubmit); the image is
    registered (ImageNotFound). The harness signs with `enclave_key` and attests it for `image`,
    so the key and image checks hold. The attestation's age is not a rule here: _verifyProof
    (:470-492) checks its signature, key and image, never its timestampInMilliseconds (unlike the
    key registry's AttestationAutherUpgradeable.sol:165, whose 60,000 "ms" bound is compared with
    seconds: the deployed_native finding A1)."""
    need(state.symbiotic.status.get((op.capture_timestamp, op.sender), 0) != SUBMISSION_COMPLETE, "SubmissionAlreadyCompleted",
         "capture_timestamp", "this transmitter completed the capture")
    need(op.index < op.num_txs, "InvalidIndex", "index", "must be < num_txs")
    need(op.num_txs > 0, "ZeroNumOfTxs", "num_txs", "must be > 0")
    need(op.capture_timestamp >= latest_timestamp(state) + state.config.submission_cooldown, "CooldownPeriodNotPassed",
         "capture_timestamp", "within the cooldown of the latest confirmed capture")
    need(op.capture_timestamp <= state.now, "InvalidCaptureTimestamp", "capture_timestamp", "in the future")
    num, idx = state.symbiotic.tx_count.get((op.capture_timestamp, kind), (0, 0))
    need(op.index == idx, "NotIdxToSubmit", "index", f"part {idx} is next")
    need(image_id(op.image) in state.enclave_images, "ImageNotFound", "image", f"{op.image!r} is not a bridge image")


def _count(state: State, op, kind: str) -> State:
    """SymbioticStaking.sol:271 _updateTxCountInfo: the first part fixes the part count
    (InvalidNumOfTxs), each part moves the next index on."""
    key = (op.capture_timestamp, kind)
    num, idx = state.symbiotic.tx_count.get(key, (0, 0))
    need(num == 0 or num == op.num_txs, "InvalidNumOfTxs", "num_txs", f"the capture has {num} parts")
    pool = attrs.evolve(state.symbiotic, tx_count=state.symbiotic.tx_count.set(key, (num or op.num_txs, idx + 1)))
    return attrs.evolve(state, symbiotic=pool)


def _mark(state: State, op, done: int) -> State:
    """The last part sets this kind's status bit for the transmitter (SymbioticStaking.sol:177, :237)."""
    if op.index != op.num_txs - 1:
        return state
    key = (op.capture_timestamp, op.sender)
    pool = attrs.evolve(state.symbiotic, status=state.symbiotic.status.set(key, state.symbiotic.status.get(key, 0) | done))
    return attrs.evolve(state, symbiotic=pool)


def _confirm(state: State, op) -> tuple[State, list[Event]]:
    """SymbioticStaking.sol:352 _completeSubmission: once both kinds are complete for this
    transmitter, the capture is confirmed with its L1 block and the base commission rate."""
    if state.symbiotic.status.get((op.capture_timestamp, op.sender), 0) != SUBMISSION_COMPLETE:
        return state, []
    _, block_number = state.symbiotic.capture[op.capture_timestamp]
    confirmed = Confirmed(op.capture_timestamp, block_number, op.sender, state.config.transmitter_rate)
    pool = attrs.evolve(state.symbiotic, confirmed=state.symbiotic.confirmed + (confirmed,))
    return attrs.evolve(state, symbiotic=pool), [event("SnapshotConfirmed", transmitter=op.sender, confirmedTimestamp=op.capture_timestamp)]


def process_submit_vault_snapshot(state: State, op: ops.SubmitVaultSnapshot, env: Env):
    """SymbioticStaking.sol:153 submitVaultSnapshot: checks as above; each entry sets the vault's
    stake for the capture and ADDS to the prover's (SymbioticStakingReward.onSnapshotSubmission
    accrues nothing while no fee reward exists)."""
    state = _check_capture(state, op.capture_timestamp, op.sender, 0)
    _check_validity(state, op, SNAPSHOT)
    pool = state.symbiotic
    for prover, vault, token, amount in zip(op.provers, op.vaults, op.tokens, op.amounts):
        ts = op.capture_timestamp
        pool = attrs.evolve(pool, vault_stake=pool.vault_stake.set((ts, token, vault, prover), amount),
                            prover_stake=_add(pool.prover_stake, (ts, token, prover), amount))
    state = _count(attrs.evolve(state, symbiotic=pool), op, SNAPSHOT)
    state = _mark(state, op, STAKE_SNAPSHOT_DONE)
    events = [event("VaultSnapshotSubmitted", transmitter=op.sender, captureTimestamp=op.capture_timestamp, index=op.index,
                    numOfTxs=op.num_txs, imageId=image_id(op.image))]
    state, confirmed = _confirm(state, op)
    return state, events + confirmed


def process_submit_slash_result(state: State, op: ops.SubmitSlashResult, env: Env, refund=refund_fees):
    """SymbioticStaking.sol:206 submitSlashResult: last_block_number > 0 (CannotBeZero) and past
    the latest confirmed capture's block (InvalidLastBlockNumber); checks as above; then
    StakingManager.sol:132 onSlashResultSubmission: FIRST ProofMarketplace.refundFees(bids)
    (which releases every lock of a deadline-crossed bid and refunds its requester), THEN each
    pool's slash, which finds no lock left: no stake is ever taken on L2. (`refund` is the
    refundFees rule: spec/deployed_restaking/fixes.py passes its own.)"""
    need(op.last_block_number > 0, "CannotBeZero", "last_block_number", "must be > 0")
    need(op.last_block_number > latest_block(state), "InvalidLastBlockNumber", "last_block_number",
         "must be past the latest confirmed capture's block")
    state = _check_capture(state, op.capture_timestamp, op.sender, op.last_block_number)
    _check_validity(state, op, SLASH)
    state = _count(state, op, SLASH)
    events: list = []
    tasks = list(zip(op.bid_ids, op.provers, op.reward_addresses))
    if tasks:
        state, refunded = refund(state, op.bid_ids)
        state, slashed_native = native_slash(state, tasks)
        state, slashed_symbiotic = symbiotic_slash(state, tasks)
        events += refunded + slashed_native + slashed_symbiotic
    state = _mark(state, op, SLASH_RESULT_DONE)
    events.append(event("SlashResultSubmitted", transmitter=op.sender, captureTimestamp=op.capture_timestamp, index=op.index,
                        numOfTxs=op.num_txs, imageId=image_id(op.image)))
    state, confirmed = _confirm(state, op)
    return state, events + confirmed

