"""A Groth16 proof checked on chain: the generated verifier behind the market's IVerifier, a
market over it, an ask whose inputs are the public signals, and submitProof completing it.

Gas is reported against EIP-197 (as repriced by EIP-1108): a pairing check of k pairs costs
34000·k + 45000; a Groth16 check has k = 4, so 181000 gas in the precompile, plus one ecMul
(6000) and one ecAdd (150) per public input (EIP-1108 prices) and the call's own overhead.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional, Sequence

import attrs

from reference.evm.compile import NODE_MODULES, OUR_SOURCES, Build, check_contracts_dir, compile_sources
from reference.evm.deploy import DEPLOYER, PUBLIC, Kalypso, encoded_pcrs
from reference.evm.groth16_verifier import check_vk, generate_verifier, generate_wrapper, market_inputs, market_proof
from reference.evm.lifecycle import ENGINE_KEY, assign, fund

NAME = "KalypsoGroth16Verifier"
SNARKJS_NAME = "Groth16Verifier"
INTRINSIC_GAS = 21000
PAIRING_PAIRS = 4


def eip197_pairing_gas(k: int = PAIRING_PAIRS) -> int:
    """The pairing precompile's price for k pairs (EIP-197 as repriced by EIP-1108)."""
    return 34000 * k + 45000


def groth16_precompile_gas(n_public: int) -> int:
    """Precompile gas of one Groth16 check: the pairing plus ecMul (6000) + ecAdd (150) per input."""
    return eip197_pairing_gas() + n_public * (6000 + 150)


def compile_groth16(vk: Mapping, contracts: Path, snarkjs_source: Optional[str] = None) -> Build:
    """Compile our verifier and its market wrapper for `vk` (and snarkjs' exported verifier if given)."""
    n = check_vk(vk)
    generated = {f"kalypso/generated/{NAME}.sol": generate_verifier(vk, NAME),
                 f"kalypso/generated/{NAME}Market.sol": generate_wrapper(n, NAME)}
    selection = {f"kalypso/generated/{NAME}.sol": (NAME,), f"kalypso/generated/{NAME}Market.sol": (f"{NAME}Market",)}
    if snarkjs_source is not None:
        generated["snarkjs/Groth16Verifier.sol"] = snarkjs_source
        selection["snarkjs/Groth16Verifier.sol"] = (SNARKJS_NAME,)
    contracts = check_contracts_dir(contracts)
    return compile_sources(selection, [contracts, NODE_MODULES, OUR_SOURCES], generated=generated, contracts=contracts)


@attrs.frozen
class OnChainProof:
    """What the end-to-end run measured: the verifier's gas for one check (a transaction to
    verifyProof, intrinsic gas subtracted), submitProof's gas, the ask's final state."""

    verifier_gas: int
    submit_proof_gas: int
    ask_state: int
    events: tuple
    market_id: int
    ask_id: int


def verify_call_gas(system: Kalypso, verifier, proof: Mapping, public: Sequence) -> tuple[bool, int]:
    """(accepted, execution gas) of one verifyProof transaction."""
    from reference.evm.groth16_verifier import proof_words

    a, b, c = proof_words(proof)
    receipt = verifier.transact("verifyProof", a, b, c, [int(v) for v in public], sender="gas-probe")
    accepted = receipt.ok and verifier.fn("verifyProof").decode(receipt.output)[0]
    calldata = verifier.fn("verifyProof").encode(a, b, c, [int(v) for v in public])
    calldata_gas = sum(16 if byte else 4 for byte in calldata)
    return bool(accepted), receipt.gas_used - INTRINSIC_GAS - calldata_gas


def deploy_groth16_market(system: Kalypso, groth16: Build, sample_proof: Mapping, sample_public: Sequence):
    """Deploy the verifier and its wrapper (the sample is a valid proof: createMarketplace checks
    it) and create a public market over them; returns (verifier, wrapper, market id)."""
    c = system.chain
    verifier = c.deploy(DEPLOYER, groth16[NAME])
    wrapper = c.deploy(DEPLOYER, groth16[f"{NAME}Market"], verifier.address, market_inputs(sample_public),
                       market_proof(sample_proof))
    market_id = system.marketplace.call("marketCounter")
    fund(system, "zk-creator", 10**24)
    system.marketplace.must("createMarketplace", b"groth16 market", wrapper.address, 10**18, encoded_pcrs(PUBLIC),
                            encoded_pcrs("ivs-image"), sender="zk-creator")
    return verifier, wrapper, market_id


def prove_on_chain(system: Kalypso, groth16: Build, proof: Mapping, public: Sequence) -> OnChainProof:
    """Market over the generated verifier; a prover joins; an ask with the public signals is
    assigned by the matching engine's signature; anyone submits the proof; the ask completes."""
    c, pmp, reg = system.chain, system.marketplace, system.generators
    if not system.keys.call("pub_key", pmp.address, 0):
        system.register_engine(ENGINE_KEY)
    verifier, _, market_id = deploy_groth16_market(system, groth16, proof, public)
    c.set_block(c.block + 100)  # MARKET_ACTIVATION_DELAY
    for name in ("zk-prover", "zk-requester"):
        fund(system, name, 10**24)
    reg.must("register", c.addr("zk-prover-rewards"), 100, 5 * 10**18, b"zk prover", sender="zk-prover")
    reg.must("joinMarketplace", market_id, 10, 10**17, 50, False, b"", b"", sender="zk-prover")
    ask_id = pmp.call("askCounter")
    pmp.must("createAsk", (market_id, 10**18, c.block + 20, 50, 0, c.addr("zk-requester"), market_inputs(public)),
             1, b"", b"", b"", sender="zk-requester")
    assign(system, ask_id, "zk-prover")
    receipt = pmp.must("submitProof", ask_id, market_proof(proof), sender="zk-anyone")
    _, verifier_gas = verify_call_gas(system, verifier, proof, public)
    return OnChainProof(verifier_gas, receipt.gas_used, pmp.call("getAskState", ask_id),
                        tuple(e.name for e in receipt.events), market_id, ask_id)
