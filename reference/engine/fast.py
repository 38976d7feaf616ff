"""The fast matching engine: the orderbook and the sealed-bid auction of `spec.matching`, on
mutable indexes instead of persistent states. It must produce exactly the spec's matches
(tests/matching/test_matching_differential.py diffs them).

Within one matching run a prover's free compute and free stake only shrink, so a quote that
stops being eligible (it no longer fits, or the spec cancelled it) never comes back: every index
is deletion-only. An orderbook market keeps its quotes grouped in (price, proposed time) levels
and maintains the Pareto skyline of non-empty levels (no level cheaper-or-equal and
faster-or-equal): the best quote for any price-vs-time preference lies on it, and a box
max_price x proof_time cuts a contiguous run of it. A min-segment tree over the levels' times
finds the levels a removed skyline point uncovers in O(log n) each. The best point of the whole
skyline for a preference is found by bisecting the edge slopes of its lower convex hull
(rebuilt when the skyline changes; the float bisection is corrected with exact integer tests). When that point falls outside the ask's box, the score along the hull still
falls towards it, so the best point in the box is the hull vertex in the box nearest to it or
one of the skyline points between that vertex and the box's edge; only those are scanned.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Iterable

from spec.containers import State
from spec.matching.auction import AuctionRules, BidCommitment, BidReveal, bid_commitment
from spec.matching.common import Match, open_asks, require_seed, tie_rank
from spec.provers import free_compute, free_stake
from spec.tasks import fits
from spec.types import BPS, MatchingProtocol

INF = float("inf")


class SkylineIndex:
    """The quotes of one market as (price, time) levels, each holding its provers in tie_rank order."""

    def __init__(self, quotes: Iterable[tuple[int, int, bytes, int]]):
        levels: dict[tuple[int, int], list] = {}
        for price, time, rank, who in quotes:
            levels.setdefault((price, time), []).append((rank, who))
        keys = sorted(levels)
        self.p = [k[0] for k in keys]
        self.t = [k[1] for k in keys]
        self.members = [[who for _, who in sorted(levels[k])] for k in keys]
        self.top = [0] * len(keys)
        self.level_of = {who: i for i, k in enumerate(keys) for who in self.members[i]}
        self.dead: set[int] = set()
        size = 1
        while size < max(len(keys), 1):
            size *= 2
        self.size = size
        tree = [INF] * (2 * size)
        tree[size:size + len(keys)] = self.t
        for node in range(size - 1, 0, -1):
            tree[node] = min(tree[2 * node], tree[2 * node + 1])
        self.tree = tree
        self.sk: list[int] = []
        lowest = INF
        for i, t in enumerate(self.t):
            if t < lowest:
                self.sk.append(i)
                lowest = t
        self.sk_p = [self.p[i] for i in self.sk]
        self.sk_negt = [-self.t[i] for i in self.sk]
        self.hull: list[int] = []
        self.edge_dp: list[int] = []
        self.edge_dt: list[int] = []
        self.edge_slope: list[float] = []
        self.hull_stale = True

    def _build_hull(self) -> None:
        """The lower convex hull of the skyline (collinear points kept), as skyline positions."""
        hull: list[int] = []
        p, t = self.sk_p, self.sk_negt
        for pos in range(len(self.sk)):
            while len(hull) >= 2:
                o, a = hull[-2], hull[-1]
                if (p[a] - p[o]) * (t[o] - t[pos]) - (t[o] - t[a]) * (p[pos] - p[o]) < 0:
                    hull.pop()
                else:
                    break
            hull.append(pos)
        self.hull = hull
        hp = [p[pos] for pos in hull]
        ht = [-t[pos] for pos in hull]
        self.edge_dp = [hp[i + 1] - hp[i] for i in range(len(hull) - 1)]
        self.edge_dt = [ht[i + 1] - ht[i] for i in range(len(hull) - 1)]
        self.edge_slope = [dt / dp for dt, dp in zip(self.edge_dt, self.edge_dp)]
        self.hull_stale = False

    def best(self, max_price: int, proof_time: int, w: int) -> int:
        """The level ranking first for an ask (spec.matching.orderbook_key up to the tie_rank), or -1."""
        lo = bisect_left(self.sk_negt, -proof_time)
        hi = bisect_right(self.sk_p, max_price)
        if lo >= hi:
            return -1
        wp = w * proof_time
        wt = (BPS - w) * max_price
        if self.hull_stale:
            self._build_hull()
        dp, dt = self.edge_dp, self.edge_dt
        first = bisect_left(self.edge_slope, -wp / wt) if wt else 0
        while first > 0 and wp * dp[first - 1] + wt * dt[first - 1] >= 0:
            first -= 1
        while first < len(dp) and wp * dp[first] + wt * dt[first] < 0:
            first += 1
        hull = self.hull
        pos = hull[first]
        if lo <= pos < hi:
            return self.sk[pos]
        if pos >= hi:
            i = bisect_left(hull, hi) - 1
            if i >= 0 and hull[i] >= lo:
                lo = hull[i]
        else:
            i = bisect_left(hull, lo)
            if i < len(hull) and hull[i] < hi:
                hi = hull[i] + 1
        sk, p, t = self.sk, self.p, self.t
        best_level = sk[lo]
        best_score = wp * p[best_level] + wt * t[best_level]
        for j in range(lo + 1, hi):
            level = sk[j]
            score = wp * p[level] + wt * t[level]
            if score < best_score:
                best_score, best_level = score, level
        return best_level

    def remove(self, who: int) -> None:
        """Take prover `who` out for the rest of the run."""
        if who in self.dead or who not in self.level_of:
            return
        self.dead.add(who)
        level = self.level_of[who]
        members = self.members[level]
        k = self.top[level]
        while k < len(members) and members[k] in self.dead:
            k += 1
        self.top[level] = k
        if k == len(members):
            self._kill(level)

    def _kill(self, level: int) -> None:
        node = self.size + level
        self.tree[node] = INF
        node //= 2
        while node:
            self.tree[node] = min(self.tree[2 * node], self.tree[2 * node + 1])
            node //= 2
        pos = bisect_left(self.sk_p, self.p[level])
        if pos == len(self.sk) or self.sk[pos] != level:
            return
        bound_t = self.t[self.sk[pos - 1]] if pos > 0 else INF
        bound_p = self.sk_p[pos + 1] if pos + 1 < len(self.sk) else INF
        hi = bisect_left(self.p, bound_p) if bound_p != INF else len(self.p)
        uncovered = []
        lo = level + 1
        while True:
            j = self._first_below(1, 0, self.size, lo, hi, bound_t)
            if j < 0:
                break
            uncovered.append(j)
            bound_t, lo = self.t[j], j + 1
        self.sk[pos:pos + 1] = uncovered
        self.sk_p[pos:pos + 1] = [self.p[j] for j in uncovered]
        self.sk_negt[pos:pos + 1] = [-self.t[j] for j in uncovered]
        self.hull_stale = True

    def _first_below(self, node: int, node_lo: int, node_hi: int, lo: int, hi: int, bound: float) -> int:
        """The smallest live level index in [lo, hi) whose time is < bound, or -1."""
        if node_hi <= lo or hi <= node_lo or self.tree[node] >= bound:
            return -1
        if node_hi - node_lo == 1:
            return node_lo
        mid = (node_lo + node_hi) // 2
        found = self._first_below(2 * node, node_lo, mid, lo, hi, bound)
        return found if found >= 0 else self._first_below(2 * node + 1, mid, node_hi, lo, hi, bound)


class Resources:
    """Mutable copies of every prover's free compute, free stake and quotes in the markets of one
    protocol, taken from a spec state (spec.provers.free_compute / free_stake, spec.tasks.fits)."""

    def __init__(self, state: State, protocol: str, seed: int):
        require_seed(seed)
        self.time = state.time
        self.markets = {mid for mid, m in state.markets.items() if m.matching_protocol == protocol}
        self.slash = {mid: tuple(state.markets[mid].slash_amount.items()) for mid in self.markets}
        self.names = sorted(state.provers)
        self.index = {name: i for i, name in enumerate(self.names)}
        provers = [state.provers[name] for name in self.names]
        self.free_compute = [free_compute(p) for p in provers]
        self.free_stake = [{token: free_stake(state, p, token) for token in state.config.stake_tokens} for p in provers]
        self.has_key = [p.encryption_key is not None for p in provers]
        self.rank = [tie_rank(seed, name) for name in self.names]
        self.quotes: list[dict[int, tuple[int, int, int]]] = [{} for _ in provers]
        for (mid, name), membership in sorted(state.memberships.items()):
            quote = membership.quote
            if mid not in self.markets or quote is None or membership.exit_requested or name not in self.index:
                continue
            if fits(state, state.provers[name], state.markets[mid], quote.compute_per_request):
                self.quotes[self.index[name]][mid] = (quote.price, quote.proposed_time, quote.compute_per_request)

    def fits(self, who: int, mid: int, compute: int) -> bool:
        stake = self.free_stake[who]
        return self.free_compute[who] >= compute and all(stake[token] >= amount for token, amount in self.slash[mid])

    def take(self, who: int, mid: int) -> list[int]:
        """Lock one task of `mid` on `who`; drop and return the markets whose quote no longer fits."""
        quotes = self.quotes[who]
        compute = self.free_compute[who] - quotes[mid][2]
        self.free_compute[who] = compute
        stake = self.free_stake[who]
        for token, amount in self.slash[mid]:
            stake[token] -= amount
        dropped = []
        for m, quote in quotes.items():
            if compute < quote[2]:
                dropped.append(m)
                continue
            for token, amount in self.slash[m]:
                if stake[token] < amount:
                    dropped.append(m)
                    break
        for m in dropped:
            del quotes[m]
        return dropped


def ask_rows(state: State, protocol: str) -> list[tuple]:
    """The open asks of `protocol`'s markets as rows (id, market, max_price, proof_time,
    preference, expiry, has private inputs), by id."""
    return [
        (a.id, a.market_id, a.max_price, a.proof_time, a.price_time_preference, a.expiry, a.private_inputs is not None)
        for a in open_asks(state, protocol)
    ]


class FastOrderbook:
    """spec.matching.orderbook on skyline indexes: one per market for all quotes and one for the
    quotes of provers with an encryption key (asks with private inputs)."""

    def __init__(self, state: State, seed: int = 0):
        self.res = Resources(state, MatchingProtocol.ORDERBOOK.value, seed)
        res = self.res
        by_market: dict[int, list] = {mid: [] for mid in res.markets}
        for who, quotes in enumerate(res.quotes):
            for mid, (price, time, _) in quotes.items():
                by_market[mid].append((price, time, res.rank[who], who))
        self.plain = {mid: SkylineIndex(rows) for mid, rows in by_market.items()}
        self.keyed = {mid: SkylineIndex([r for r in rows if res.has_key[r[3]]]) for mid, rows in by_market.items()}

    def run(self, asks: Iterable[tuple]) -> list[tuple[int, int, int]]:
        """(ask_id, prover index, price) for each matched row of `ask_rows`, in order."""
        res, plain, keyed, now = self.res, self.plain, self.keyed, self.res.time
        out = []
        for ask_id, mid, max_price, proof_time, w, expiry, private in asks:
            if now > expiry or mid not in plain:
                continue
            index = keyed[mid] if private else plain[mid]
            level = index.best(max_price, proof_time, w)
            if level < 0:
                continue
            who = index.members[level][index.top[level]]
            out.append((ask_id, who, index.p[level]))
            for m in res.take(who, mid):
                plain[m].remove(who)
                keyed[m].remove(who)
        return out

    @classmethod
    def match(cls, state: State, seed: int = 0) -> tuple[Match, ...]:
        engine = cls(state, seed)
        names = engine.res.names
        return tuple(Match(a, names[who], price) for a, who, price in engine.run(ask_rows(state, MatchingProtocol.ORDERBOOK.value)))


class FastAuction:
    """spec.matching.sealed_bid_auction with commitments and reveals indexed by ask."""

    @staticmethod
    def match(
        state: State, rules: AuctionRules, commitments: Iterable[BidCommitment], reveals: Iterable[BidReveal], seed: int = 0
    ) -> tuple[Match, ...]:
        res = Resources(state, MatchingProtocol.SEALED_BID_AUCTION.value, seed)
        bound: dict[int, dict[str, tuple[int, bytes]]] = {}
        for c in commitments:
            held = bound.setdefault(c.ask_id, {})
            if c.prover not in held or c.at < held[c.prover][0]:
                held[c.prover] = (c.at, c.commitment)
        opened: dict[int, list[BidReveal]] = {}
        for r in sorted(reveals, key=lambda r: r.at):
            opened.setdefault(r.ask_id, []).append(r)
        out = []
        for ask in (state.asks[row[0]] for row in ask_rows(state, MatchingProtocol.SEALED_BID_AUCTION.value)):
            commit_end = ask.created_at + rules.commit_window
            if state.time < commit_end + rules.reveal_window:
                continue
            held = {p: c for p, (at, c) in bound.get(ask.id, {}).items() if ask.created_at <= at < commit_end}
            bids: dict[str, int] = {}
            for r in opened.get(ask.id, ()):
                if r.prover in held and r.prover not in bids and commit_end <= r.at < commit_end + rules.reveal_window:
                    if bid_commitment(ask.market_id, ask.id, r.prover, r.price, r.salt) == held[r.prover]:
                        bids[r.prover] = r.price
            ranked = sorted((price, res.rank[res.index[p]], res.index[p]) for p, price in bids.items() if p in res.index)
            winners = [(price, who) for price, _, who in ranked if _eligible(res, ask, who, price)][:2]
            if not winners:
                continue
            price, who = winners[0]
            out.append(Match(ask.id, res.names[who], winners[1][0] if len(winners) > 1 else ask.max_price))
            res.take(who, ask.market_id)
        return tuple(out)


def _eligible(res: Resources, ask, who: int, price: int) -> bool:
    quote = res.quotes[who].get(ask.market_id)
    if quote is None or (ask.private_inputs is not None and not res.has_key[who]):
        return False
    quote_price, proposed_time, compute = quote
    return quote_price <= price <= ask.max_price and proposed_time <= ask.proof_time and res.fits(who, ask.market_id, compute)
