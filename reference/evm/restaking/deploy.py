"""Deploy the restaking lineage's L2 contracts (initial-deploy-7cf6586) into an in-process EVM
as the deployed_restaking fork's genesis describes (docs/forks.md): every UPS contract behind an
ERC1967Proxy, proxies deployed first and initialised once every address is known; the
StakingManager's pools NativeStaking then SymbioticStaking, enabled; the stake tokens, weights
and lock amounts, withdrawal duration, submission cooldown and transmitter rate of the config;
the bridge image registered; the matching engine's image and key verified. The chain's clock is
the fork's: a block number AND a timestamp in seconds, set independently."""
from __future__ import annotations


import attrs
from eth_abi import encode
from eth_utils import keccak

from reference.evm.abi import AbiIndex
from reference.evm.chain import Chain, Contract
from reference.evm.compile import Build
from reference.evm.deploy import DEPLOYER, FAUCET, STAND_IN_VERIFIER_ID, TOKEN_SUPPLY, attestation, enclave_signature
from spec.deployed_native.keys import encoded_pcrs, pcrs, public_key
from spec.deployed_restaking.containers import Config

ROLE = {name: keccak(text=name) for name in ("UPDATER_ROLE", "SYMBIOTIC_STAKING_ROLE", "SYMBIOTIC_STAKING_REWARD_ROLE",
                                              "BRIDGE_ENCLAVE_UPDATER_ROLE")}
ZERO = "0x" + "00" * 20


class TimedChain(Chain):
    """A Chain whose block timestamp is set on its own (the restaking lineage counts seconds)."""

    def __init__(self, index: AbiIndex, block: int, time: int):
        self._time = time
        super().__init__(index, block=block)

    @property
    def timestamp(self) -> int:
        return self._time

    def set_head(self, number: int, time: int) -> None:
        self._time = time
        self.set_block(number)


@attrs.frozen
class Restaking:
    """A deployed L2 system: its chain, contracts (proxies with their implementation's ABI) and tokens by name."""

    chain: TimedChain
    build: Build
    config: Config
    tokens: dict
    marketplace: Contract
    provers: Contract
    keys: Contract
    manager: Contract
    native: Contract
    symbiotic: Contract
    reward: Contract
    verifiers: dict

    def contracts(self) -> dict:
        """The fork's names of the contracts (events and balances name them so)."""
        return {"marketplace": self.marketplace.address, "prover_manager": self.provers.address, "key_registry": self.keys.address,
                "staking_manager": self.manager.address, "native_staking": self.native.address,
                "symbiotic_staking": self.symbiotic.address, "symbiotic_staking_reward": self.reward.address,
                **{name: c.address for name, c in self.tokens.items()}, "@faucet": FAUCET}


def bridge_proof(kind: bytes, index: int, num_txs: int, capture: int, data: bytes, enclave_key: str, image: str) -> bytes:
    """The proof SymbioticStaking._verifyProof (SymbioticStaking.sol:470) takes: abi.encode(sig,
    abi.encode(attestationSig = 0x, Attestation(pubkey, PCR0, PCR1, PCR2, capture ms))), `sig`
    the enclave key's EIP-191 signature of keccak256(abi.encode(type, index, numOfTxs, capture, data))."""
    from spec.deployed_native.keys import sign_hash

    digest = keccak(encode(["bytes32", "uint256", "uint256", "uint256", "bytes"], [kind, index, num_txs, capture, data]))
    p0, p1, p2 = pcrs(image)
    att = encode(["bytes", "(bytes,bytes,bytes,bytes,uint256)"], [b"", (public_key(enclave_key), p0, p1, p2, capture * 1000)])
    return encode(["bytes", "bytes"], [sign_hash(enclave_key, digest), att])


