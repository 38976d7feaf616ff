"""`differential`: seeded random traces run side by side on the deployed_native spec fork and on
its EVM adapter (the real bytecode, reference.evm.adapter), compared step by step.

Trace `i` draws `steps` abstract actions from `random.Random(derived_seed(seed, i))` out of the
action tables of properties.deployed_native_search, the ones the findings search and the
conformance traces draw from (set up a market and prover, create and assign tasks, prove, slash,
discard, cancel, stake and compute changes, blocks passing, more callers, keys, markets and
batch calls), each expanded into the fork's operations against the spec state it meets; rejected
operations stay in the trace. Both sides start from the same genesis and answer every operation; the first step whose
answers differ (accepted on one side only, other error codes, other events), or a final on-chain
state that differs, is a disagreement. It is named by the rule it breaks (operation and kind of
difference, ids left out), shrunk to a 1-minimal trace that still breaks the same rule, and the
report keeps one per rule. Without the contracts or the npm toolchain the kind refuses to run.
"""
from __future__ import annotations

import random
import re
from functools import lru_cache

from reference.campaign.tasks import CampaignError, Kind, Task, derived_seed

FORK = "deployed_native"


def missing(params) -> str | None:
    from pathlib import Path

    from reference.evm.compile import check_contracts_dir, default_contracts_dir, missing_reason
    from reference.evm.errors import EvmHarnessError

    contracts = Path(params["contracts"]) if params.get("contracts") else None
    reason = missing_reason(contracts)
    if reason is None:
        try:
            check_contracts_dir(contracts or default_contracts_dir())
        except EvmHarnessError as exc:
            return str(exc)
    return reason


def precheck(params) -> None:
    reason = missing(params)
    if reason:
        raise CampaignError("differential", f"needs the Kalypso contracts and the npm solc toolchain: {reason} "
                            "(pass --param contracts=DIR, run make node)")


def tasks(seed: int, params):
    i = 0
    while True:
        yield Task(i, f"trace#{i}", {"seed": derived_seed(seed, "differential", i)})
        i += 1


def random_trace(seed: int, steps: int) -> list[dict]:
    """The encoded operations of one trace (accepted and rejected alike)."""
    from properties.deployed_native_search import ACTION_TABLE, MORE_ACTION_TABLE, draw_action, expand
    from spec.deployed_native.codec import encode_op
    from spec.deployed_native.containers import Config, genesis
    from spec.deployed_native.transition import apply
    from spec.env import DEFAULT_ENV
    from spec.errors import SpecError

    rng = random.Random(seed)
    state, out = genesis(Config()), []
    actions = [("ready", 40_000, 500)] if rng.random() < 0.7 else []
    actions += [draw_action(rng, ACTION_TABLE + MORE_ACTION_TABLE) for _ in range(steps)]
    for action in actions:
        for op in expand(state, action):
            out.append(encode_op(op))
            try:
                state, _ = apply(state, op, DEFAULT_ENV)
            except SpecError:
                pass
    return out


@lru_cache(maxsize=4)
def _build(contracts):
    from pathlib import Path

    from reference.evm.compile import compile_kalypso

    return compile_kalypso(Path(contracts) if contracts else None)


_IDS = re.compile(r"\[\d+\]|\['[^']*'\]|\[\"[^\"]*\"\]")


def _answer(response: dict) -> str:
    return "accepts" if response.get("ok") is True else f"rejects with {response.get('error_code') or response.get('error')}"


def disagreement(operations: list[dict], contracts, seen: set | None = None) -> tuple[str, int, str] | None:
    """(rule, step, detail) of the first difference between the spec fork and the EVM adapter, or
    None; `seen` collects each operation's outcome (`OP:accepted` or `OP:ERROR_CODE`) on the spec side."""
    from reference.conformance.runner import first_difference
    from reference.evm.adapter import EvmSession
    from spec.adapter import Session
    from spec.deployed_native.codec import encode_config
    from spec.deployed_native.containers import Config

    spec_side, chain = Session(), EvmSession(_build(contracts))
    config = encode_config(Config())
    for side in (spec_side, chain):
        started = side.handle({"cmd": "genesis", "fork": FORK, "config": config})
        if started.get("ok") is not True:
            raise RuntimeError(f"genesis refused: {started}")
    for step, op in enumerate(operations):
        ours, theirs = spec_side.handle({"cmd": "apply", "op": op}), chain.handle({"cmd": "apply", "op": op})
        if seen is not None:
            seen.add(f"{op['op']}:{'accepted' if ours.get('ok') else ours.get('error_code')}")
        if ours.get("ok") != theirs.get("ok") or ours.get("error_code") != theirs.get("error_code"):
            rule = f"{op['op']}: spec {_answer(ours)}, chain {_answer(theirs)}"
            return rule, step, f"spec: {ours}\nchain: {theirs}"
        if ours.get("ok") and ours.get("events") != theirs.get("events"):
            path, detail = first_difference(ours["events"], theirs["events"], "$.events")
            return f"{op['op']}: events differ at {_IDS.sub('[*]', path)}", step, detail
    ours, theirs = spec_side.handle({"cmd": "state"})["state"], chain.handle({"cmd": "state"})["state"]
    found = first_difference(ours, theirs, "$.state")
    if found:
        return f"final state differs at {_IDS.sub('[*]', found[0])}", len(operations), found[1]
    return None


def shrink(operations: list[dict], rule: str, contracts, budget: int) -> list[dict]:
    """Drop chunks of operations (halves, then smaller) while the same rule stays broken; at most
    `budget` replays. With budget to spare the result is 1-minimal."""
    current, replays, size = list(operations), 0, max(len(operations) // 2, 1)
    while size >= 1 and replays < budget:
        i, changed = 0, False
        while i < len(current) and replays < budget:
            candidate = current[:i] + current[i + size:]
            replays += 1
            found = disagreement(candidate, contracts)
            if found and found[0] == rule:
                current, changed = candidate, True
            else:
                i += size
        if not changed:
            size //= 2
    return current


def run(payload, params) -> dict:
    import json

    reason = missing(params)
    if reason:
        return {"unavailable": f"the contracts or the npm toolchain are missing on this worker: {reason}"}
    operations = random_trace(payload["seed"], params["steps"])
    seen: set = set()
    found = disagreement(operations, params.get("contracts"), seen)
    coverage = sorted(seen)
    if found is None:
        return {"agree": True, "operations": len(operations), "coverage": coverage}
    rule, step, detail = found
    small = shrink(operations[: step + 1] if step < len(operations) else operations, rule, params.get("contracts"), params["shrink"])
    trace = "\n".join(json.dumps(op, sort_keys=True) for op in small)
    return {"agree": False, "operations": len(operations), "step": step, "coverage": coverage + [rule],
            "finding": {"rule": rule, "size": len(small), "trace": f"{detail}\n\nminimal trace ({len(small)} operations, from genesis):\n{trace}"}}


KIND = Kind("differential", tasks, run, {"steps": 40, "shrink": 200, "contracts": None},
            "random deployed_native traces on the spec fork and on the real bytecode, step by step",
            precheck=precheck)
