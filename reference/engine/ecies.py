"""ECIES over secp256k1 for private inputs: ECDH (coincurve), HKDF-SHA256, ChaCha20-Poly1305.

Ciphertext = ephemeral public key (33 bytes, compressed) || AEAD ciphertext and 16-byte tag.
The shared secret is coincurve's ECDH output (SHA-256 of the compressed shared point); HKDF
(salt = ephemeral public key, info = "kalypso/v1/ecies" || context) yields a 32-byte key and a
12-byte nonce; the context is also the AEAD's associated data, so a ciphertext only opens
under the context it was made for.
"""
from __future__ import annotations

import coincurve
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

INFO = b"kalypso/v1/ecies"
PUBLIC_KEY_BYTES = 33
TAG_BYTES = 16
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


class DecryptionFailed(ValueError):
    """The ciphertext does not open with this key and context."""

    def __init__(self, field: str, rule: str):
        super().__init__(f"DECRYPTION_FAILED [{field}]: {rule}")
        self.field, self.rule = field, rule


class InvalidKey(ValueError):
    """A key, not a ciphertext, is at fault: a secret outside 1..n-1 or a public key off the curve."""

    def __init__(self, field: str, rule: str):
        super().__init__(f"INVALID_KEY [{field}]: {rule}")
        self.field, self.rule = field, rule


def _private_key(secret: bytes, field: str) -> coincurve.PrivateKey:
    """A secp256k1 secret key: 32 bytes, 0 < k < n; `InvalidKey` naming `field` otherwise."""
    if not isinstance(secret, bytes) or len(secret) != 32 or not 0 < int.from_bytes(secret, "big") < SECP256K1_N:
        raise InvalidKey(field, "must be 32 bytes encoding a scalar k with 0 < k < n")
    return coincurve.PrivateKey(secret)


def _key_and_nonce(shared: bytes, ephemeral: bytes, context: bytes) -> tuple[bytes, bytes]:
    okm = HKDF(algorithm=hashes.SHA256(), length=44, salt=ephemeral, info=INFO + context).derive(shared)
    return okm[:32], okm[32:]


def encrypt(recipient_key: str, plaintext: bytes, context: bytes, ephemeral_secret: bytes) -> bytes:
    """Encrypt to the compressed public key `recipient_key` (hex). `ephemeral_secret` (32 bytes,
    a valid scalar) must be fresh per message: random, or derived from a secret and the context."""
    ephemeral = _private_key(ephemeral_secret, "ephemeral_secret")
    ephemeral_pub = ephemeral.public_key.format(compressed=True)
    try:
        shared = ephemeral.ecdh(bytes.fromhex(recipient_key))
    except (ValueError, TypeError):
        raise InvalidKey("recipient_key", "must be the hex of a compressed secp256k1 public key") from None
    key, nonce = _key_and_nonce(shared, ephemeral_pub, context)
    return ephemeral_pub + ChaCha20Poly1305(key).encrypt(nonce, plaintext, context)


def decrypt(secret: bytes, ciphertext: bytes, context: bytes) -> bytes:
    """Open a ciphertext of `encrypt` with the recipient's secret key; raises InvalidKey for a
    secret that is no secp256k1 key, else DecryptionFailed (the ciphertext is at fault)."""
    private = _private_key(secret, "secret")
    if len(ciphertext) < PUBLIC_KEY_BYTES + TAG_BYTES:
        raise DecryptionFailed("ciphertext", f"shorter than {PUBLIC_KEY_BYTES + TAG_BYTES} bytes")
    ephemeral_pub, body = ciphertext[:PUBLIC_KEY_BYTES], ciphertext[PUBLIC_KEY_BYTES:]
    try:
        shared = private.ecdh(ephemeral_pub)
    except ValueError:
        raise DecryptionFailed("ciphertext", "the ephemeral key is not a secp256k1 point") from None
    key, nonce = _key_and_nonce(shared, ephemeral_pub, context)
    try:
        return ChaCha20Poly1305(key).decrypt(nonce, body, context)
    except InvalidTag:
        raise DecryptionFailed("ciphertext", "authentication failed: wrong key, context or tampered ciphertext") from None
