"""Seeded random deployed_native traces, beyond the vectors: the spec's reference session and
the EVM adapter on the real bytecode answer every operation alike (accepted with the same
events, or rejected with the same code) and end in the same on-chain projection."""
import hashlib
import random

import pytest

from reference.evm.adapter import EvmSession
from spec.adapter import Session
from spec.deployed_native.keys import assignment_hash, invalid_inputs_hash, sign_hash

pytestmark = pytest.mark.evm
SEEDS = range(12)
STEPS = 40
PEOPLE = ["alice", "bob", "p0", "p1"]
# 0 is public, 1 private, 2 missing: the registry reads a missing market through the marketplace's
# public getter, which reverts with empty data (EMPTY_REVERT), not Panic 0x32 as the marketplace's
# own reads do (test_registry_reads_a_missing_market_as_an_empty_revert; found by these traces).
REGISTRY_MARKETS = [0, 1, 2]
INPUTS = ["0xaa", "0x"]


def proof_for(inputs_hex: str) -> str:
    return "0x" + hashlib.sha256(b"kalypso/stand-in-proof/v1" + bytes.fromhex(inputs_hex[2:])).hexdigest()


def op(name, **args):
    def enc(v):
        if isinstance(v, bool) or isinstance(v, str):
            return v
        if isinstance(v, int):
            return str(v)
        return [enc(x) for x in v]
    return {"op": name, "args": {k: enc(v) for k, v in args.items()}}


PRELUDE = [
    *[op("mint", account=who, token="USDC", amount=10**6) for who in ("alice", "bob", "p0", "p1")],
    op("mint", account="p0", token="POND", amount=10**4), op("mint", account="p1", token="POND", amount=10**4),
    op("set_matching_engine_image", sender="admin", image="me"), op("verify_matching_engine", sender="admin", key="engine", image="me"),
    op("create_market", sender="alice", metadata="0x01", verifier_id="stand-in/sha256", penalty=100, prover_image="public", ivs_image="ivs"),
    op("create_market", sender="bob", metadata="0x02", verifier_id="stand-in/sha256", penalty=40, prover_image="gen-image", ivs_image="ivs"),
    op("advance_blocks", blocks=100),
    op("register_prover", sender="p0", reward_address="p0", declared_compute=10, initial_stake=500, data="0x01"),
    op("join_market", sender="p0", market_id=0, compute_per_request=2, price=30, proposed_time=5),
]


def settle(rng: random.Random, who: str, ask: int) -> dict:
    """Close a task: a proof (mostly), the prover's discard, or a slash after the deadline."""
    return rng.choice([op("submit_proof", sender=who, ask_id=ask, proof=proof_for("0xaa")),
                       op("submit_proof", sender="p0", ask_id=ask, proof=proof_for("0xaa")),
                       op("discard_task", sender="p0", ask_id=ask),
                       op("slash_missed_deadline", sender=who, ask_id=ask, reward_address=who)])


