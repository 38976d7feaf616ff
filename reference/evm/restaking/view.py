"""The on-chain projection of a deployed restaking system (docs/forks.md, "deployed_restaking"):
read through the contracts' public getters only, for the names the session has met."""
from __future__ import annotations

from reference.evm.restaking.deploy import Restaking
from reference.evm.restaking.translate import token_address
from reference.evm.translate import Names
from reference.evm.chain import TxReverted

BID_STATES = ("NULL", "CREATED", "UNASSIGNED", "ASSIGNED", "COMPLETED", "DEADLINE_CROSSED")
PROVER_STATES = ("NULL", "JOINED", "NO_COMPUTE_AVAILABLE", "WIP", "REQUESTED_FOR_EXIT")
HOLDERS = ("marketplace", "native_staking", "staking_manager", "symbiotic_staking")


def _hex(b: bytes) -> str:
    return "0x" + bytes(b).hex()


def _list(contract, fn, *args) -> list:
    """An array getter read until its index runs past the end."""
    out, i = [], 0
    while True:
        try:
            out.append(contract.call(fn, *args, i))
        except TxReverted:
            return out
        i += 1


def project(s: Restaking, names: Names, head: int, time: int) -> dict:
    """Calls run in the next transaction's block (head + 1, time + 1), as getBidState answers then."""
    c = s.config
    n = names.name_of
    accounts = [a for a in names.accounts if a not in HOLDERS]
    addr = {a: s.chain.addr(a) for a in accounts}
    contracts = s.contracts()
    balances, held = {}, {}
    for token_name, token in s.tokens.items():
        for a in accounts:
            v = token.call("balanceOf", addr[a])
            if v:
                balances.setdefault(a, {})[token_name] = str(v)
        for h in HOLDERS:
            v = token.call("balanceOf", contracts[h])
            if v:
                held.setdefault(h, {})[token_name] = str(v)
    verifier_ids = {v.address.lower(): k for k, v in s.verifiers.items()}
    markets = {}
    for i in range(1, s.marketplace.call("marketCounter")):
        verifier, prover_image, ivs_image, creator, metadata = s.marketplace.call("marketData", i)
        markets[str(i)] = {"verifier_id": verifier_ids.get(verifier.lower(), verifier.lower()), "prover_image_id": _hex(prover_image),
                           "ivs_image_id": _hex(ivs_image), "creator": n(creator), "metadata": _hex(metadata)}
    bids = {}
    n_bids = s.marketplace.call("bidCounter")
    for i in range(n_bids):
        bid, state, requester, prover = s.marketplace.call("listOfBid", i)
        market_id, reward, expiry, proof_time, deadline, refund, data = bid
        bids[str(i)] = {"market_id": str(market_id), "reward": str(reward), "expiry": str(expiry), "proof_time": str(proof_time),
                        "deadline": str(deadline), "refund_address": n(refund), "prover_data": _hex(data),
                        "stored_state": BID_STATES[state], "requester": n(requester),
                        "prover": None if int(prover, 16) == 0 else n(prover),
                        "state": BID_STATES[s.marketplace.call("getBidState", i)]}
    provers, memberships = {}, {}
    for a in accounts:
        reward, total_alloc, consumed, active, declared, util, data = s.provers.call("proverRegistry", addr[a])
        if int(reward, 16) != 0:
            provers[a] = {"reward_address": n(reward), "sum_of_compute_allocations": str(total_alloc), "compute_consumed": str(consumed),
                          "active_marketplaces": str(active), "declared_compute": str(declared),
                          "intended_compute_utilization": str(util), "data": _hex(data)}
        for m in range(1, s.marketplace.call("marketCounter")):
            state, cpr, commission, price, proposed, active_requests = s.provers.call("proverInfoPerMarket", addr[a], m)
            if state:
                memberships[f"{m}/{a}"] = {"state": PROVER_STATES[s.provers.call("getProverState", addr[a], m)[0]],
                                           "compute_per_request": str(cpr), "commission": str(commission), "price": str(price),
                                           "proposed_time": str(proposed), "active_requests": str(active_requests)}
    native = {"prover_stake": {}, "locked": {}, "locks": {}, "withdrawals": {}}
    for t in c.native_tokens:
        for a in accounts:
            for key, fn in (("prover_stake", "getProverStakeAmount"), ("locked", "getProverLockedAmount")):
                v = s.native.call(fn, token_address(s, t), addr[a])
                if v:
                    native[key].setdefault(t, {})[a] = str(v)
    symbiotic = {"confirmed": [], "stake": {}, "locked": {}, "locks": {}}
    for pool, out in ((s.native, native), (s.symbiotic, symbiotic)):
        for i in range(n_bids):
            token, amount = pool.call("lockInfo", i)
            if amount:
                out["locks"][str(i)] = {"token": n(token), "amount": str(amount)}
    for a in accounts:
        requests = _list(s.native, "withdrawalRequests", addr[a], addr[a])
        if requests:
            native["withdrawals"][f"{a}/{a}"] = [{"token": n(t), "amount": str(v), "time": str(w)} for t, v, w in requests]
    for ts, block_number, transmitter, rate in _list(s.symbiotic, "confirmedTimestamps"):
        symbiotic["confirmed"].append({"capture_timestamp": str(ts), "block_number": str(block_number), "transmitter": n(transmitter),
                                       "rate": str(rate)})
    for t in c.symbiotic_tokens:
        for a in accounts:
            v = s.symbiotic.call("getProverStakeAmount", token_address(s, t), addr[a])
            if v:
                symbiotic["stake"].setdefault(t, {})[a] = str(v)
            v = s.symbiotic.call("proverLockedAmounts", token_address(s, t), addr[a])
            if v:
                symbiotic["locked"].setdefault(t, {})[a] = str(v)
    fees = {}
    for key, fn in (("prover_fees", "proverClaimableFeeReward"), ("transmitter_fees", "transmitterClaimableFeeReward")):
        fees[key] = {a: str(v) for a in accounts if (v := s.marketplace.call(fn, addr[a]))}
    return {"block": str(head), "time": str(time), "balances": balances, "held": held, **fees, "markets": markets, "bids": bids,
            "provers": provers, "memberships": memberships, "native": native, "symbiotic": symbiotic}
