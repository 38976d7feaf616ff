"""Engine signatures: secp256k1 over a canonical encoding of the signed statement.

Encoding: `b"kalypso/v1/" || tag || field...` where each integer is 32 bytes big-endian two's complement and each
string is its UTF-8 bytes prefixed by a 4-byte big-endian length. The digest signed is SHA-256 of
the encoding; a signature is 65 bytes `r || s || recovery_id` (RFC 6979 deterministic nonces).
An engine key is the hex of its 33-byte compressed public key.
"""
from __future__ import annotations

import hashlib

import coincurve

DOMAIN = b"kalypso/v1/"


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def encode_statement(tag: str, *fields: int | str) -> bytes:
    out = [DOMAIN, tag.encode(), b"\x00"]
    for value in fields:
        if isinstance(value, int):
            out.append(value.to_bytes(32, "big", signed=True))
        else:
            raw = value.encode()
            out.append(len(raw).to_bytes(4, "big") + raw)
    return b"".join(out)


def assignment_message(market_id: int, ask_id: int, prover: str, price: int) -> bytes:
    """What the engine signs to assign `ask_id` of `market_id` to `prover` at `price`."""
    return encode_statement("assign", market_id, ask_id, prover, price)


def invalid_inputs_message(market_id: int, ask_id: int, prover: str) -> bytes:
    """What the engine signs to state that the inputs of `ask_id` are unprovable."""
    return encode_statement("invalid_inputs", market_id, ask_id, prover)


def attestation_message(measurement: bytes, engine_key: str) -> bytes:
    """What the TEE root signs to attest that `engine_key` lives in an enclave measuring `measurement`."""
    return encode_statement("attest", "0x" + measurement.hex(), engine_key)


def public_key(secret: bytes) -> str:
    return coincurve.PrivateKey(secret).public_key.format(compressed=True).hex()


def sign(secret: bytes, message: bytes) -> bytes:
    return coincurve.PrivateKey(secret).sign_recoverable(message, hasher=_sha256)


def is_public_key(key: str) -> bool:
    try:
        coincurve.PublicKey(bytes.fromhex(key))
    except (ValueError, TypeError):
        return False
    return len(key) == 66


def verify_signature(key: str, message: bytes, signature: bytes) -> bool:
    """True iff `signature` over `message` recovers to the compressed public key `key`."""
    if len(signature) != 65:
        return False
    try:
        signer = coincurve.PublicKey.from_signature_and_message(signature, message, hasher=_sha256)
    except (ValueError, TypeError):
        return False
    return signer.format(compressed=True).hex() == key
