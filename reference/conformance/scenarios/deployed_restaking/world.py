"""A deployed_restaking world built from genesis by operations only, so every case it yields
replays on the contracts. `do(op, expect)` fails loudly when the outcome is not the one the
scenario is written to show."""
from __future__ import annotations

import attrs

from reference.conformance.scenarios.genesis import GenesisRecorder
from spec.deployed_restaking import operations as ops
from spec.deployed_restaking.codec import encode_config
from spec.deployed_restaking.containers import Config, State
from spec.env import DEFAULT_ENV, STAND_IN_VERIFIER_ID, Env, stand_in_proof
from spec.operations import Mint

FORK = "deployed_restaking"
ADMIN, TREASURY = "admin", "treasury"
ALICE, BOB, CAROL, DAVE, MALLORY = "alice", "bob", "carol", "dave", "mallory"
ENGINE, BRIDGE_KEY, TRANSMITTER, VAULT = "engine-key", "bridge-key", "transmitter", "vault-1"
IVS_IMAGE = "ivs-image"
INPUTS = b"public inputs"
PRICE, REWARD = 40, 100
NATIVE_STAKE, RESTAKED = 1_000, 5_000


@attrs.define
class World(GenesisRecorder):
    FORK = FORK
    encode_config = staticmethod(encode_config)

    config: Config = Config()
    env: Env = DEFAULT_ENV
    state: State = None
    steps: list = attrs.field(factory=list)

    # ---- builders -----------------------------------------------------------------------------

    def fund(self, account: str, token: str, amount: int) -> "World":
        self.do(Mint(account, token, amount))
        return self

    def market(self, creator: str = ALICE) -> int:
        market_id = len(self.state.markets)
        self.fund(creator, self.config.payment_token, self.config.market_creation_cost)
        self.do(ops.CreateMarket(creator, b"market", STAND_IN_VERIFIER_ID, "public", IVS_IMAGE))
        return market_id

    def prover(self, prover: str = BOB, market_id: int = 1, native: int = NATIVE_STAKE, compute: int = 10, per_request: int = 2,
               price: int = PRICE, proposed_time: int = 60, token: str = "POND") -> str:
        self.do(ops.RegisterProver(prover, prover, compute, b"prover"))
        self.do(ops.JoinMarket(prover, market_id, per_request, price, proposed_time))
        if native:
            self.fund(prover, token, native)
            self.do(ops.Stake(prover, token, prover, native))
        return prover

    def snapshot(self, entries, capture_in: int = 0, last_block: int = None, slashed=(), transmitter: str = TRANSMITTER,
                 expect_confirmed: bool = True) -> int:
        """One capture: a one-part vault snapshot of `entries` [(prover, vault, token, amount)] and a
        one-part slash result (`slashed` [(bid, prover, reward address)]); returns its timestamp."""
        ts = self.state.now - capture_in
        last_block = last_block or (len(self.state.symbiotic.confirmed) + 1) * 1000
        provers, vaults, tokens, amounts = (list(x) for x in zip(*entries)) if entries else ([], [], [], [])
        self.do(ops.SubmitVaultSnapshot(transmitter, 0, 1, ts, provers, vaults, tokens, amounts))
        bids, ps, rewards = (list(x) for x in zip(*slashed)) if slashed else ([], [], [])
        self.do(ops.SubmitSlashResult(transmitter, 0, 1, ts, last_block, bids, ps, rewards))
        return ts

    def bid(self, requester: str = CAROL, market_id: int = 1, reward: int = REWARD, expiry_in: int = 600, proof_time: int = 60) -> int:
        bid_id = len(self.state.bids)
        self.fund(requester, self.config.payment_token, reward)
        self.do(ops.CreateBid(requester, market_id, reward, self.state.now + expiry_in, proof_time, requester, INPUTS))
        return bid_id

    def ready(self, restaked: int = RESTAKED) -> "World":
        """One public market, BOB joined with native stake, a confirmed snapshot giving BOB
        `restaked` POND through VAULT."""
        self.market()
        self.prover()
        self.snapshot([(BOB, VAULT, "POND", restaked)])
        return self

    def task(self, **ready) -> int:
        """`ready()` plus one bid assigned to BOB by the engine; returns the bid id."""
        self.ready(**ready)
        bid_id = self.bid()
        self.do(ops.AssignTask(ENGINE, bid_id, BOB))
        return bid_id


def proof_of(data: bytes = INPUTS) -> bytes:
    return stand_in_proof(data)
