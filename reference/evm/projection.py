"""The on-chain projection (docs/forks.md, "The on-chain projection of a state"), read from the
deployed contracts through their public getters: what an EVM adapter answers to `state`.

Reads run as the next transaction would see the chain (block.number = head + 1), which is
what getAskState's derived state means in the fork. Accounts are the names the session met."""
from __future__ import annotations

from reference.evm.deploy import Kalypso
from reference.evm.translate import ZERO, Names
from spec.deployed_native.containers import AskState, GeneratorState

ASK_STATES = [s.value for s in AskState]
GENERATOR_STATES = [s.value for s in GeneratorState]
SECRET_TYPES = (0, 1, 2)


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def _nz(mapping: dict) -> dict:
    return {k: str(v) for k, v in mapping.items() if v}


def project(system: Kalypso, names: Names, head: int) -> dict:
    chain, pmp, gr, ekr = system.chain, system.marketplace, system.generators, system.keys
    chain.set_block(head + 1)
    tokens = {system.config.payment_token: system.payment, system.config.staking_token: system.staking}
    accounts = [(n, chain.addr(n)) for n in names.accounts if chain.addr(n).lower() != ZERO]
    balances, claimable, provers, verified = {}, {}, {}, {}
    for name, address in accounts:
        held = _nz({sym: token.call("balanceOf", address) for sym, token in tokens.items()})
        if held:
            balances[name] = held
        amount = pmp.call("claimableAmount", address)
        if amount:
            claimable[name] = str(amount)
        g = gr.call("generatorRegistry", address)
        if g[0].lower() != ZERO:
            provers[name] = {
                "reward_address": names.name_of(g[0]), "total_stake": str(g[1]), "sum_of_compute_allocations": str(g[2]),
                "compute_consumed": str(g[3]), "stake_locked": str(g[4]), "active_marketplaces": str(g[5]),
                "declared_compute": str(g[6]), "intended_stake_utilization": str(g[7]),
                "intended_compute_utilization": str(g[8]), "data": _hex(g[9]),
            }
        image = ekr.call("getVerifiedKey", address)
        if image != b"\0" * 32:
            verified[name] = _hex(image)
    held = {}
    for label, contract in (("marketplace", pmp), ("registry", gr)):
        amounts = _nz({sym: token.call("balanceOf", contract.address) for sym, token in tokens.items()})
        if amounts:
            held[label] = amounts
    verifier_ids = {c.address.lower(): vid for vid, c in system.verifiers.items()}
    markets, memberships = {}, {}
    for market_id in range(pmp.call("marketCounter")):
        m = pmp.call("marketData", market_id)
        markets[str(market_id)] = {
            "verifier_id": verifier_ids.get(m[0].lower(), m[0].lower()), "prover_image_id": _hex(m[1]),
            "penalty": str(m[2]), "activation_block": str(m[3]), "ivs_image_id": _hex(m[4]),
            "creator": None if m[5].lower() == ZERO else names.name_of(m[5]), "metadata": _hex(m[6]),
        }
        for name, address in accounts:
            info = gr.call("generatorInfoPerMarket", address, market_id)
            if info[0] != 0:
                memberships.setdefault(str(market_id), {})[name] = {
                    "state": GENERATOR_STATES[info[0]], "compute_per_request": str(info[1]), "price": str(info[2]),
                    "proposed_time": str(info[3]), "active_requests": str(info[4]),
                }
    asks = {}
    for ask_id in range(pmp.call("askCounter")):
        ask, stored, requester, generator = pmp.call("listOfAsk", ask_id)
        asks[str(ask_id)] = {
            "market_id": str(ask[0]), "reward": str(ask[1]), "expiry": str(ask[2]), "proof_time": str(ask[3]),
            "deadline": str(ask[4]), "refund_address": names.name_of(ask[5]), "prover_data": _hex(ask[6]),
            "stored_state": ASK_STATES[stored], "state": ASK_STATES[pmp.call("getAskState", ask_id)],
            "requester": names.name_of(requester), "prover": None if generator.lower() == ZERO else names.name_of(generator),
        }
    return {
        "block": str(head),
        "balances": balances,
        "held": held,
        "claimable": claimable,
        "markets": markets,
        "asks": asks,
        "provers": provers,
        "memberships": memberships,
        "cost_per_input_bytes": _nz({str(t): pmp.call("costPerInputBytes", t) for t in SECRET_TYPES}),
        "min_proving_time": _nz({str(t): pmp.call("minProvingTime", t) for t in SECRET_TYPES}),
        "verified_keys": verified,
        "engine_pubkey": _hex(ekr.call("pub_key", pmp.address, 0)),
        "paused": bool(pmp.call("paused")),
    }
