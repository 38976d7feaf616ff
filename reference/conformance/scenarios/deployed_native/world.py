"""A deployed_native world built from genesis by operations only, so that every case it yields
replays on the contracts. Each step records what the fork does; `do(op, expect)` fails loudly
when the outcome is not the one the scenario is written to show."""
from __future__ import annotations

from typing import Optional

import attrs

from reference.conformance.scenarios.genesis import GenesisRecorder
from spec.deployed_native import keys
from spec.deployed_native import operations as ops
from spec.deployed_native.codec import encode_config
from spec.deployed_native.containers import Config, State
from spec.env import DEFAULT_ENV, STAND_IN_VERIFIER_ID, Env, stand_in_proof

FORK = "deployed_native"
ADMIN, TREASURY = "admin", "treasury"
ALICE, BOB, CAROL, DAVE, MALLORY = "alice", "bob", "carol", "dave", "mallory"
ENGINE, IVS_KEY, OTHER_KEY = "engine-key", "ivs-key", "other-key"
ME_IMAGE, IVS_IMAGE, PROVER_IMAGE, OTHER_IMAGE = "me-image", "ivs-image", "prover-image", "other-image"
INPUTS = b"public inputs"
PENALTY = 300
PRICE = 40
REWARD = 100


@attrs.define
class World(GenesisRecorder):
    FORK = FORK
    encode_config = staticmethod(encode_config)

    config: Config = Config()
    env: Env = DEFAULT_ENV
    state: State = None
    steps: list = attrs.field(factory=list)

    # ---- builders: the usual road from genesis --------------------------------------------

    def fund(self, account: str, usdc: int = 0, pond: int = 0) -> "World":
        if usdc:
            self.do(ops.Mint(account, self.config.payment_token, usdc))
        if pond:
            self.do(ops.Mint(account, self.config.staking_token, pond))
        return self

    def engine(self, key: str = ENGINE, image: str = ME_IMAGE) -> "World":
        """The one matching-engine image and its attested key."""
        self.do(ops.SetMatchingEngineImage(ADMIN, image))
        self.do(ops.VerifyMatchingEngine(ADMIN, key, image))
        return self

    def market(self, creator: str = ALICE, penalty: int = PENALTY, prover_image: str = "public", ivs_image: str = IVS_IMAGE,
               activate: bool = True) -> int:
        """A market (its creator funded for the creation cost), active unless told otherwise."""
        market_id = len(self.state.markets)
        self.fund(creator, usdc=self.config.market_creation_cost)
        self.do(ops.CreateMarket(creator, b"market", STAND_IN_VERIFIER_ID, penalty, prover_image, ivs_image))
        if activate:
            self.do(ops.AdvanceBlocks(100))
        return market_id

    def prover(self, prover: str = BOB, market_id: int = 0, stake: int = 1_000, compute: int = 10, per_request: int = 2,
               price: int = PRICE, proposed_time: int = 5) -> str:
        """A registered prover with stake, joined to `market_id`."""
        self.fund(prover, pond=stake)
        self.do(ops.RegisterProver(prover, prover, compute, stake, b"prover"))
        self.do(ops.JoinMarket(prover, market_id, per_request, price, proposed_time))
        return prover

    def ask(self, requester: str = CAROL, market_id: int = 0, reward: int = REWARD, expiry_in: int = 50, proof_time: int = 10,
            refund_address: Optional[str] = None, prover_data: bytes = INPUTS, fund: bool = True) -> int:
        """An ask, its requester funded for reward (+ any fee); returns its id."""
        ask_id = len(self.state.asks)
        if fund:
            self.fund(requester, usdc=reward)
        self.do(ops.CreateAsk(requester, market_id, reward, self.state.now + expiry_in, proof_time, refund_address or requester, prover_data))
        return ask_id

    def assign(self, ask_ids, provers, relayer: str = DAVE, key: str = ENGINE, expect: str = "ok") -> list:
        acls = [b""] * len(ask_ids)
        signature = keys.sign_hash(key, keys.assignment_hash(ask_ids, provers, acls))
        return self.do(ops.RelayBatchAssignTasks(relayer, list(ask_ids), list(provers), acls, signature), expect)

    def ready(self) -> "World":
        """Engine, one active public market, prover BOB joined."""
        self.engine()
        self.market()
        self.prover()
        return self

    def task(self) -> int:
        """`ready()` plus one ask assigned to BOB; returns the ask id."""
        self.ready()
        ask_id = self.ask()
        self.assign([ask_id], [BOB])
        return ask_id


def proof_of(data: bytes = INPUTS) -> bytes:
    return stand_in_proof(data)
