"""The matching engine as it runs in its (modelled) TEE: an attested secp256k1 key that signs
assignments and invalid-inputs statements, opens requesters' private inputs and re-encrypts them
to the assigned prover.

The attestation is modelled: the TEE vendor root of `properties.fixtures` (`MODEL_ROOT_SECRET`,
`attest`) signs `spec.signing.attestation_message(measurement, engine_key)`.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Callable, Optional

import attrs

from properties.fixtures import MODEL_ROOT_SECRET, attest
from reference.engine import ecies
from spec import operations as ops
from spec.containers import Ask, State
from spec.matching.common import Match
from spec.signing import assignment_message, encode_statement, invalid_inputs_message, public_key, sign

class EngineRefusal(Exception):
    """The engine will not sign or re-encrypt: names the field and the rule."""

    def __init__(self, field: str, rule: str):
        super().__init__(f"ENGINE_REFUSAL [{field}]: {rule}")
        self.field, self.rule = field, rule


def engine_inputs_context(market_id: int, engine_key: str, requester: str) -> bytes:
    """AEAD context of private inputs sent to the engine: binding the requester stops anyone from
    copying them into an ask of their own and having them re-encrypted to their prover."""
    return encode_statement("inputs/engine", market_id, engine_key, requester)


def prover_inputs_context(market_id: int, ask_id: int, prover: str, prover_key: str) -> bytes:
    """AEAD context of private inputs re-encrypted for the prover assigned to `ask_id`."""
    return encode_statement("inputs/prover", market_id, ask_id, prover, prover_key)


def seal_private_inputs(state: State, market_id: int, requester: str, inputs: bytes, ephemeral_secret: bytes) -> bytes:
    """What a requester puts in CreateAsk.private_inputs: `inputs` encrypted to the market's engine key."""
    market = state.markets[market_id]
    return ecies.encrypt(market.engine_key, inputs, engine_inputs_context(market_id, market.engine_key, requester), ephemeral_secret)


def open_for_prover(state: State, ask_id: int, prover_secret: bytes, ciphertext: bytes) -> bytes:
    """The assigned prover opens what the engine re-encrypted to it."""
    ask = state.asks[ask_id]
    address = ask.assignment.prover
    context = prover_inputs_context(ask.market_id, ask.id, address, public_key(prover_secret))
    return ecies.decrypt(prover_secret, ciphertext, context)


@attrs.frozen
class Engine:
    """One engine instance: its secret key and the measurement of the image it runs."""

    secret: bytes = attrs.field(repr=False)
    measurement: bytes

    @property
    def key(self) -> str:
        return public_key(self.secret)

    def attestation(self, root_secret: bytes = MODEL_ROOT_SECRET) -> bytes:
        return attest(self.measurement, self.key, root_secret)

    def attest_op(self, owner: str, market_id: int, root_secret: bytes = MODEL_ROOT_SECRET) -> ops.AttestEngine:
        return ops.AttestEngine(owner, market_id, self.measurement, self.attestation(root_secret))

    def _serves(self, state: State, market_id: int) -> None:
        if state.markets[market_id].engine_key != self.key:
            raise EngineRefusal("market_id", f"market {market_id} registers another engine key")

    def assign_op(self, state: State, match: Match, sender: str = "engine") -> ops.AssignTask:
        """The AssignTask carrying this engine's signature over assignment_message(market, ask, prover, price)."""
        market_id = state.asks[match.ask_id].market_id
        self._serves(state, market_id)
        signature = sign(self.secret, assignment_message(market_id, match.ask_id, match.prover, match.price))
        return ops.AssignTask(sender, match.ask_id, match.prover, match.price, signature)

    def open_private_inputs(self, state: State, ask: Ask) -> bytes:
        """Decrypt the requester's private inputs inside the enclave."""
        self._serves(state, ask.market_id)
        if ask.private_inputs is None:
            raise EngineRefusal("ask_id", f"ask {ask.id} has no private inputs")
        return ecies.decrypt(self.secret, ask.private_inputs, engine_inputs_context(ask.market_id, self.key, ask.requester))

    def reencrypt_for_prover(self, state: State, ask_id: int) -> bytes:
        """Re-encrypt an assigned ask's private inputs to its prover's registered encryption key;
        the ephemeral secret is derived from the engine secret and the context (fresh per ask,
        prover and key, no randomness needed)."""
        ask = state.asks[ask_id]
        if ask.assignment is None:
            raise EngineRefusal("ask_id", f"ask {ask_id} is not assigned")
        prover = state.provers[ask.assignment.prover]
        if prover.encryption_key is None:
            raise EngineRefusal("prover", f"{prover.address} has no encryption key")
        inputs = self.open_private_inputs(state, ask)
        context = prover_inputs_context(ask.market_id, ask.id, prover.address, prover.encryption_key)
        ephemeral = hmac.new(self.secret, b"kalypso/v1/ecies-ephemeral" + context, hashlib.sha256).digest()
        return ecies.encrypt(prover.encryption_key, inputs, context, ephemeral)

    def invalid_inputs_op(self, state: State, ask_id: int, provable: Callable[[bytes, Optional[bytes]], bool]) -> ops.SubmitInvalidInputs:
        """Decide inside the enclave whether the assigned ask's inputs are provable (`provable`
        sees the public inputs and the decrypted private ones); if not, the SubmitInvalidInputs
        the assigned prover sends, signed over invalid_inputs_message(market, ask, prover).
        The engine refuses to sign for provable inputs."""
        ask = state.asks[ask_id]
        self._serves(state, ask.market_id)
        if ask.assignment is None:
            raise EngineRefusal("ask_id", f"ask {ask_id} is not assigned")
        private = self.open_private_inputs(state, ask) if ask.private_inputs is not None else None
        if provable(ask.public_inputs, private):
            raise EngineRefusal("ask_id", f"the inputs of ask {ask_id} are provable")
        signature = sign(self.secret, invalid_inputs_message(ask.market_id, ask.id, ask.assignment.prover))
        return ops.SubmitInvalidInputs(ask.assignment.prover, ask.id, signature)
