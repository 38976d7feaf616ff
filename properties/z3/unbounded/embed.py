"""The bridge between the unbounded encoding and the bounded model's values (and through them,
`properties.z3.concrete`, the executable spec).

`embed` puts a bounded state (symbolic or concrete leaves) into the unbounded arrays: entry i of
each collection at id i, defaults everywhere else, and the ghost aggregates as the actual sums
(so a case checks that the ghosts, moved by deltas, end equal to the sums of the spec's
post-state). `project` reads an unbounded state back at the bounded ids; `ghost_sums` are the
aggregates recomputed from a bounded state.
"""
from __future__ import annotations

import z3

from properties.z3.model import ASSIGNED, Bounds, SAsk, SAssignment, SConfig, SMarket, SMembership, SProver, SState, SWithdrawal, lift

INT, BOOL = z3.IntSort(), z3.BoolSort()


def _default(value):
    return z3.BoolVal(False) if (isinstance(value, bool) or (z3.is_expr(value) and z3.is_bool(value))) else z3.IntVal(0)


def arr(values, offset: int = 0, default=None):
    """An array holding values[i] at id i + offset and the default elsewhere."""
    d = default if default is not None else _default(values[0]) if values else z3.IntVal(0)
    out = z3.K(INT, d)
    for i, v in enumerate(values):
        out = z3.Store(out, offset + i, lift(v))
    return out


def arr2(rows, default):
    out = z3.K(INT, default)
    for i, row in enumerate(rows):
        out = z3.Store(out, i, row)
    return out


def _row0(sort):
    return z3.K(INT, z3.IntVal(0) if sort == INT else z3.BoolVal(False))


def _sum(terms):
    terms = [lift(t) for t in terms]
    return z3.Sum(terms) if terms else z3.IntVal(0)


def ghost_sums(v: SState, bounds: Bounds) -> dict:
    """The aggregates of a bounded state (terms; concrete leaves give constants when simplified)."""
    K, T = bounds.stake_tokens, bounds.tokens
    running = [(n, a) for n, a in enumerate(v.asks)]

    def held(a: SAsk, p):
        return z3.And(lift(a.state) == ASSIGNED, lift(a.assignment.prover) == p)

    return {
        "g_bal": [_sum(row[t] for row in v.balances) for t in range(T)],
        "g_stake": [_sum(p.stake[k] for p in v.provers) for k in range(K)],
        "g_escrow": _sum(a.escrow for a in v.asks),
        "g_locks": [[_sum(z3.If(held(a, p), lift(a.assignment.locked[k]), 0) for _, a in running) for k in range(K)]
                    for p in range(bounds.accounts)],
        "g_compute": [_sum(z3.If(held(a, p), lift(a.assignment.compute), 0) for _, a in running) for p in range(bounds.accounts)],
        "g_active": [[_sum(z3.If(z3.And(held(a, p), lift(a.market_id) == m), 1, 0) for _, a in running) for p in range(bounds.accounts)]
                     for m in range(bounds.markets)],
    }


