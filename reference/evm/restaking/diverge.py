"""Design restaking vectors replayed on the restaking lineage's L2 bytecode: where deployed
Kalypso's cross-chain rules depart from the design's.

In scope: every `design` case of the modules restaking, restaked_stake, bridge and relay, and
every other case whose pre-state holds restaking state (snapshots, restaked backing, slash
requests, vaults, bridge messages) or whose operations include a restaking operation. Each is
translated into a deployed_restaking trace (diverge_translate.py says how) and run on any
deployed_restaking adapter (the L2 bytecode: reference.evm.restaking.adapter).

Each case is classified by the first rule it meets (diverge_rules.RULES): not expressible on L2
(with why), an outcome that differs (accepted on one side, rejected on the other; the revert or
the design error names the rule), or, when every outcome agrees, a different change of the
restaked locks, the confirmed captures or the provers' native stake. Otherwise `agrees`."""
from __future__ import annotations

import shlex
from collections import Counter
from pathlib import Path
from typing import Optional

import attrs

import spec
from reference.conformance.cases import load_cases
from reference.evm.restaking.diverge_rules import (
    ACCEPTED_ON_CHAIN, FAULT_REJECTED, KINDS, PART_ACCEPTED, REJECTED_ON_CHAIN, RULES, SAME, STAKE_RULE,
)
from reference.evm.restaking.diverge_translate import Chain, Translation, Unreplayable, _i, chain_ops
from spec.codec import decode_op as decode_design_op, decode_state
from spec.errors import SpecError

MODULES = ("restaking", "restaked_stake", "bridge", "relay")
RESTAKING_OPS = {"create_vault", "vault_deposit", "vault_withdraw", "vault_claim", "veto_slash", "execute_slash",
                 "transmit_snapshot_part", "resend_slash_request", "set_restaking_parameters", "deliver_message",
                 "delay_message", "reorder_messages", "duplicate_message", "drop_message", "retransmit_message"}
DECODING_ERRORS = {"MALFORMED_OPERATION", "UNKNOWN_OPERATION"}
ADAPTER = ".venv/bin/python -m reference.evm.restaking.adapter"
REPORT = Path("docs/divergence-restaking.md")


def command(adapter: str = ADAPTER, vectors: str = "vectors/design", out: str = str(REPORT)) -> str:
    """The command line that writes the report (`kalypso conform` builds the same)."""
    return f"kalypso conform --adapter {shlex.quote(adapter)} --vectors {vectors} --against deployed_restaking --divergence {out}"


@attrs.frozen
class Divergence:
    case: str
    rule: str
    detail: str = ""
    op_index: Optional[int] = None
    op: str = ""

    @property
    def kind(self) -> str:
        return RULES[self.rule][0]


def in_scope(name: str, data: dict) -> bool:
    """A design case with a pre-state that exercises restaking (module, pre-state or operation)."""
    if "pre_state" not in data or "operations" not in data:
        return False
    if name.split("/")[0] in MODULES:
        return True
    r = data["pre_state"].get("restaking", {})
    held = r.get("backing") or r.get("slashes") or r.get("locked") or r.get("snapshots") \
        or r.get("vault_chain", {}).get("vaults") or r.get("bridge", {}).get("in_flight")
    return bool(held) or any(op.get("op") in RESTAKING_OPS for op in data["operations"])


class _Session:
    """An in-process adapter session with the runner's `request(message, timeout)` shape."""

    def __init__(self, session):
        self.session = session

    def request(self, message: dict, timeout: float = 0) -> dict:
        return self.session.handle(message)


def _encumbered(design_state, prover: str) -> bool:
    """The design holds an unresolved restaked slash of `prover` (its stake is encumbered)."""
    return any(x.prover == prover and x.status.value == "REQUESTED" for x in design_state.restaking.slashes.values())


def _restaked(design_state) -> dict:
    return {str(a): sum(b.amounts.values()) for a, b in design_state.restaking.backing.items()}


def _chain_restaked(state: dict, t: Translation) -> dict:
    ask_of = {b: a for a, b in t.bid_of.items()}
    return {ask_of.get(b, f"bid {b}"): _i(lock["amount"]) for b, lock in ((_i(k), v) for k, v in state["symbiotic"]["locks"].items())}


def _confirmed(design_state) -> set:
    return {c for c, s in design_state.restaking.snapshots.items() if len(s.parts) == s.count}


