"""Private inputs: encrypted by the requester to the engine key, re-encrypted by the engine to
the assigned prover's registered key; only that prover can open them."""
import pytest

import spec
from reference.engine import ecies
from reference.engine.tee import EngineRefusal, engine_inputs_context, open_for_prover, seal_private_inputs
from properties.fixtures import ephemeral_secret, prover_secret
from reference.engine.worlds import ENGINE, REQUESTER, AskPlan, MarketPlan, ProverPlan, build
from spec import operations as ops
from spec.errors import ProverKeyMissing
from spec.matching import Match, orderbook
from spec.types import MatchingProtocol

SECRET = b"witness: 0x1337 and a merkle path"
STAKE = (("POND", 100),)


def assigned():
    plans = [ProverPlan("p0", 4, STAKE, ((0, 30, 20, 1),)), ProverPlan("p1", 4, STAKE, ((0, 40, 20, 1),))]
    state = build([MarketPlan(MatchingProtocol.ORDERBOOK.value)], plans, [AskPlan(0, 100, 50, 100, 10_000, SECRET)])
    return spec.apply(state, ENGINE.assign_op(state, orderbook(state)[0]))[0]


def test_only_the_assigned_prover_decrypts():
    state = assigned()
    assert state.asks[0].assignment.prover == "p0"
    assert SECRET not in state.asks[0].private_inputs
    blob = ENGINE.reencrypt_for_prover(state, 0)
    assert open_for_prover(state, 0, prover_secret("p0"), blob) == SECRET
    with pytest.raises(ecies.DecryptionFailed):
        open_for_prover(state, 0, prover_secret("p1"), blob)
    with pytest.raises(ecies.DecryptionFailed):
        ecies.decrypt(prover_secret("p1"), state.asks[0].private_inputs, engine_inputs_context(0, ENGINE.key, REQUESTER))


def test_reencryption_is_bound_to_ask_and_tampering_fails():
    state = assigned()
    blob = ENGINE.reencrypt_for_prover(state, 0)
    assert blob == ENGINE.reencrypt_for_prover(state, 0)
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(ecies.DecryptionFailed):
        open_for_prover(state, 0, prover_secret("p0"), tampered)
    with pytest.raises(ecies.DecryptionFailed):
        ecies.decrypt(prover_secret("p0"), blob, b"another ask")
    with pytest.raises(ecies.DecryptionFailed) as short:
        ecies.decrypt(prover_secret("p0"), blob[:40], b"")
    assert short.value.field == "ciphertext"


def test_copied_ciphertext_does_not_open_for_another_requester():
    state = assigned()
    state, _ = spec.apply(state, ops.Mint("mallory", "USDC", 100))
    state, _ = spec.apply(state, ops.CreateAsk("mallory", 0, 100, state.time + 50, 100, 0, b"", state.asks[0].private_inputs))
    with pytest.raises(ecies.DecryptionFailed):
        ENGINE.open_private_inputs(state, state.asks[1])


def test_requester_encryption_round_trips_inside_the_engine_only():
    state = assigned()
    sealed = seal_private_inputs(state, 0, REQUESTER, b"abc", ephemeral_secret("x"))
    assert sealed != seal_private_inputs(state, 0, REQUESTER, b"abc", ephemeral_secret("y"))
    assert ecies.decrypt(ENGINE.secret, sealed, engine_inputs_context(0, ENGINE.key, REQUESTER)) == b"abc"


def test_prover_without_key_cannot_be_assigned_private_inputs():
    plans = [ProverPlan("p0", 4, STAKE, ((0, 30, 20, 1),), keyed=False)]
    state = build([MarketPlan(MatchingProtocol.ORDERBOOK.value)], plans, [AskPlan(0, 100, 50, 100, 10_000, SECRET)])
    assert orderbook(state) == ()
    with pytest.raises(ProverKeyMissing):
        spec.apply(state, ENGINE.assign_op(state, Match(0, "p0", 30)))
    with pytest.raises(EngineRefusal):
        ENGINE.reencrypt_for_prover(state, 0)
