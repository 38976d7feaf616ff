"""The L1 chain of the restaking lineage: the real Symbiotic core (npm `@symbioticfi/core`,
reference.evm.restaking.symbiotic) and Kalypso's `Middleware` (initial-deploy-7cf6586, viaIR)
deployed on a second in-process EVM, wired as Symbiotic's own deployment script wires them:

- factories, registries, the middleware service and the two opt-in services; the Vault,
  NetworkRestakeDelegator, Slasher (instant) and VetoSlasher implementations whitelisted;
- a network (an account) registered, its middleware set to Kalypso's Middleware behind an
  ERC1967Proxy, initialised with the network's subnetwork 0 as `networkId` and the repo's
  MockAttestationVerifier, slashing enabled;
- one vault per slasher kind ("veto": VetoSlasher, "instant": Slasher) over the collateral,
  each with a NetworkRestakeDelegator giving the network its limit and the operator all shares,
  a staker's deposit, and configured in the Middleware (VETO_SLASH / INSTANT_SLASH);
- the operator (the prover's account on L2) registered and opted in to the network and vaults.

Accounts are the fork's named keys (spec/deployed_native/keys.py), so the prover is the same
address on both chains. The clock is the two-chain harness's: a block number and seconds.
"""
from __future__ import annotations

from typing import Optional

import attrs
from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from reference.evm.abi import AbiIndex
from reference.evm.chain import Contract, TxReverted
from reference.evm.compile import Build
from reference.evm.deploy import DEPLOYER, FAUCET, TOKEN_SUPPLY
from reference.evm.restaking.deploy import TimedChain
from spec.deployed_native.keys import pcrs, public_key, sign_hash

SLASHER_TYPE = {"instant": 0, "veto": 1}  # SlasherFactory types in whitelist order (Slasher, VetoSlasher)
MIDDLEWARE_TYPE = {"none": 1, "instant": 2, "veto": 3}  # Middleware.SlasherType
VAULT_INIT = "(address,address,uint48,bool,bool,uint256,address,address,address,address,address)"
DELEGATOR_INIT = "((address,address,address),address[],address[])"


@attrs.frozen
class L1Config:
    """The L1 deployment: vault epoch, VetoSlasher veto window and resolver, the collateral
    (named as the L2 Symbiotic stake token it is bridged as), each vault's deposit and limit."""

    collateral: str = "POND"
    epoch_duration: int = 7 * 86_400
    veto_duration: int = 86_400
    resolver_set_epochs_delay: int = 3
    resolver: Optional[str] = None
    deposit: int = 5_000
    network_limit: int = 5_000
    operators: tuple = ("bob",)
    vaults: tuple = ("veto", "instant")
    admin: str = "admin"
    network: str = "network"
    curator: str = "curator"
    staker: str = "dave"
    burner: str = "burner"


def subnetwork(network_address: str, identifier: int = 0) -> bytes:
    """Symbiotic's Subnetwork.subnetwork: the network's address << 96 | identifier."""
    return (int(network_address, 16) << 96 | identifier).to_bytes(32, "big")


def middleware_proof(data: bytes, enclave_key: str, image: str, timestamp: int) -> bytes:
    """What Middleware._verifyProof (Middleware.sol:403) takes: abi.encode(sig, abi.encode(0x,
    Attestation(pubkey, PCR0, PCR1, PCR2, ms))), `sig` the enclave key's EIP-191 signature of keccak256(data)."""
    p0, p1, p2 = pcrs(image)
    att = encode(["bytes", "(bytes,bytes,bytes,bytes,uint256)"], [b"", (public_key(enclave_key), p0, p1, p2, timestamp * 1000)])
    return encode(["bytes", "bytes"], [sign_hash(enclave_key, keccak(data)), att])


@attrs.frozen
class Vault:
    kind: str
    vault: Contract
    delegator: Contract
    slasher: Contract


@attrs.frozen
class L1:
    chain: TimedChain
    config: L1Config
    contracts: dict
    vaults: dict
    middleware: Contract
    collateral: Contract
    subnetwork: bytes

    def vault_of(self, address: str) -> Optional[Vault]:
        return next((v for v in self.vaults.values() if v.vault.address.lower() == address.lower()), None)

    def stake_at(self, vault: Vault, operator: str, timestamp: int) -> int:
        """The operator's stake for the network's subnetwork in `vault` at `timestamp` (what a capture reads)."""
        return vault.delegator.call("stakeAt", self.subnetwork, self.chain.addr(operator), timestamp, b"")

    def active_stake(self, vault: Vault) -> int:
        return vault.vault.call("activeStake")

    def collateral_of(self, holder: str) -> int:
        return self.collateral.call("balanceOf", holder if holder.startswith("0x") else self.chain.addr(holder))


