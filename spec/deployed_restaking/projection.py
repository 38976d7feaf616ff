"""The on-chain projection of a deployed_restaking state: what the L2 contracts hold and their
public getters return (docs/forks.md, "deployed_restaking"). Zero entries are omitted."""
from __future__ import annotations

from spec.codec import encode
from spec.deployed_restaking.bids import bid_state, prover_state
from spec.deployed_restaking.pools import latest_timestamp
from spec.deployed_restaking.containers import HOLDERS, State


def _nested(pairs) -> dict:
    out: dict = {}
    for key, value in sorted(pairs.items(), key=lambda kv: tuple(str(k) for k in kv[0])):
        if not value:
            continue
        node = out
        for part in key[:-1]:
            node = node.setdefault(str(part), {})
        node[str(key[-1])] = encode(value)
    return out


def project(state: State) -> dict:
    balances, held = {}, {}
    for (account, token), amount in sorted(state.balances.items()):
        if amount:
            target = held.setdefault(HOLDERS[account], {}) if account in HOLDERS else balances.setdefault(account, {})
            target[token] = encode(amount)
    latest = latest_timestamp(state)
    sym = state.symbiotic
    return {
        "block": encode(state.block),
        "time": encode(state.time),
        "balances": balances,
        "held": held,
        "prover_fees": {k: encode(v) for k, v in sorted(state.prover_fees.items()) if v},
        "transmitter_fees": {k: encode(v) for k, v in sorted(state.transmitter_fees.items()) if v},
        "markets": {str(i): encode(m) for i, m in sorted(state.markets.items()) if i},
        "bids": {str(i): {**encode(b), "stored_state": b.stored_state.value, "state": bid_state(state, i).value}
                 for i, b in sorted(state.bids.items())},
        "provers": {k: encode(p) for k, p in sorted(state.provers.items())},
        "memberships": {f"{m}/{p}": {**encode(info), "state": prover_state(state, p, m)[0].value}
                        for (m, p), info in sorted(state.memberships.items())},
        "native": {
            "prover_stake": _nested(state.native.prover_stake),
            "locked": _nested(state.native.locked),
            "locks": {str(b): encode(lock) for b, lock in sorted(state.native.locks.items()) if lock.amount},
            "withdrawals": {f"{a}/{p}": [encode(w) for w in ws] for (a, p), ws in sorted(state.native.withdrawals.items())},
        },
        "symbiotic": {
            "confirmed": [encode(c) for c in sym.confirmed],
            "stake": _nested({(t, p): v for (ts, t, p), v in sym.prover_stake.items() if ts == latest}),
            "locked": _nested(sym.locked),
            "locks": {str(b): encode(lock) for b, lock in sorted(sym.locks.items()) if lock.amount},
        },
    }