def embed(v: SState, bounds: Bounds) -> dict:
    """The unbounded state holding bounded state `v` (stake slot k is token id k + 1)."""
    c = v.config
    zero_row, no_row = _row0(INT), _row0(BOOL)
    g = ghost_sums(v, bounds)
    s = {
        "now": lift(v.time), "next_market": lift(v.next_market_id), "next_ask": lift(v.next_ask_id), "K": bounds.stake_tokens,
        "fee": lift(c.market_creation_fee), "delay": lift(c.stake_withdrawal_delay), "comp_bps": lift(c.slash_compensation_bps),
        "burn_bps": lift(c.slash_burn_bps), "restaking_token": lift(c.restaking_token), "restaking_feasible": lift(c.restaking_feasible),
        "supply": arr(v.supply), "treasury": arr(v.treasury), "burnt": arr(v.burnt),
        "bal": arr2([arr(row) for row in v.balances], zero_row),
    }
    mk = v.markets
    s.update(m_owner=arr([m.owner for m in mk]), m_key=arr([m.engine_key for m in mk]), m_fee=arr([m.platform_fee for m in mk]),
             m_attested=arr([m.attested for m in mk]), m_slash=arr2([arr(m.slash_amount, 1, z3.IntVal(0)) for m in mk], zero_row))
    pv = v.provers
    s.update(p_reg=arr([p.registered for p in pv]), p_reward=arr([p.reward_address for p in pv]), p_declared=arr([p.declared_compute for p in pv]),
             p_in_use=arr([p.compute_in_use for p in pv]), p_enc=arr([p.has_encryption_key for p in pv]),
             p_stake=arr2([arr(p.stake, 1, z3.IntVal(0)) for p in pv], zero_row), p_locked=arr2([arr(p.locked, 1, z3.IntVal(0)) for p in pv], zero_row))
    for field, attr in (("ms_member", "member"), ("ms_quote", "has_quote"), ("ms_exit", "exit_requested"), ("ms_price", "price"),
                        ("ms_time", "proposed_time"), ("ms_compute", "compute_per_request"), ("ms_active", "active_tasks")):
        s[field] = arr2([arr([getattr(x, attr) for x in row]) for row in v.memberships], no_row if field in ("ms_member", "ms_quote", "ms_exit") else zero_row)
    asks = v.asks
    for field, attr in (("a_market", "market_id"), ("a_requester", "requester"), ("a_max", "max_price"), ("a_fee", "fee"),
                        ("a_expiry", "expiry"), ("a_ptime", "proof_time"), ("a_created", "created_at"), ("a_escrow", "escrow"),
                        ("a_state", "state"), ("a_private", "has_private_inputs"), ("a_has", "has_assignment")):
        s[field] = arr([getattr(a, attr) for a in asks])
    for field, attr in (("a_prover", "prover"), ("a_price", "price"), ("a_at", "assigned_at"), ("a_deadline", "deadline"), ("a_compute", "compute")):
        s[field] = arr([getattr(a.assignment, attr) for a in asks])
    s["a_locked"] = arr2([arr(a.assignment.locked, 1, z3.IntVal(0)) for a in asks], zero_row)
    for field, attr, row0 in (("w_pending", "pending", no_row), ("w_amount", "amount", zero_row), ("w_avail", "available_at", zero_row)):
        s[field] = arr2([arr([getattr(w, attr) for w in row], 1, _default(getattr(row[0], attr)) if row else None) for row in v.withdrawals], row0)
    s.update(no_restaking(s["restaking_feasible"]))
    s.update(g_bal=arr(g["g_bal"]), g_stake=arr(g["g_stake"], 1, z3.IntVal(0)), g_escrow=g["g_escrow"],
             g_locks=arr2([arr(row, 1, z3.IntVal(0)) for row in g["g_locks"]], zero_row), g_compute=arr(g["g_compute"]),
             g_active=arr2([arr(row) for row in g["g_active"]], zero_row))
    return s


def no_restaking(feasible) -> dict:
    """The restaking part of a state the bounded model can be in: no vault, snapshot, backing or
    slash; parameters consistent with `restaking_feasible` (room 1 for a task, or none)."""
    from properties.z3.unbounded.restaking_fields import RESTAKING_FIELDS

    def empty(sort):
        if sort == INT:
            return z3.IntVal(0)
        if sort == BOOL:
            return z3.BoolVal(False)
        return z3.K(sort.domain(), empty(sort.range()))

    out = {f: empty(sort) for f, sort in RESTAKING_FIELDS.items()}
    out.update(r_length=z3.IntVal(1), r_offset=z3.IntVal(0), r_bridge=z3.IntVal(1), r_veto=z3.IntVal(0),
               r_epoch=z3.If(feasible, 3, 2), r_governor=z3.IntVal(-1), s_latest=z3.IntVal(-1),
               g_rlock=z3.K(INT, z3.K(INT, z3.IntVal(0))), g_enc=z3.K(INT, z3.K(INT, z3.K(INT, z3.IntVal(0)))))
    return out