def deploy_restaking(build: Build, config: Config = Config()) -> Restaking:
    chain = TimedChain(AbiIndex(a.abi for a in build.artifacts.values()), config.genesis_block, config.genesis_time)
    admin = config.admin
    tokens = {}
    for name in config.tokens:
        tokens[name] = chain.deploy(DEPLOYER, build["MockToken"], chain.addr(FAUCET), TOKEN_SUPPLY, name, name)
    verifier = chain.deploy(DEPLOYER, build["MockAttestationVerifier"])

    def proxy(artifact: str, *ctor) -> Contract:
        impl = chain.deploy(DEPLOYER, build[artifact], *ctor)
        return chain.at(chain.deploy(DEPLOYER, build["ERC1967Proxy"], impl.address, b"").address, build[artifact])

    keys = proxy("EntityKeyRegistry", verifier.address)
    pmp, pm, sm = proxy("ProofMarketplace"), proxy("ProverManager"), proxy("StakingManager")
    ns, ss, ssr = proxy("NativeStaking"), proxy("SymbioticStaking"), proxy("SymbioticStakingReward")
    A = chain.addr
    pay = tokens[config.payment_token].address
    keys.must("initialize", A(admin), [], sender=DEPLOYER)
    pmp.must("initialize", A(admin), pay, A(config.treasury), pm.address, keys.address, config.market_creation_cost, sender=DEPLOYER)
    pm.must("initialize", A(admin), pmp.address, sm.address, keys.address, sender=DEPLOYER)
    sm.must("initialize", A(admin), pmp.address, pm.address, ss.address, pay, sender=DEPLOYER)
    ns.must("initialize", A(admin), sm.address, config.withdrawal_duration, sender=DEPLOYER)
    ss.must("initialize", A(admin), verifier.address, pmp.address, sm.address, ssr.address, sender=DEPLOYER)
    ssr.must("initialize", A(admin), pmp.address, ss.address, pay, sender=DEPLOYER)
    keys.must("addProverManager", pm.address, sender=admin)
    keys.must("addProverManager", pmp.address, sender=admin)
    pmp.must("grantRole", ROLE["UPDATER_ROLE"], A(admin), sender=admin)
    pmp.must("grantRole", ROLE["SYMBIOTIC_STAKING_ROLE"], ss.address, sender=admin)
    pmp.must("grantRole", ROLE["SYMBIOTIC_STAKING_REWARD_ROLE"], ssr.address, sender=admin)
    ssr.must("grantRole", ssr.call("SYMBIOTIC_STAKING_ROLE"), ss.address, sender=admin)
    for pool in (ns, ss):
        sm.must("addStakingPool", pool.address, 1, sender=admin)
        sm.must("setPoolEnabled", pool.address, True, sender=admin)
    for name, weight, amount in zip(config.native_tokens, config.native_weights, config.native_lock):
        ns.must("addStakeToken", tokens[name].address, weight, sender=admin)
        ns.must("setStakeAmountToLock", tokens[name].address, amount, sender=admin)
    # SymbioticStaking.initialize grants the manager its role but leaves the `stakingManager`
    # variable (SymbioticStaking.sol:71) unset: a slash result naming a task would call address 0.
    ss.must("setStakingManager", sm.address, sender=admin)
    ss.must("grantRole", ROLE["BRIDGE_ENCLAVE_UPDATER_ROLE"], A(admin), sender=admin)
    ss.must("addEnclaveImage(bytes)", encoded_pcrs(config.bridge_image), sender=admin)
    for name, weight, amount in zip(config.symbiotic_tokens, config.symbiotic_weights, config.symbiotic_lock):
        ss.must("addStakeToken", tokens[name].address, weight, sender=admin)
        ss.must("setAmountToLock", tokens[name].address, amount, sender=admin)
    ss.must("setSubmissionCooldown", config.submission_cooldown, sender=admin)
    if config.transmitter_rate:
        ss.must("setBaseTransmitterComissionRate", config.transmitter_rate, sender=admin)
    pmp.must("setMatchingEngineImage", encoded_pcrs(config.engine_image), sender=admin)
    data = attestation(config.engine_key, config.engine_image, config.genesis_time * 1000)
    pmp.must("verifyMatchingEngine", data, enclave_signature(config.engine_key, data, pmp.address), sender=admin)
    verifiers = {STAND_IN_VERIFIER_ID: chain.deploy(DEPLOYER, build["StandInVerifier"])}
    return Restaking(chain, build, config, tokens, pmp, pm, keys, sm, ns, ss, ssr, verifiers)


__all__ = ["Restaking", "TimedChain", "bridge_proof", "deploy_restaking"]