def _chain_confirmed(state: dict, t: Translation) -> set:
    return {_i(c["capture_timestamp"]) - t.shift for c in state["symbiotic"]["confirmed"]}


def _stake(design_state) -> dict:
    return {p: sum(g.stake.values()) for p, g in design_state.provers.items()}


def _chain_stake(state: dict) -> dict:
    return {p: sum(_i(v) for v in by.values()) for p, by in _by_prover(state["native"]["prover_stake"]).items()}


def _by_prover(nested: dict) -> dict:
    out: dict = {}
    for token, provers in nested.items():
        for prover, amount in provers.items():
            out.setdefault(prover, {})[token] = amount
    return out


def _diff(before: dict, after: dict) -> dict:
    return {k: after.get(k, 0) - before.get(k, 0) for k in set(before) | set(after) if after.get(k, 0) != before.get(k, 0)}


def replay_case(adapter, name: str, case: dict) -> Divergence:
    """Translate one design case, replay it on a deployed_restaking adapter and classify it."""
    state = decode_state(case["pre_state"])
    try:
        t = Translation(case)
        chain = Chain(adapter, t)
        accepted, design_before = [], None
        for i, step in enumerate(case["operations"]):
            if not step["expect"]["ok"] and step["expect"]["error_code"] in DECODING_ERRORS:
                continue  # the design cannot decode it: no transaction carries it
            op = decode_design_op({"op": step["op"], "args": step["args"]})
            try:
                new, _ = spec.apply(state, op)
                design_ok, design_code = True, ""
            except SpecError as exc:
                new, design_ok, design_code = state, False, exc.code
            try:
                txs, mode = chain_ops(t, chain, state, op, design_ok)
            except Unreplayable as exc:
                exc.at = i
                raise
            except SpecError as exc:  # a design value no contract argument holds (e.g. a negative uint)
                raise Unreplayable("untranslatable", f"{op.name}: {exc}", i) from None
            if chain.before is not None and design_before is None:
                design_before = state
            if mode == "time":
                state = new  # the chain catches up before its next transaction
                continue
            if mode in ("none", "transmit"):
                if not design_ok:
                    rule = FAULT_REJECTED.get(design_code, "no-counterpart/bridge-bookkeeping")
                    return Divergence(name, rule, f"design rejects {design_code}; on L2 no transaction", i, op.name)
                state = new
                continue
            chain.catch_up(state.time)
            answers = []
            for tx in txs:
                answers.append(chain.apply(tx))
                if not answers[-1].get("ok"):
                    break
            chain_ok = all(a.get("ok") for a in answers)
            code = next((a.get("error_code", a.get("error", "?")) for a in answers if not a.get("ok")), "")
            if design_ok and not chain_ok:
                return Divergence(name, REJECTED_ON_CHAIN.get(code, "rejected-on-chain"), f"design accepts; chain reverts {code}", i, op.name)
            if not design_ok and chain_ok:
                table = PART_ACCEPTED if mode == "part" else {}
                rule = table.get(design_code) or ACCEPTED_ON_CHAIN.get((op.name, design_code), "accepted-on-chain")
                if (op.name, design_code) == ("assign_task", "INSUFFICIENT_STAKE") and _encumbered(state, op.prover):
                    rule = "locks/unencumbered-by-slash-requests"
                return Divergence(name, rule, f"design rejects {design_code}; chain accepts", i, op.name)
            if mode == "part" and chain_ok and answers and txs[0].index == txs[0].num_txs - 1:
                capture = txs[0].capture_timestamp
                if not chain.apply(t.slash_result(capture)).get("ok"):
                    return Divergence(name, "bridge/confirmation-needs-slash-result", "the capture's slash result refused", i, op.name)
            if mode == "ask" and chain_ok:
                t.bid_of[str(state.next_ask_id)] = len(t.bid_of)
            if design_ok:
                accepted.append((i, op.name))
            state = new
        if chain.before is None:
            return Divergence(name, SAME, "no operation sends an L2 transaction")
        before, after = chain.before, chain.state()
    except Unreplayable as exc:
        return Divergence(name, exc.rule, exc.detail, exc.at, case["operations"][exc.at]["op"] if exc.at is not None else "")
    d_locks = _diff(_restaked(design_before), _restaked(state))
    c_locks = _diff(_chain_restaked(before, t), _chain_restaked(after, t))
    if set(d_locks) != set(c_locks):
        at = next(((i, n) for i, n in accepted if n == "assign_task"), (None, ""))
        return Divergence(name, "locks/every-pool-locks", f"restaked locks change: design {d_locks}, chain {c_locks}", *at)
    if d_locks != c_locks:
        at = next(((i, n) for i, n in accepted if n == "assign_task"), (None, ""))
        return Divergence(name, "locks/fixed-amount", f"restaked locks change: design {d_locks}, chain {c_locks}", *at)
    d_conf = _confirmed(state) - _confirmed(design_before)
    c_conf = _chain_confirmed(after, t) - _chain_confirmed(before, t)
    if d_conf != c_conf:
        at = next(((i, n) for i, n in accepted if n == "deliver_message"), (None, ""))
        return Divergence(name, "bridge/confirmation-needs-slash-result",
                          f"captures confirmed: design {sorted(d_conf)}, chain {sorted(c_conf)}", *at)
    d_stake = _diff(_stake(design_before), _stake(state))
    c_stake = _diff(_chain_stake(before), _chain_stake(after))
    if d_stake != c_stake:
        i, n = next(((i, n) for i, n in accepted if n in STAKE_RULE), (None, ""))
        return Divergence(name, STAKE_RULE.get(n, "stake-differs"), f"native stake moves: design {d_stake}, chain {c_stake}", i, n)
    return Divergence(name, SAME)