def deploy_l1(symbiotic: Build, middleware: Build, kalypso: Build, config: L1Config, block: int, time: int) -> L1:
    """Deploy the L1 side as the module docstring says; `kalypso` supplies the repo's
    MockAttestationVerifier, MockToken and OpenZeppelin's ERC1967Proxy (solc 0.8.26)."""
    index = AbiIndex([a.abi for b in (symbiotic, middleware, kalypso) for a in b.artifacts.values()])
    chain = TimedChain(index, block, time)
    c = config
    A = chain.addr
    dep = lambda name, *args: chain.deploy(DEPLOYER, symbiotic[name], *args)  # noqa: E731
    vf, df, sf = dep("VaultFactory", A(DEPLOYER)), dep("DelegatorFactory", A(DEPLOYER)), dep("SlasherFactory", A(DEPLOYER))
    nr, opr = dep("NetworkRegistry"), dep("OperatorRegistry")
    nms = dep("NetworkMiddlewareService", nr.address)
    vault_optin = dep("OptInService", opr.address, vf.address, "OperatorVaultOptInService")
    network_optin = dep("OptInService", opr.address, nr.address, "OperatorNetworkOptInService")
    vf.must("whitelist", dep("Vault", df.address, sf.address, vf.address).address, sender=DEPLOYER)
    df.must("whitelist", dep("NetworkRestakeDelegator", nr.address, vf.address, vault_optin.address, network_optin.address,
                             df.address, 0).address, sender=DEPLOYER)
    sf.must("whitelist", dep("Slasher", vf.address, nms.address, sf.address, SLASHER_TYPE["instant"]).address, sender=DEPLOYER)
    sf.must("whitelist", dep("VetoSlasher", vf.address, nms.address, nr.address, sf.address, SLASHER_TYPE["veto"]).address,
            sender=DEPLOYER)

    collateral = chain.deploy(DEPLOYER, kalypso["MockToken"], A(FAUCET), TOKEN_SUPPLY, c.collateral, c.collateral)
    verifier = chain.deploy(DEPLOYER, kalypso["MockAttestationVerifier"])
    impl = chain.deploy(DEPLOYER, middleware["Middleware"])
    mw = chain.at(chain.deploy(DEPLOYER, kalypso["ERC1967Proxy"], impl.address, b"").address, middleware["Middleware"])
    nr.must("registerNetwork", sender=c.network)
    sub = subnetwork(A(c.network))
    mw.must("initialize", sub, verifier.address, A(c.admin), sender=DEPLOYER)
    nms.must("setMiddleware", mw.address, sender=c.network)
    mw.must("grantRole", mw.call("VAULT_CONFIG_SET_ROLE"), A(c.admin), sender=c.admin)
    mw.must("setSlashingEnabled", True, sender=c.admin)
    for operator in c.operators:
        opr.must("registerOperator", sender=operator)
        network_optin.must("optIn(address)", A(c.network), sender=operator)

    vaults = {}
    for kind in c.vaults:
        params = (collateral.address, A(c.burner), c.epoch_duration, False, False, 0, A(c.curator)) + (A(c.curator),) * 4
        vault = chain.at(_created(vf.must("create", 1, A(c.curator), encode([VAULT_INIT], [params]), sender=DEPLOYER)),
                         symbiotic["Vault"])
        dparams = encode([DELEGATOR_INIT], [((A(c.curator), "0x" + "00" * 20, A(c.curator)), [A(c.curator)], [A(c.curator)])])
        delegator = chain.at(_created(df.must("create", 0, encode(["address", "bytes"], [vault.address, dparams]), sender=DEPLOYER)),
                             symbiotic["NetworkRestakeDelegator"])
        sparams = encode(["((bool),uint48,uint256)"], [((False,), c.veto_duration, c.resolver_set_epochs_delay)]) \
            if kind == "veto" else encode(["((bool))"], [((False,),)])
        slasher = chain.at(_created(sf.must("create", SLASHER_TYPE[kind], encode(["address", "bytes"], [vault.address, sparams]),
                                            sender=DEPLOYER)), symbiotic["VetoSlasher" if kind == "veto" else "Slasher"])
        vault.must("setDelegator", delegator.address, sender=c.curator)
        vault.must("setSlasher", slasher.address, sender=c.curator)
        delegator.must("setMaxNetworkLimit", 0, c.network_limit, sender=c.network)
        delegator.must("setNetworkLimit", sub, c.network_limit, sender=c.curator)
        for operator in c.operators:
            vault_optin.must("optIn(address)", vault.address, sender=operator)
            delegator.must("setOperatorNetworkShares", sub, A(operator), 1, sender=c.curator)
        collateral.must("transfer", A(c.staker), c.deposit, sender=FAUCET)
        collateral.must("approve", vault.address, c.deposit, sender=c.staker)
        vault.must("deposit", A(c.staker), c.deposit, sender=c.staker)
        if kind == "veto" and c.resolver:
            slasher.must("setResolver", 0, A(c.resolver), b"", sender=c.network)
        mw.must("configureVault", vault.address, MIDDLEWARE_TYPE[kind], sender=c.admin)
        vaults[kind] = Vault(kind, vault, delegator, slasher)
    contracts = {"VaultFactory": vf, "DelegatorFactory": df, "SlasherFactory": sf, "NetworkRegistry": nr, "OperatorRegistry": opr,
                 "NetworkMiddlewareService": nms, "OperatorVaultOptInService": vault_optin,
                 "OperatorNetworkOptInService": network_optin, "MockAttestationVerifier": verifier}
    return L1(chain, c, contracts, vaults, mw, collateral, sub)


def _created(receipt) -> str:
    """The address a factory's `create` returned (its first 32-byte word)."""
    return to_checksum_address("0x" + receipt.output[12:32].hex())


__all__ = ["L1", "L1Config", "MIDDLEWARE_TYPE", "TxReverted", "Vault", "deploy_l1", "middleware_proof", "subnetwork"]
