"""Names to keys, addresses, images and families, with the contracts' hashing and signatures
(keccak-256, ABI encoding and EIP-191 from eth-hash / eth-abi / eth-keys; docs/forks.md).

An account or key name `n` stands for the secp256k1 secret keccak256(ACCOUNT_DOMAIN || n); a
name that is `0x` + 40 hex digits is that address. An image name stands for three 48-byte PCRs;
"public" is three zero PCRs, whose image id is the contracts' NO_ENCLAVE_ID."""
from __future__ import annotations

import re
from functools import lru_cache

from eth_abi import encode as abi_encode
from eth_hash.auto import keccak
from eth_keys import keys as eth_keys

ACCOUNT_DOMAIN = b"kalypso/deployed_native/account/"
PCR_DOMAIN = b"kalypso/deployed_native/pcr/"
PUBLIC_IMAGE = "public"
ZERO_ADDRESS = "0x" + "00" * 20
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")

# Helper.sol:100
NO_ENCLAVE_ID = bytes.fromhex("cd2e66bf0b91eeedc6c648ae9335a78d7c9a4ab0ef33612a824d91cdc68a4f21")


def is_hex_address(name: str) -> bool:
    return bool(HEX_ADDRESS.fullmatch(name))


@lru_cache(maxsize=None)
def secret_key(name: str) -> bytes:
    """The 32-byte secp256k1 secret a name stands for."""
    return keccak(ACCOUNT_DOMAIN + name.encode())


@lru_cache(maxsize=None)
def public_key(name: str) -> bytes:
    """The 64-byte uncompressed public key (no 0x04 prefix) of a key name."""
    return eth_keys.PrivateKey(secret_key(name)).public_key.to_bytes()


@lru_cache(maxsize=None)
def address(name: str) -> str:
    """The lower-case hex address a name stands for (itself if it is an address)."""
    if is_hex_address(name):
        return name.lower()
    return "0x" + keccak(public_key(name))[12:].hex()


def is_zero(name: str) -> bool:
    return address(name) == ZERO_ADDRESS


@lru_cache(maxsize=None)
def pcrs(image: str) -> tuple[bytes, bytes, bytes]:
    if image == PUBLIC_IMAGE:
        return (b"\x00" * 48,) * 3
    seed = PCR_DOMAIN + image.encode()
    return tuple((keccak(seed + bytes([k])) + keccak(seed + bytes([k, 1])))[:48] for k in range(3))


def encoded_pcrs(image: str) -> bytes:
    """abi.encode(PCR0, PCR1, PCR2): what createMarketplace and setMatchingEngineImage take."""
    return abi_encode(["bytes", "bytes", "bytes"], list(pcrs(image)))


def image_id(image: str) -> bytes:
    """Helper.sol:23 GET_IMAGE_ID_FROM_PCRS: keccak256(abi.encodePacked(PCR0, PCR1, PCR2))."""
    return keccak(b"".join(pcrs(image)))


def is_enclave(image_id_: bytes) -> bool:
    """Helper.sol:67 IS_ENCLAVE: neither zero nor NO_ENCLAVE_ID."""
    return image_id_ not in (b"\x00" * 32, NO_ENCLAVE_ID)


MATCHING_ENGINE_ROLE = keccak(b"MATCHING_ENGINE_ROLE")  # ProofMarketplace.sol:106


def matching_engine_family() -> bytes:
    """Helper.sol:88 MATCHING_ENGINE_FAMILY_ID: keccak256(abi.encode(MATCHING_ENGINE_ROLE))."""
    return keccak(abi_encode(["bytes32"], [MATCHING_ENGINE_ROLE]))


def generator_family(market_id: int) -> bytes:
    """Helper.sol:92 GENERATOR_FAMILY_ID: keccak256(abi.encode("gen", marketId))."""
    return keccak(abi_encode(["string", "uint256"], ["gen", market_id]))


def ivs_family(market_id: int) -> bytes:
    """Helper.sol:96 IVS_FAMILY_ID: keccak256(abi.encode("ivs", marketId))."""
    return keccak(abi_encode(["string", "uint256"], ["ivs", market_id]))


def eth_signed_hash(message_hash: bytes) -> bytes:
    """Helper.sol:57: keccak256("\\x19Ethereum Signed Message:\\n32" || hash) (EIP-191)."""
    return keccak(b"\x19Ethereum Signed Message:\n32" + message_hash)


def assignment_hash(ask_ids, provers, acls) -> bytes:
    """ProofMarketplace.sol:497: keccak256(abi.encode(askIds, generators, newAcls))."""
    return keccak(abi_encode(["uint256[]", "address[]", "bytes[]"], [list(ask_ids), [address(p) for p in provers], list(acls)]))


def invalid_inputs_hash(ask_id: int, prover_data: bytes) -> bytes:
    """ProofMarketplace.sol:748: keccak256(abi.encode(askId, proverData))."""
    return keccak(abi_encode(["uint256", "bytes"], [ask_id, prover_data]))


def sign_hash(name: str, message_hash: bytes) -> bytes:
    """The key's EIP-191 signature of a 32-byte hash, `r || s || v` with v in {27, 28}."""
    signature = eth_keys.PrivateKey(secret_key(name)).sign_msg_hash(eth_signed_hash(message_hash))
    return signature.r.to_bytes(32, "big") + signature.s.to_bytes(32, "big") + bytes([signature.v + 27])


class SignatureError(Exception):
    """OpenZeppelin 5.1 ECDSA.recover's revert, by its error name."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def recover(message_hash: bytes, signature: bytes) -> str:
    """ECDSA.recover(eth_signed_hash(message_hash), signature) as OpenZeppelin 5.1 does it: a
    65-byte signature, s in the lower half order, v in {27, 28}, a recoverable non-zero signer."""
    if len(signature) != 65:
        raise SignatureError("ECDSAInvalidSignatureLength")
    r, s, v = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:64], "big"), signature[64]
    if s > SECP256K1_N // 2:
        raise SignatureError("ECDSAInvalidSignatureS")
    if v not in (27, 28) or not (0 < r < SECP256K1_N) or s == 0:
        raise SignatureError("ECDSAInvalidSignature")
    try:
        key = eth_keys.Signature(vrs=(v - 27, r, s)).recover_public_key_from_msg_hash(eth_signed_hash(message_hash))
    except Exception:  # eth-keys raises its own BadSignature / ValidationError for unrecoverable input
        raise SignatureError("ECDSAInvalidSignature") from None
    return key.to_checksum_address().lower()
