"""Deploy the native-stake Kalypso contracts (master-66d489f) into an in-process EVM.

The three registries are UUPS-upgradeable with immutables set in their constructors, so each
runs behind an OpenZeppelin ERC1967Proxy, as upstream deploys them. ProofMarketplace and
GeneratorRegistry reference each other: the GeneratorRegistry proxy is deployed uninitialised,
the marketplace is built against it, then the registry is initialised with the marketplace.
Enclaves are modelled by deterministic keys and PCRs; the repo's MockAttestationVerifier
accepts every attestation, so an enclave key is as good as its image whitelisting.
"""
from __future__ import annotations

from typing import Optional

import attrs
from eth_abi import encode
from eth_utils import keccak

from reference.evm.abi import AbiIndex
from reference.evm.chain import Chain, Contract, address_of, public_key64, sign_eth_message
from reference.evm.compile import Build

ADMIN = "admin"
TREASURY = "treasury"
TOKEN_SUPPLY = 10**30
UPDATER_ROLE = keccak(text="UPDATER_ROLE")
MATCHING_ENGINE_ROLE = keccak(text="MATCHING_ENGINE_ROLE")
NO_ENCLAVE_PCRS = encode(["bytes", "bytes", "bytes"], [b"\0" * 48] * 3)


def pcrs_of(image: str) -> tuple[bytes, bytes, bytes]:
    """Three deterministic 48-byte PCRs naming an enclave image."""
    return tuple((keccak(text=f"kalypso-spec/pcr/{image}/{i}") + keccak(text=f"{image}/{i}"))[:48] for i in range(3))


def encoded_pcrs(image: Optional[str]) -> bytes:
    """abi.encode(PCR0, PCR1, PCR2) of an image; None is the contracts' "no enclave" (public market)."""
    return NO_ENCLAVE_PCRS if image is None else encode(["bytes", "bytes", "bytes"], list(pcrs_of(image)))


def image_id(image: Optional[str]) -> bytes:
    return keccak(b"".join(pcrs_of(image))) if image is not None else keccak(b"\0" * 144)


def family_id(kind: str, market_id: int) -> bytes:
    """HELPER.GENERATOR_FAMILY_ID / IVS_FAMILY_ID: keccak256(abi.encode("gen"|"ivs", marketId))."""
    return keccak(encode(["string", "uint256"], [kind, market_id]))


def attestation(enclave_key: str, image: str, timestamp_ms: int) -> bytes:
    """Attestation data as HELPER decodes it: (attestation, pubkey, PCR0, PCR1, PCR2, timestamp, _, timestamp)."""
    p0, p1, p2 = pcrs_of(image)
    return encode(["bytes", "bytes", "bytes", "bytes", "bytes", "uint256", "uint256", "uint256"],
                  [b"mock-attestation", public_key64(enclave_key), p0, p1, p2, timestamp_ms, 0, timestamp_ms])


def enclave_signature(enclave_key: str, attestation_data: bytes, holder: str) -> bytes:
    """HELPER.VERIFY_ENCLAVE_SIGNATURE: the enclave key signs keccak256(abi.encode(attestation, holder))."""
    return sign_eth_message(enclave_key, keccak(encode(["bytes", "address"], [attestation_data, holder])))


@attrs.frozen
class Kalypso:
    """A deployed system: the contracts (proxies, with their implementation's ABI) and its chain."""

    chain: Chain
    build: Build
    payment: Contract
    staking: Contract
    marketplace: Contract
    generators: Contract
    keys: Contract
    verifier: Contract
    market_creation_cost: int
    engine_key: str
    engine_image: str

    def attest(self, enclave_key: str, image: str) -> bytes:
        return attestation(enclave_key, image, self.chain.timestamp * 1000)


def deploy_kalypso(build: Build, *, market_creation_cost: int = 0, same_token: bool = True,
                   engine_key: str = "engine-enclave", engine_image: str = "engine-image",
                   chain: Optional[Chain] = None) -> Kalypso:
    """Deploy tokens, the mock attestation verifier, the three registries behind proxies and the
    stand-in verifier; wire roles; register the matching-engine image and key."""
    chain = chain or Chain(AbiIndex(a.abi for a in build.artifacts.values()))
    admin = chain.addr(ADMIN)
    payment = chain.deploy(ADMIN, build["MockToken"], admin, TOKEN_SUPPLY, "Kalypso Payment", "KPAY")
    staking = payment if same_token else chain.deploy(ADMIN, build["MockToken"], admin, TOKEN_SUPPLY, "Kalypso Stake", "KSTK")
    attestation_verifier = chain.deploy(ADMIN, build["MockAttestationVerifier"])

    def proxied(artifact_name: str, init: bytes, *ctor) -> Contract:
        impl = chain.deploy(ADMIN, build[artifact_name], *ctor)
        proxy = chain.deploy(ADMIN, build["ERC1967Proxy"], impl.address, init)
        return chain.at(proxy.address, build[artifact_name])

    ekr_fns = chain.at("0x" + "00" * 20, build["EntityKeyRegistry"]).fns
    keys = proxied("EntityKeyRegistry", ekr_fns["initialize"].encode(admin, []), attestation_verifier.address)
    generators = proxied("GeneratorRegistry", b"", staking.address, keys.address)
    pmp_fns = chain.at("0x" + "00" * 20, build["ProofMarketplace"]).fns
    marketplace = proxied("ProofMarketplace", pmp_fns["initialize"].encode(admin), payment.address,
                          market_creation_cost, chain.addr(TREASURY), generators.address, keys.address)
    generators.must("initialize", admin, marketplace.address, sender=ADMIN)
    keys.must("addGeneratorRegistry", generators.address, sender=ADMIN)
    keys.must("addGeneratorRegistry", marketplace.address, sender=ADMIN)
    marketplace.must("grantRole", UPDATER_ROLE, admin, sender=ADMIN)
    verifier = chain.deploy(ADMIN, build["StandInVerifier"])
    system = Kalypso(chain, build, payment, staking, marketplace, generators, keys, verifier,
                     market_creation_cost, engine_key, engine_image)
    marketplace.must("setMatchingEngineImage", encoded_pcrs(engine_image), sender=ADMIN)
    data = system.attest(engine_key, engine_image)
    marketplace.must("verifyMatchingEngine", data, enclave_signature(engine_key, data, marketplace.address), sender=ADMIN)
    return system


def engine_address(system: Kalypso) -> str:
    return address_of(system.engine_key)
