"""Deploy the native-stake Kalypso contracts (master-66d489f) into an in-process EVM, as the
deployed_native fork's genesis describes (docs/forks.md, "Genesis").

The three registries are UUPS-upgradeable with immutables set in their constructors, so each
runs behind an OpenZeppelin ERC1967Proxy, as upstream deploys them. ProofMarketplace and
GeneratorRegistry reference each other: the GeneratorRegistry proxy is deployed uninitialised,
the marketplace is built against it, then the registry is initialised with the marketplace.
Names, keys, PCRs and attestations are the fork's (spec/deployed_native/keys.py); the repo's
MockAttestationVerifier accepts every attestation, so an enclave key is as good as its image.
The token supplies sit with a faucet account no name stands for.
"""
from __future__ import annotations

from typing import Optional

import attrs
from eth_abi import encode
from eth_utils import keccak

from reference.evm.abi import AbiIndex
from reference.evm.chain import Chain, Contract, public_key64, sign_eth_message
from reference.evm.compile import Build
from spec.deployed_native.containers import Config
from spec.deployed_native.keys import encoded_pcrs, pcrs

DEPLOYER = "0x00000000000000000000000000000000000d0e91"
FAUCET = "0x00000000000000000000000000000000000fa0ce"
TOKEN_SUPPLY = 2**200
UPDATER_ROLE = keccak(text="UPDATER_ROLE")
STAND_IN_VERIFIER_ID = "stand-in/sha256"
PUBLIC = "public"


def attestation(enclave_key: str, image: str, timestamp_ms: int) -> bytes:
    """Attestation data as HELPER decodes it: (attestation = 0x, pubkey, PCR0, PCR1, PCR2, timestamp_ms, 0, 0)."""
    p0, p1, p2 = pcrs(image)
    return encode(["bytes", "bytes", "bytes", "bytes", "bytes", "uint256", "uint256", "uint256"],
                  [b"", public_key64(enclave_key), p0, p1, p2, timestamp_ms, 0, 0])


def enclave_signature(enclave_key: str, attestation_data: bytes, holder: str) -> bytes:
    """HELPER.VERIFY_ENCLAVE_SIGNATURE: the enclave key signs keccak256(abi.encode(attestation, holder))."""
    return sign_eth_message(enclave_key, keccak(encode(["bytes", "address"], [attestation_data, holder])))


@attrs.frozen
class Kalypso:
    """A deployed system: the contracts (proxies, with their implementation's ABI), its chain,
    the verifiers by id and the genesis config."""

    chain: Chain
    build: Build
    config: Config
    payment: Contract
    staking: Contract
    marketplace: Contract
    generators: Contract
    keys: Contract
    verifiers: dict

    @property
    def verifier(self) -> Contract:
        return self.verifiers[STAND_IN_VERIFIER_ID]

    def attest(self, enclave_key: str, image: str) -> bytes:
        return attestation(enclave_key, image, self.chain.timestamp * 1000)

    def register_engine(self, engine_key: str = "engine-enclave", engine_image: str = "engine-image") -> None:
        """setMatchingEngineImage + verifyMatchingEngine, sent by the admin."""
        admin = self.config.admin
        self.marketplace.must("setMatchingEngineImage", encoded_pcrs(engine_image), sender=admin)
        data = self.attest(engine_key, engine_image)
        self.marketplace.must("verifyMatchingEngine", data, enclave_signature(engine_key, data, self.marketplace.address),
                              sender=admin)


def deploy_kalypso(build: Build, config: Config = Config(), *, chain: Optional[Chain] = None) -> Kalypso:
    """Deploy tokens, the mock attestation verifier, the three registries behind proxies and the
    stand-in verifier; grant the admin its roles. No market, prover, image or key; head at
    config.genesis_block."""
    chain = chain or Chain(AbiIndex(a.abi for a in build.artifacts.values()), block=config.genesis_block)
    admin = chain.addr(config.admin)
    token = build["MockToken"]
    payment = chain.deploy(DEPLOYER, token, chain.addr(FAUCET), TOKEN_SUPPLY, config.payment_token, config.payment_token)
    staking = chain.deploy(DEPLOYER, token, chain.addr(FAUCET), TOKEN_SUPPLY, config.staking_token, config.staking_token)
    attestation_verifier = chain.deploy(DEPLOYER, build["MockAttestationVerifier"])

    def proxied(artifact_name: str, init: bytes, *ctor) -> Contract:
        impl = chain.deploy(DEPLOYER, build[artifact_name], *ctor)
        proxy = chain.deploy(DEPLOYER, build["ERC1967Proxy"], impl.address, init)
        return chain.at(proxy.address, build[artifact_name])

    fns = lambda name: chain.at("0x" + "00" * 20, build[name]).fns
    keys = proxied("EntityKeyRegistry", fns("EntityKeyRegistry")["initialize"].encode(admin, []), attestation_verifier.address)
    generators = proxied("GeneratorRegistry", b"", staking.address, keys.address)
    marketplace = proxied("ProofMarketplace", fns("ProofMarketplace")["initialize"].encode(admin), payment.address,
                          config.market_creation_cost, chain.addr(config.treasury), generators.address, keys.address)
    generators.must("initialize", admin, marketplace.address, sender=DEPLOYER)
    keys.must("addGeneratorRegistry", generators.address, sender=config.admin)
    keys.must("addGeneratorRegistry", marketplace.address, sender=config.admin)
    marketplace.must("grantRole", UPDATER_ROLE, admin, sender=config.admin)
    verifiers = {STAND_IN_VERIFIER_ID: chain.deploy(DEPLOYER, build["StandInVerifier"])}
    return Kalypso(chain, build, config, payment, staking, marketplace, generators, keys, verifiers)


__all__ = ["Kalypso", "deploy_kalypso", "attestation", "enclave_signature", "encoded_pcrs", "PUBLIC", "FAUCET"]
