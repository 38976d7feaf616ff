"""A fixed market lifecycle on the deployed contracts: the harness's smoke test and the
transactions-per-second benchmark (market, prover, asks, batch assignment, proof, slash,
discard, cancel, unstake, deregister)."""
from __future__ import annotations

from eth_abi import encode
from eth_utils import keccak

from reference.evm.chain import sign_eth_message
from reference.evm.deploy import FAUCET, PUBLIC, Kalypso, encoded_pcrs

ZERO32 = b"\0" * 32


def stand_in_proof(inputs: bytes) -> bytes:
    import hashlib

    return hashlib.sha256(b"kalypso/stand-in-proof/v1" + inputs).digest()


ENGINE_KEY = "engine-enclave"


def assignment_signature(ask_ids, generators, acls, engine_key: str = ENGINE_KEY) -> bytes:
    """The matching engine's EIP-191 signature over keccak256(abi.encode(askIds, generators, newAcls))."""
    message = keccak(encode(["uint256[]", "address[]", "bytes[]"], [list(ask_ids), list(generators), list(acls)]))
    return sign_eth_message(engine_key, message)


def fund(system: Kalypso, name: str, amount: int) -> None:
    """Give `name` both tokens from the faucet and approve both contracts for them."""
    c = system.chain
    for token in (system.payment, system.staking):
        token.must("transfer", c.addr(name), amount, sender=FAUCET)
        token.must("approve", system.marketplace.address, 2**255, sender=name)
        token.must("approve", system.generators.address, 2**255, sender=name)


def create_ask(system: Kalypso, requester: str, market_id: int, reward: int, expiry_in: int, proof_time: int,
               inputs: bytes) -> int:
    c = system.chain
    ask_id = system.marketplace.call("askCounter")
    ask = (market_id, reward, c.block + expiry_in, proof_time, 0, c.addr(requester), inputs)
    system.marketplace.must("createAsk", ask, 1, b"", b"", b"", sender=requester)
    return ask_id


def assign(system: Kalypso, ask_id: int, prover: str, relayer: str = "relayer") -> None:
    g = system.chain.addr(prover)
    system.marketplace.must("relayBatchAssignTasks", [ask_id], [g], [b""],
                            assignment_signature([ask_id], [g], [b""]), sender=relayer)


def run_lifecycle(system: Kalypso) -> int:
    """Run the lifecycle; return the number of transactions it sent."""
    c, pmp, reg = system.chain, system.marketplace, system.generators
    start = c.tx_count
    system.register_engine(ENGINE_KEY)
    for name in ("creator", "alice", "prover"):
        fund(system, name, 10**24)
    pmp.must("createMarketplace", b"market-0", system.verifier.address, 10**18, encoded_pcrs(PUBLIC),
             encoded_pcrs("ivs-image"), sender="creator")
    c.set_block(c.block + 100)
    reg.must("register", c.addr("prover-rewards"), 100, 5 * 10**18, b"prover", sender="prover")
    reg.must("joinMarketplace", 0, 10, 10**17, 50, False, b"", b"", sender="prover")
    proved = create_ask(system, "alice", 0, 10**18, 20, 50, b"inputs-0")
    slashed = create_ask(system, "alice", 0, 10**18, 20, 50, b"inputs-1")
    discarded = create_ask(system, "alice", 0, 10**18, 20, 50, b"inputs-2")
    cancelled = create_ask(system, "alice", 0, 10**18, 5, 50, b"inputs-3")
    for ask_id in (proved, slashed, discarded):
        assign(system, ask_id, "prover")
    pmp.must("submitProof", proved, stand_in_proof(b"inputs-0"), sender="anyone")
    pmp.must("discardRequest", discarded, sender="prover")
    c.set_block(c.block + 60)
    pmp.must("slashGenerator", slashed, c.addr("slasher"), sender="slasher")
    pmp.must("cancelAsk", cancelled, sender="anyone")
    for who in ("alice", "prover-rewards", system.config.treasury):
        pmp.must("flush", c.addr(who), sender="anyone")
    reg.must("intendToReduceStake", 10**18, sender="prover")
    c.set_block(c.block + 1)
    reg.must("unstake", c.addr("prover"), sender="prover")
    reg.must("leaveMarketplace", 0, sender="prover")
    reg.must("deregister", c.addr("prover"), sender="prover")
    return c.tx_count - start