def random_op(rng: random.Random, view: dict) -> dict:
    """One operation, weighted towards the task life cycle (`view`: the current projection);
    ask ids mostly name existing asks."""
    head, n_asks = int(view["block"]), len(view["asks"])
    assigned = [int(i) for i, a in view["asks"].items() if a["state"] in ("ASSIGNED", "DEADLINE_CROSSED")]
    who = rng.choice(PEOPLE)
    ask = rng.randrange(n_asks) if n_asks and rng.random() < 0.85 else n_asks
    latest = max(n_asks - 1, 0)
    pick = rng.randrange(30)
    if pick >= 24:  # the life cycle again: ask, assign by the engine, prove
        return [lambda: op("create_ask", sender=who, market_id=0, reward=100, expiry=head + rng.choice([5, 30]),
                           proof_time=10, refund_address=who, prover_data="0xaa"),
                lambda: op("relay_batch_assign_tasks", sender=who, ask_ids=[latest], provers=["p0"], acls=["0x"],
                           signature="0x" + sign_hash("engine", assignment_hash([latest], ["p0"], [b""])).hex()),
                lambda: settle(rng, who, rng.choice(assigned or [ask]))][pick % 3]()
    if pick == 22:
        images = lambda: rng.sample(["gen-image", "gen-2", "ivs", "ivs-2", "public"], rng.randrange(3))
        return rng.choice([op("add_extra_images", sender=rng.choice(["alice", who]), market_id=rng.choice([0, 1, 2]),
                              prover_images=images(), ivs_images=images()),
                           op("remove_extra_images", sender=rng.choice(["alice", who]), market_id=rng.choice([0, 1, 2]),
                              prover_images=images(), ivs_images=images())])
    if pick == 23:
        p = rng.choice(["p0", "p1"])
        return rng.choice([op("update_encryption_key", sender=p, market_id=rng.choice(REGISTRY_MARKETS),
                              key=rng.choice(["gen-key", "gen-key-2"]), image=rng.choice(["gen-image", "gen-2", "ivs"])),
                           op("remove_encryption_key", sender=p, market_id=rng.choice([0, 1])),
                           op("submit_proofs", sender=who, ask_ids=[ask, rng.randrange(4)][: rng.choice([1, 2])],
                              proofs=[proof_for("0xaa"), "0x00"][: rng.choice([1, 2])])])
    if pick == 20:
        return rng.choice([op("assign_task", sender=rng.choice(["engine", "mallory"]), ask_id=ask, prover=rng.choice(["p0", "p1"]),
                              acl=rng.choice(["0x", "0x01"])),
                           op("change_reward_address", sender=rng.choice(["p0", "p1", who]), reward_address=rng.choice(PEOPLE))])
    if pick == 21:
        return op("create_ask", sender=who, market_id=0, reward=100, expiry=head + rng.choice([2, 60]), proof_time=5,
                  refund_address=who, prover_data="0xaa", secret_type=rng.choice([0, 1, 2]),
                  private_inputs=rng.choice(["0x", "0x1234"]), acl="0x" + "ab" * rng.choice([0, 130, 131]),
                  extra_data=rng.choice(["0x", "0x99"]))
    if pick < 4:
        inputs = rng.choice(INPUTS + ["0xaa"])
        return op("create_ask", sender=who, market_id=rng.choice([0, 0, 1, 2]), reward=rng.choice([0, 20, 100, 100]),
                  expiry=head + rng.choice([1, 2, 6, 60]), proof_time=rng.choice([1, 5, 20]), refund_address=rng.choice(PEOPLE),
                  prover_data=inputs)
    if pick < 7:
        prover, key = rng.choice(["p0", "p0", "p1", "bob"]), rng.choice(["engine", "engine", "mallory"])
        return op("relay_batch_assign_tasks", sender=who, ask_ids=[ask], provers=[prover], acls=["0x"],
                  signature="0x" + sign_hash(key, assignment_hash([ask], [prover], [b""])).hex())
    if pick < 9:
        return op("submit_proof", sender=who, ask_id=ask, proof=rng.choice([proof_for("0xaa"), proof_for("0x"), "0x00"]))
    if pick == 9:
        return op("advance_blocks", blocks=rng.choice([1, 3, 10, 101]))
    if pick == 10:
        return op("slash_missed_deadline", sender=who, ask_id=ask, reward_address=rng.choice(PEOPLE))
    if pick == 11:
        return op("discard_task", sender=rng.choice(["p0", "p1", who]), ask_id=ask)
    if pick == 12:
        return op("cancel_ask", sender=who, ask_id=ask)
    if pick == 13:
        return op("flush", sender=who, account=rng.choice(PEOPLE + ["treasury"]))
    if pick == 14:
        p = rng.choice(["p0", "p1"])
        return rng.choice([op("register_prover", sender=p, reward_address=p, declared_compute=rng.choice([0, 4, 10]),
                              initial_stake=rng.choice([0, 150]), data="0x01"),
                           op("join_market", sender=p, market_id=rng.choice(REGISTRY_MARKETS), compute_per_request=rng.choice([0, 2, 8]),
                              price=rng.choice([0, 30, 500]), proposed_time=rng.choice([1, 5, 50])),
                           op("deposit_stake", sender=who, prover=p, amount=rng.choice([0, 100]))])
    if pick == 15:
        p = rng.choice(["p0", "p1"])
        return rng.choice([op("request_stake_withdrawal", sender=p, amount=rng.choice([1, 100, 10**6])),
                           op("withdraw_stake", sender=p, to=who), op("deregister_prover", sender=p, refund_address=p)])
    if pick == 16:
        p = rng.choice(["p0", "p1"])
        return rng.choice([op("request_market_exit", sender=p, market_id=rng.choice([0, 1])),
                           op("leave_market", sender=p, market_id=rng.choice(REGISTRY_MARKETS)),
                           op("request_compute_decrease", sender=p, compute=rng.choice([1, 5])),
                           op("decrease_declared_compute", sender=p), op("increase_declared_compute", sender=p, compute=3)])
    if pick == 17:
        return rng.choice([op("add_ivs_key", sender=who, market_id=rng.choice([0, 1]), key="ivs-key", image=rng.choice(["ivs", "me"])),
                           op("submit_invalid_inputs", sender=who, ask_id=ask,
                              signature="0x" + sign_hash(rng.choice(["ivs-key", "mallory"]), invalid_inputs_hash(ask, b"\xaa")).hex())])
    if pick == 18:
        return rng.choice([op("update_cost_per_bytes", sender=rng.choice(["admin", who]), secret_type=rng.choice([0, 1, 2]), cost=rng.choice([0, 1])),
                           op("update_min_proving_time", sender="admin", secret_type=rng.choice([0, 1, 2]), blocks=rng.choice([0, 3])),
                           op("pause", sender="admin"), op("unpause", sender="admin"), op("unpause", sender="admin"),
                           op("unpause", sender="admin"), op("freeze_market", sender=who, market_id=0)])
    return op("create_market", sender=who, metadata=rng.choice(["0x02", "0x"]), verifier_id=rng.choice(["stand-in/sha256", "nope"]),
              penalty=rng.choice([0, 50]), prover_image=rng.choice(["public", "gen-image"]), ivs_image=rng.choice(["ivs", "public"]))