@attrs.frozen
class DivergenceReport:
    vectors_dir: str
    results: tuple

    def counts(self) -> Counter:
        return Counter(r.rule for r in self.results)

    def kinds(self) -> Counter:
        return Counter(r.kind for r in self.results)


def divergence_report(vectors_dir: Path, adapter=None, build=None, select=None) -> DivergenceReport:
    """Replay every in-scope design case under `vectors_dir` on `adapter` (default: the restaking
    EVM adapter in process, on `build`, else the cached restaking build)."""
    if adapter is None:
        from reference.evm.restaking.adapter import RestakingSession
        from reference.evm.restaking.compile import compile_restaking

        adapter = _Session(RestakingSession(build or compile_restaking(None, cache_only=True)))
    results = []
    for case in load_cases(Path(vectors_dir)):
        if not in_scope(case.name, case.data) or (select and select not in case.name):
            continue
        results.append(replay_case(adapter, case.name, case.data))
    return DivergenceReport(str(vectors_dir), tuple(results))


def render_markdown(report: DivergenceReport, command: str) -> str:
    counts, kinds, total = report.counts(), report.kinds(), len(report.results)
    lines = [
        "# Design vs deployed, restaking lineage: divergence report",
        "",
        f"Generated by `{command}`: every `design` case that exercises restaking ({total}: the modules "
        f"{', '.join(MODULES)}, and the cases whose pre-state or operations hold restaking) translated into a "
        "`deployed_restaking` trace (reference/evm/restaking/diverge.py), replayed on the adapter (the L2 bytecode of "
        "`initial-deploy-7cf6586`) and classified by the first rule it meets. Rows are computed, never edited; "
        "docs/deployed_restaking.md (\"Divergence from the design\") says how the translation works.",
        "",
        "| kind | cases |",
        "|---|---:|",
    ]
    for kind in ("same", "rule", "none"):
        lines.append(f"| {KINDS[kind]} | {kinds.get(kind, 0)} |")
    lines += ["", "| rule | kind | cases | what the deployed contracts do | where |", "|---|---|---:|---|---|"]
    for rule, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        kind, text, where = RULES[rule]
        lines.append(f"| `{rule}` | {kind} | {n} | {text} | {where} |")
    lines += ["", "## Cases", "", "| case | rule | operation | detail |", "|---|---|---|---|"]
    for r in sorted(report.results, key=lambda r: (r.rule == SAME, r.rule, r.case)):
        if r.rule == SAME:
            continue
        op = f"#{r.op_index} `{r.op}`" if r.op_index is not None else ""
        lines.append(f"| `{r.case}` | `{r.rule}` | {op} | {r.detail.replace('|', '/')} |")
    agree = sorted(r.case for r in report.results if r.rule == SAME)
    lines += ["", f"Cases that agree ({len(agree)}): " + (", ".join(f"`{c}`" for c in agree) or "none") + "."]
    return "\n".join(lines) + "\n"
