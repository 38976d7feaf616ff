"""The on-chain projection of a fork state: what the contracts hold and their public getters
return (docs/forks.md, "The on-chain projection"). Vectors compare it; an adapter on real
bytecode answers it."""
from __future__ import annotations

from spec.codec import encode
from spec.deployed_native.asks import ask_state
from spec.deployed_native.containers import MARKETPLACE, REGISTRY, State
from spec.deployed_native.keyregistry import MARKETPLACE_NAME

CONTRACT_NAMES = {MARKETPLACE: "marketplace", REGISTRY: "registry"}


def project(state: State) -> dict:
    """The projection in canonical JSON form."""
    balances: dict = {}
    held: dict = {}
    for (account, token), amount in sorted(state.balances.items()):
        if amount == 0:
            continue
        if account in CONTRACT_NAMES:
            held.setdefault(CONTRACT_NAMES[account], {})[token] = encode(amount)
        else:
            balances.setdefault(account, {})[token] = encode(amount)
    memberships: dict = {}
    for (market_id, prover), m in sorted(state.memberships.items()):
        memberships.setdefault(str(market_id), {})[prover] = {
            "state": m.state.value, "compute_per_request": encode(m.compute_per_request), "price": encode(m.price),
            "proposed_time": encode(m.proposed_time), "active_requests": encode(m.active_requests),
        }
    asks = {}
    for ask_id, a in sorted(state.asks.items()):
        asks[str(ask_id)] = {
            "market_id": encode(a.market_id), "reward": encode(a.reward), "expiry": encode(a.expiry), "proof_time": encode(a.proof_time),
            "deadline": encode(a.deadline), "refund_address": a.refund_address, "prover_data": encode(a.prover_data),
            "stored_state": a.stored_state.value, "state": ask_state(state, ask_id).value, "requester": a.requester, "prover": a.prover,
        }
    return {
        "block": encode(state.block),
        "balances": balances,
        "held": held,
        "claimable": {k: encode(v) for k, v in sorted(state.claimable.items()) if v},
        "markets": {str(i): encode(m) for i, m in sorted(state.markets.items())},
        "asks": asks,
        "provers": {k: encode(g) for k, g in sorted(state.provers.items())},
        "memberships": memberships,
        "cost_per_input_bytes": {str(k): encode(v) for k, v in sorted(state.cost_per_input_bytes.items()) if v},
        "min_proving_time": {str(k): encode(v) for k, v in sorted(state.min_proving_time.items()) if v},
        "verified_keys": {k: encode(v) for k, v in sorted(state.keys.verified.items())},
        "engine_pubkey": encode(state.keys.pub_keys.get((MARKETPLACE_NAME, 0), b"")),
        "paused": state.paused,
    }

