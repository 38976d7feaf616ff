"""The restaking lineage in the "Deployed Kalypso" section: the deployed_restaking fork against its
vectors on the reference adapter and, where the contracts, npm and the cached viaIR build are
present, on the L2 bytecode; each finding's trace on the fork, its replay on the bytecode with
the evidence read from the chain, its fix and the Z3 obligations; the readings replayed on the
bytecode that are not invariant violations (the stake-token draw, the VetoSlasher path); the
escape search and the design's restaking cases classified against the deployed rules
(kalypso/audit/sections/restaking_divergence.py)."""
from __future__ import annotations

import json
import sys
import time

from kalypso.audit.model import Check, Status, Table


def _status(ok: bool) -> Status:
    return Status.PASS if ok else Status.FAIL


def restaking_part(ctx) -> tuple[list, list, list]:
    from properties.z3 import deployed_restaking as z3_obligations
    from reference.conformance import runner
    from reference.conformance.deployed_restaking import findings as findings_mod
    from reference.conformance.deployed_restaking.generate import FORK_DIR
    from reference.evm import compile as evm_compile
    from reference.evm.errors import EvmHarnessError
    from reference.evm.restaking import compile as restaking_compile

    checks, tables, notes = [], [], []
    ctx.progress("reference adapter on deployed_restaking vectors", completed=0, total=None)
    reference = runner.run_conformance([sys.executable, "-m", "spec.adapter"], FORK_DIR)
    checks.append(Check("fork conformance, reference adapter: every deployed_restaking vector", _status(reference.ok),
                        count=reference.total, seconds=reference.seconds, detail=f"{reference.passed}/{reference.total} cases pass"))
    fork_rows = {}
    for f in findings_mod.FINDINGS:
        start = time.perf_counter()
        try:
            case = findings_mod.case_of(f)
            ok, detail = True, "; ".join(case["finding"]["violation"]) + f" | fix: {f.fix_rule}"
        except AssertionError as exc:
            ok, detail, case = False, str(exc), None
        fork_rows[(f.invariant, f.name)] = (case, detail)
        checks.append(Check(f"restaking finding {f.invariant} ({f.name}): the fork violates it, the fix keeps it", _status(ok),
                            count=len(case["operations"]) if case else None, seconds=time.perf_counter() - start, detail=detail[:400]))
    for obligation in z3_obligations.CHECKS:
        start = time.perf_counter()
        for result in obligation():
            checks.append(Check(f"Z3 (restaking): {result.name}", _status(result.holds), seconds=time.perf_counter() - start,
                                detail=result.detail + (f"; witness {result.witness}" if result.witness else "")))

    replays, draw, selectors, veto, instant, search = {}, None, None, None, None, None
    reason = None if ctx.budget["evm"] else "not in this profile"
    if not reason:
        try:
            evm_compile.check_toolchain()
        except EvmHarnessError as exc:
            reason = str(exc)
    contracts = restaking_compile.default_contracts_dir()
    build = None
    if not reason and contracts is None:
        reason = f"the {restaking_compile.LINEAGE} snapshot is not beside the repo root and $KALYPSO_RESTAKING_CONTRACTS is not set"
    if not reason:
        try:
            build = restaking_compile.compile_restaking(contracts, cache_only=True)
        except EvmHarnessError as exc:
            reason = str(exc)
    if reason:
        checks.append(Check("restaking: deployed_restaking vectors and findings on the L2 bytecode", Status.NOT_AVAILABLE,
                            detail=f"needs the contracts, npm and the cached viaIR build: {reason}"))
    else:
        from reference.evm.restaking import findings as evm_findings

        adapter = [sys.executable, "-m", "reference.evm.restaking.adapter", "--contracts", str(contracts)]
        ctx.progress("restaking EVM adapter on deployed_restaking vectors", completed=0, total=None)
        report = runner.run_conformance(adapter, FORK_DIR)
        checks.append(Check(f"fork conformance, EVM adapter on the {restaking_compile.LINEAGE} L2 bytecode", _status(report.ok),
                            count=report.total, seconds=report.seconds, detail=f"{report.passed}/{report.total} cases pass"))
        for r in evm_findings.replay_findings(build, findings_mod.FINDINGS_DIR):
            replays[r.finding] = r
            checks.append(Check(f"restaking finding {r.finding} replayed on the bytecode", _status(r.agree), count=r.steps,
                                detail=json.dumps(r.evidence)[:400] if r.agree else r.first_difference))
        draw = evm_findings.replay_token_draw(build)
        ok = all(v.get("chain_locked_native") == [k] for k, v in draw.items())
        checks.append(Check("restaking reading: stake-token selection is predicted off chain and chosen by timing", _status(ok),
                            detail=json.dumps(draw)[:400]))
        try:
            mw = restaking_compile.compile_middleware(contracts, cache_only=True)
            runtime = bytes.fromhex(json.loads((restaking_compile.base.cache_root() / mw.key / "artifacts.json").read_text())
                                    ["contracts"]["Middleware"]["runtime"])
            selectors = evm_findings.middleware_selectors(runtime)
            checks.append(Check("restaking reading: Middleware bytecode never pushes VetoSlasher.executeSlash's selector", _status(
                selectors["requestSlash pushed"] and not selectors["executeSlash pushed"]), detail=json.dumps(selectors)))
            builds = restaking_compile.compile_two_chain(contracts, cache_only=True)
        except EvmHarnessError as exc:
            checks.append(Check("restaking L1: Symbiotic core + Middleware on a second EVM", Status.NOT_AVAILABLE,
                                detail=f"L1 builds not cached (`python -m reference.evm.restaking.compile --l1`): {exc}"))
            builds = None
        if builds is not None:
            ctx.progress("restaking: both chains (Symbiotic core from npm, Middleware, L2)", completed=0, total=None)
            start = time.perf_counter()
            veto = evm_findings.replay_veto_escape(builds)
            ok = (not veto["Middleware has executeSlash"] and veto["vault before request"] == veto["vault after veto window"]
                  and set(veto["executeSlash(0) after the veto window, by caller"].values()) == {"NotNetworkMiddleware"}
                  and veto["control: executeSlash by that account"] == "ok" and not veto["fork/bytecode disagreements on L2"])
            checks.append(Check("restaking escape on both EVMs: a missed deadline, a veto slash requested through the Middleware "
                                "that no caller can execute; the vault keeps its stake", _status(ok), seconds=time.perf_counter() - start,
                                detail=json.dumps({k: v for k, v in veto.items() if k != "Middleware functions"})[:600]))
            from properties.deployed_restaking import veto_keeper_run
            from spec.deployed_restaking.fixes import apply_l1_with
            from spec.deployed_restaking.l1veto import apply_l1

            [(amount, age)] = veto["request (amount, capture age at the request, s)"] or [(0, 0)]
            model = [veto_keeper_run(rules, veto["vault before request"]["activeStake"], amount, age, *veto["veto window, epoch, s"])
                     for rules in (apply_l1, apply_l1_with("V1"))]
            ok = None not in model and model[0][0].stake == veto["vault after veto window"]["activeStake"] \
                and model[1][0].stake == veto["vault after the control"]["activeStake"]
            checks.append(Check("V1 on the fork's L1 slash model agrees with the chain: the deployed rules leave the vault's stake, "
                                "the fix (Middleware.executeSlash) takes what the control executes", _status(ok),
                                detail=f"model {[m[0].stake for m in model if m]}, chain {veto['vault after veto window']['activeStake']}"
                                       f" / {veto['vault after the control']['activeStake']}"))
            start = time.perf_counter()
            search = evm_findings.replay_search_escape_two_chain(builds)
            ok = (not search["L2 differences from the committed trace"] and not search["fork/bytecode disagreements on L2"]
                  and search["slash requests bridged to L1"] == [("InvalidCaptureTimestamp", "Middleware.slash")]
                  and search["vault after"] == search["vault before"])
            checks.append(Check("restaking escape search's own I8 trace on both EVMs: L2 as committed, the slash of the restaked "
                                "lock refused by Symbiotic on L1 (stale capture), the vault keeps the stake", _status(ok),
                                count=search["trace steps"], seconds=time.perf_counter() - start, detail=json.dumps(search)[:600]))
            start = time.perf_counter()
            instant = {"in time": evm_findings.replay_instant_slash(builds),
                       "capture 30 days old": evm_findings.replay_instant_slash(builds, stale_days=30)}
            ok = (instant["in time"]["vault after"]["activeStake"] < instant["in time"]["vault before"]["activeStake"]
                  and instant["capture 30 days old"]["vault after"] == instant["capture 30 days old"]["vault before"])
            checks.append(Check("restaking InstantSlasher path on both EVMs: Middleware.slash slashes in time, reverts on a capture "
                                "older than the vault's epoch", _status(ok), seconds=time.perf_counter() - start,
                                detail=json.dumps(instant)[:600]))
    from kalypso.audit.sections.restaking_divergence import divergence_part, escape_part

    checks += escape_part(ctx)
    if ctx.budget["divergence"]:
        more_checks, more_tables = divergence_part(ctx, build)
        checks += more_checks
        tables += more_tables
    rows = []
    for f in findings_mod.FINDINGS:
        case, detail = fork_rows[(f.invariant, f.name)]
        r = replays.get(f"{f.invariant}/{f.name}")
        evm = "not replayed (no contracts, npm or cached build)" if r is None else (
            "bytecode agrees on every step and the projection" if r.agree else f"DISAGREES: {r.first_difference}")
        seen = "-" if r is None else ", ".join(f"{k}={v}" for k, v in r.evidence.items())
        rows.append((f.invariant, f.rule, f"{len(case['operations']) if case else '?'} steps: {f.path.parent.name}/{f.path.name}",
                     detail.split(" | fix: ")[0], evm, seen, f.fix_rule))
    rows.append(("(reading) stake-token selection", "NativeStaking.sol:270 / SymbioticStaking.sol:536: keccak256(timestamp, "
                 "blockhash(n-1), msg.sender) with msg.sender always the StakingManager", "bytecode replay (not a fork vector)",
                 "whoever sends the assignment knows the draw and picks the token by waiting whole seconds",
                 "replayed" if draw else "not replayed", json.dumps(draw) if draw else "-",
                 "draw fixed at bid creation (e.g. keccak(bidId, requester)), not by the assigner's timing (not proven)"))
    rows.append(("V1 veto_slash_compensation (L1 slash model, spec/deployed_restaking/l1veto.py): VetoSlasher.executeSlash unreachable",
                 "Middleware.sol:377 requestSlash calls VetoSlasher.requestSlash; no function calls executeSlash, which Symbiotic "
                 "(VetoSlasher.sol executeSlash -> _checkNetworkMiddleware) lets only the network's middleware call",
                 "two EVMs: L2 task missed, slash result carried, Middleware.requestSlash on L1, veto window passed, executeSlash "
                 "from every account we control", "a prover that misses its deadline keeps its restaked stake (the L1 model: every execute path refused, "
                 "the request never executed after its capture's slash period)",
                 "replayed on both EVMs" if veto else ("selector check only" if selectors else "not replayed"),
                 json.dumps({k: veto[k] for k in ("slash requests bridged to L1", "executeSlash(0) after the veto window, by caller",
                                                  "Middleware has executeSlash", "vault before request", "vault after veto window",
                                                  "control: executeSlash by that account", "vault after the control")})
                 if veto else (json.dumps(selectors) if selectors else "-"),
                 "Middleware.executeSlash(index) after the veto window (the UUPS admin can upgrade to it): Z3-proven on the "
                 "L1 slash model (V1 obligations: requestSlash's own capture bound keeps it executable); the control executes "
                 "the same request on chain"))
    rows.append(("(reading, replayed) InstantSlasher path", "Middleware.sol:338 slash calls Symbiotic's Slasher.slash at once",
                 "two EVMs: the same task on an INSTANT_SLASH vault, in time and with the capture 30 days old",
                 "slashes in time; with no staleness bound on L2 the capture can be older than the vault's epoch and the "
                 "L1 slash reverts (InvalidCaptureTimestamp): the I8 escape on chain",
                 "replayed on both EVMs" if instant else "not replayed",
                 json.dumps({k: {"L1": v["slash requests bridged to L1"], "vault after": v["vault after"]} for k, v in instant.items()})
                 if instant else "-", "deadline + 1 + submissionCooldown <= latest capture + 7 days (the I8 fix above) keeps "
                 "the capture slashable"))
    rows.append(("(I8, both chains) the escape search's own trace", "the committed I8 finding (found by the search) with "
                 "the captures read from L1 and the slash carried to Middleware.slash (INSTANT_SLASH vault)",
                 "two EVMs: the 16 committed L2 steps, then the restaked lock's slash on L1",
                 "Symbiotic refuses the capture (older than the vault's epoch): the prover keeps its restaked stake",
                 "replayed on both EVMs" if search else "not replayed",
                 json.dumps({k: search[k] for k in ("capture age at the L1 slash, s", "vault epoch, s", "slash requests bridged to L1",
                                                    "vault before", "vault after", "L2 differences from the committed trace")})
                 if search else "-", "the I8 fix above refuses the trace's assignment (StaleCapture)"))
    tables.append(Table("Restaking lineage (initial-deploy-7cf6586): findings and readings",
                        ("Invariant", "Deployed rule that breaks it", "Trace", "Violation (fork)", "EVM replay (L2)",
                         "Evidence read from the bytecode", "Smallest fix (fork, Z3-proven where marked)"), tuple(rows)))
    notes.append("Restaking: L1 is Symbiotic core 1.0.3 from npm (Vault, NetworkRestakeDelegator, VetoSlasher, Slasher; solc "
                 "0.8.25, its OpenZeppelin 5.0.2) with Kalypso's Middleware behind a proxy; the bridge between the two EVMs is "
                 "played by the harness (deterministic enclave keys, the repo's MockAttestationVerifier): captures read "
                 "stakeAt on L1, slash requests are derived from the L2 task's restaked lock. The deployed_restaking vectors "
                 "run on L2 alone (a capture's stake is what the operation says).")
    return checks, tables, notes
