"""The key registry (EntityKeyRegistry + AttestationAutherUpgradeable): enclave images, image
families, verified enclave keys; the marketplace's one matching-engine key and each market's IVS
keys are checked against it."""
from __future__ import annotations

import attrs
from eth_hash.auto import keccak

from spec.deployed_native import operations as ops
from spec.deployed_native.containers import State
from spec.deployed_native.errors import need
from spec.deployed_native.keys import generator_family, image_id, is_enclave, ivs_family, matching_engine_family, pcrs, public_key
from spec.env import Env
from spec.events import Event, event

MARKETPLACE_NAME = "marketplace"  # how events name the ProofMarketplace contract

ATTESTATION_MAX_AGE = 60_000
"""Helper.sol:102 ACCEPTABLE_ATTESTATION_DELAY = 60000 ("60 seconds, 60,000 milliseconds"), passed
as ATTESTATION_MAX_AGE to AttestationAutherUpgradeable (EntityKeyRegistry.sol:32), which compares
it with SECONDS (AttestationAutherUpgradeable.sol:165)."""


def attestation_accepted(age_ms: int) -> bool:
    """AttestationAutherUpgradeable.sol:165: `timestampInMilliseconds / 1000 > block.timestamp -
    ATTESTATION_MAX_AGE`, with timestampInMilliseconds = block.timestamp * 1000 - age_ms: the
    attestation's whole seconds, block.timestamp - ceil(age_ms / 1000), must exceed block.timestamp
    - 60000. An attestation up to 59,999 s (16.7 h) old passes."""
    return -(-age_ms // 1000) < ATTESTATION_MAX_AGE


def whitelist_image(state: State, family: bytes, image: str, field: str) -> tuple[State, list[Event]]:
    """EntityKeyRegistry.sol:106/128 whitelistImageUsingPcrs: the image must be an enclave
    (MustBeAnEnclave); it is whitelisted (EnclaveImageWhitelisted) and put in `family`
    (EnclaveImageAddedToFamily), each only if not already so."""
    iid = image_id(image)
    need(is_enclave(iid), "MustBeAnEnclave", field, f"image {image!r} is not an enclave image")
    registry, events = state.keys, []
    if iid not in registry.images:
        registry = attrs.evolve(registry, images=registry.images.add(iid))
        events.append(event("EnclaveImageWhitelisted", imageId=iid, PCR0=pcrs(image)[0], PCR1=pcrs(image)[1], PCR2=pcrs(image)[2]))
    if (family, iid) not in registry.families:
        registry = attrs.evolve(registry, families=registry.families.add((family, iid)))
        events.append(event("EnclaveImageAddedToFamily", imageId=iid, family=family))
    return attrs.evolve(state, keys=registry), events


def verify_key(state: State, key: str, image: str, field: str, age_ms: int = 0,
               accepted=attestation_accepted) -> tuple[State, list[Event]]:
    """EntityKeyRegistry.sol:112 _verifyKeyInternal -> AttestationAutherUpgradeable.sol:160: the
    attested image must be whitelisted; the attestation, taken `age_ms` before the block, must
    pass the age check (:165, `attestation_accepted`: AttestationAutherAttestationTooOld); a key
    already verified makes `_verifyEnclaveKey` return false and the call revert with
    EnclaveKeyNotVerified (a key is verified once, for one image). `accepted` is the age rule (a
    fix replaces it: spec/deployed_native/fixes.py)."""
    iid = image_id(image)
    need(iid in state.keys.images, "AttestationAutherImageNotWhitelisted", field, f"image {image!r} is not whitelisted")
    need(accepted(age_ms), "AttestationAutherAttestationTooOld", "attestation_age_ms",
         f"an attestation {age_ms} ms old is too old")
    need(key not in state.keys.verified, "EnclaveKeyNotVerified", "key", f"key {key!r} is already verified")
    registry = attrs.evolve(state.keys, verified=state.keys.verified.set(key, iid))
    return attrs.evolve(state, keys=registry), [event("EnclaveKeyVerified", enclavePubKey=keccak(public_key(key)), imageId=iid)]


def allow_only_verified_family(state: State, family: bytes, key: str | None, field: str) -> None:
    """AttestationAutherUpgradeable.sol:191: the key is verified (AttestationAutherKeyNotVerified)
    and its image is in `family` (AttestationAutherImageNotInFamily)."""
    iid = state.keys.verified.get(key) if key is not None else None
    need(iid is not None, "AttestationAutherKeyNotVerified", field, f"{key} is not a verified enclave key")
    need((family, iid) in state.keys.families, "AttestationAutherImageNotInFamily", field, f"{key}'s image is not in the family")


def require_updater(state: State, sender: str) -> None:
    """onlyRole(UPDATER_ROLE): only the admin holds it (docs/forks.md, genesis)."""
    need(sender == state.config.admin, "AccessControlUnauthorizedAccount", "sender", f"{sender} lacks UPDATER_ROLE")


def process_set_matching_engine_image(state: State, op: ops.SetMatchingEngineImage, env: Env):
    """ProofMarketplace.sol:65 setMatchingEngineImage (UPDATER_ROLE): whitelist `image` in the
    one matching-engine family of the whole marketplace."""
    require_updater(state, op.sender)
    return whitelist_image(state, matching_engine_family(), op.image, "image")


def process_verify_matching_engine(state: State, op: ops.VerifyMatchingEngine, env: Env, accepted=attestation_accepted):
    """ProofMarketplace.sol:72 verifyMatchingEngine (UPDATER_ROLE): store `key` as the
    marketplace's key 0 (EntityKeyRegistry.sol:79 updatePubkey) and verify it for its attested
    image; the image need only be whitelisted here, the family is checked when the key signs."""
    require_updater(state, op.sender)
    registry = attrs.evolve(state.keys, pub_keys=state.keys.pub_keys.set((MARKETPLACE_NAME, 0), public_key(op.key)))
    state, events = verify_key(attrs.evolve(state, keys=registry), op.key, op.image, "image", op.attestation_age_ms, accepted)
    return state, events + [event("UpdateKey", user=MARKETPLACE_NAME, keyIndex=0)]


def process_add_ivs_key(state: State, op: ops.AddIvsKey, env: Env, accepted=attestation_accepted):
    """GeneratorRegistry.sol:448 addIvsKey (anyone holding the enclave key): the attested image
    must be in the market's IVS family (IncorrectImageId); the key is verified."""
    need((ivs_family(op.market_id), image_id(op.image)) in state.keys.families, "IncorrectImageId", "image",
         f"image {op.image!r} is not in market {op.market_id}'s IVS family")
    state, events = verify_key(state, op.key, op.image, "image", op.attestation_age_ms, accepted)
    return state, events + [event("AddIvsKey", marketId=op.market_id, signer=op.key)]



def remove_from_family(state: State, family: bytes, image: str) -> tuple[State, list[Event]]:
    """AttestationAutherUpgradeable.sol:123 _removeEnclaveImageFromFamily: removes the image
    from the family if it is there (EnclaveImageRemovedFromFamily), else nothing."""
    iid = image_id(image)
    if (family, iid) not in state.keys.families:
        return state, []
    registry = attrs.evolve(state.keys, families=state.keys.families.remove((family, iid)))
    return attrs.evolve(state, keys=registry), [event("EnclaveImageRemovedFromFamily", imageId=iid, family=family)]


def update_encryption_key(state: State, prover: str, market_id: int, key: str, image: str, age_ms: int = 0,
                          accepted=attestation_accepted) -> tuple[State, list[Event]]:
    """GeneratorRegistry.sol:414 _updateEncryptionKey: a registered prover (CannotBeZero) of a
    private market (PublicMarketsDontNeedKey; no market: EMPTY_REVERT from the marketData getter)
    stores an enclave key whose image is in the market's generator family (IncorrectImageId) as
    its key for the market; the key must be new to the registry (EnclaveKeyNotVerified otherwise:
    a rotation needs a new key)."""
    need(prover in state.provers, "CannotBeZero", "sender", f"{prover} is not registered")
    need(market_id in state.markets, "EMPTY_REVERT", "market_id", f"no market {market_id}: the marketData getter reverts")
    need(is_enclave(state.markets[market_id].prover_image_id), "PublicMarketsDontNeedKey", "market_id", f"market {market_id} is public")
    need((generator_family(market_id), image_id(image)) in state.keys.families, "IncorrectImageId", "image",
         f"image {image!r} is not in market {market_id}'s generator family")
    registry = attrs.evolve(state.keys, pub_keys=state.keys.pub_keys.set((prover, market_id), public_key(key)))
    state, events = verify_key(attrs.evolve(state, keys=registry), key, image, "image", age_ms, accepted)
    return state, events + [event("UpdateKey", user=prover, keyIndex=market_id)]


def process_update_encryption_key(state: State, op: ops.UpdateEncryptionKey, env: Env, accepted=attestation_accepted):
    """GeneratorRegistry.sol:409 updateEncryptionKey: `update_encryption_key` for the sender."""
    return update_encryption_key(state, op.sender, op.market_id, op.key, op.image, op.attestation_age_ms, accepted)


def process_remove_encryption_key(state: State, op: ops.RemoveEncryptionKey, env: Env):
    """GeneratorRegistry.sol:465 removeEncryptionKey: anyone deletes its own key slot for a market
    (EntityKeyRegistry.sol:149), registered or not, key or not."""
    registry = attrs.evolve(state.keys, pub_keys=state.keys.pub_keys.discard((op.sender, op.market_id)))
    return attrs.evolve(state, keys=registry), [event("RemoveKey", user=op.sender, keyIndex=op.market_id)]