@pytest.mark.parametrize("seed", SEEDS)
def test_spec_and_bytecode_agree_on_random_traces(build, seed):
    rng = random.Random(seed)
    spec_session, evm_session = Session(), EvmSession(build)
    for s in (spec_session, evm_session):
        assert s.handle({"cmd": "genesis", "fork": "deployed_native"}) == {"ok": True}
    trace, accepted = list(PRELUDE), 0
    for i in range(len(PRELUDE) + STEPS):
        if i >= len(PRELUDE):
            trace.append(random_op(rng, spec_session.handle({"cmd": "state"})["state"]))
        step = trace[i]
        want, got = spec_session.handle({"cmd": "apply", "op": step}), evm_session.handle({"cmd": "apply", "op": step})
        assert got == want, f"seed {seed}, step {i}: {step}"
        accepted += bool(want.get("ok"))
    assert evm_session.handle({"cmd": "state"}) == spec_session.handle({"cmd": "state"}), f"seed {seed}: final projection"
    assert accepted > len(PRELUDE)  # the trace did more than its prelude


def test_registry_reads_a_missing_market_as_an_empty_revert(build):
    """GeneratorRegistry.sol:527 `_readMarketData` calls the public getter `marketData(i)`, whose
    out-of-bounds revert carries no data; the marketplace's own `marketData[i]` panics (0x32)."""
    session = EvmSession(build)
    session.handle({"cmd": "genesis", "fork": "deployed_native"})
    for step in PRELUDE:
        assert session.handle({"cmd": "apply", "op": step})["ok"], step
    for name, args in [("leave_market", {"sender": "p0", "market_id": "2"}),
                       ("join_market", {"sender": "p0", "market_id": "2", "compute_per_request": "1", "price": "0",
                                        "proposed_time": "1"})]:
        assert session.handle({"cmd": "apply", "op": {"op": name, "args": args}}) == {"ok": False, "error_code": "EMPTY_REVERT"}
    assert session.handle({"cmd": "apply", "op": {"op": "freeze_market", "args": {"sender": "alice", "market_id": "2"}}}) == \
        {"ok": False, "error_code": "PANIC_0x32"}
