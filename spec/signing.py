"""Engine signatures: secp256k1 over a canonical encoding of the signed statement.

Encoding: `b"kalypso/v1/" || tag || field...` where each integer is 32 bytes big-endian two's complement and each
string is its UTF-8 bytes prefixed by a 4-byte big-endian length. The digest signed is SHA-256 of
the encoding; a signature is 65 bytes `r || s || recovery_id` (RFC 6979 deterministic nonces).
An engine key is the hex of its 33-byte compressed public key.

Low-s only (the Ethereum rule, EIP-2; OpenZeppelin's ECDSA, which the deployed marketplace uses,
rejects the same): a signature with s > n/2 is refused, so each statement has exactly one valid
signature per key and a signature cannot be re-encoded into a second valid one.
"""
from __future__ import annotations

import hashlib
import re

import coincurve

DOMAIN = b"kalypso/v1/"
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
HALF_N = SECP256K1_N // 2


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
    """A low-s recoverable signature (libsecp256k1 normalises s)."""
    return coincurve.PrivateKey(secret).sign_recoverable(message, hasher=_sha256)


def high_s(signature: bytes) -> bytes:
    """The other encoding of the same signature: s -> n - s, the recovery parity flipped. It
    recovers the same key, and `verify_signature` refuses it (low-s only)."""
    r, s, v = signature[:32], int.from_bytes(signature[32:64], "big"), signature[64]
    return r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([v ^ 1])


PUBLIC_KEY_HEX = re.compile(r"0[23][0-9a-f]{64}")


def is_public_key(key: str) -> bool:
    """A key in its one canonical form: 66 lower-case hex digits of a compressed secp256k1 point
    (an upper-case spelling would never equal the recovered signer, so it is refused)."""
    if not isinstance(key, str) or not PUBLIC_KEY_HEX.fullmatch(key):
        return False
    try:
        coincurve.PublicKey(bytes.fromhex(key))
    except (ValueError, TypeError):
        return False
    return True


def verify_signature(key: str, message: bytes, signature: bytes) -> bool:
    """True iff `signature` over `message` is low-s (0 < s <= n/2) and recovers to the
    compressed public key `key`."""
    if not isinstance(signature, bytes) or len(signature) != 65 or not 0 < int.from_bytes(signature[32:64], "big") <= HALF_N:
        return False
    try:
        signer = coincurve.PublicKey.from_signature_and_message(signature, message, hasher=_sha256)
    except (ValueError, TypeError):
        return False
    return signer.format(compressed=True).hex() == key