def embed_op(op, bounds: Bounds):
    """A bounded operation's values with its per-token tuples as arrays over token ids."""
    import attrs

    values = {}
    for f in attrs.fields(type(op)):
        value = getattr(op, f.name)
        values[f.name] = arr(value, 0, _default(value[0])) if isinstance(value, tuple) else value
    return type(op)(**values)


def project(s: dict, bounds: Bounds) -> SState:
    """The unbounded state `s` read at the bounded ids (terms)."""
    K, A, M, N = bounds.stake_tokens, bounds.accounts, bounds.markets, bounds.asks
    stake = lambda row: tuple(row[k + 1] for k in range(K))  # noqa: E731
    config = SConfig(s["fee"], s["delay"], s["comp_bps"], s["burn_bps"], s["restaking_token"], s["restaking_feasible"])
    return SState(
        config=config, time=s["now"],
        supply=tuple(s["supply"][t] for t in range(bounds.tokens)),
        balances=tuple(tuple(s["bal"][a][t] for t in range(bounds.tokens)) for a in range(A)),
        treasury=tuple(s["treasury"][t] for t in range(bounds.tokens)), burnt=tuple(s["burnt"][t] for t in range(bounds.tokens)),
        markets=tuple(SMarket(s["m_owner"][m], s["m_key"][m], stake(s["m_slash"][m]), s["m_fee"][m], s["m_attested"][m]) for m in range(M)),
        provers=tuple(SProver(s["p_reg"][p], s["p_reward"][p], s["p_declared"][p], s["p_in_use"][p], stake(s["p_stake"][p]),
                              stake(s["p_locked"][p]), s["p_enc"][p]) for p in range(A)),
        memberships=tuple(tuple(SMembership(s["ms_member"][m][p], s["ms_quote"][m][p], s["ms_price"][m][p], s["ms_time"][m][p],
                                            s["ms_compute"][m][p], s["ms_active"][m][p], s["ms_exit"][m][p]) for p in range(A)) for m in range(M)),
        asks=tuple(SAsk(s["a_market"][n], s["a_requester"][n], s["a_max"][n], s["a_fee"][n], s["a_expiry"][n], s["a_ptime"][n],
                        s["a_created"][n], s["a_escrow"][n], s["a_state"][n], s["a_private"][n], s["a_has"][n],
                        SAssignment(s["a_prover"][n], s["a_price"][n], s["a_at"][n], s["a_deadline"][n], s["a_compute"][n], stake(s["a_locked"][n])))
                   for n in range(N)),
        withdrawals=tuple(tuple(SWithdrawal(s["w_pending"][p][k + 1], s["w_amount"][p][k + 1], s["w_avail"][p][k + 1]) for k in range(K))
                          for p in range(A)),
        next_market_id=s["next_market"], next_ask_id=s["next_ask"],
    )


def project_ghosts(s: dict, bounds: Bounds) -> list:
    """The ghost aggregates of `s` at the bounded ids, flat, in `ghost_sums` order."""
    K, A, M = bounds.stake_tokens, bounds.accounts, bounds.markets
    return ([s["g_bal"][t] for t in range(bounds.tokens)] + [s["g_stake"][k + 1] for k in range(K)] + [s["g_escrow"]]
            + [s["g_locks"][p][k + 1] for p in range(A) for k in range(K)] + [s["g_compute"][p] for p in range(A)]
            + [s["g_active"][m][p] for m in range(M) for p in range(A)])


def flat_ghosts(g: dict) -> list:
    return (g["g_bal"] + g["g_stake"] + [g["g_escrow"]] + [x for row in g["g_locks"] for x in row] + g["g_compute"]
            + [x for row in g["g_active"] for x in row])
